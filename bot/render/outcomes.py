"""What became of a lead's offers, in words: for the managers' escalation and for `/why`.

Outcomes are the records `core.messages.offer_outcomes` makes (and escalation rows store):
`{"agent": name, "status": …}` with `reason` for a decline and `window_s` for an offer not
answered in time. Agents side by side with the same outcome are told together, so a pool
of twenty that nobody claimed is one phrase, not twenty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.i18n import CATALOGS, DEFAULT_LANGUAGE, Markup, t
from bot.render.formatting import duration, some
from bot.render.handover import reason_label

# An outcome a newer version may store that this one has no words for reads as an offer.
_FALLBACK = "offered"


def grouped(outcomes: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], list[str]]]:
    """Runs of outcomes alike but for the agent, in order: each run's first outcome and the
    names of its agents."""
    runs: list[tuple[Mapping[str, Any], list[str]]] = []
    for outcome in outcomes:
        name = str(outcome.get("agent", "?"))
        if runs and _alike(runs[-1][0], outcome):
            runs[-1][1].append(name)
        else:
            runs.append((outcome, [name]))
    return runs


def _alike(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in ("status", "reason", "window_s"))


def outcome_text(lang: str, prefix: str, outcome: Mapping[str, Any], names: list[str]) -> str:
    """One run of outcomes through the catalog key `{prefix}.{status}`."""
    status = str(outcome.get("status", _FALLBACK))
    if f"{prefix}.{status}" not in CATALOGS[DEFAULT_LANGUAGE]:
        status = _FALLBACK
    values: dict[str, Any] = {"agent": some(lang, names)}
    if status == "declined":
        reason = str(outcome.get("reason", "other"))
        if f"reason.{reason}" not in CATALOGS[DEFAULT_LANGUAGE]:
            reason = "other"
        values["reason"] = Markup(t(lang, f"reason.{reason}"))
    elif status == "returned":
        values["reason"] = reason_label(lang, "returned", str(outcome.get("reason", "other")))
    elif status == "expired":
        values["window"] = Markup(duration(lang, float(outcome.get("window_s", 0))))
    return t(lang, f"{prefix}.{status}", **values)


def what_happened(lang: str, outcomes: Sequence[Mapping[str, Any]]) -> Markup:
    """`declined by Mehmet (not my area), not answered by Ayşe in 5 min`."""
    return Markup(", ".join(outcome_text(lang, "outcome", first, names)
                            for first, names in grouped(outcomes)))


def outcome_lines(lang: str, outcomes: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line of `/why` per run of offers alike: `✖️ Mehmet declined it: not my area`."""
    return [outcome_text(lang, "why.offer", first, names) for first, names in grouped(outcomes)]
