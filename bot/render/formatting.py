"""Formatting shared by every message: durations, money, percentages, phone numbers,
escaping, and fitting a long list into one Telegram message."""

from __future__ import annotations

import functools
import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import phonenumbers
from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from bot.i18n import CATALOGS, DEFAULT_LANGUAGE, t
from core.clock import Clock


def duration(lang: str, seconds: float) -> str:
    """`45 s`, `5 min`, `2 h`, `1 h 30 min`."""
    seconds = round(seconds)
    if seconds < 120 and seconds % 60:
        return t(lang, "unit.s", n=seconds)
    minutes = round(seconds / 60)
    if minutes < 60:
        return t(lang, "unit.min", n=minutes)
    hours, rest = divmod(minutes, 60)
    return t(lang, "unit.h", n=hours) if not rest else t(lang, "unit.h_min", h=hours, m=rest)


def money(value: int, lang: str = "en", currency: str | None = None) -> str:
    """An amount in whole units the reader's way: `4,500,000` or `$450,000` in English,
    `4.500.000` or `₺4.500.000` in Turkish."""
    return _money(value, lang, currency)


# Babel takes some 10 µs an amount, and the same budgets come back: each agent a lead is
# offered to gets it, its edits repeat it, and offices price in round figures.
@functools.lru_cache(maxsize=4096)
def _money(value: int, lang: str, currency: str | None) -> str:
    locale = _locale(lang)
    if currency is None:
        return format_decimal(value, locale=locale)
    text = format_currency(value, currency, format=_whole_currency(locale), locale=locale,
                           currency_digits=False)
    # CLDR's currency spacing, which Babel leaves out: a code written in letters is kept
    # apart from its digits (TRY 4,500,000), a sign is not ($450,000).
    return _LETTER_DIGIT.sub("\u00a0", text)


def percent(ratio: float, lang: str = "en") -> str:
    """A ratio as a whole percentage: 0.5 is `50%` in English and `%50` in Turkish."""
    return format_percent(ratio, locale=_locale(lang))


def number(value: float, lang: str = "en") -> str:
    """A number with the reader's grouping: `4,500,000` in English, `4.500.000` in Turkish."""
    return format_decimal(value, locale=_locale(lang))


def language_name(code: str, lang: str = "en") -> str:
    """A language code the reader's way: `tr` is `Turkish` in English and `Türkçe` in Turkish;
    anything else is shown as written."""
    name = _locale(lang).languages.get(code.split("-")[0].split("_")[0].lower())
    return name or code


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in CATALOGS else DEFAULT_LANGUAGE)


@functools.cache
def _whole_currency(locale: Locale) -> str:
    """The locale's currency pattern without decimals: prices are shown in whole units."""
    pattern = locale.currency_formats["standard"].pattern
    return re.sub(r"\.[0#]+", "", pattern)


# A time with its weekday, the reader's way: Turkish puts the day first, so that a case
# suffix lands on the time ("Pzt 09:10'a kadar").
_WEEKDAY_TIME = {"en": "HH:mm EEE", "tr": "EEE HH:mm"}

_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def phone(e164: str) -> str:
    """International format, which Telegram clients turn into a tap-to-call link."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Telegram refuses a message over 4096 characters; long lists stop short of that.
MESSAGE_LIMIT = 3800
NAMES_SHOWN = 20


def fit(lang: str, head: list[str], rows: list[str], *, unread: int = 0,
         more: str = "list.more") -> str:
    """*head* and as many *rows* as fit in one Telegram message, then how many were left
    (counting *unread* more that were never fetched), said by the catalog's *more*."""
    lines, used = list(head), sum(len(line) + 1 for line in head)
    left = unread
    for index, row in enumerate(rows):
        if used + len(row) + 1 > MESSAGE_LIMIT:
            left += len(rows) - index
            break
        lines.append(row)
        used += len(row) + 1
    if left:
        lines.append(t(lang, more, count=left))
    return "\n".join(lines)


def some(lang: str, items: list[str]) -> str:
    """The first items of a list joined, and how many more there are."""
    shown = ", ".join(items[:NAMES_SHOWN])
    if len(items) > NAMES_SHOWN:
        shown += " " + t(lang, "list.and_more", count=len(items) - NAMES_SHOWN)
    return shown




class Localized:
    """Renders in the office's time zone and currency, against the clock it is given."""

    def __init__(self, *, zone: ZoneInfo, office: str, clock: Clock,
                 currency: str | None = None) -> None:
        self.zone = zone
        self.office = office
        self.currency = currency
        self._clock = clock

    def money(self, lang: str, value: int) -> str:
        """An amount in the office currency (grouped digits alone when it has none)."""
        return money(value, lang, self.currency)

    def percent(self, lang: str, ratio: float) -> str:
        """A ratio as a percentage written the reader's way."""
        return percent(ratio, lang)

    def local_time(self, when: datetime | str) -> str:
        """A time of day in the office zone, with the date when it is not today's."""
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        local = when.astimezone(self.zone)
        today = self._clock.now().astimezone(self.zone).date()
        return local.strftime("%H:%M" if local.date() == today else "%d.%m %H:%M")

    def local_deadline(self, lang: str, when: datetime | str) -> str:
        """When something is due, in the office zone: the time alone today, with the weekday
        within the coming week (`09:10 Mon`, `Pzt 09:10`), else with the date."""
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        local = when.astimezone(self.zone)
        ahead = (local.date() - self._clock.now().astimezone(self.zone).date()).days
        if ahead == 0:
            return local.strftime("%H:%M")
        if 0 < ahead < 7:
            return format_datetime(local, _WEEKDAY_TIME.get(lang, _WEEKDAY_TIME["en"]),
                                   tzinfo=self.zone, locale=_locale(lang))
        return local.strftime("%d.%m %H:%M")

    def local_datetime(self, when: datetime) -> str:
        """Date and time in the office zone."""
        return when.astimezone(self.zone).strftime("%d.%m %H:%M")


def esc(value: object) -> str:
    """*value* as text safe inside Telegram HTML."""
    return html.escape(str(value), quote=False)
