"""Turkish catalog of working a lead: the card, its buttons and questions, /lead, /leads,
/today, /note, /correct and /new. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "stage.info_sent": "bilgi gönderildi",
    "stage.nurture": "takipte",
    "lost.price": "fiyat",
    "lost.location": "konum",
    "lost.elsewhere": "başka yerden aldı",
    "lost.unreachable": "ulaşılamadı",
    "lost.not_serious": "ciddi değil",
    "lost.other": "diğer",
    "task.reminder": "⏰ Hatırlatma",
    "task.appointment": "📅 Randevu",
    "weekday.0": "Pzt",
    "weekday.1": "Sal",
    "weekday.2": "Çar",
    "weekday.3": "Per",
    "weekday.4": "Cum",
    "weekday.5": "Cmt",
    "weekday.6": "Paz",
    "button.done": "✅ Tamam",
    "button.snooze_1h": "💤 1 sa",
    "button.snooze_tomorrow": "💤 Yarın",
    "button.open_card": "📇 Kart",
    "reminder.reminder": "⏰ Hatırlatma: <b>#{lead_id}</b> numaralı talep ({time})",
    "reminder.appointment": "📅 <b>#{lead_id}</b> numaralı talep için randevu: {time}",
    "reminder.done": "✅ #{lead_id} numaralı talep: yapıldı.",
    "reminder.snoozed": "💤 #{lead_id} numaralı talep: {time:loc} yeniden hatırlatacağım.",
    "answer.task_done": "✅ Tamam.",
    "answer.snoozed": "💤 {time:loc} yeniden hatırlatırım.",
    "task.next_try": "📞 Yeniden ara",
    "reminder.next_try": "📞 <b>#{lead_id}</b> numaralı talebi yeniden arama zamanı ({time})",
    "task.follow_up": "🔁 Takip",
    "outcome.prompt": "❓ <b>#{lead_id}</b> numaralı talep ne durumda? {since:abl} beri sizde, "
                      "hâlâ “{stage}” aşamasında. Tek dokunuşla bildirin:",
    "outcome.working": "🔄 #{lead_id} numaralı talep: hâlâ üzerinde çalışılıyor. Not edildi.",
    "outcome.answered": "✅ #{lead_id} numaralı talep: {stage}. Teşekkürler.",
    "button.still_working": "🔄 Hâlâ üzerinde çalışıyorum",
    "answer.still_working": "🔄 Not edildi: hâlâ üzerinde çalışıyorsunuz.",
    "reminder.follow_up": "🔁 <b>#{lead_id}</b> numaralı talebin takip zamanı ({time})",
    "nurtured.title": "🌱 #{lead_id} numaralı talep takibe alındı: {agent} {tries} kez "
                      "aradı, ulaşamadı. Artık {agent:gen} açık talepleri arasında sayılmıyor.",
    "answer.nurtured": "🌱 Üst üste üç kez ulaşılamadı: talep takibe alındı. Üç gün sonra "
                       "yeniden aramanızı hatırlatacağım.",
    "stats.first_contact": "İlk temas hızı (geliş → ilk temas): <b>{to_contact}</b> · "
                           "ulaşılan: {rate} ({contacted}/{owned})",
    "stats.after_accept": "Zamanında ilk temas: <b>{sla}</b> ({met}/{due}) · "
                          "geri alınan: {reclaimed} · takibe alınan: {nurtured}",
    "stats.reclaimed.first_contact": "ilk temas gecikmesi",
    "stats.reclaimed.no_contact": "temas yok",
    "stats.reclaimed.no_progress": "ilerleme yok",
    "stats.reclaimed.too_long": "çok uzun süre açık",
    "stats.reclaimed.other": "diğer",
    # the card
    "card.title": "📇 Talep <b>#{lead_id}</b> · {temperature} · puan {score}/100",
    "card.stage": "Aşama: <b>{stage}</b>",
    "card.first_contact": "ilk temas {time}",
    "card.attempts": "{count} deneme",
    "card.offer_amount": "Teklif: <b>{amount}</b>",
    "card.won_amount": "Kazanılan tutar: <b>{amount}</b>",
    "card.lost_reason": "Kaybedilme nedeni: {reason}",
    "card.next": "Sıradaki: {task} · {time}",
    "card.no_next": "Sıradaki: planlı bir iş yok — hatırlatma ya da randevu ekleyin.",
    "card.notes": "📝 <b>Notlar</b> (en yenisi üstte)",
    "card.notes_more": "… daha eski notlar var: /lead {lead_id} ona kadarını gösterir.",
    "card.note": "· {time} {author}: {text}",
    "card.earlier": "↩️ Önceki talepleri: {items}",
    "card.earlier_item": "#{lead_id} ({date}, {stage})",
    "card.owner": "👤 Sorumlu: {name}",
    "card.reply_hint": "💬 Not eklemek için bu karta yanıt verin.",
    "card.moved": "📇 #{lead_id} numaralı talep: bu kart aşağıya taşındı ⬇️",
    "card.first_message": "Merhaba {first_name}, ben {agent}, {office} adına yazıyorum. "
                          "Talebiniz için teşekkür ederiz; ne zaman görüşmek uygun olur?",
    "button.whatsapp": "💬 WhatsApp",
    "button.unreachable": "📵 Ulaşılamadı",
    "button.info_sent": "📨 Bilgi gönderildi",
    "button.offer": "💼 Teklif",
    "button.note": "📝 Not",
    "button.remind": "⏰ Hatırlat",
    "button.undo": "↩️ Geri al",
    "button.today": "Bugün",
    "button.tomorrow": "Yarın",
    "button.remind_1h": "1 saat sonra",
    "button.remind_tomorrow": "Yarın 10:00",
    "button.remind_3d": "3 gün sonra",
    "button.prev": "‹ Daha yeni",
    "button.next": "Daha eski ›",
    "button.cancel": "✖️ Vazgeç",
    # answers to presses
    "answer.attempt": "📵 Deneme kaydedildi. Yeniden aramanızı hatırlatacağım.",
    "answer.reached": "📞 #{lead_id} numaralı talepte görüşme kaydedildi.",
    "answer.stage": "✅ #{lead_id}: {stage}",
    "answer.undone": "↩️ Geri alındı: #{lead_id} yeniden “{stage}” aşamasında.",
    "answer.pick_day": "Bir gün seçin — ya da saati yazın, örneğin “yarın 14:30”.",
    "answer.pick_time": "Bir saat seçin.",
    "answer.pick_lost": "Neden kaybedildi?",
    "answer.pick_remind": "Ne zaman hatırlatayım?",
    "answer.booked": "📅 Randevu kaydedildi.",
    "answer.reminder_set": "⏰ Hatırlatma kuruldu.",
    "answer.noted": "📝 #{lead_id} numaralı talebe not eklendi.",
    # questions
    "ask.offer_amount": "💼 #{lead_id} numaralı talep: teklif ne kadar? Tutarı yazın, "
                        "örneğin 4.500.000, 4,5 milyon ya da 4.5m. Vazgeçmek için /cancel.",
    "ask.won_amount": "🏆 #{lead_id} numaralı talep: hangi tutara kazanıldı? Tutarı yazın, "
                      "örneğin 4.500.000, 4,5 milyon ya da 4.5m. Vazgeçmek için /cancel.",
    "ask.note": "📝 #{lead_id} numaralı talep: notu yazın. Vazgeçmek için /cancel.",
    "ask.placeholder_amount": "4.500.000",
    "ask.placeholder_note": "Notunuz",
    "answered.offer_amount": "💼 #{lead_id} numaralı talebe {amount} teklif kaydedildi.",
    "answered.won_amount": "🏆 #{lead_id} numaralı talep {amount} tutarla kazanıldı. Tebrikler!",
    "answered.appointment": "📅 #{lead_id} numaralı talep için randevu: {time}.",
    "answered.note": "📝 #{lead_id} numaralı talebe not eklendi.",
    "prompt.cancelled": "Tamam, vazgeçildi.",
    "prompt.nothing": "Vazgeçilecek bir soru yok.",
    "text.hint": "Not eklemek için talebin kartına yanıt verin. Talepleriniz için /leads, "
                 "geri kalan her şey için /help.",
    # commands
    "command.lead": "Bir talebin kartını göster",
    "command.today": "Bugün yapılacaklar",
    "command.note": "Bir talebe not ekle",
    "command.new": "Telefonla ya da ofiste gelen talebi gir",
    "command.cancel": "Sorulan soruyu bırak",
    "command.correct": "Bir talebin aşamasını düzelt",
    "lead.usage": "Kullanım: /lead &lt;talep no ya da telefon&gt;",
    "note.usage": "Kullanım: /note &lt;talep&gt; metin — ya da talebin kartına yanıt verin.",
    "correct.usage": "Kullanım: /correct &lt;talep&gt; &lt;aşama&gt; &lt;neden&gt;\n"
                     "Örnek: /correct 12 teklif müşteri henüz imzalamadı",
    "correct.done": "✏️ #{lead_id} numaralı talep “{stage}” olarak düzeltildi.",
    "leads.none": "Açık talebiniz yok. Yenileri buraya gelecek.",
    "leads.page_title": "<b>Açık talepleriniz ({count})</b> · sayfa {page}/{pages}",
    "leads.line": "#{lead_id} · {name} · {stage} · {next}",
    "leads.no_task": "planlı iş yok",
    "today.none": "Bugün yapılacak bir iş yok. 🎉",
    "today.title": "<b>Bugün yapılacaklar ({count})</b>",
    "today.line": "{when} · {task} · #{lead_id} {name}",
    "today.overdue": "⚠️ gecikti, {time}",
    "outcome.usage": "Kullanım: /outcome &lt;talep&gt; &lt;aşama&gt; [tutar ya da not]\n"
                     "Aşamalar: ulaşıldı, bilgi gönderildi, randevu, teklif, kazanıldı, "
                     "kaybedildi, takipte.\nÖrnek: /outcome 12 kazanıldı 2.500.000",
    "help.agent": "<b>Komutlarınız</b>\n"
                  "/leads — açık talepleriniz\n"
                  "/lead &lt;no ya da telefon&gt; — bir talebin kartı\n"
                  "/today — bugün yapılacaklar\n"
                  "/note &lt;talep&gt; metin — not ekle (ya da karta yanıt verin)\n"
                  "/new — telefonla ya da ofiste gelen talebi gir\n"
                  "/outcome &lt;talep&gt; &lt;aşama&gt; [tutar ya da not]\n"
                  "/why &lt;talep&gt; — size gelen bir talebin neden size geldiği\n"
                  "/rules — talepler nasıl dağıtılır, hangi havuzlardasınız\n"
                  "/me [dönem] — kendi rakamlarınız, ekibin medyanının yanında\n"
                  "/settings — çalışma saatleriniz ve diliniz\n"
                  "/away [&lt;gün&gt; kadar | N gün] — bir süre talep almayın; "
                  "/back — yeniden alın\n"
                  "/cancel — sorulan soruyu bırak\n"
                  "/help — bu liste",
    "help.manager": "\n\n<b>Yönetici komutları</b>\n"
                    "/stats [dönem] [by agent|team|source|rule] — huni, hız, para; "
                    "düğmelerinde teklifler, adalet, yük, otomasyon\n"
                    "/pending — kabul ya da sahip bekleyen talepler\n"
                    "/report [dönem] — grafikler: huni, hız, adil pay, SLA, kaynaklar\n"
                    "/agents — ekip: durum, iş yükü, seviye; profil düzenleme\n"
                    "/assign &lt;talep&gt; [danışman] — sahipsiz bir talebi birine ver\n"
                    "/reassign &lt;talep&gt; [danışman] — bir talebi başka birine devret\n"
                    "/correct &lt;talep&gt; &lt;aşama&gt; &lt;neden&gt; — düzelt ya da yeniden aç\n"
                    "/away &lt;ad&gt; … · /back &lt;ad&gt; — birini izinli ya da dönmüş yapın\n"
                    "/deactivate &lt;ad&gt; — birini ekipten çıkarın\n"
                    "/invite danışman|yönetici — ekibe birini ekleyen tek kullanımlık bağlantı\n"
                    "/reload — ofis ayarlarını yeniden oku\n"
                    "/export [dönem] — dönemin talepleri tablo olarak (CSV)\n"
                    "/setgroup [off] — grupta: ekibin grubu yap (off: grup olmasın)",
    # /new
    "entry.ask.name": "✍️ <b>Yeni talep</b> (1/6)\nMüşterinin adı soyadı nedir?",
    "entry.ask.phone": "📞 (2/6) Telefon numarası nedir? Alan koduyla ya da + ve ülke "
                       "koduyla yazın.",
    "entry.ask.product": "🏠 (3/6) Ne arıyor? Birini seçin ya da yazın.",
    "entry.ask.product_typed": "🏠 (3/6) Ne arıyor? Yazın ya da geçin.",
    "entry.ask.region": "📍 (4/6) Hangi bölge ya da semt? Yazın ya da geçin.",
    "entry.ask.budget": "💰 (5/6) Bütçesi ne kadar? Bir tutar ya da aralık yazın, örneğin "
                        "2,5 milyon ya da 3-5 milyon; ya da geçin.",
    "entry.ask.timing": "⏳ (6/6) Ne zaman almayı düşünüyor? Birini seçin ya da yazın.",
    "button.skip": "Geç ›",
    "button.timing_week": "Bu hafta",
    "button.timing_month": "Bu ay",
    "button.timing_quarter": "1–3 ay içinde",
    "button.timing_half": "6 ay içinde",
    "button.timing_looking": "Sadece bakıyor",
    "entry.saved_yours": "✅ <b>#{lead_id}</b> numaralı talep kaydedildi. Talep sizin; "
                         "kartından takip edin.",
    "entry.saved_routed": "✅ <b>#{lead_id}</b> numaralı talep kaydedildi. Her talep gibi "
                          "ekibe yönlendirilecek.",
    "entry.cancelled": "✖️ Talep girişi iptal edildi. Hiçbir şey kaydedilmedi.",
    "entry.gone": "Bu talep girişi kapandı. Yenisini başlatmak için /new.",
    "card.entered_title": "✍️ <b>#{lead_id}</b> numaralı talep sizin · {temperature} · puan "
                          "{score}/100",
    # errors
    "error.not_a_phone": "“{text}” kullanabileceğim bir telefon numarası değil. Alan "
                         "koduyla ya da + ve ülke koduyla yazın.",
    "error.empty_answer": "Yanıt boş. Yeniden yazın ya da /cancel.",
    "error.too_long": "Bu çok uzun: en fazla {limit} karakter olabilir.",
    "error.entry_moved_on": "Bu soru zaten yanıtlandı. Son soruyu yanıtlayın ya da baştan "
                            "başlamak için /new.",
    "error.nothing_to_undo": "Geri alınacak bir şey yok: son aşama değişikliği zaten geri "
                             "alınmış ya da hiç yapılmamış.",
    "error.undo_too_late": "Geri alma, değişiklikten sonraki {minutes} dakika içinde "
                           "çalışır. Aşamayı düzeltmesi için bir yöneticiye başvurun.",
    "error.in_the_past": "Bu saat geçti. Daha ileri bir saat seçin.",
    "error.empty_note": "Not boş.",
    "error.not_a_time": "“{text}” anlayabildiğim bir saat değil. “yarın 14:30” ya da "
                        "“pazartesi 10:00” gibi yazın.",
}
