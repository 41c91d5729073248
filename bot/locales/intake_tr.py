"""Turkish catalog of what intake refused (the managers' hourly alert). Values are HTML."""

MESSAGES: dict[str, str] = {
    "intake_failed.title": "⚠️ <b>{source}</b> kaynağından gelen bir gönderi talebe "
                           "dönüştürülemedi ({reason}): {detail}",
    "intake_failed.more": "#{failure_id} numarasıyla saklandı; bu saat gelen diğerleri yalnızca "
                          "saklanır. Görmek için <code>leadrelay intake failures --source "
                          "{source}</code>, ayarlar düzeltildikten sonra almak için "
                          "<code>leadrelay intake replay --all --source {source}</code>.",
    "intake_reason.invalid": "kullanılabilir bir iletişim bilgisi yok ya da alınamayan bir alan "
                             "var",
    "intake_reason.bad_body": "geçerli bir JSON ya da form değil",
    "intake_reason.encoding": "UTF-8 değil",
    "intake_reason.unauthenticated": "yanlış anahtar",
    "intake_reason.rate_limited": "hız sınırını aştı",
    "intake_reason.too_large": "çok büyük",
    "intake_reason.unsupported_type": "kabul edilmeyen bir içerik türü",
    "intake_reason.spam": "spam",
}
