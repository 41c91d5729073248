"""Turkish catalog of /export: the leads of a period as a CSV file. Values are HTML for
Telegram; the column names and values are plain text for the file."""

MESSAGES: dict[str, str] = {
    "command.export": "Bir dönemin talepleri tablo olarak (CSV)",
    "export.usage": "Kullanım: /export [dönem]: today, 7d, 30d (varsayılan), this month, "
                    "last month ya da YYYY-AA-GG..YYYY-AA-GG",
    "export.caption": "📄 {start} – {end} arasında gelen <b>{rows}</b> talep ({period}).\n"
                      "Kişisel veri içerir: özenle saklayın. Bu dışa aktarım kayda geçti.",
    "export.empty": "{start} – {end} arasında gelen talep yok ({period}): aktarılacak bir "
                    "şey yok.",
    "export.too_big": "{period} dönemi {size} MB tutuyor; Telegram bir botun en çok 50 MB "
                      "göndermesine izin veriyor. Bunun yerine sunucuda şunu "
                      "çalıştırın:\n<code>{command}</code>",
    # the file's columns
    "export.column.id": "Talep No",
    "export.column.received": "Geliş zamanı",
    "export.column.source": "Kaynak",
    "export.column.utm_source": "utm_source",
    "export.column.utm_medium": "utm_medium",
    "export.column.utm_campaign": "utm_campaign",
    "export.column.gclid": "gclid",
    "export.column.fbclid": "fbclid",
    "export.column.name": "Ad Soyad",
    "export.column.phone": "Telefon",
    "export.column.email": "E-posta",
    "export.column.product": "Ürün",
    "export.column.region": "Bölge",
    "export.column.budget_min": "Bütçe (en az)",
    "export.column.budget_max": "Bütçe (en çok)",
    "export.column.temperature": "Sıcaklık",
    "export.column.score": "Puan",
    "export.column.lead_type": "Talep türü",
    "export.column.status": "Durum",
    "export.column.stage": "Aşama",
    "export.column.owner": "Sorumlu",
    "export.column.team": "Ekip",
    "export.column.accepted": "Kabul zamanı",
    "export.column.first_contact": "İlk temas zamanı",
    "export.column.minutes_to_accept": "Kabule kadar dakika",
    "export.column.minutes_to_contact": "İlk temasa kadar dakika",
    "export.column.offers": "Danışmana sunulma",
    "export.column.declines": "Reddedilme",
    "export.column.lapses": "Süresi dolan sunum",
    "export.column.amount_won": "Kazanılan tutar",
    "export.column.offer_amount": "Teklif tutarı",
    "export.column.lost_reason": "Kaybedilme nedeni",
    "export.column.closed": "Kapanış zamanı",
    "export.column.in_currency": "{column} ({currency})",
    # the file's values
    "export.temperature.hot": "sıcak",
    "export.temperature.warm": "ılık",
    "export.temperature.cold": "soğuk",
    "export.status.new": "yeni",
    "export.status.offered": "danışmana sunuldu",
    "export.status.with_managers": "yöneticilerde",
    "export.status.owned": "danışmanda",
    "export.status.closed": "kapandı",
    "export.status.nurture": "takipte",
    "export.status.disqualified": "elendi",
    "export.status.revived": "yeniden geldi",
    "export.status.queued": "içe aktarma havuzunda",
}
