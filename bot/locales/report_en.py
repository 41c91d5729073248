"""English catalog of /report: the charts' words and the album's caption. Values are HTML
for Telegram, but the charts' words, which are drawn as written."""

MESSAGES: dict[str, str] = {
    "command.report": "Charts: funnel, speed, fairness, SLA, sources",
    "report.usage": "Usage: /report [period]\n"
                    "The period is today, 7d, 30d, this month, last month or "
                    "YYYY-MM-DD..YYYY-MM-DD (7d when left out).",
    "report.caption": "📊 <b>Report</b>: {period} ({zone})\n"
                      "Funnel, speed to lead, fair share, SLA and sources, for the leads that "
                      "arrived in the period.",
    # the period's name (a range of days is named by its days alone)
    "report.period.today": "today",
    "report.period.days": "last {count} days",
    "report.period.this_month": "this month",
    "report.period.last_month": "last month",
    # the charts' words
    "report.funnel": "Funnel",
    "report.step.leads": "Leads",
    "report.step.accepted": "Accepted",
    "report.step.contacted": "Contacted",
    "report.step.appointment": "Appointment",
    "report.step.offer": "Offer",
    "report.step.won": "Won",
    "report.speed": "Speed to lead",
    "report.speed.under_5m": "under 5 min",
    "report.speed.5_15m": "5–15 min",
    "report.speed.15_60m": "15–60 min",
    "report.speed.1_4h": "1–4 h",
    "report.speed.4_24h": "4–24 h",
    "report.speed.over_1d": "over a day",
    "report.speed.never": "not contacted",
    "report.leads": "Leads",
    "report.fairness": "Leads received vs fair share",
    "report.received": "Received",
    "report.fair_share": "Fair share",
    "report.sla.day": "SLA met, by day",
    "report.sla.week": "SLA met, by week",
    "report.sla.month": "SLA met, by month",
    "report.accept_sla": "Accepted in time",
    "report.contact_sla": "First contact in time",
    "report.sources": "Conversion and ROI by source",
    "report.close_rate": "Close rate (leads)",
    "report.roi": "ROI: (commission − cost) ÷ cost",
    "report.no_data": "No data for this period",
    "report.others": "Others",
    "report.no_source": "(no source)",
}
