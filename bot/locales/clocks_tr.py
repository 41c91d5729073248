"""Turkish catalog of the clocks after Accept (first contact, reassignment, reclaim) and of
/rules. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "task.first_contact": "📞 İlk arama",
    "escalation.reclaimed": "sahibinden geri alındı",
    "contact_missed.title": "⏰ <b>#{lead_id}</b> numaralı talep: {agent} müşteriye henüz "
                            "ulaşmayı denemedi. İlk arama için son saat {time} idi.",
    "contact_missed.reclaim": "Denemezse talep {time:loc} geri alınacak.",
    "contact_missed.pick": "Başka birine verin:",
    "miss_closed.contacted": "✅ #{lead_id} numaralı talep: {agent} sonunda müşteriye "
                             "ulaşmayı denedi.",
    "miss_closed.reassigned": "✅ #{lead_id} numaralı talep {by} tarafından {agent:dat} "
                              "verildi.",
    "miss_closed.reclaimed": "↩️ #{lead_id} numaralı talep geri alındı ve yeniden "
                             "yönlendirildi.",
    "contact_nudge.title": "⏰ <b>#{lead_id}</b> numaralı talep ilk aramanızı bekliyor: son "
                           "saat {time} idi.",
    "contact_nudge.reclaim": "{time:dat} kadar kartına bir deneme girin, yoksa talep başka "
                             "bir danışmana verilecek.",
    "contact_nudge.log": "Aradığınız anda kartına bir deneme girin (Ulaşıldı ya da "
                         "Ulaşılamadı).",
    "reclaim_warning.no_contact": "⚠️ <b>#{lead_id}</b> numaralı talep: kabul ettiğinizden "
                                  "beri hiç deneme girilmedi. Bir deneme girmezseniz talep "
                                  "{time:loc} geri alınacak.",
    "reclaim_warning.no_progress": "⚠️ <b>#{lead_id}</b> numaralı talep: aşaması uzun "
                                   "süredir değişmedi. İlerlemezse talep {time:loc} geri alınacak.",
    "reclaim_warning.too_long": "⚠️ <b>#{lead_id}</b> numaralı talep uzun süredir sizde ve "
                                "satışa dönmedi. Randevu ya da teklif aşamasında "
                                "çalışılmazsa talep {time:loc} geri alınacak.",
    "reclaimed.first_contact": "↩️ <b>#{lead_id}</b> numaralı talep geri alındı: ilk arama "
                               "zamanında girilmedi.",
    "reclaimed.no_contact": "↩️ <b>#{lead_id}</b> numaralı talep geri alındı: kabul "
                            "edildiğinden beri hiç deneme girilmedi.",
    "reclaimed.no_progress": "↩️ <b>#{lead_id}</b> numaralı talep geri alındı: aşaması "
                             "zamanında ilerlemedi.",
    "reclaimed.too_long": "↩️ <b>#{lead_id}</b> numaralı talep geri alındı: satışa dönmeden "
                          "çok uzun süre sizde kaldı.",
    "reclaimed.reassigned": "↩️ {by}, <b>#{lead_id}</b> numaralı talebi {to:dat} verdi.",
    "reclaimed.card": "↩️ #{lead_id} numaralı talep artık sizde değil.",
    "answer.reassigned": "{agent:dat} verildi.",
    # /rules
    "command.rules": "Talepler nasıl dağıtılır, hangi havuzlardasınız",
    "rules.title": "📜 <b>Talepler nasıl dağıtılır</b> (uyan ilk kural karar verir)",
    "rules.rule": "{number}. <b>{name}</b> — {when}",
    "rules.then": "   → {what}",
    "rules.every_lead": "her talep",
    "rules.only_fallback": "yalnızca başka bir kural ona devrettiğinde",
    "rules.condition": "{field}: {values}",
    "rules.when.source": "kaynak",
    "rules.when.product": "ürün",
    "rules.when.region": "bölge",
    "rules.when.postal_code": "posta kodu",
    "rules.when.budget": "bütçe",
    "rules.when.temperature": "sıcaklık",
    "rules.when.score": "puan",
    "rules.when.tags": "etiketler",
    "rules.when.language": "dil",
    "rules.when.business_hours": "mesai saatinde",
    "rules.when.returning": "dönen müşteri",
    "rules.strategy.round_robin": "sırayla:",
    "rules.strategy.weighted": "ağırlığa göre sırayla:",
    "rules.strategy.least_loaded": "en az işi olana:",
    "rules.strategy.tiers": "seviye payına göre:",
    "rules.strategy.availability": "ilk müsait olana:",
    "rules.strategy.claim": "hepsine birden, ilk alan kazanır:",
    "rules.nobody": "kimse",
    "rules.covers_product": "yalnızca uzmanlığı ürünü kapsayanlar",
    "rules.covers_region": "yalnızca bölgesi talebin bölgesini kapsayanlar",
    "rules.tiers": "seviye {tiers}",
    "rules.fallback": "müsait kimse yoksa → {target}",
    "rules.rule_named": "“{name}” kuralı",
    "rules.to.agents": "bir danışman",
    "rules.to.managers": "yöneticiler",
    "rules.to.nurture": "takip (şimdilik sahipsiz)",
    "rules.to.disqualify": "geri çevrilir",
    "rules.mine": "Bulunduğunuz kurallar: {rules}",
    "rules.mine_none": "Hiçbir kuralın havuzunda değilsiniz.",
}
