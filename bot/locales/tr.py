"""Turkish message catalog. Values are HTML for Telegram; placeholders are escaped on use."""

MESSAGES: dict[str, str] = {
    # values
    "temperature.hot": "🔥 SICAK",
    "temperature.warm": "🌤 ILIK",
    "temperature.cold": "❄️ SOĞUK",
    "stage.new": "yeni",
    "stage.contacted": "ulaşıldı",
    "stage.appointment": "randevu",
    "stage.offer": "teklif verildi",
    "stage.won": "kazanıldı",
    "stage.lost": "kaybedildi",
    "reason.busy": "şu an meşgulüm",
    "reason.area": "benim bölgem değil",
    "reason.product": "benim ürünüm değil",
    "reason.other": "diğer",
    "missing.product": "ürün",
    "missing.region": "bölge",
    "missing.budget": "bütçe",
    "missing.timing": "zamanlama",
    "escalation.no_accept": "zamanında kimse kabul etmedi",
    "escalation.no_agent": "alabilecek uygun danışman yok",
    "unit.s": "{n} sn",
    "unit.min": "{n} dk",
    "unit.h": "{n} sa",
    "unit.h_min": "{h} sa {m} dk",
    "not_given": "—",
    "budget.range": "{low} – {high}",
    "budget.from": "{low} ve üzeri",
    "budget.up_to": "{high} ve altı",
    # the offer
    "offer.title": "{temperature} talep <b>#{lead_id}</b> · puan {score}/100",
    "offer.returning": "↩️ Tekrar gelen kişi — zaten sizinle çalışıyor.",
    "field.name": "Ad",
    "field.product": "Ürün",
    "field.region": "Bölge",
    "field.budget": "Bütçe",
    "field.timing": "Zamanlama",
    "field.source": "Kaynak",
    "field.phone": "Telefon",
    "field.email": "E-posta",
    "field.message": "Mesaj",
    "offer.missing": "⚠️ Eksik: {fields}",
    "offer.deadline": "⏱ <b>{window}</b> içinde kabul edin ({time}'e kadar), yoksa sıradaki "
                      "danışmana gider.",
    "offer.hidden": "Telefon ve e-posta kabul edince açılır.",
    "button.accept": "✅ Kabul et",
    "button.decline": "✖️ Reddet",
    "button.back": "↩️ Geri",
    "decline.ask": "#{lead_id} numaralı talebi neden reddediyorsunuz?",
    "offer_accepted.title": "✅ <b>#{lead_id}</b> numaralı talep artık sizin",
    "offer_accepted.next": "👉 Hemen arayın: ilk dönen genellikle satışı kazanır. Sonucu "
                           "düğmelerle ya da /outcome {lead_id} contacted ile kaydedin.",
    "offer_declined.title": "✖️ #{lead_id} numaralı talebi reddettiniz ({reason}). "
                            "Sıradaki danışmana gitti.",
    "offer_expired.title": "⏰ #{lead_id} numaralı talep {window} içinde kabul edilmediği "
                           "için başkasına geçti.",
    "button.contacted": "📞 Ulaşıldı",
    "button.appointment": "📅 Randevu",
    "button.won": "🏆 Kazanıldı",
    "button.lost": "✖️ Kaybedildi",
    # managers
    "escalated.title": "🚨 <b>#{lead_id}</b> numaralı talep yönetici bekliyor: {reason}.",
    "escalated.tried": "Teklif edilenler: {names}",
    "escalated.pick": "Kime atansın:",
    "escalation_closed.title": "✅ #{lead_id} numaralı talep {by} tarafından {agent} "
                               "danışmanına atandı.",
    "lead_assigned.title": "📌 {by}, <b>#{lead_id}</b> numaralı talebi size atadı",
    # callback answers
    "answer.accepted": "Talep sizin. İletişim bilgileri mesajda.",
    "answer.declined": "Reddedildi. Talep sıradaki danışmana gitti.",
    "answer.assigned": "{agent} danışmanına atandı.",
    "answer.outcome": "Kaydedildi: #{lead_id} {stage}.",
    "answer.pick_reason": "Bir neden seçin.",
    # errors (alerts and replies)
    "error.generic": "Bu işlem olmadı. Lütfen tekrar deneyin.",
    "error.invalid_input": "Geçersiz giriş: {detail}",
    "error.unknown_source": "Bilinmeyen kaynak.",
    "error.unknown_agent": "Bu ofisin listesinde değilsiniz.",
    "error.not_a_manager": "Bunu yalnızca yöneticiler yapabilir.",
    "error.not_found": "Böyle bir talep yok.",
    "error.not_your_offer": "Bu teklif başka birine yapıldı.",
    "error.offer_closed": "Bu teklif artık açık değil.",
    "error.lead_handled": "Bu talep zaten atandı.",
    "error.not_your_lead": "Bu talep sizin değil.",
    "error.invalid_transition": "Bu uymuyor: talep zaten “{stage}” aşamasında.",
    "error.conflict": "Aynı anda başka biri değiştirdi. Lütfen tekrar deneyin.",
    "error.unreadable_button": "Bu düğme artık geçerli değil.",
    # commands
    "start.agent": "👋 Merhaba {name}! <b>{office}</b> ofisine bağlandınız. Yeni talepler "
                   "buraya Kabul ve Reddet düğmeleriyle gelecek. /help komutları listeler.",
    "start.manager": "👋 Merhaba {name}! <b>{office}</b> ofisine yönetici olarak bağlandınız. "
                     "Kimsenin kabul etmediği talepler size gelir. /help komutları listeler.",
    "start.stranger": "Üzgünüz, bu bot yalnızca {office} ekibi içindir. Ekipteyseniz "
                      "yöneticinizden Telegram kimliğinizi eklemesini isteyin: {user_id}.",
    "help.agent": "<b>Komutlarınız</b>\n"
                  "/leads — açık talepleriniz\n"
                  "/outcome &lt;talep&gt; contacted|appointment|offer|won|lost [tutar veya not]\n"
                  "/help — bu liste",
    "help.manager": "\n\n<b>Yönetici komutları</b>\n"
                    "/stats [today|7d|30d] — hız, SLA ve sonuçlar, danışman bazında\n"
                    "/pending — kabul ya da sahip bekleyen talepler",
    "command.start": "Bu sohbeti ofise bağla",
    "command.leads": "Açık talepleriniz",
    "command.outcome": "Bir talebin sonucunu kaydet",
    "command.help": "Bu bot neler yapar",
    "command.stats": "Ekip hızı, SLA ve sonuçlar",
    "command.pending": "Sahip bekleyen talepler",
    "leads.none": "Açık talebiniz yok. Yenileri buraya gelecek.",
    "leads.title": "<b>Açık talepleriniz ({count})</b>",
    "leads.row": "#{lead_id} · {temperature} · {product} · {region} · {stage} · {since}'den beri",
    "outcome.usage": "Kullanım: /outcome &lt;talep&gt; contacted|appointment|offer|won|lost "
                     "[tutar veya not]\nÖrnek: /outcome 12 won 250000",
    "outcome.done": "✅ #{lead_id} numaralı talep artık “{stage}”.",
    "pending.none": "Bekleyen yok. Her talebin bir sahibi var.",
    "pending.title": "<b>Bekleyen talepler ({count})</b>",
    "pending.offered": "#{lead_id} · {temperature} · {holder} danışmanında, {time}'e kadar",
    "pending.with_managers": "#{lead_id} · {temperature} · ⚠️ {time}'den beri yönetici bekliyor",
    "stats.usage": "Kullanım: /stats [today|7d|30d]",
    "stats.title": "<b>İstatistikler · {period}</b> ({since}'den beri)",
    "stats.period.today": "bugün",
    "stats.period.7d": "son 7 gün",
    "stats.period.30d": "son 30 gün",
    "stats.office": "Gelen talep: <b>{leads_in}</b> · teklif edilen: {offered} · yöneticiye "
                    "giden: {escalated}\n"
                    "Teklifler: {offers} · kabul: {accepted} · ret: {declined} · "
                    "süresi dolan: {expired}\n"
                    "Ortanca kabul süresi: <b>{median}</b> · SLA içinde yanıt: <b>{sla}</b>\n"
                    "Ortanca geliş → sahip: {to_owner}",
    "stats.outcomes": "Sonuçlar: {outcomes}",
    "stats.agents": "<b>Danışman bazında</b>",
    "stats.agent_row": "{name}: {accepted}/{offers} kabul · ortanca {median} · "
                       "SLA {sla} · kazanılan {won} · kaybedilen {lost}",
    "stats.none": "yok",
}
