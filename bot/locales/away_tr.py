"""Turkish catalog of going away, coming back and deactivation (/away, /back,
/deactivate). Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "command.away": "Bir süre talep almayın (bir güne kadar ya da N gün)",
    "command.back": "/away sonrası yeniden talep alın",
    "command.deactivate": "Birini ekipten kalıcı olarak çıkarın",
    "away.usage": "Kullanım: /away [&lt;gün&gt; kadar | N gün]\n"
                  "Örnekler: /away, /away cumaya kadar, /away 24.12.2026, /away 3 gün",
    "away.usage_manager": "Yöneticiler önce bir kişinin adını yazabilir: /away &lt;ad ya da "
                          "no&gt; [&lt;gün&gt; kadar | N gün]",
    "away.done": "🌴 /back yazana kadar izindesiniz. Size yeni talep gelmeyecek.",
    "away.done_until": "🌴 {day} sonuna kadar izindesiniz. Size yeni talep gelmeyecek; ertesi "
                       "gün yeniden gelmeye başlar.",
    "away.done_other": "🌴 {agent}, /back yazana kadar izinde.",
    "away.done_other_until": "🌴 {agent}, {day} sonuna kadar izinde.",
    "away.offers_moved": "Bekleyen {count} teklif başka birine geçti.",
    "away.leads_moved": "Açık taleplerinizden {count} tanesi devredildi.",
    "away.leads_moved_one": "Açık taleplerinizden biri devredildi.",
    "away.lead_to": "#{lead_id} numaralı talep → {to}",
    "away.lead_routed": "#{lead_id} numaralı talep → yeniden yönlendirildi",
    "away.set_by": "🌴 {by} sizi /back yazana kadar izinli yaptı. Size yeni talep gelmeyecek.",
    "away.set_by_until": "🌴 {by} sizi {day} sonuna kadar izinli yaptı. O zamana kadar size "
                         "yeni talep gelmeyecek.",
    "away.back_done": "👋 Tekrar hoş geldiniz: size yeniden talep gelebilir.",
    "away.back_done_other": "👋 {agent} döndü, yeniden talep alabilir.",
    "away.back_by": "👋 {by} döndüğünüzü işaretledi: size yeniden talep gelebilir.",
    "away.ended": "👋 İzniniz bitti: size yeniden talep gelebilir.",
    "away.returned": "Yedeğinizin üzerinde çalışmadığı {count} talep size geri döndü.",
    "away.returned_other": "Yedeğinin üzerinde çalışmadığı {count} talep kendisine geri döndü.",
    "withdrawn.away": "🌴 #{lead_id} numaralı talep siz izindeyken başka birine geçti.",
    "withdrawn.deactivated": "#{lead_id} numaralı talep başka birine geçti.",
    "contact_removed": "🔒 #{lead_id} numaralı talep (iletişim bilgileri kaldırıldı).",
    "reclaimed.away": "🌴 <b>#{lead_id}</b> numaralı talep siz izindeyken {to:dat} verildi.",
    "reclaimed.away_routing": "🌴 <b>#{lead_id}</b> numaralı talep siz izindeyken yeniden "
                              "yönlendirildi.",
    "reclaimed.back_from_away": "↩️ <b>#{lead_id}</b> numaralı talep, dönen {to:dat} geri verildi.",
    "card.handover_title": "🌴 <b>#{lead_id}</b> numaralı talep, {by} izindeyken sizde.",
    "card.returned_title": "↩️ <b>#{lead_id}</b> numaralı talep yeniden sizde ({by} "
                           "bıraktı).",
    "outcome.away": "{agent:dat} gelen teklif geri çekildi (izinde)",
    "why.offer.away": "🌴 {agent:dat} yapılan teklif geri çekildi: izinde",
    "deactivate.usage": "Kullanım: /deactivate &lt;ad ya da no&gt;",
    "deactivate.confirm": "<b>{agent}</b> ekipten çıkarılsın mı? Bekleyen teklifleri başkasına "
                          "geçer, açık talepleri yedeğine ya da yeniden yönlendirmeye gider, "
                          "eski kartlarındaki iletişim bilgileri silinir.",
    "deactivate.done": "🚪 {agent} artık ekipte değil.",
    "deactivate.cancelled": "Hiçbir şey değişmedi.",
    "button.deactivate_yes": "🚪 Evet, çıkar",
    "button.deactivate_no": "✖️ Hayır",
    "answer.deactivated": "Ekipten çıkarıldı.",
    "error.ambiguous_agent": "Birden çok kişi uyuyor: {names}. Adın devamını ya da numarayı "
                             "yazın.",
    "error.not_away_other": "{name} izinde değil.",
    "error.not_away": "İzinde değilsiniz.",
    # a profile's Away… and Deactivate (/agents)
    "button.away_menu": "🌴 İzin…",
    "button.deactivate": "🚪 Ekipten çıkar",
    "button.away.1": "Bugün",
    "button.away.3": "3 gün",
    "button.away.7": "1 hafta",
    "button.away.14": "2 hafta",
    "button.away.0": "Dönene kadar",
    "button.away.b": "✅ Şimdi dönsün",
}
