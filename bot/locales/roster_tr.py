"""Turkish catalog of the roster in chat: /agents, a person's profile and its edits, and
/settings. Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "command.agents": "Ekip: durum, iş yükü, seviye; profil düzenleme",
    "command.settings": "Çalışma saatleriniz ve diliniz",
    # /agents
    "agents.title": "👥 <b>Ekip</b> · {count} kişi",
    "agents.page": "Sayfa {page}/{pages}",
    "agents.line": "<b>{name}</b>{role} · {status}\n      {load} · {tier} · {misses}",
    "agents.manager": " (yönetici)",
    "agents.pick": "Bir profili açın:",
    "status.active": "🟢 aktif",
    "status.away_until": "🌴 {date} tarihine kadar izinde",
    "status.away": "🌴 izinde",
    "status.not_started": "⚪ botu henüz başlatmadı",
    "status.blocked": "⛔ botu engelledi",
    "status.inactive": "⚫ pasif",
    "agents.load": "{open}/{cap} açık",
    "agents.load_free": "{open} açık, sınır yok",
    "agents.tier": "seviye {tier}",
    "agents.tier_set": "seviye {tier} ({date} tarihine kadar belirlendi)",
    "agents.misses": "SLA kaçırma: {count}",
    # a profile
    "profile.title": "👤 <b>{name}</b> — {role}",
    "profile.status": "Durum: {status}",
    "profile.load": "İş yükü: {load}",
    "profile.tier_earned": "Seviye: {tier}, sonuçlara göre (ya da başlangıç seviyesi)",
    "profile.tier_set": "Seviye: {tier}, bir yönetici {date} tarihine kadar belirledi",
    "profile.misses": "Son {days} günde SLA kaçırma: {count}",
    "profile.team": "Takım: {value}",
    "profile.territories": "Bölgeler: {value}",
    "profile.specialties": "Uzmanlıklar: {value}",
    "profile.capacity": "Kapasite: {value}",
    "profile.weight": "Ağırlık: {value}",
    "profile.hours": "Çalışma saatleri: {value}",
    "profile.backup": "Yedek: {value}",
    "profile.language": "Dil: {value}",
    "profile.none": "—",
    "profile.no_limit": "sınır yok",
    "profile.office_hours": "ofisinkiler",
    "profile.office_language": "ofisinki ({language})",
    "role.agent": "danışman",
    "role.manager": "yönetici",
    # /settings
    "settings.title": "⚙️ <b>Ayarlarınız</b>, {name}",
    "settings.hint": "Çalışma saatleriniz dışında size talep gönderilmez.",
    # buttons
    "button.field.name": "✏️ Ad",
    "button.field.team": "👥 Takım",
    "button.field.territories": "📍 Bölgeler",
    "button.field.specialties": "🏷 Uzmanlıklar",
    "button.field.capacity": "📦 Kapasite",
    "button.field.weight": "⚖️ Ağırlık",
    "button.field.hours": "🕘 Çalışma saatleri",
    "button.field.tier": "🏅 Seviye",
    "button.field.backup": "🤝 Yedek",
    "button.field.language": "🌐 Dil",
    "button.field.role": "🎩 Rol",
    "button.tier_auto": "Otomatik (sonuçlara göre)",
    "button.backup_none": "Kimse",
    "button.role.agent": "Danışman",
    "button.role.manager": "Yönetici",
    "button.lang.en": "English",
    "button.lang.tr": "Türkçe",
    "button.team_list": "👥 Ekip",
    "button.page_prev": "‹ Önceki",
    "button.page_next": "Sonraki ›",
    # questions typed in reply
    "ask.name": "{name:gen} yeni adını yazın.",
    "ask.team": "{name:gen} takımını yazın (şu an: {now}). Takım yoksa - gönderin.",
    "ask.territories": "{name:gen} bölgelerini virgülle ayırarak yazın (şu an: {now}). "
                       "Hiçbiri için - gönderin.",
    "ask.specialties": "{name:gen} uzmanlıklarını virgülle ayırarak yazın (şu an: {now}). "
                       "Hiçbiri için - gönderin.",
    "ask.capacity": "{name} en fazla kaç açık talep tutabilir? (şu an: {now}) "
                    "Sınır olmaması için - gönderin.",
    "ask.weight": "{name:gen} ağırlığını yazın; örneğin %50 daha fazla talep için 1,5 "
                  "(şu an: {now}).",
    "ask.hours": "Çalışma saatlerini <code>pzt-cum 09:00-18:00</code> gibi yazın "
                 "(şu an: {now}). Ofisin saatleri için - gönderin.",
    "pick.tier": "{name:gen} seviyesini seçin. Belirlediğiniz seviye bir sonraki "
                 "değerlendirmeye kadar geçerlidir.",
    "pick.language": "Dili seçin:",
    "pick.role": "{name:gen} rolünü seçin:",
    "pick.backup": "{name} izindeyken talepleri kim alsın?",
    "saved": "✅ {name} için {field} kaydedildi.",
    "saved.language": "✅ Bundan sonra size Türkçe yazacağım.",
    "profile.field.name": "ad",
    "profile.field.team": "takım",
    "profile.field.territories": "bölgeler",
    "profile.field.specialties": "uzmanlıklar",
    "profile.field.capacity": "kapasite",
    "profile.field.weight": "ağırlık",
    "profile.field.hours": "çalışma saatleri",
    "profile.field.tier": "seviye",
    "profile.field.backup": "yedek",
    "profile.field.language": "dil",
    "profile.field.role": "rol",
    # refusals; nothing was changed
    "roster.bad": "Bu değer uygun değil. Hiçbir şey değiştirilmedi.",
    "roster.bad.name": "Ad 1 ile 64 karakter arasında olmalı. Hiçbir şey değiştirilmedi.",
    "roster.bad.team": "Takım adı en fazla 64 karakter olabilir. Hiçbir şey değiştirilmedi.",
    "roster.bad.territories": "Virgülle ayırarak en fazla 30 bölge yazın. "
                              "Hiçbir şey değiştirilmedi.",
    "roster.bad.specialties": "Virgülle ayırarak en fazla 30 uzmanlık yazın. "
                              "Hiçbir şey değiştirilmedi.",
    "roster.bad.capacity": "Kapasite 1 ya da daha büyük bir tam sayı olmalı (sınır olmaması "
                           "için -). Hiçbir şey değiştirilmedi.",
    "roster.bad.weight": "Ağırlık 0'dan büyük, en fazla 100 olan bir sayıdır; örneğin 1 ya da "
                         "1,5. Hiçbir şey değiştirilmedi.",
    "roster.bad.hours": "Çalışma saatlerini pzt-cum 09:00-18:00 gibi yazın (başlangıç bitişten "
                        "önce). Hiçbir şey değiştirilmedi.",
    "roster.bad.tier": "A, B, C ya da Otomatik seçin. Hiçbir şey değiştirilmedi.",
    "roster.bad.backup": "Yedek, ekipte aktif olan başka biri olmalı. "
                         "Hiçbir şey değiştirilmedi.",
    "roster.bad.language": "English ya da Türkçe seçin. Hiçbir şey değiştirilmedi.",
    "roster.bad.role": "Danışman ya da yönetici seçin. Hiçbir şey değiştirilmedi.",
    "roster.name_taken": "Ekipte zaten {name} adında biri var: dağıtım kuralları kişileri "
                         "adıyla andığı için adlar farklı olmalı. Hiçbir şey değiştirilmedi.",
    "roster.name_in_rules": "{name}, leadrelay.yaml'deki <b>{rule}</b> içinde adıyla geçiyor: "
                            "yeni bir ad onu oradan çıkarır. Önce dosyayı değiştirin. Hiçbir "
                            "şey değiştirilmedi.",
    "roster.last_manager": "{name} son yönetici: önce başka birini yönetici yapın. "
                           "Hiçbir şey değiştirilmedi.",
    # /why
    "why.tier_set": "{tier} seviyesini bir yönetici {until} tarihine kadar belirledi.",
}
