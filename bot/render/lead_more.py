"""What a card shows of what intake kept besides a lead's fields: a line for each field it
was kept despite (⚠), and under More its extras and consent. Only ever on a card with the
contact details (ContactDetails): extras may name the person."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.i18n import CATALOGS, DEFAULT_LANGUAGE, Markup, t
from bot.render.formatting import esc
from core.lead_extras import EXTRAS_MAX_KEYS, Flag, cut
from core.messages import ContactDetails

# What a card shows of a value that could not be read.
_UNREADABLE_SHOWN = 80


def flag_lines(lang: str, c: ContactDetails) -> list[str]:
    """One short line for each field the lead was kept despite."""
    lines = []
    extras = c.extras or {}
    for name, problem in (c.flags or {}).items():
        field = Markup(_label(lang, name))
        if problem == Flag.UNREADABLE and extras.get(name):
            lines.append(t(lang, "flag.unreadable", field=field,
                           value=cut(extras[name], _UNREADABLE_SHOWN)))
        elif problem == Flag.UNREADABLE:
            lines.append(t(lang, "flag.unreadable_bare", field=field))
        elif problem == Flag.TOO_MANY:
            lines.append(t(lang, "flag.too_many", count=EXTRAS_MAX_KEYS))
        elif problem in (Flag.CLEANED, Flag.CUT, Flag.UNKNOWN):
            lines.append(t(lang, f"flag.{problem}", field=field))
    return lines


def more_lines(lang: str, c: ContactDetails, *, chars: int, keys: int,
               zone: tzinfo | None = None) -> list[str]:
    """Under More: the consent (its time in *zone*, the office's), and the first *keys*
    extras, each cut to *chars* (none when *chars* is 0); the values of fields that could not
    be read are on their flag's line."""
    flagged = {name for name, problem in (c.flags or {}).items() if problem == Flag.UNREADABLE}
    extras = [(name, value) for name, value in (c.extras or {}).items() if name not in flagged]
    lines = []
    if c.consent is not None:
        lines.append(_consent(lang, c.consent, zone))
    if chars:
        lines += [f"{esc(name)}: {esc(cut(value, chars))}" for name, value in extras[:keys]]
        if len(extras) > keys:
            lines.append(t(lang, "more.hidden", count=len(extras) - keys))
    return [t(lang, "more.title"), *lines] if lines else []


def _consent(lang: str, consent: dict[str, object], zone: tzinfo | None) -> str:
    given = consent.get("given")
    answer = "more.consent_unsaid" if given is None else \
        "more.consent_yes" if given else "more.consent_no"
    parts = [t(lang, answer)]
    if consent.get("form"):
        parts.append(t(lang, "more.consent_form", form=str(consent["form"])))
    if consent.get("at"):
        parts.append(esc(_moment(str(consent["at"]), zone)))
    return f"{t(lang, 'more.consent')}: " + " · ".join(parts)


def _moment(at: str, zone: tzinfo | None) -> str:
    """A consent's time in the office's zone when it names its own offset; else as sent (a
    time without an offset says nothing of where it was taken)."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None or zone is None:
        return at
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def _label(lang: str, name: str) -> str:
    """A flagged field's name in the reader's language (as sent, escaped, if unknown)."""
    key = f"flagged.{name}"
    return t(lang, key) if key in CATALOGS[DEFAULT_LANGUAGE] else esc(name)
