"""English catalog of the import pool in /pending. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "pending.pool": "📥 <b>Import pool: {count}</b> imported leads wait to be offered, "
                    "{per_hour} an hour; the last about {time}.",
    "pending.pool_idle": "📥 <b>Import pool: {count}</b> imported leads wait; nobody can take "
                         "leads now, so none are offered.",
    "pending.pool_group": "  {count} · {file} ({source})",
    "pending.pool_hint": "  /assign ID gives one out by hand.",
}
