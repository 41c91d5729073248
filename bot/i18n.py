"""Message catalogs: every text a person reads comes from here, in English or Turkish."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.locales import (
    away_en,
    away_tr,
    chat_import_en,
    chat_import_tr,
    clocks_en,
    clocks_tr,
    coverage_en,
    coverage_tr,
    en,
    export_en,
    export_tr,
    handover_en,
    handover_tr,
    imports_en,
    imports_tr,
    intake_en,
    intake_tr,
    invites_en,
    invites_tr,
    lead_more_en,
    lead_more_tr,
    numbers_en,
    numbers_tr,
    pool_en,
    pool_tr,
    report_en,
    report_tr,
    roster_en,
    roster_tr,
    team_en,
    team_tr,
    tr,
    whatsapp_en,
    whatsapp_tr,
    work_en,
    work_tr,
)
from bot.turkish import CASES, case_suffix

# A feature's catalog is merged over the main one: its keys are its own. One module a line.
_MODULES = {
    "en": (
        en,
        work_en,
        clocks_en,
        roster_en,
        away_en,
        invites_en,
        handover_en,
        team_en,
        intake_en,
        imports_en,
        lead_more_en,
        chat_import_en,
        pool_en,
        whatsapp_en,
        coverage_en,
        export_en,
        numbers_en,
        report_en,
    ),
    "tr": (
        tr,
        work_tr,
        clocks_tr,
        roster_tr,
        away_tr,
        invites_tr,
        handover_tr,
        team_tr,
        intake_tr,
        imports_tr,
        lead_more_tr,
        chat_import_tr,
        pool_tr,
        whatsapp_tr,
        coverage_tr,
        export_tr,
        numbers_tr,
        report_tr,
    ),
}
CATALOGS: dict[str, dict[str, str]] = {
    lang: {key: text for module in modules for key, text in module.MESSAGES.items()}
    for lang, modules in _MODULES.items()}
DEFAULT_LANGUAGE = "en"


def language_of(code: str | None) -> str:
    """Pick the catalog for a language code like `tr` or `en-GB`, English if we lack it."""
    if code:
        short = code.split("-")[0].lower()
        if short in CATALOGS:
            return short
    return DEFAULT_LANGUAGE


def t(lang: str, key: str, **params: Any) -> str:
    """Look up *key* in *lang*'s catalog and fill it with HTML-escaped *params*.

    A placeholder may name a Turkish case, `{time:abl}`: the value is followed by an
    apostrophe and the suffix its unescaped text takes (`03:14'ten`).
    """
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT_LANGUAGE])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE][key]
    safe = {name: _Value(_escape(value), value, lang) for name, value in params.items()}
    return template.format(**safe)


def t_raw(lang: str, key: str, **params: Any) -> str:
    """Like t(), for plain-text places (button labels, alerts) where nothing is escaped."""
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT_LANGUAGE])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANGUAGE][key]
    plain = {name: _Value(str(value), value, lang) for name, value in params.items()}
    return html.unescape(template.format(**plain))


class Markup(str):
    """Text that is already HTML and must not be escaped again."""

    __slots__ = ()


class _Value:
    """A parameter as the catalog writes it, which reads a case spec as a Turkish suffix."""

    __slots__ = ("_given", "_lang", "_shown")

    def __init__(self, shown: str, given: Any, lang: str) -> None:
        self._shown, self._given, self._lang = shown, given, lang

    def __format__(self, spec: str) -> str:
        if spec not in CASES:
            return format(self._shown, spec)
        # The suffix is Turkish grammar: any other language writes the value alone.
        if self._lang != "tr":
            return self._shown
        return self._shown + case_suffix(_said(self._given), spec)


def _said(value: Any) -> str:
    """*value* as a reader sees it: Markup without its tags, entities unescaped."""
    if isinstance(value, Markup):
        return html.unescape(_TAG.sub("", value))
    return str(value)


_TAG = re.compile(r"<[^>]*>")


def _escape(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    return html.escape(str(value), quote=False)
