"""English catalog of working a lead: the card, its buttons and questions, /lead, /leads,
/today, /note, /correct and /new. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "stage.info_sent": "info sent",
    "stage.nurture": "nurture",
    "lost.price": "price",
    "lost.location": "location",
    "lost.elsewhere": "bought elsewhere",
    "lost.unreachable": "not reachable",
    "lost.not_serious": "not serious",
    "lost.other": "other",
    "task.reminder": "⏰ Reminder",
    "task.appointment": "📅 Appointment",
    "weekday.0": "Mon",
    "weekday.1": "Tue",
    "weekday.2": "Wed",
    "weekday.3": "Thu",
    "weekday.4": "Fri",
    "weekday.5": "Sat",
    "weekday.6": "Sun",
    "button.done": "✅ Done",
    "button.snooze_1h": "💤 1 h",
    "button.snooze_tomorrow": "💤 Tomorrow",
    "button.open_card": "📇 Card",
    "reminder.reminder": "⏰ Reminder: lead <b>#{lead_id}</b> ({time})",
    "reminder.appointment": "📅 Appointment with lead <b>#{lead_id}</b> at {time}",
    "reminder.done": "✅ Lead #{lead_id}: done.",
    "reminder.snoozed": "💤 Lead #{lead_id}: I will remind you again at {time}.",
    "answer.task_done": "✅ Done.",
    "answer.snoozed": "💤 Again at {time}.",
    "task.next_try": "📞 Try again",
    "reminder.next_try": "📞 Time to try lead <b>#{lead_id}</b> again ({time})",
    "task.follow_up": "🔁 Follow up",
    "outcome.prompt": "❓ Where does lead <b>#{lead_id}</b> stand? Yours since {since}, "
                      "still at “{stage}”. One tap tells me:",
    "outcome.working": "🔄 Lead #{lead_id}: still working on it. Noted.",
    "outcome.answered": "✅ Lead #{lead_id}: {stage}. Thank you.",
    "button.still_working": "🔄 Still working on it",
    "answer.still_working": "🔄 Noted: still working on it.",
    "reminder.follow_up": "🔁 Time to follow up on lead <b>#{lead_id}</b> ({time})",
    "nurtured.title": "🌱 Lead #{lead_id} went to nurture: {agent} tried {tries} times and "
                      "reached nobody. It no longer counts toward {agent}'s open leads.",
    "answer.nurtured": "🌱 No answer three times in a row: the lead goes to nurture. "
                       "I will remind you to try again in three days.",
    "stats.first_contact": "Speed to lead (arrival → first contact): <b>{to_contact}</b> · "
                           "contacted: {rate} ({contacted}/{owned})",
    "stats.after_accept": "First contact within SLA: <b>{sla}</b> ({met}/{due}) · "
                          "reclaimed: {reclaimed} · nurtured: {nurtured}",
    "stats.reclaimed.first_contact": "first contact late",
    "stats.reclaimed.no_contact": "no contact",
    "stats.reclaimed.no_progress": "no progress",
    "stats.reclaimed.too_long": "open too long",
    "stats.reclaimed.other": "other",
    # the card
    "card.title": "📇 Lead <b>#{lead_id}</b> · {temperature} · score {score}/100",
    "card.stage": "Stage: <b>{stage}</b>",
    "card.first_contact": "first contact {time}",
    "card.attempts": "tries: {count}",
    "card.offer_amount": "Offer: <b>{amount}</b>",
    "card.won_amount": "Won for <b>{amount}</b>",
    "card.lost_reason": "Lost: {reason}",
    "card.next": "Next: {task} · {time}",
    "card.no_next": "Next: nothing planned — set a reminder or an appointment.",
    "card.notes": "📝 <b>Notes</b> (newest first)",
    "card.notes_more": "… older notes: /lead {lead_id} shows up to ten.",
    "card.note": "· {time} {author}: {text}",
    "card.earlier": "↩️ Earlier inquiries: {items}",
    "card.earlier_item": "#{lead_id} ({date}, {stage})",
    "card.owner": "👤 Owner: {name}",
    "card.reply_hint": "💬 Reply to this card to add a note.",
    "card.moved": "📇 Lead #{lead_id}: this card moved below ⬇️",
    "card.first_message": "Hello {first_name}, this is {agent} from {office}. Thank you for "
                          "your inquiry — when would be a good time to talk?",
    "button.whatsapp": "💬 WhatsApp",
    "button.unreachable": "📵 Couldn't reach",
    "button.info_sent": "📨 Info sent",
    "button.offer": "💼 Offer",
    "button.note": "📝 Note",
    "button.remind": "⏰ Remind me",
    "button.undo": "↩️ Undo",
    "button.today": "Today",
    "button.tomorrow": "Tomorrow",
    "button.remind_1h": "In 1 hour",
    "button.remind_tomorrow": "Tomorrow 10:00",
    "button.remind_3d": "In 3 days",
    "button.prev": "‹ Newer",
    "button.next": "Older ›",
    "button.cancel": "✖️ Cancel",
    # answers to presses
    "answer.attempt": "📵 Try logged. I will remind you to try again.",
    "answer.reached": "📞 Call logged on #{lead_id}.",
    "answer.stage": "✅ #{lead_id}: {stage}",
    "answer.undone": "↩️ Undone: #{lead_id} is back at “{stage}”.",
    "answer.pick_day": "Pick a day — or type a time, like “tomorrow 2pm”.",
    "answer.pick_time": "Pick a time.",
    "answer.pick_lost": "Why was it lost?",
    "answer.pick_remind": "When shall I remind you?",
    "answer.booked": "📅 Appointment booked.",
    "answer.reminder_set": "⏰ Reminder set.",
    "answer.noted": "📝 Note added to #{lead_id}.",
    # questions
    "ask.offer_amount": "💼 Lead #{lead_id}: what is the offer? Type the amount, like "
                        "4.500.000 or 4,5 milyon or 4.5m. /cancel to stop.",
    "ask.won_amount": "🏆 Lead #{lead_id}: what was it won for? Type the amount, like "
                      "4.500.000 or 4,5 milyon or 4.5m. /cancel to stop.",
    "ask.note": "📝 Lead #{lead_id}: type the note. /cancel to stop.",
    "ask.placeholder_amount": "4.500.000",
    "ask.placeholder_note": "Your note",
    "answered.offer_amount": "💼 Offer of {amount} recorded on #{lead_id}.",
    "answered.won_amount": "🏆 #{lead_id} won for {amount}. Well done!",
    "answered.appointment": "📅 Appointment with #{lead_id} on {time}.",
    "answered.note": "📝 Note added to #{lead_id}.",
    "prompt.cancelled": "OK, cancelled.",
    "prompt.nothing": "Nothing to cancel.",
    "text.hint": "To add a note, reply to a lead's card. /leads lists your leads, /help "
                 "everything else.",
    # commands
    "command.lead": "Show a lead's card",
    "command.today": "What is due today",
    "command.note": "Add a note to a lead",
    "command.new": "Enter a lead taken by phone or walk-in",
    "command.cancel": "Stop the current question",
    "command.correct": "Correct a lead's stage",
    "lead.usage": "Usage: /lead &lt;lead id or phone&gt;",
    "note.usage": "Usage: /note &lt;lead&gt; text — or reply to the lead's card.",
    "correct.usage": "Usage: /correct &lt;lead&gt; &lt;stage&gt; &lt;reason&gt;\n"
                     "Example: /correct 12 offer the client did not sign yet",
    "correct.done": "✏️ Lead #{lead_id} corrected to “{stage}”.",
    "leads.none": "You have no open leads. New ones will arrive here.",
    "leads.page_title": "<b>Your open leads ({count})</b> · page {page}/{pages}",
    "leads.line": "#{lead_id} · {name} · {stage} · {next}",
    "leads.no_task": "no task",
    "today.none": "Nothing is due today. 🎉",
    "today.title": "<b>Due today ({count})</b>",
    "today.line": "{when} · {task} · #{lead_id} {name}",
    "today.overdue": "⚠️ overdue {time}",
    "outcome.usage": "Usage: /outcome &lt;lead&gt; &lt;stage&gt; [amount or note]\n"
                     "Stages: contacted, info sent, appointment, offer, won, lost, nurture.\n"
                     "Example: /outcome 12 won 2.500.000",
    "help.agent": "<b>Your commands</b>\n"
                  "/leads — your open leads\n"
                  "/lead &lt;id or phone&gt; — a lead's card\n"
                  "/today — what is due today\n"
                  "/note &lt;lead&gt; text — add a note (or reply to the card)\n"
                  "/new — enter a lead taken by phone or walk-in\n"
                  "/outcome &lt;lead&gt; &lt;stage&gt; [amount or note]\n"
                  "/why &lt;lead&gt; — why a lead offered to you came to you\n"
                  "/rules — how leads are routed, and whose pools you are in\n"
                  "/me [period] — your own numbers beside the team's median\n"
                  "/settings — your working hours and language\n"
                  "/away [until &lt;day&gt; | for N days] — take no leads for a while; "
                  "/back — take them again\n"
                  "/cancel — stop the current question\n"
                  "/help — this list",
    "help.manager": "\n\n<b>Manager commands</b>\n"
                    "/stats [period] [by agent|team|source|rule] — funnel, speed, money; "
                    "offers, fairness, load, automation behind its buttons\n"
                    "/pending — leads waiting for Accept or for an owner\n"
                    "/report [period] — charts: funnel, speed, fair share, SLA, sources\n"
                    "/agents — the team: status, load, tier; edit a profile\n"
                    "/assign &lt;lead&gt; [agent] — give a lead nobody owns\n"
                    "/reassign &lt;lead&gt; [agent] — give an owned lead to someone else\n"
                    "/correct &lt;lead&gt; &lt;stage&gt; &lt;reason&gt; — correct or reopen\n"
                    "/away &lt;name&gt; … · /back &lt;name&gt; — set someone away or back\n"
                    "/deactivate &lt;name&gt; — take someone off the team\n"
                    "/invite agent|manager — a one-time link that adds someone to the team\n"
                    "/reload — read the office config again\n"
                    "/export [period] — the period's leads as a spreadsheet (CSV)\n"
                    "/setgroup [off] — in a group: make it the team's group (off: none)",
    # /new
    "entry.ask.name": "✍️ <b>New lead</b> (1/6)\nWhat is the contact's name?",
    "entry.ask.phone": "📞 (2/6) What is their phone number? With the area code, or with + "
                       "and the country code.",
    "entry.ask.product": "🏠 (3/6) What are they looking for? Pick one, or type it.",
    "entry.ask.product_typed": "🏠 (3/6) What are they looking for? Type it, or skip.",
    "entry.ask.region": "📍 (4/6) Which region or district? Type it, or skip.",
    "entry.ask.budget": "💰 (5/6) What is their budget? Type an amount or a range, like "
                        "2.5m or 3-5 million — or skip.",
    "entry.ask.timing": "⏳ (6/6) When do they mean to buy? Pick one, or type it.",
    "button.skip": "Skip ›",
    "button.timing_week": "This week",
    "button.timing_month": "This month",
    "button.timing_quarter": "In 1–3 months",
    "button.timing_half": "Within 6 months",
    "button.timing_looking": "Just looking",
    "entry.saved_yours": "✅ Lead <b>#{lead_id}</b> saved. It is yours: work it from its card.",
    "entry.saved_routed": "✅ Lead <b>#{lead_id}</b> saved. It goes to the team like any "
                          "other lead.",
    "entry.cancelled": "✖️ Entry cancelled. Nothing was saved.",
    "entry.gone": "This entry is closed. /new starts a new one.",
    "card.entered_title": "✍️ Lead <b>#{lead_id}</b> is yours · {temperature} · score "
                          "{score}/100",
    # errors
    "error.nothing_to_undo": "Nothing to undo: the lead's last stage change was taken back "
                             "already, or there was none.",
    "error.not_a_phone": "“{text}” is not a phone number I can use. Type it with the area "
                         "code, or with + and the country code.",
    "error.empty_answer": "That answer is empty. Type it again, or /cancel.",
    "error.too_long": "That is too long: at most {limit} characters.",
    "error.entry_moved_on": "That question is already answered. Answer the newest one, or "
                            "/new to start again.",
    "error.undo_too_late": "Undo works for {minutes} minutes after a change. Ask a manager "
                           "to correct the stage.",
    "error.in_the_past": "That time has already passed. Pick a later one.",
    "error.empty_note": "The note is empty.",
    "error.not_a_time": "“{text}” is not a time I understand. Try “tomorrow 14:30” or "
                        "“monday 10am”.",
}
