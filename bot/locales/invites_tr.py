"""Turkish catalog of joining the team: /invite, its link, the welcome, and the refusals.
Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "command.invite": "Ekibe birini davet et",
    "invite.usage": "Kullanım: /invite danışman — ya da /invite yönetici (agent ve manager "
                    "da olur). Ekibe bir kişiyi ekleyen bir bağlantı oluşturur.",
    "invite.link.agent": "🔗 <b>{office} ekibine danışman olarak katılma daveti</b>\n{link}\n"
                         "Bağlantıyı tek bir kişiye gönderin ya da QR kodunu gösterin: yalnızca "
                         "bir kez kullanılabilir, {time} tarihine kadar geçerlidir.",
    "invite.link.manager": "🔗 <b>{office} ekibine yönetici olarak katılma daveti</b>\n{link}\n"
                           "Bağlantıyı tek bir kişiye gönderin ya da QR kodunu gösterin: yalnızca "
                           "bir kez kullanılabilir, {time} tarihine kadar geçerlidir.",
    "invite_accepted.agent": "🎉 {name} davetinizle ekibe danışman olarak katıldı.",
    "invite_accepted.manager": "🎉 {name} davetinizle ekibe yönetici olarak katıldı.",
    "welcome.agent": "👋 <b>{office:dat}</b> hoş geldiniz, {name}! {inviter} sizi ekibe "
                     "ekledi.\n"
                     "Yeni talepler buraya gelir: almak için ✅ Kabul et düğmesine basın, "
                     "almayacaksanız Reddet deyip nedenini seçin.\n"
                     "Yapabileceğiniz her şeyi /help listeler.",
    "welcome.manager": "👋 <b>{office:dat}</b> hoş geldiniz, {name}! {inviter} sizi yönetici "
                       "olarak ekledi.\n"
                       "Süresinde kimsenin kabul etmediği talepler, birine vermeniz için "
                       "düğmeleriyle buraya gelir; size gelen tekliflerde Kabul et ve Reddet "
                       "düğmeleri olur.\n"
                       "/agents ekibi gösterir, /invite yeni kişi ekler, gerisini /help "
                       "listeler.",
    "error.invite_unknown": "Üzgünüz, bu davet bağlantısı çalışmıyor. Tamamının "
                            "kopyalandığından emin olun ya da yöneticinizden yenisini isteyin.",
    "error.invite_used": "Üzgünüz, bu davet zaten kullanıldı: her bağlantı yalnızca bir kişiyi "
                         "ekler. Yöneticinizden yenisini isteyin.",
    "error.invite_expired": "Üzgünüz, bu davetin süresi doldu. Yöneticinizden yenisini "
                            "isteyin.",
    "error.invite_revoked": "Üzgünüz, bu davet artık geçerli değil. Yöneticinizden yenisini "
                            "isteyin.",
}
