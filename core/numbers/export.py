"""The export's columns and cells: a lead as one CSV row that Excel opens as meant, in
English (`,`, decimal point) or Turkish (`;`, decimal comma), with no cell Excel would run
as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from core.ports.exports import ExportRow

BOM = "\ufeff".encode()  # Excel reads a CSV as UTF-8 only when it starts with this

CAMPAIGN_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "gclid", "fbclid")
COLUMNS = (
    "id", "received", "source", *CAMPAIGN_FIELDS, "name", "phone", "email", "product",
    "region", "budget_min", "budget_max", "temperature", "score", "lead_type", "status",
    "stage", "owner", "team", "accepted", "first_contact", "minutes_to_accept",
    "minutes_to_contact", "offers", "declines", "lapses", "amount_won", "offer_amount",
    "lost_reason", "closed",
)

# A cell Excel or LibreOffice would read as a formula (OWASP's CSV injection list, and the
# full-width forms some locales read as the same signs) is written with `'` first.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@dataclass(frozen=True)
class CsvStyle:
    """How a manager's spreadsheet reads a CSV: its separator and decimal sign, the office's
    time zone, and the words for stored values (`stage.won` → `kazanıldı`)."""

    delimiter: str
    decimal: str
    zone: ZoneInfo
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, kind: str, value: str | None) -> str:
        """The word for a stored *value* of *kind* (`stage`, `status`…), else the value."""
        if value is None:
            return ""
        return defuse(self.labels.get(f"{kind}.{value}", value))

    def moment(self, at: datetime | None) -> str:
        """*at* in the office's time zone, as Excel reads a date and time in any locale."""
        return "" if at is None else at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def minutes(self, start: datetime, end: datetime | None) -> str:
        """Minutes from *start* to *end*, to a tenth, with the locale's decimal sign."""
        if end is None:
            return ""
        return f"{(end - start).total_seconds() / 60:.1f}".replace(".", self.decimal)


def style_for(lang: str, *, zone: ZoneInfo, labels: Mapping[str, str]) -> CsvStyle:
    """Turkish Excel splits on `;` and reads `2,5`; English on `,` and reads `2.5`."""
    if lang == "tr":
        return CsvStyle(";", ",", zone, labels)
    return CsvStyle(",", ".", zone, labels)


def defuse(text: str) -> str:
    """*text* as a cell no spreadsheet runs: one starting like a formula gets `'` first."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _text(value: str | None) -> str:
    return "" if value is None else defuse(value)


def _whole(value: int | None) -> str:
    # Digits only, no grouping: every locale's spreadsheet reads them as a number.
    return "" if value is None else str(value)


def cells(row: ExportRow, style: CsvStyle) -> list[str]:
    """*row* as the export's cells, in COLUMNS' order.

    Text from outside (a contact's name, a campaign's fields, a team's name) is defused;
    numbers and times are written here from ints and datetimes, so none starts with a sign
    but a negative number, which a spreadsheet reads as the number it is.
    """
    return [
        str(row.id), style.moment(row.received_at), _text(row.source),
        *(_text(row.campaign.get(name)) for name in CAMPAIGN_FIELDS),
        _text(row.name), _text(row.phone), _text(row.email), _text(row.product),
        _text(row.region), _whole(row.budget_min), _whole(row.budget_max),
        style.label("temperature", row.temperature), str(row.score), _text(row.lead_type),
        style.label("status", row.status), style.label("stage", row.stage), _text(row.owner),
        _text(row.team), style.moment(row.accepted_at), style.moment(row.contacted_at),
        style.minutes(row.received_at, row.accepted_at),
        style.minutes(row.received_at, row.contacted_at),
        str(row.offers), str(row.declines), str(row.lapses), _whole(row.amount),
        _whole(row.offer_amount), style.label("lost", row.lost_reason),
        style.moment(row.closed_at),
    ]


def csv_bytes(lines: Iterable[Sequence[str]], style: CsvStyle) -> bytes:
    """*lines* as CSV in UTF-8, quoted where a cell holds the separator, a quote or a line
    break."""
    text = io.StringIO()
    csv.writer(text, delimiter=style.delimiter, lineterminator="\r\n").writerows(lines)
    return text.getvalue().encode()


def header(headers: Callable[[str], str], style: CsvStyle) -> bytes:
    """The BOM and the header line, each column named by *headers* in the manager's
    language."""
    return BOM + csv_bytes([[defuse(headers(column)) for column in COLUMNS]], style)
