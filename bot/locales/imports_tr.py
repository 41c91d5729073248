"""Turkish catalog of importing a spreadsheet's rows as leads. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "error.unreadable_sheet": "Bu dosya okunamıyor. Bir CSV dosyası (UTF-8 ya da Windows-1254, "
                              "virgül veya noktalı virgülle ayrılmış) ya da bir .xlsx çalışma "
                              "kitabı gönderin.",
    "error.import_bad_map": "Bu sütun eşlemesi dosyada olmayan bir sütunu ya da talepte "
                            "bulunmayan bir alanı gösteriyor.",
    "error.import_no_contact_column": "Bu dosyada telefon numarası ya da e-posta adresi içeren "
                                      "bir sütun yok; hiçbir satır talep olarak alınamaz.",
}
