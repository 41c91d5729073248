"""English catalog of going away, coming back and deactivation (/away, /back,
/deactivate). Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "command.away": "Take no leads for a while (until a day, or for N days)",
    "command.back": "Take leads again after /away",
    "command.deactivate": "Take someone off the team for good",
    "away.usage": "Usage: /away [until &lt;day&gt; | for N days]\n"
                  "Examples: /away, /away until friday, /away 2026-12-24, /away for 3 days",
    "away.usage_manager": "Managers can name anyone first: /away &lt;name or id&gt; "
                          "[until &lt;day&gt; | for N days]",
    "away.done": "🌴 You are away until you send /back. No new leads will come to you.",
    "away.done_until": "🌴 You are away until the end of {day}. No new leads will come to you; "
                       "from the day after, they do again.",
    "away.done_other": "🌴 {agent} is away until they send /back.",
    "away.done_other_until": "🌴 {agent} is away until the end of {day}.",
    "away.offers_moved": "{count} waiting offer(s) went on to someone else.",
    "away.leads_moved": "{count} of your open leads were handed on.",
    "away.leads_moved_one": "1 of your open leads was handed on.",
    "away.lead_to": "Lead #{lead_id} → {to}",
    "away.lead_routed": "Lead #{lead_id} → routed again",
    "away.set_by": "🌴 {by} set you away until you send /back. No new leads will come to you.",
    "away.set_by_until": "🌴 {by} set you away until the end of {day}. No new leads will come "
                         "to you until then.",
    "away.back_done": "👋 Welcome back: new leads can come to you again.",
    "away.back_done_other": "👋 {agent} is back and can get new leads again.",
    "away.back_by": "👋 {by} marked you back: new leads can come to you again.",
    "away.ended": "👋 Your time away is over: new leads can come to you again.",
    "away.returned": "{count} lead(s) your backup had not worked on came back to you.",
    "away.returned_other": "{count} lead(s) their backup had not worked on went back to them.",
    "withdrawn.away": "🌴 Lead #{lead_id} went on to someone else while you are away.",
    "withdrawn.deactivated": "Lead #{lead_id} went on to someone else.",
    "contact_removed": "🔒 Lead #{lead_id} (contact details removed).",
    "reclaimed.away": "🌴 Lead <b>#{lead_id}</b> went to {to} while you are away.",
    "reclaimed.away_routing": "🌴 Lead <b>#{lead_id}</b> went back to routing while you are "
                              "away.",
    "reclaimed.back_from_away": "↩️ Lead <b>#{lead_id}</b> went back to {to}, who is back.",
    "card.handover_title": "🌴 Lead <b>#{lead_id}</b> is yours while {by} is away.",
    "card.returned_title": "↩️ Lead <b>#{lead_id}</b> is yours again (from {by}).",
    "outcome.away": "withdrawn from {agent} (away)",
    "why.offer.away": "🌴 Withdrawn from {agent}: away",
    "deactivate.usage": "Usage: /deactivate &lt;name or id&gt;",
    "deactivate.confirm": "Take <b>{agent}</b> off the team? Their waiting offers move on, "
                          "their open leads go to their backup or back to routing, and their "
                          "old cards lose the contact details.",
    "deactivate.done": "🚪 {agent} is no longer on the team.",
    "deactivate.cancelled": "Nothing changed.",
    "button.deactivate_yes": "🚪 Yes, deactivate",
    "button.deactivate_no": "✖️ No",
    "answer.deactivated": "Deactivated.",
    "error.ambiguous_agent": "More than one person matches: {names}. Type more of the name, "
                             "or the id.",
    "error.not_away_other": "{name} is not away.",
    "error.not_away": "You are not away.",
    # a profile's Away… and Deactivate (/agents)
    "button.away_menu": "🌴 Away…",
    "button.deactivate": "🚪 Deactivate",
    "button.away.1": "Today",
    "button.away.3": "3 days",
    "button.away.7": "1 week",
    "button.away.14": "2 weeks",
    "button.away.0": "Until back",
    "button.away.b": "✅ Back now",
}
