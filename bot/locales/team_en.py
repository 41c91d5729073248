"""English catalog of the team's group (/setgroup, escalations announced there) and of the
managers' morning digest. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    # /setgroup
    "command.setgroup": "Make this group the team's group (send it in the group)",
    "setgroup.done": "✅ This is now the team's group. Leads handed to the managers are "
                     "announced here, without phone numbers or e-mail addresses; a manager "
                     "assigns them with the buttons.",
    "setgroup.off": "This group is no longer the team's group: nothing is announced here now.",
    "error.not_a_group": "Send /setgroup in the team's group, with the bot added to it.",
    # an escalation announced in the team's group
    "team_escalated.title": "🚨 Lead <b>#{lead_id}</b> needs an owner: {reason}.",
    "team_escalated.happened": "So far: {what}",
    "team_escalated.pick": "A manager can assign it:",
    # the morning digest
    "digest.title": "☀️ <b>Good morning — {day}</b>",
    "team_digest.title": "☀️ <b>The team's day — {day}</b>",
    "digest.yesterday": "<b>Yesterday</b>",
    "digest.since": "<b>From {since} to yesterday</b>",
    "digest.leads_in": "Leads in: <b>{count}</b>",
    "digest.in_time": "Accepted within the SLA: <b>{count}</b> of {offered} ({percent})",
    "digest.in_time_none": "Accepted within the SLA: no lead was offered",
    "digest.escalated": "Handed to the managers: {count}",
    "digest.missed": "First calls missed: {count}",
    "digest.now": "<b>Now</b>",
    "digest.unowned": "Without an owner: {count} ({with_managers} waiting for a manager)",
    "digest.overdue": "Overdue tasks: {count}",
    "digest.away": "Away today: {names}",
    "digest.away_none": "Away today: nobody",
    "digest.away_until": "{name} (until {date})",
    # the first digest of a week: last week's key figures
    "digest.week.title": "📊 <b>Last week</b> ({start} – {end}), against the week before",
    "digest.week.change": " ({arrow} {change}{mark})",
    "digest.week.leads": "Leads: <b>{leads}</b>{change} · close rate {close}",
    "digest.week.speed": "Speed to lead: {speed}{change} · first contact in time {contact} · "
                         "accepted in time {accept}",
    "digest.week.money": "Won: {won} · revenue {revenue}{change} · commission {commission}",
}
