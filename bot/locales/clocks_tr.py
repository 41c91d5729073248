"""Turkish catalog of the clocks after Accept: first contact, reassignment and reclaim.
Values are HTML for Telegram."""

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
}
