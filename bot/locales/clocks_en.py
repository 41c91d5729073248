"""English catalog of the clocks after Accept: first contact, reassignment and reclaim.
Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "task.first_contact": "📞 First call",
    "escalation.reclaimed": "it was taken back from its owner",
    "contact_missed.title": "⏰ Lead <b>#{lead_id}</b>: {agent} has not tried to reach the "
                            "contact yet. The first call was due at {time}.",
    "contact_missed.reclaim": "Unless they do, it is taken back at {time}.",
    "contact_missed.pick": "Give it to someone else:",
    "miss_closed.contacted": "✅ Lead #{lead_id}: {agent} tried to reach the contact after all.",
    "miss_closed.reassigned": "✅ Lead #{lead_id} was given to {agent} by {by}.",
    "miss_closed.reclaimed": "↩️ Lead #{lead_id} was taken back and routed again.",
    "contact_nudge.title": "⏰ Lead <b>#{lead_id}</b> is waiting for your first call: it was "
                           "due at {time}.",
    "contact_nudge.reclaim": "Log a try on its card by {time}, or it goes to someone else.",
    "contact_nudge.log": "Log a try on its card (Contacted or Couldn't reach) as soon as you "
                         "call.",
    "reclaim_warning.no_contact": "⚠️ Lead <b>#{lead_id}</b>: no try logged since you "
                                  "accepted it. It is taken back at {time} unless you log one.",
    "reclaim_warning.no_progress": "⚠️ Lead <b>#{lead_id}</b>: its stage has not moved for a "
                                   "long while. It is taken back at {time} unless it moves on.",
    "reclaim_warning.too_long": "⚠️ Lead <b>#{lead_id}</b> has been yours a long time without "
                                "a sale. It is taken back at {time} unless you keep working it "
                                "at Appointment or Offer.",
    "reclaimed.first_contact": "↩️ Lead <b>#{lead_id}</b> was taken back: no first call was "
                               "logged in time.",
    "reclaimed.no_contact": "↩️ Lead <b>#{lead_id}</b> was taken back: no try was logged "
                            "since you accepted it.",
    "reclaimed.no_progress": "↩️ Lead <b>#{lead_id}</b> was taken back: its stage did not "
                             "move in time.",
    "reclaimed.too_long": "↩️ Lead <b>#{lead_id}</b> was taken back: it stayed with you too "
                          "long without a sale.",
    "reclaimed.reassigned": "↩️ {by} gave lead <b>#{lead_id}</b> to {to}.",
    "reclaimed.card": "↩️ Lead #{lead_id} is no longer yours.",
    "answer.reassigned": "Given to {agent}.",
}
