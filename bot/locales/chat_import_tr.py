"""Turkish catalog of a spreadsheet sent to the bot for import. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "import.preview.title": "📄 <b>{name}</b> ({described})",
    "import.preview.columns": "<b>Okunan sütunlar</b>",
    "import.preview.column": "• {header} → {field}",
    "import.preview.extras": "<b>Her talebin yanında saklanacak</b> (Diğer altında "
                             "görünür): {headers}",
    "import.preview.samples": "<b>İlk satırlar talep olarak</b>",
    "import.preview.sample": "satır {row}: {lead}",
    "import.preview.no_samples": "(ilk satırların hiçbiri talep olmuyor)",
    "import.preview.counts": "<b>Deneme:</b> {rows} satır · {new} yeni · {merged} mevcut "
                             "kişiyle birleşecek · dosyada {duplicates} tekrar · {rejected} "
                             "reddedildi",
    "import.preview.again": "{again} satır daha önce içe aktarılmış (aynı talep no); "
                            "olduğu gibi kalacak.",
    "import.preview.routed": "Kaynak <code>{source}</code>. İçe aktarınca talepler, web "
                             "sitesinden gelenler gibi danışmanlara sunulur.",
    "import.preview.held": "Kaynak <code>{source}</code>. 1.000 satırdan fazla: içe aktarınca "
                           "talepler danışmanlara sunulmadan beklemeye alınır; /pending "
                           "listeler, /assign ile atanır.",
    "import.preview.nothing": "Hiçbir satır talep olmuyor: içe aktarılacak bir şey yok.",
    "import.preview.expires": "Bu ön izleme 24 saat boyunca içe aktarılabilir.",
    "import.rejected_row": "satır {row}: {why}",
    "import.rejected_more": "… ve {count} satır daha",
    "import.why.no_contact": "telefon ya da e-posta yok",
    "import.why.bad_phone": "telefon numarası okunamadı",
    "import.why.bad_email": "e-posta adresi okunamadı",
    "import.why.bad_both": "ne telefon numarası ne e-posta adresi okunabildi",
    "import.button.route": "✅ İçe aktar ve sun",
    "import.button.store": "📥 Beklemeye aktar",
    "import.button.cancel": "✖ Vazgeç",
    "import.answer.started": "İçe aktarılıyor…",
    "import.answer.cancelled": "Vazgeçildi",
    "import.progress": "⏳ <b>{name}</b> içe aktarılıyor… {done} / {total} satır",
    "import.starting": "⏳ <b>{name}</b> içe aktarılıyor…",
    "import.done": "✅ <b>{name}</b> içe aktarıldı",
    "import.report.counts": "{rows} satır okundu · {new} yeni talep · {merged} mevcut kişiyle "
                            "birleşti · dosyada {duplicates} tekrar (yeniden kaydedilmedi) · "
                            "{rejected} reddedildi",
    "import.report.again": "{again} satır daha önce içe aktarılmıştı (aynı talep no); "
                           "olduğu gibi bırakıldı.",
    "import.report.routed": "Talepler ekibin hızına göre danışmanlara sunuluyor; "
                            "bekleyenleri /pending gösterir.",
    "import.report.held": "Beklemeye alındı: /pending listeler, /assign ile atanır.",
    "import.failed": "⚠️ <b>{name}</b> içe aktarılırken yarıda kaldı: {why}. O ana kadar "
                     "kaydedilen satırlar duruyor; kalanlar için dosyayı yeniden gönderin "
                     "(önceden aktarılanlar birleşir, iki kez kaydedilmez).",
    "import.cancelled": "✖ <b>{name}</b>: içe aktarmadan vazgeçildi, hiçbir şey kaydedilmedi.",
    "import.reading": "📄 <b>{name}</b> okunuyor…",
    "import.too_big": "<b>{name}</b> {size} MB; Telegram botların en çok 20 MB dosya "
                      "indirmesine izin veriyor. Dosyayı bölün ya da sunucuda içe aktarın: "
                      "<code>leadrelay import DOSYA --source import</code>.",
    "import.not_a_sheet": "Yalnızca <b>.csv</b> ya da Excel <b>.xlsx</b> olarak kaydedilmiş "
                          "listeleri içe aktarabilirim. Listeyi bunlardan biri olarak "
                          "kaydedip yeniden gönderin.",
    "import.old_xls": "<b>{name}</b> eski bir Excel .xls dosyası: .xlsx (Excel Çalışma "
                      "Kitabı) ya da CSV olarak kaydedip yeniden gönderin.",
    "import.unreadable": "<b>{name}</b> okunamıyor: {why}. Bir CSV (UTF-8 ya da Windows-1254, "
                         "virgül veya noktalı virgülle ayrılmış) ya da .xlsx dosyası gönderin.",
    "import.no_contact_column": "<b>{name}</b> içinde telefon numarası ya da e-posta adresi "
                                "sütunu yok (Telefon, Cep, GSM, E-posta gibi başlıklar); "
                                "hiçbir satır talep olamaz. Sütunu böyle adlandırıp yeniden "
                                "gönderin.",
    "import.managers_only": "Talep listelerini yalnızca yöneticiler içe aktarabilir. Dosyayı "
                            "bir yöneticiye gönderin.",
    "error.import_not_pending": "Bu içe aktarma zaten başlatıldı ya da vazgeçildi.",
    "error.import_expired": "Bu ön izleme bir günden eski: dosyayı yeniden gönderin.",
    "import.field.name": "ad soyad",
    "import.field.first_name": "ad",
    "import.field.last_name": "soyad",
    "import.field.phone": "telefon",
    "import.field.email": "e-posta",
    "import.field.company": "firma",
    "import.field.region": "bölge",
    "import.field.budget": "bütçe",
    "import.field.budget_min": "en az bütçe",
    "import.field.budget_max": "en çok bütçe",
    "import.field.message": "not",
    "import.field.source": "etiket (kaynak)",
    "import.field.tags": "etiketler",
    "import.field.product": "ürün",
    "import.field.timing": "zamanlama",
    "import.field.postal_code": "posta kodu",
    "import.field.language": "dil",
    "import.field.external_id": "talep no",
    "import.field.skip": "alınmaz",
}
