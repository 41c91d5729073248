"""English catalog of capacity, coverage and automation health (core/numbers/coverage.py).
Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "coverage.automation_low": "⚠️ Only {share} of leads were routed without anyone stepping "
                               "in; the aim is {target}. Change the rules whose leads "
                               "managers most often assign or reassign, or their owners "
                               "hand back.",
    "coverage.level.overloaded": "overloaded",
    "coverage.level.normal": "normal",
    "coverage.level.idle": "idle",
    "coverage.miss.offer": "Offers let lapse",
    "coverage.miss.contact": "First contacts missed",
}
