"""English catalog of what intake refused (the managers' hourly alert). Values are HTML."""

MESSAGES: dict[str, str] = {
    "intake_failed.title": "⚠️ A post from <b>{source}</b> could not become a lead "
                           "({reason}): {detail}",
    "intake_failed.more": "It is kept as #{failure_id}; later ones this hour are only kept. "
                          "See them with <code>leadrelay intake failures --source {source}</code> "
                          "and, once the config is fixed, take them in with "
                          "<code>leadrelay intake replay --all --source {source}</code>.",
    "intake_reason.invalid": "no usable contact or a field it cannot take",
    "intake_reason.bad_body": "not valid JSON or form",
    "intake_reason.encoding": "not UTF-8",
    "intake_reason.unauthenticated": "wrong token",
    "intake_reason.rate_limited": "over its rate limit",
    "intake_reason.too_large": "too large",
    "intake_reason.unsupported_type": "a content type intake does not take",
    "intake_reason.spam": "spam",
}
