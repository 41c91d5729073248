"""English catalog of joining the team: /invite, its link, the welcome, and the refusals.
Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "command.invite": "Invite someone to the team",
    "invite.usage": "Usage: /invite agent — or /invite manager. It makes a link that adds one "
                    "person to the team.",
    "invite.link.agent": "🔗 <b>An invitation to join {office} as an agent</b>\n{link}\n"
                         "Send it, or show the QR code, to one person: it works once, until "
                         "{time}.",
    "invite.link.manager": "🔗 <b>An invitation to join {office} as a manager</b>\n{link}\n"
                           "Send it, or show the QR code, to one person: it works once, until "
                           "{time}.",
    "invite_accepted.agent": "🎉 {name} joined as an agent with your invite.",
    "invite_accepted.manager": "🎉 {name} joined as a manager with your invite.",
    "welcome.agent": "👋 Welcome to <b>{office}</b>, {name}! {inviter} added you to the team.\n"
                     "New leads come to you here: press ✅ Accept to take one, or Decline and "
                     "say why.\n"
                     "/help lists everything you can do.",
    "welcome.manager": "👋 Welcome to <b>{office}</b>, {name}! {inviter} added you as a "
                       "manager.\n"
                       "Leads nobody accepts in time come to you here, with buttons to give "
                       "them to someone; offers to you have Accept and Decline.\n"
                       "/agents shows the team, /invite adds people, /help lists the rest.",
    "error.invite_unknown": "Sorry, this invitation link does not work. Check that it was "
                            "copied whole, or ask your manager for a new one.",
    "error.invite_used": "Sorry, this invitation was already used: each link adds one "
                         "person. Ask your manager for a new one.",
    "error.invite_expired": "Sorry, this invitation has expired. Ask your manager for a new "
                            "one.",
    "error.invite_revoked": "Sorry, this invitation is no longer valid. Ask your manager for "
                            "a new one.",
}
