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
    "reason.unreachable": "Telegram'dan ulaşılamadı",
    "missing.product": "ürün",
    "missing.region": "bölge",
    "missing.budget": "bütçe",
    "missing.timing": "zamanlama",
    "escalation.no_accept": "zamanında kimse kabul etmedi",
    "escalation.no_agent": "alabilecek uygun danışman yok",
    "escalation.routing_failed": "yönlendirme kuralları bu talepte hata verdi (kayıtlara bakın)",
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
    "field.company": "Şirket",
    "field.intent": "Yaptığı",
    "intent.demo_request": "demo istedi",
    "intent.pricing": "fiyatlara baktı",
    "intent.contact_sales": "satış ekibinin aramasını istedi",
    "intent.webinar": "webinara katıldı",
    "intent.downloads": "birkaç içerik indirdi",
    "intent.event": "bir etkinlikte tanıştık",
    "intent.download": "bir içerik indirdi",
    "intent.newsletter": "bültene kaydoldu",
    "intent.high": "yüksek niyet",
    "intent.medium": "orta niyet",
    "intent.low": "düşük niyet",
    "offer.missing": "⚠️ Eksik: {fields}",
    "offer.deadline": "⏱ <b>{window}</b> içinde kabul edin ({time:dat} kadar), yoksa sıradaki "
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
    "escalation_closed.title": "✅ #{lead_id} numaralı talep {by} tarafından {agent:dat} "
                               "atandı.",
    "audit.title": "🩺 <b>Denetim</b>: takılan bir şey bulundu ve düzeltildi.",
    "audit.leads": "Kimsenin elinde olmayan {count} talep yeniden teklif edildi: {ids}",
    "audit.resent": "Gönderim kuyruğunda takılan {count} mesaj yeniden gönderildi.",
    "agent_unreachable.title": "⚠️ Telegram artık {agent:dat} mesaj iletmiyor (bot "
                               "engellendi ya da sohbet silindi). Botu açıp yeniden Başlat'a "
                               "basana kadar ona talep gitmez.",
    "agent_unreachable.lead": "⚠️ Telegram artık {agent:dat} mesaj iletmiyor (bot "
                              "engellendi ya da sohbet silindi), bu yüzden #{lead_id} numaralı "
                              "talep başkasına geçti. Botu açıp yeniden Başlat'a basana kadar "
                              "ona talep gitmez.",
    "lead_assigned.title": "📌 {by}, <b>#{lead_id}</b> numaralı talebi size atadı",
    # callback answers
    "answer.accepted": "Talep sizin. İletişim bilgileri mesajda.",
    "answer.declined": "Reddedildi. Talep sıradaki danışmana gitti.",
    "answer.assigned": "{agent:dat} atandı.",
    "answer.outcome": "Kaydedildi: #{lead_id} {stage}.",
    "answer.pick_reason": "Bir neden seçin.",
    # errors (alerts and replies)
    "error.generic": "Bu işlem başarısız oldu. Lütfen tekrar deneyin.",
    "error.unavailable": "Şu anda ofisin kayıtlarına ulaşamıyorum, bu yüzden hiçbir şey "
                         "değişmedi. Lütfen bir dakika sonra tekrar deneyin.",
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
    "error.private_only": "Lütfen bana özel sohbetten yazın: benimle bir sohbet açıp orada "
                          "Başlat'a basın. Talepler ve iletişim bilgileri yalnızca özel "
                          "sohbetlere gider, asla bir gruba gitmez.",
    "error.bad_lead_id": "“{text}” bir talep numarası değil: talep numaraları 0–9 rakamlarıyla "
                         "yazılır, örneğin 12 veya #12.",
    "error.not_an_amount": "“{text}” bir tutar değil: tutarı 0–9 rakamlarıyla yazın, örneğin "
                           "/outcome 12 won 250000.",
    "error.amount_too_large": "Bu tutar ofisin {cap} sınırının üzerinde. Tutarı kontrol edin; "
                              "doğruysa botu yöneten kişiden ofis ayarlarındaki max_amount "
                              "değerini yükseltmesini isteyin.",
    # commands
    "start.agent": "👋 Merhaba {name}! <b>{office:dat}</b> bağlandınız. Yeni talepler "
                   "buraya Kabul ve Reddet düğmeleriyle gelecek. /help komutları listeler.",
    "start.manager": "👋 Merhaba {name}! <b>{office:dat}</b> yönetici olarak bağlandınız. "
                     "Kimsenin kabul etmediği talepler size gelir. /help komutları listeler.",
    "start.stranger": "Üzgünüz, bu bot yalnızca {office} ekibi içindir. Ekipteyseniz "
                      "yöneticinizden Telegram kimliğinizi eklemesini isteyin: {user_id}.",
    "help.agent": "<b>Komutlarınız</b>\n"
                  "/leads — açık talepleriniz\n"
                  "/outcome &lt;talep&gt; contacted|appointment|offer|won|lost [tutar veya not]\n"
                  "/why &lt;talep&gt; — size teklif edilen bir talep neden size geldi\n"
                  "/help — bu liste",
    "help.manager": "\n\n<b>Yönetici komutları</b>\n"
                    "/stats [today|7d|30d] — hız, SLA ve sonuçlar, danışman bazında\n"
                    "/pending — kabul ya da sahip bekleyen talepler\n"
                    "/reload — ofis ayarlarını yeniden oku",
    "command.start": "Bu sohbeti ofise bağla",
    "command.leads": "Açık talepleriniz",
    "command.outcome": "Bir talebin sonucunu kaydet",
    "command.help": "Bu bot neler yapar",
    "command.stats": "Ekip hızı, SLA ve sonuçlar",
    "command.pending": "Sahip bekleyen talepler",
    "leads.none": "Açık talebiniz yok. Yenileri buraya gelecek.",
    "leads.title": "<b>Açık talepleriniz ({count})</b>",
    "leads.row": "#{lead_id} · {temperature} · {product} · {region} · {stage} · {since:abl} beri",
    "outcome.usage": "Kullanım: /outcome &lt;talep&gt; contacted|appointment|offer|won|lost "
                     "[tutar veya not]\nÖrnek: /outcome 12 won 250000",
    "outcome.done": "✅ #{lead_id} numaralı talep artık “{stage}”.",
    "list.more": "… ve {count} tane daha.",
    "list.and_more": "ve {count} kişi daha",
    "pending.none": "Bekleyen yok. Her talebin bir sahibi var.",
    "pending.title": "<b>Bekleyen talepler ({count})</b>",
    "pending.offered": "#{lead_id} · {temperature} · {holder:loc}, {time:dat} kadar",
    "pending.with_managers": "#{lead_id} · {temperature} · ⚠️ {time:abl} beri yönetici bekliyor",
    "stats.usage": "Kullanım: /stats [today|7d|30d]",
    "stats.title": "<b>İstatistikler · {period}</b> ({since:abl} beri)",
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
    "stats.more_agents": "… ve {count} danışman daha.",
    # /why
    "why.title": "🔎 <b>#{lead_id} numaralı talep neden oraya gitti</b>",
    "why.none": "#{lead_id} numaralı talep için kayıtlı bir yönlendirme kararı yok.",
    "why.rule": "{time} · “{rule}” kuralı{matched}",
    "why.matched": " — {notes}",
    "why.default": " — varsayılan kural, her talep için",
    "why.sla": "{time} · kabul SLA'sı",
    "why.candidates": "Seçilebilecekler: {names}",
    "why.nobody": "Bu kuralda talebi alabilecek kimse yoktu.",
    "why.skipped": "Dışarıda kalanlar: {items}",
    "why.fallback": "↪ kimse kalmadı, “{rule}” kuralına geçti",
    "why.skip.inactive": "aktif değil",
    "why.skip.away": "izinde",
    "why.skip.away_until": "{until:dat} kadar izinde",
    "why.skip.no_chat": "botu henüz açmadı",
    "why.skip.already_offered": "bu talep zaten teklif edildi",
    "why.skip.outside_hours": "çalışma saatleri dışında",
    "why.skip.at_capacity": "kapasite dolu ({open}/{cap} açık)",
    "why.skip.penalty": "{until:dat} kadar sıcak talep almıyor (kaçırılan SLA'lar)",
    "why.skip.ramping": "yeni, her {every}. talebi alıyor",
    "why.skip.ramping_days": "yeni, {days} günün {day}. günü: {every} talepten birini alıyor",
    "why.skip.ramping_leads": "yeni, {leads} talebin {received} tanesini aldı: {every} "
                              "talepten birini alıyor",
    "ramp.step.days": "ilk {days} gün boyunca {every} talepten biri",
    "ramp.step.leads": "{leads} talep alana kadar {every} talepten biri",
    "why.pick.rotation": "→ {agent}: sıradaki kişi.",
    "why.pick.weighted": "→ {agent}: ağırlıklı sıra (ağırlık {weight}, bu "
                         "taleplerin yaklaşık {share:poss}).",
    "why.pick.least_loaded": "→ {agent}: en az açık talebi olan ({open}).",
    "why.pick.tier": "→ {agent}: {tier} seviyesinin sırası (taleplerin "
                     "{share:poss} {tier} seviyesine gider).",
    "why.pick.available": "→ {agent}: ilk müsait kişi.",
    "why.pick.current_owner": "→ {agent}: bu kişiyle zaten çalışıyor.",
    "why.to.managers": "→ yöneticilere: alabilecek kimse yoktu.",
    "why.to.limit": "→ yöneticilere: {offers} danışmana teklif edildi, kimse kabul etmedi.",
    "why.to.nurture": "→ beklemeye: şimdilik sahibi yok; yöneticiler /pending ile görür.",
    "why.to.disqualified": "→ politika gereği elendi: kimseye teklif edilmedi.",
    "why.pick.named_account": "→ {agent}: “{account}” müşteri hesabının sahibi.",
    "why.pick.account_backup": "→ {agent}: “{account}” müşteri hesabı sahibinin yedeği.",
    "why.matrix": "B2B matrisi: {intent} × {fit} → {target}",
    "matrix.intent.high": "yüksek niyet",
    "matrix.intent.medium": "orta niyet",
    "matrix.intent.low": "düşük niyet",
    "matrix.fit.strong": "güçlü uyum",
    "matrix.fit.weak": "zayıf uyum",
    "matrix.not_given": "{value} (belirtilmedi)",
    "matrix.to.rule": "“{rule}” kuralı",
    "matrix.to.managers": "yöneticiler",
    "matrix.to.nurture": "bekleme",
    "matrix.to.disqualify": "elendi",
    "cond.source": "kaynak {value}",
    "cond.product": "ürün {value}",
    "cond.region": "bölge {value}",
    "cond.postal_code": "posta kodu {value}",
    "cond.budget": "bütçe {value}",
    "cond.temperature": "sıcaklık {value}",
    "cond.score": "puan {value}",
    "cond.tags": "etiketler {value}",
    "cond.language": "dil {value}",
    "cond.business_hours": "mesai saatleri {value}",
    "cond.returning": "tekrar gelen: {value}",
    "cond.temperature.hot": "sıcak",
    "cond.temperature.warm": "ılık",
    "cond.temperature.cold": "soğuk",
    "cond.business_hours.in": "içinde",
    "cond.business_hours.out": "dışında",
    "cond.returning.yes": "evet",
    "cond.returning.no": "hayır",
    "command.why": "Bir talep neden oraya gitti",
    "why.usage": "Kullanım: /why &lt;talep&gt;",
    "pending.nurture": "#{lead_id} · {temperature} · 🌱 {time:abl} beri beklemede",
    "reload.done": "🔄 Ayarlar yeniden okundu: {rules} kural, {people} kişi.",
    "reload.failed": "⚠️ Ayar dosyasında bir sorun var, çalışan ayarlar kalıyor:"
                     "\n<pre>{error}</pre>",
    "command.reload": "Ofis ayarlarını yeniden oku",
    "button.claim": "🙋 Al",
    "button.pass": "Geç",
    "claim.note": "🙋 {count} danışmana birden gönderildi: ilk alan kazanır.",
    "claim.deadline": "⏱ <b>{window}</b> açık ({time:dat} kadar).",
    "claim_taken.title": "🙋 #{lead_id} numaralı talebi {agent} aldı.",
    "why.to.pool": "→ {count} danışmana birden gönderildi; ilk alan kazanır.",
    "claim_group.note": "🙋 Bu gruptan {count} danışmana gönderildi: Al'a ilk basan alır, "
                        "iletişim bilgileri ona özel mesajla gelir.",
    "claim_group.taken": "🙋 #{lead_id} numaralı talebi {agent} aldı.",
    "claim_group.expired": "⌛ #{lead_id} numaralı talebi zamanında kimse almadı; talep "
                           "yoluna devam etti.",
    "answer.claimed": "Talep sizin. İletişim bilgileri botla özel sohbetinizde.",
    "error.not_in_pool": "Bu talep size gönderilmedi.",
    "error.already_claimed": "Geç kaldınız: bu talebi başka biri önce aldı.",
    "error.start_first": "Önce botla özel sohbet açıp Başlat'a basın: aldığınız taleplerin "
                         "iletişim bilgileri oraya gelir.",
    "group_unreachable.title": "⚠️ Telegram #{lead_id} numaralı talebi havuzun {chat} grubuna "
                               "göndermedi (bot hâlâ grupta mı? claim_chat'teki numara doğru "
                               "mu?). Talep grup olmadan yoluna devam etti.",
}
