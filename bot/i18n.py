"""Message catalogs: every text a person reads comes from here, in English or Turkish."""

from __future__ import annotations

import html
from typing import Any

from bot.locales import en, tr, work_en, work_tr

# A feature's catalog is merged over the main one: its keys are its own.
CATALOGS: dict[str, dict[str, str]] = {"en": {**en.MESSAGES, **work_en.MESSAGES},
                                       "tr": {**tr.MESSAGES, **work_tr.MESSAGES}}
DEFAULT_LANGUAGE = "en"


def language_of(code: str | None) -> str:
    """Pick the catalog for a language code like `tr` or `en-GB`, English if we lack it."""
    if code:
        short = code.split("-")[0].lower()
        if short in CATALOGS:
            return short
    return DEFAULT_LANGUAGE


def t(lang: str, key: str, **params: Any) -> str:
    """Look up *key* in *lang*'s catalog and fill it with HTML-escaped *params*."""
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT_LANGUAGE])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE][key]
    safe = {name: _escape(value) for name, value in params.items()}
    return template.format(**safe)


def t_raw(lang: str, key: str, **params: Any) -> str:
    """Like t(), for plain-text places (button labels, alerts) where nothing is escaped."""
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT_LANGUAGE])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE][key]
    return html.unescape(template.format(**params))


class Markup(str):
    """Text that is already HTML and must not be escaped again."""

    __slots__ = ()


def _escape(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    return html.escape(str(value), quote=False)
