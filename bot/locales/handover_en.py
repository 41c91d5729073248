"""English catalog of moving a lead by hand: /assign, /reassign with a reason, and an
owner's Return. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "command.assign": "Give a lead nobody owns to an agent",
    "command.reassign": "Give an owned lead to another agent",
    "assign.usage": "Usage: /assign &lt;lead&gt; [agent]\nThe agent by Telegram id or the "
                    "start of their name, e.g. /assign 42 ayşe; without one, pick from the "
                    "buttons.",
    "assign.pick": "👤 Who should take lead <b>#{lead_id}</b>?",
    "assign.done": "✅ Lead #{lead_id} assigned to {agent}.",
    "reassign.usage": "Usage: /reassign &lt;lead&gt; [agent]\nThe agent by Telegram id or the "
                      "start of their name, e.g. /reassign 42 ayşe; without one, pick from "
                      "the buttons. Then say why.",
    "reassign.pick": "🔁 Lead <b>#{lead_id}</b> is with {former} now. Who should take it?",
    "reassign.why": "🔁 Lead <b>#{lead_id}</b>: from {former} to {agent}. Why?",
    "reassign.done": "✅ Lead #{lead_id} given to {agent} ({reason}).",
    "handover.nobody": "Nobody can take lead #{lead_id} now: the others are inactive or have "
                       "not started the bot.",
    "handover.because": "Reason: {reason}",
    "handover.now_with": "It is with {to} now.",
    "reassign_reason.not_contacted": "Not contacted",
    "reassign_reason.customer": "Customer asked",
    "reassign_reason.fit": "Better fit",
    "reassign_reason.workload": "Workload",
    "reassign_reason.other": "Other",
    "return_reason.area": "Not my area",
    "return_reason.unreachable": "Can't reach them",
    "return_reason.busy": "Too busy",
    "return_reason.conflict": "Conflict of interest",
    "return_reason.other": "Other",
    "button.give_back": "↩️ Return",
    "answer.pick_return": "Why are you handing it back?",
    "answer.returned": "Lead #{lead_id} handed back: it goes to someone else.",
    "returned.card": "↩️ You handed lead #{lead_id} back.",
    "reclaimed.returned": "↩️ You handed lead <b>#{lead_id}</b> back.",
    "outcome.returned": "returned by {agent} ({reason})",
    "why.offer.returned": "↩️ {agent} accepted it, then handed it back: {reason}",
    "why.handover.assigned": "👤 {time}: {by} assigned it to {agent}",
    "why.handover.reassigned": "🔁 {time}: {by} moved it from {former} to {agent}",
    "why.handover.reassigned_why": "🔁 {time}: {by} moved it from {former} to {agent} — "
                                   "{reason}",
    "why.handover.returned": "↩️ {time}: {agent} handed it back",
    "why.handover.returned_why": "↩️ {time}: {agent} handed it back — {reason}",
    "why.handover.reclaimed": "↩️ {time}: taken back from {agent}",
    "error.no_such_agent": "Nobody this lead can go to is called “{name}”. Write the start of "
                           "their name, or their Telegram id.",
    "error.already_theirs": "{name} already has this lead.",
    "error.changed_hands": "Lead #{lead_id} changed hands meanwhile: {owner} has it now. "
                           "Nothing was changed.",
    "error.use_reassign": "Lead #{lead_id} has an owner: /reassign {lead_id} gives it to "
                          "someone else.",
    "error.use_assign": "Nobody owns lead #{lead_id} now: /assign {lead_id} gives it to "
                        "someone, if it is waiting for one.",
}
