"""Turkish catalog of the import pool in /pending. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "pending.pool": "📥 <b>İçe aktarma havuzu: {count}</b> içe aktarılan talep sırada, "
                    "saatte {per_hour} tanesi teklif ediliyor; sonuncusu yaklaşık {time}.",
    "pending.pool_idle": "📥 <b>İçe aktarma havuzu: {count}</b> içe aktarılan talep sırada; "
                         "şu an talep alabilecek kimse yok, teklif edilmiyor.",
    "pending.pool_group": "  {count} · {file} ({source})",
    "pending.pool_hint": "  /assign NO ile biri elle verilebilir.",
}
