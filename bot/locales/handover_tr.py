"""Turkish catalog of moving a lead by hand: /assign, /reassign with a reason, and an
owner's Return. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "command.assign": "Sahipsiz bir talebi bir danışmana ver",
    "command.reassign": "Bir talebi başka bir danışmana devret",
    "assign.usage": "Kullanım: /assign &lt;talep&gt; [danışman]\nDanışmanı Telegram "
                    "numarasıyla ya da adının başıyla yazın, örneğin /assign 42 ayşe; "
                    "yazmazsanız düğmelerden seçin.",
    "assign.pick": "👤 <b>#{lead_id}</b> numaralı talebi kim alsın?",
    "assign.done": "✅ #{lead_id} numaralı talep {agent:dat} atandı.",
    "reassign.usage": "Kullanım: /reassign &lt;talep&gt; [danışman]\nDanışmanı Telegram "
                      "numarasıyla ya da adının başıyla yazın, örneğin /reassign 42 ayşe; "
                      "yazmazsanız düğmelerden seçin. Sonra nedenini seçin.",
    "reassign.pick": "🔁 <b>#{lead_id}</b> numaralı talep şu an {former:loc}. Kime verilsin?",
    "reassign.why": "🔁 <b>#{lead_id}</b> numaralı talep {former:abl} alınıp {agent:dat} "
                    "verilecek. Neden?",
    "reassign.done": "✅ #{lead_id} numaralı talep {agent:dat} verildi ({reason}).",
    "handover.nobody": "#{lead_id} numaralı talebi şu an alabilecek kimse yok: diğerleri "
                       "pasif ya da botu henüz başlatmadı.",
    "handover.because": "Neden: {reason}",
    "handover.now_with": "Talep artık {to:loc}.",
    "reassign_reason.not_contacted": "Ulaşılmadı",
    "reassign_reason.customer": "Müşteri istedi",
    "reassign_reason.fit": "Daha uygun biri",
    "reassign_reason.workload": "İş yükü",
    "reassign_reason.other": "Diğer",
    "return_reason.area": "Benim bölgem değil",
    "return_reason.unreachable": "Ulaşamıyorum",
    "return_reason.busy": "Çok yoğunum",
    "return_reason.conflict": "Çıkar çatışması",
    "return_reason.other": "Diğer",
    "button.give_back": "↩️ Geri ver",
    "answer.pick_return": "Neden geri veriyorsunuz?",
    "answer.returned": "#{lead_id} numaralı talep geri verildi: başka birine gidecek.",
    "returned.card": "↩️ #{lead_id} numaralı talebi geri verdiniz.",
    "reclaimed.returned": "↩️ <b>#{lead_id}</b> numaralı talebi geri verdiniz.",
    "outcome.returned": "{agent} geri verdi ({reason})",
    "why.offer.returned": "↩️ {agent} kabul etti, sonra geri verdi: {reason}",
    "why.handover.assigned": "👤 {time}: {by}, talebi {agent:dat} atadı",
    "why.handover.reassigned": "🔁 {time}: {by}, talebi {former:abl} alıp {agent:dat} verdi",
    "why.handover.reassigned_why": "🔁 {time}: {by}, talebi {former:abl} alıp {agent:dat} "
                                   "verdi — {reason}",
    "why.handover.returned": "↩️ {time}: {agent} talebi geri verdi",
    "why.handover.returned_why": "↩️ {time}: {agent} talebi geri verdi — {reason}",
    "why.handover.reclaimed": "↩️ {time}: talep {agent:abl} geri alındı",
    "error.no_such_agent": "“{name}” adında, bu talebi alabilecek kimse yok. Adının başını "
                           "ya da Telegram numarasını yazın.",
    "error.already_theirs": "Bu talep zaten {name:loc}.",
    "error.changed_hands": "#{lead_id} numaralı talep bu arada el değiştirdi: şu an "
                           "{owner:loc}. Hiçbir şey değiştirilmedi.",
    "error.use_reassign": "#{lead_id} numaralı talebin bir sahibi var: başka birine vermek "
                          "için /reassign {lead_id} yazın.",
    "error.use_assign": "#{lead_id} numaralı talebin şu an sahibi yok: bir sahip bekliyorsa "
                        "/assign {lead_id} ile birine verin.",
}
