"""English catalog of the clocks after Accept (first contact, reassignment, reclaim) and of
/rules. Values are HTML for Telegram."""

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
    # /rules
    "command.rules": "How leads are routed, and whose pools you are in",
    "rules.title": "📜 <b>How leads are routed</b> (the first rule that matches decides)",
    "rules.rule": "{number}. <b>{name}</b> — {when}",
    "rules.then": "   → {what}",
    "rules.every_lead": "every lead",
    "rules.only_fallback": "only when another rule falls back to it",
    "rules.condition": "{field}: {values}",
    "rules.when.source": "source",
    "rules.when.product": "product",
    "rules.when.region": "region",
    "rules.when.postal_code": "postal code",
    "rules.when.budget": "budget",
    "rules.when.temperature": "temperature",
    "rules.when.score": "score",
    "rules.when.tags": "tags",
    "rules.when.language": "language",
    "rules.when.business_hours": "in office hours",
    "rules.when.returning": "returning contact",
    "rules.strategy.round_robin": "in turn among",
    "rules.strategy.weighted": "in turn by weight among",
    "rules.strategy.least_loaded": "to the least busy of",
    "rules.strategy.tiers": "by tier share among",
    "rules.strategy.availability": "to the first one free of",
    "rules.strategy.claim": "to all at once, first to claim wins:",
    "rules.nobody": "nobody",
    "rules.covers_product": "only those whose specialties cover the product",
    "rules.covers_region": "only those whose territories cover the area",
    "rules.tiers": "tier {tiers}",
    "rules.fallback": "nobody free → {target}",
    "rules.rule_named": "rule “{name}”",
    "rules.to.agents": "an agent",
    "rules.to.managers": "the managers",
    "rules.to.nurture": "nurture (no owner for now)",
    "rules.to.disqualify": "turned away",
    "rules.mine": "You are in: {rules}",
    "rules.mine_none": "You are in no rule's pool.",
}
