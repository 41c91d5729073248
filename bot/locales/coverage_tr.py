"""Turkish catalog of capacity, coverage and automation health (core/numbers/coverage.py).
Values are HTML for Telegram."""

MESSAGES: dict[str, str] = {
    "coverage.automation_low": "⚠️ Taleplerin yalnızca {share} kadarı kimse el atmadan "
                               "dağıtıldı; hedef {target}. Yöneticilerin en sık atadığı ya "
                               "da devrettiği, sahiplerinin en sık geri verdiği taleplerin "
                               "kuralları değiştirilmeli.",
    "coverage.level.overloaded": "aşırı yüklü",
    "coverage.level.normal": "normal",
    "coverage.level.idle": "boşta",
    "coverage.miss.offer": "Süresinde kabul edilmeyen teklifler",
    "coverage.miss.contact": "Kaçırılan ilk temaslar",
}
