"""English message catalog. Values are HTML for Telegram; placeholders are escaped on use."""

MESSAGES: dict[str, str] = {
    # values
    "temperature.hot": "🔥 HOT",
    "temperature.warm": "🌤 WARM",
    "temperature.cold": "❄️ COLD",
    "stage.new": "new",
    "stage.contacted": "contacted",
    "stage.appointment": "appointment",
    "stage.offer": "offer made",
    "stage.won": "won",
    "stage.lost": "lost",
    "reason.busy": "busy right now",
    "reason.area": "not my area",
    "reason.product": "not my product",
    "reason.other": "other",
    "missing.product": "product",
    "missing.region": "region",
    "missing.budget": "budget",
    "missing.timing": "timing",
    "escalation.no_accept": "nobody accepted it in time",
    "escalation.no_agent": "no agent is available to take it",
    "unit.s": "{n} s",
    "unit.min": "{n} min",
    "unit.h": "{n} h",
    "unit.h_min": "{h} h {m} min",
    "not_given": "—",
    "budget.range": "{low} – {high}",
    "budget.from": "from {low}",
    "budget.up_to": "up to {high}",
    # the offer
    "offer.title": "{temperature} lead <b>#{lead_id}</b> · score {score}/100",
    "offer.returning": "↩️ Returning contact — you already work with them.",
    "field.name": "Name",
    "field.product": "Product",
    "field.region": "Region",
    "field.budget": "Budget",
    "field.timing": "Timing",
    "field.source": "Source",
    "field.phone": "Phone",
    "field.email": "E-mail",
    "field.message": "Message",
    "offer.missing": "⚠️ Missing: {fields}",
    "offer.deadline": "⏱ Accept within <b>{window}</b> (by {time}) or it goes to the next agent.",
    "offer.hidden": "Phone and e-mail open when you accept.",
    "button.accept": "✅ Accept",
    "button.decline": "✖️ Decline",
    "button.back": "↩️ Back",
    "decline.ask": "Why are you passing on lead #{lead_id}?",
    "offer_accepted.title": "✅ Lead <b>#{lead_id}</b> is yours",
    "offer_accepted.next": "👉 Call now: the first to respond usually wins the deal. "
                           "Log what happened with the buttons or /outcome {lead_id} contacted.",
    "offer_declined.title": "✖️ You passed on lead #{lead_id} ({reason}). "
                            "It went to the next agent.",
    "offer_expired.title": "⏰ Lead #{lead_id} moved on: it was not accepted within {window}.",
    "button.contacted": "📞 Contacted",
    "button.appointment": "📅 Appointment",
    "button.won": "🏆 Won",
    "button.lost": "✖️ Lost",
    # managers
    "escalated.title": "🚨 Lead <b>#{lead_id}</b> needs a manager: {reason}.",
    "escalated.tried": "Offered to: {names}",
    "escalated.pick": "Assign it to:",
    "escalation_closed.title": "✅ Lead #{lead_id} was assigned to {agent} by {by}.",
    "lead_assigned.title": "📌 {by} assigned lead <b>#{lead_id}</b> to you",
    # callback answers
    "answer.accepted": "It's yours. The contact details are in the message.",
    "answer.declined": "Passed on. The lead went to the next agent.",
    "answer.assigned": "Assigned to {agent}.",
    "answer.outcome": "Logged: lead #{lead_id} {stage}.",
    "answer.pick_reason": "Pick a reason.",
    # errors (alerts and replies)
    "error.generic": "That did not work. Please try again.",
    "error.invalid_input": "That input is not valid: {detail}",
    "error.unknown_source": "Unknown source.",
    "error.unknown_agent": "You are not on this office's roster.",
    "error.not_a_manager": "Only managers can do that.",
    "error.not_found": "No such lead.",
    "error.not_your_offer": "This offer was made to someone else.",
    "error.offer_closed": "This offer is no longer open.",
    "error.lead_handled": "Someone already assigned this lead.",
    "error.not_your_lead": "That lead is not yours.",
    "error.invalid_transition": "That does not fit: the lead is already at “{stage}”.",
    "error.conflict": "Someone else changed this at the same moment. Please try again.",
    "error.unreadable_button": "This button is no longer valid.",
    # commands
    "start.agent": "👋 Hi {name}! You are connected to <b>{office}</b>. New leads will "
                   "arrive here with Accept and Decline buttons. /help lists what you can do.",
    "start.manager": "👋 Hi {name}! You are connected to <b>{office}</b> as a manager. Leads "
                     "nobody accepts come to you. /help lists your commands.",
    "start.stranger": "Sorry, this bot only works for the team of {office}. "
                      "If you belong to it, ask your manager to add your Telegram id: {user_id}.",
    "help.agent": "<b>Your commands</b>\n"
                  "/leads — your open leads\n"
                  "/outcome &lt;lead&gt; contacted|appointment|offer|won|lost [amount or note]\n"
                  "/help — this list",
    "help.manager": "\n\n<b>Manager commands</b>\n"
                    "/stats [today|7d|30d] — speed, SLA and outcomes, per agent\n"
                    "/pending — leads waiting for Accept or for an owner",
    "command.start": "Connect this chat to the office",
    "command.leads": "Your open leads",
    "command.outcome": "Log what happened with a lead",
    "command.help": "What this bot can do",
    "command.stats": "Team speed, SLA and outcomes",
    "command.pending": "Leads waiting for an owner",
    "leads.none": "You have no open leads. New ones will arrive here.",
    "leads.title": "<b>Your open leads ({count})</b>",
    "leads.row": "#{lead_id} · {temperature} · {product} · {region} · {stage} · since {since}",
    "outcome.usage": "Usage: /outcome &lt;lead&gt; contacted|appointment|offer|won|lost "
                     "[amount or note]\nExample: /outcome 12 won 250000",
    "outcome.done": "✅ Lead #{lead_id} is now “{stage}”.",
    "pending.none": "Nothing is waiting. Every lead has an owner.",
    "pending.title": "<b>Waiting leads ({count})</b>",
    "pending.offered": "#{lead_id} · {temperature} · offered to {holder}, until {time}",
    "pending.with_managers": "#{lead_id} · {temperature} · ⚠️ waiting for a manager since {time}",
    "stats.usage": "Usage: /stats [today|7d|30d]",
    "stats.title": "<b>Stats · {period}</b> (since {since})",
    "stats.period.today": "today",
    "stats.period.7d": "last 7 days",
    "stats.period.30d": "last 30 days",
    "stats.office": "Leads in: <b>{leads_in}</b> · offered: {offered} · escalated: {escalated}\n"
                    "Offers: {offers} · accepted: {accepted} · declined: {declined} · "
                    "timed out: {expired}\n"
                    "Median time to accept: <b>{median}</b> · answered within SLA: <b>{sla}</b>\n"
                    "Median arrival → owner: {to_owner}",
    "stats.outcomes": "Outcomes: {outcomes}",
    "stats.agents": "<b>Per agent</b>",
    "stats.agent_row": "{name}: {accepted}/{offers} accepted · median {median} · "
                       "SLA {sla} · won {won} · lost {lost}",
    "stats.none": "n/a",
}
