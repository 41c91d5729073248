"""English catalog of the roster in chat: /agents, a person's profile and its edits, and
/settings. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "command.agents": "The team: status, load, tier; edit a profile",
    "command.settings": "Your working hours and language",
    # /agents
    "agents.title": "👥 <b>The team</b> · {count} people",
    "agents.page": "Page {page} of {pages}",
    "agents.line": "<b>{name}</b>{role} · {status}\n      {load} · {tier} · {misses}",
    "agents.manager": " (manager)",
    "agents.pick": "Open a profile:",
    "status.active": "🟢 active",
    "status.away_until": "🌴 away until {date}",
    "status.away": "🌴 away",
    "status.not_started": "⚪ has not started the bot",
    "status.blocked": "⛔ blocked the bot",
    "status.inactive": "⚫ inactive",
    "agents.load": "{open}/{cap} open",
    "agents.load_free": "{open} open, no limit",
    "agents.tier": "tier {tier}",
    "agents.tier_set": "tier {tier} (set until {date})",
    "agents.misses": "SLA misses: {count}",
    # a profile
    "profile.title": "👤 <b>{name}</b> — {role}",
    "profile.status": "Status: {status}",
    "profile.load": "Load: {load}",
    "profile.tier_earned": "Tier: {tier}, from results (or the starting tier)",
    "profile.tier_set": "Tier: {tier}, set by a manager until {date}",
    "profile.misses": "SLA misses in the last {days} days: {count}",
    "profile.team": "Team: {value}",
    "profile.territories": "Territories: {value}",
    "profile.specialties": "Specialties: {value}",
    "profile.capacity": "Capacity: {value}",
    "profile.weight": "Weight: {value}",
    "profile.hours": "Working hours: {value}",
    "profile.backup": "Backup: {value}",
    "profile.language": "Language: {value}",
    "profile.none": "—",
    "profile.no_limit": "no limit",
    "profile.office_hours": "the office's",
    "profile.office_language": "the office's ({language})",
    "role.agent": "agent",
    "role.manager": "manager",
    # /settings
    "settings.title": "⚙️ <b>Your settings</b>, {name}",
    "settings.hint": "Your hours keep leads from reaching you when you are off.",
    # buttons
    "button.field.name": "✏️ Name",
    "button.field.team": "👥 Team",
    "button.field.territories": "📍 Territories",
    "button.field.specialties": "🏷 Specialties",
    "button.field.capacity": "📦 Capacity",
    "button.field.weight": "⚖️ Weight",
    "button.field.hours": "🕘 Working hours",
    "button.field.tier": "🏅 Tier",
    "button.field.backup": "🤝 Backup",
    "button.field.language": "🌐 Language",
    "button.field.role": "🎩 Role",
    "button.tier_auto": "Auto (from results)",
    "button.backup_none": "Nobody",
    "button.role.agent": "Agent",
    "button.role.manager": "Manager",
    "button.lang.en": "English",
    "button.lang.tr": "Türkçe",
    "button.team_list": "👥 The team",
    "button.page_prev": "‹ Previous",
    "button.page_next": "Next ›",
    # questions typed in reply
    "ask.name": "Type the new name for {name}.",
    "ask.team": "Type the team for {name} (now: {now}). Send - for none.",
    "ask.territories": "Type the territories for {name}, separated by commas (now: {now}). "
                       "Send - for none.",
    "ask.specialties": "Type the specialties for {name}, separated by commas (now: {now}). "
                       "Send - for none.",
    "ask.capacity": "How many open leads may {name} hold at most? (now: {now}) "
                    "Send - for no limit.",
    "ask.weight": "Type the weight for {name}, e.g. 1.5 for half again as many leads (now: {now}).",
    "ask.hours": "Type the working hours like <code>mon-fri 09:00-18:00</code> "
                 "(now: {now}). Send - for the office's hours.",
    "pick.tier": "Pick the tier for {name}. A tier you set holds until the next review.",
    "pick.language": "Pick the language:",
    "pick.role": "Pick the role for {name}:",
    "pick.backup": "Who takes the leads of {name} when they are away?",
    "saved": "✅ {field} saved for {name}.",
    "saved.language": "✅ I will write to you in English from now on.",
    "profile.field.name": "Name",
    "profile.field.team": "Team",
    "profile.field.territories": "Territories",
    "profile.field.specialties": "Specialties",
    "profile.field.capacity": "Capacity",
    "profile.field.weight": "Weight",
    "profile.field.hours": "Working hours",
    "profile.field.tier": "Tier",
    "profile.field.backup": "Backup",
    "profile.field.language": "Language",
    "profile.field.role": "Role",
    # refusals; nothing was changed
    "roster.bad": "That value does not fit. Nothing was changed.",
    "roster.bad.name": "A name is 1 to 64 characters. Nothing was changed.",
    "roster.bad.team": "A team name is at most 64 characters. Nothing was changed.",
    "roster.bad.territories": "Write up to 30 territories, separated by commas. "
                              "Nothing was changed.",
    "roster.bad.specialties": "Write up to 30 specialties, separated by commas. "
                              "Nothing was changed.",
    "roster.bad.capacity": "Capacity is a whole number, 1 or more (or - for no limit). "
                           "Nothing was changed.",
    "roster.bad.weight": "Weight is a number above 0 and at most 100, like 1 or 1.5. "
                         "Nothing was changed.",
    "roster.bad.hours": "Write working hours like mon-fri 09:00-18:00 (the start before the "
                        "end). Nothing was changed.",
    "roster.bad.tier": "Pick A, B, C or Auto. Nothing was changed.",
    "roster.bad.backup": "A backup is someone else active on the team. Nothing was changed.",
    "roster.bad.language": "Pick English or Türkçe. Nothing was changed.",
    "roster.bad.role": "Pick agent or manager. Nothing was changed.",
    "roster.name_taken": "Someone on the team is already called {name}: names must differ, "
                         "as routing rules name people. Nothing was changed.",
    "roster.name_in_rules": "{name} is named in <b>{rule}</b> in leadrelay.yaml: a new name "
                            "would take them out of it. Change the file first. Nothing was "
                            "changed.",
    "roster.last_manager": "{name} is the last manager: make someone else a manager first. "
                           "Nothing was changed.",
    # /why
    "why.tier_set": "Tier {tier} was set by a manager, until {until}.",
}
