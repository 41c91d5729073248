"""Turkish catalog of the team's group (/setgroup, escalations announced there) and of the
managers' morning digest. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    # /setgroup
    "command.setgroup": "Bu grubu ekibin grubu yap (grupta gönderin)",
    "setgroup.done": "✅ Bu grup artık ekibin grubu. Yöneticiye düşen talepler burada telefon "
                     "numarası ve e-posta adresi olmadan duyurulacak; bir yönetici "
                     "düğmelerle atayabilir.",
    "setgroup.off": "Bu grup artık ekibin grubu değil: burada bir şey duyurulmayacak.",
    "error.not_a_group": "/setgroup komutunu ekibin grubunda gönderin; bot da grupta olmalı.",
    # an escalation announced in the team's group
    "team_escalated.title": "🚨 <b>#{lead_id}</b> numaralı talep sahip bekliyor: {reason}.",
    "team_escalated.happened": "Şimdiye dek: {what}",
    "team_escalated.pick": "Bir yönetici atayabilir:",
    # the morning digest
    "digest.title": "☀️ <b>Günaydın — {day}</b>",
    "team_digest.title": "☀️ <b>Ekibin günü — {day}</b>",
    "digest.yesterday": "<b>Dün</b>",
    "digest.since": "<b>{since} ile dün arası</b>",
    "digest.leads_in": "Gelen talep: <b>{count}</b>",
    "digest.in_time": "SLA içinde kabul edilen: <b>{count}</b> / {offered} ({percent})",
    "digest.in_time_none": "SLA içinde kabul edilen: teklif edilen talep olmadı",
    "digest.escalated": "Yöneticiye düşen: {count}",
    "digest.missed": "Kaçırılan ilk arama: {count}",
    "digest.now": "<b>Şu an</b>",
    "digest.unowned": "Sahibi olmayan: {count} (yönetici bekleyen: {with_managers})",
    "digest.overdue": "Gecikmiş görev: {count}",
    "digest.away": "Bugün izinli: {names}",
    "digest.away_none": "Bugün izinli kimse yok",
    "digest.away_until": "{name} ({date:dat} kadar)",
    # the first digest of a week: last week's key figures
    "digest.week.title": "📊 <b>Geçen hafta</b> ({start} – {end}), bir önceki haftaya göre",
    "digest.week.change": " ({arrow} {change}{mark})",
    "digest.week.leads": "Talep: <b>{leads}</b>{change} · satış oranı {close}",
    "digest.week.speed": "Talebe hız: {speed}{change} · zamanında ilk temas {contact} · "
                         "zamanında kabul {accept}",
    "digest.week.money": "Satış: {won} · ciro {revenue}{change} · komisyon {commission}",
}
