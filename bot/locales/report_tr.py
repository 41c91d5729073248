"""Turkish catalog of /report: the charts' words and the album's caption. Values are HTML
for Telegram, but the charts' words, which are drawn as written."""

MESSAGES: dict[str, str] = {
    "command.report": "Grafikler: huni, hız, adil pay, SLA, kaynaklar",
    "report.usage": "Kullanım: /report [dönem]\n"
                    "Dönem: today (bugün), 7d (son 7 gün), 30d (son 30 gün), this month "
                    "(bu ay), last month (geçen ay) ya da YYYY-AA-GG..YYYY-AA-GG. "
                    "Yazılmazsa son 7 gün.",
    "report.caption": "📊 <b>Rapor</b>: {period} ({zone})\n"
                      "Dönemde gelen talepler için huni, talebe ulaşma hızı, adil pay, SLA ve "
                      "kaynaklar.",
    # the period's name (a range of days is named by its days alone)
    "report.period.today": "bugün",
    "report.period.days": "son {count} gün",
    "report.period.this_month": "bu ay",
    "report.period.last_month": "geçen ay",
    # the charts' words
    "report.funnel": "Satış hunisi",
    "report.step.leads": "Talepler",
    "report.step.accepted": "Kabul edilen",
    "report.step.contacted": "Ulaşılan",
    "report.step.appointment": "Randevu",
    "report.step.offer": "Teklif",
    "report.step.won": "Kazanılan",
    "report.speed": "Talebe ulaşma hızı",
    "report.speed.under_5m": "5 dk altı",
    "report.speed.5_15m": "5–15 dk",
    "report.speed.15_60m": "15–60 dk",
    "report.speed.1_4h": "1–4 sa",
    "report.speed.4_24h": "4–24 sa",
    "report.speed.over_1d": "1 günden fazla",
    "report.speed.never": "ulaşılmadı",
    "report.leads": "Talep sayısı",
    "report.fairness": "Gelen talep ve adil pay",
    "report.received": "Aldığı",
    "report.fair_share": "Adil payı",
    "report.sla.day": "Günlük SLA uyumu",
    "report.sla.week": "Haftalık SLA uyumu",
    "report.sla.month": "Aylık SLA uyumu",
    "report.accept_sla": "Zamanında kabul",
    "report.contact_sla": "Zamanında ilk temas",
    "report.sources": "Kaynaklara göre dönüşüm ve ROI",
    "report.close_rate": "Kazanma oranı (talep sayısı)",
    "report.roi": "ROI: (komisyon − maliyet) ÷ maliyet",
    "report.no_data": "Bu dönem için veri yok",
    "report.others": "Diğerleri",
    "report.no_source": "(kaynak yok)",
}
