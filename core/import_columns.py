"""A spreadsheet's columns read as a lead's fields (`leadrelay import`): headers recognised
in English and Turkish whatever their case and Turkish letters, `--map` overrides, and each
row turned into the payload intake validates.

A field several columns fill is joined (a name from Ad + Soyadı, a region from İl + İlçe
as "İstanbul / Kadıköy", the most general first, which is how routing's territories match it
by prefix) or taken from the first column with a value (two phone columns: the first one
filled; the other's value is kept as an extra). Columns that map to no field are extras,
under their header.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from core.amounts import parse_amount
from core.errors import DomainError
from core.lead_input import MAX_BUDGET, MAX_LENGTH
from core.ports.spreadsheet import Cell
from core.spelling import fold


class BadColumnMap(DomainError):
    """A `--map HEADER=field` naming a header the file lacks or a field we do not have."""

    key = "error.import_bad_map"


class NoContactColumn(DomainError):
    """A file none of whose columns is a phone or an e-mail: no row could become a lead."""

    key = "error.import_no_contact_column"


# Fields a column may fill, and what a header says (folded: lower case, Turkish letters in
# ASCII, anything but letters and digits one space).
_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "contact", "contact name", "customer", "customer name",
             "ad soyad", "adi soyadi", "ad soyadi", "adsoyad", "isim soyisim", "musteri",
             "musteri adi", "musteri adi soyadi", "yetkili", "kisi"),
    "first_name": ("first name", "firstname", "given name", "ad", "adi", "isim"),
    "last_name": ("last name", "lastname", "surname", "family name", "soyad", "soyadi",
                  "soyisim"),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "cell",
              "gsm", "gsm no", "telefon", "telefon no", "telefon numarasi", "tel no", "cep",
              "cep tel", "cep telefonu", "cep no", "whatsapp"),
    "email": ("email", "e mail", "mail", "email address", "e mail address", "e posta",
              "eposta", "e posta adresi", "mail adresi"),
    "company": ("company", "company name", "organisation", "organization", "firma",
                "firma adi", "sirket", "sirket adi", "kurum"),
    "region": ("region", "city", "province", "state", "location", "il", "sehir", "bolge",
               "konum", "county", "district", "ilce", "neighbourhood", "neighborhood", "semt",
               "mahalle"),
    "budget": ("budget", "butce", "price range", "fiyat araligi", "butce araligi"),
    "budget_min": ("budget min", "min budget", "minimum budget", "min butce", "butce min",
                   "en az butce"),
    "budget_max": ("budget max", "max budget", "maximum budget", "max butce", "butce max",
                   "en fazla butce"),
    "message": ("note", "notes", "message", "comment", "comments", "description", "not",
                "notlar", "mesaj", "aciklama", "yorum", "talep"),
    "source": ("source", "lead source", "kaynak", "lead kaynagi"),
    "tags": ("tags", "tag", "label", "labels", "etiket", "etiketler"),
    "product": ("product", "interest", "project", "urun", "ilgilendigi urun", "proje",
                "hizmet", "service"),
    "timing": ("timing", "when", "timeframe", "zaman", "ne zaman", "zamanlama"),
    "postal_code": ("postal code", "postcode", "zip", "zip code", "posta kodu"),
    "language": ("language", "dil"),
    "external_id": ("external id", "lead id", "crm id", "kayit no", "kayit id"),
}
# A region's parts from the most general: "İl" before "İlçe" before "Mahalle".
_REGION_RANK = {"district": 1, "ilce": 1, "county": 1, "neighbourhood": 2,
                "neighborhood": 2, "semt": 2, "mahalle": 2}
FIELD_NAMES = (*_HEADERS, "extra", "skip")
_BY_HEADER = {header: name for name, headers in _HEADERS.items() for header in headers}
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_TAG_LENGTH, _TAGS = 40, 10


def header_key(header: str) -> str:
    """A header as matched: folded, its words one space apart (`E-Posta` → `e posta`)."""
    return " ".join(_NOT_WORD.sub(" ", fold(header)).split())


@dataclass(frozen=True)
class Column:
    """One column of the file: where it is, its header, the field it fills."""

    index: int
    header: str
    field: str  # one of FIELD_NAMES
    rank: int = 0  # a region part's generality (0 the most general)


@dataclass(frozen=True)
class Columns:
    """What each column of a file fills."""

    columns: tuple[Column, ...]
    width: int
    _by_field: dict[str, list[Column]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Asked for every field of every row: worked out once.
        by_field: dict[str, list[Column]] = {}
        for c in sorted(self.columns, key=lambda c: (c.rank, c.index)):
            by_field.setdefault(c.field, []).append(c)
        object.__setattr__(self, "_by_field", by_field)

    def of(self, name: str) -> list[Column]:
        """The columns that fill *name*, in the order their values are joined."""
        return self._by_field.get(name, [])

    def described(self) -> list[str]:
        """Each column as `header → field`, for the report."""
        return [f"{c.header or f'(column {c.index + 1})'} → {c.field}" for c in self.columns]


def plan_columns(headers: Sequence[str], overrides: Mapping[str, str] | None = None) -> Columns:
    """Read *headers* as fields, *overrides* (header → field, from `--map`) first.

    Raises BadColumnMap for an override naming no header or no field, NoContactColumn when
    no column is a phone or an e-mail."""
    keys = [header_key(h) for h in headers]
    chosen: dict[int, str] = {}
    for header, name in (overrides or {}).items():
        if name not in FIELD_NAMES:
            raise BadColumnMap(f"--map {header}={name}: {name!r} is not a field; the fields "
                               f"are {', '.join(FIELD_NAMES)}")
        matches = [i for i, key in enumerate(keys) if key == header_key(header)]
        if not matches:
            raise BadColumnMap(f"--map {header}={name}: the file has no column {header!r}; "
                               f"its columns are {', '.join(h for h in headers if h)}")
        chosen.update(dict.fromkeys(matches, name))
    columns = []
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        name = chosen.get(index) or _BY_HEADER.get(key, "extra")
        columns.append(Column(index, header.strip(), name,
                              _REGION_RANK.get(key, 0) if name == "region" else 0))
    plan = Columns(tuple(columns), len(headers))
    if not plan.of("phone") and not plan.of("email"):
        raise NoContactColumn("no column is a phone or an e-mail (headers such as Phone, "
                              "Telefon, Cep, GSM, E-mail, E-posta); name one with "
                              "--map HEADER=phone")
    return plan


@dataclass
class RowPayload:
    """A row as intake's fields, its unknown columns as extras under their headers."""

    fields: dict[str, object] = field(default_factory=dict)
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def has_contact(self) -> bool:
        """Whether the row gives a phone or an e-mail at all (valid or not)."""
        return bool(self.fields.get("phone") or self.fields.get("email"))


def cell_text(value: Cell) -> str | None:
    """A cell as text, None when blank: a whole float without its `.0` (a phone typed into
    a spreadsheet is a number), a date in ISO form."""
    if value is None or value is False:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value.isoformat() if isinstance(value, datetime | date | time) else str(value)
    return text.strip() or None


def read_row(plan: Columns, cells: Sequence[Cell], *, max_amount: int) -> RowPayload:
    """The payload of one row: its cells by *plan*; cells past the header's width are extras
    (an unquoted separator inside a note leaves its end there)."""
    texts = [cell_text(cells[i]) if i < len(cells) else None for i in range(plan.width)]
    row = RowPayload()
    for i in range(plan.width, len(cells)):
        if (extra := cell_text(cells[i])) is not None:
            row.extras[f"column {i + 1}"] = extra
    for c in plan.columns:
        if c.field == "extra" and texts[c.index] is not None:
            row.extras[c.header or f"column {c.index + 1}"] = texts[c.index] or ""

    def joined(name: str, between: str) -> str | None:
        parts = [texts[c.index] for c in plan.of(name) if texts[c.index]]
        return between.join(dict.fromkeys(p for p in parts if p)) or None

    name = " ".join(p for p in (joined("name", " "), joined("first_name", " "),
                                joined("last_name", " ")) if p) or None
    values: dict[str, object] = {
        "name": name, "region": joined("region", " / "), "message": joined("message", "\n")}
    for single in ("phone", "email", "company", "product", "timing", "postal_code",
                   "language", "external_id"):
        filled = [c for c in plan.of(single) if texts[c.index]]
        if filled:
            values[single] = texts[filled[0].index]
            row.extras.update({c.header: texts[c.index] or "" for c in filled[1:]})
    _budget(plan, texts, values, row, cells, max_amount)
    _tags(plan, texts, values, row)
    row.fields = {k: v for k, v in values.items() if v is not None}
    return row


def _budget(plan: Columns, texts: list[str | None], values: dict[str, object],
            row: RowPayload, cells: Sequence[Cell], max_amount: int) -> None:
    """Budgets as intake's bounds: a range `3-5 milyon` both, a single amount both as well
    (what they mean to spend), a min or max column its own; text that is no amount an
    extra."""
    cap = min(max_amount, MAX_BUDGET)
    for name in ("budget", "budget_min", "budget_max"):
        for c in plan.of(name):
            text = texts[c.index]
            if text is None:
                continue
            amount = _amount(cells[c.index], text, cap)
            if amount is None or any(values.get(k) is not None for k in _BOUNDS[name]):
                row.extras[c.header] = text
                continue
            low, high = amount
            if name in ("budget", "budget_min"):
                values["budget_min"] = low
            if name in ("budget", "budget_max"):
                values["budget_max"] = high


_BOUNDS = {"budget": ("budget_min", "budget_max"), "budget_min": ("budget_min",),
           "budget_max": ("budget_max",)}


def _amount(cell: Cell, text: str, cap: int) -> tuple[int, int] | None:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return (round(cell), round(cell)) if 0 <= cell <= cap else None
    if len(text) <= _REMEMBERED:  # a list's budgets repeat (`3-5 milyon`): read each once
        return _text_amount(text, cap)
    return _text_amount.__wrapped__(text, cap)


_REMEMBERED = 40  # characters of a budget remembered; a longer one is read every time


@functools.lru_cache(maxsize=4096)
def _text_amount(text: str, cap: int) -> tuple[int, int] | None:
    try:
        amount = parse_amount(text, cap=cap)
    except DomainError:  # other numerals, or over the cap: kept as the row wrote it
        return None
    return None if amount is None else (amount.low, amount.high)


def _tags(plan: Columns, texts: list[str | None], values: dict[str, object],
          row: RowPayload) -> None:
    """A tags column (comma-separated) and a source column's value as tags; what does not
    fit a tag (over 40 characters, past ten) an extra."""
    tags: list[str] = []
    for c in [*plan.of("source"), *plan.of("tags")]:
        text = texts[c.index]
        if text is None:
            continue
        items = [t.strip() for t in text.split(",")] if c.field == "tags" else [text]
        if any(len(t) > _TAG_LENGTH for t in items) or len(tags) + len(items) > _TAGS:
            row.extras[c.header] = text
        else:
            tags += [t for t in items if t and t not in tags]
    if tags:
        values["tags"] = tags


def with_extras(row: RowPayload) -> dict[str, object]:
    """The payload intake validates: the row's fields, and each other column under its own
    header, which intake keeps among the lead's extras (shown on the card under More)."""
    payload: dict[str, object] = dict(row.fields)
    for header, value in row.extras.items():
        payload.setdefault(header, value)
    return payload
    lines = [str(payload["message"])] if payload.get("message") else []
    limit = MAX_LENGTH["message"]
    for header, value in row.extras.items():
        line = f"{header}: {value}"
        if len("\n".join([*lines, line])) <= limit:
            lines.append(line)
    if lines:
        payload["message"] = "\n".join(lines)
    return payload
