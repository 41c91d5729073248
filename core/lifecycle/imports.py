"""`leadrelay import`: a spreadsheet's rows taken in as leads, on intake's own path.

Each row is read as a payload (`core/import_columns.py`), validated as a webhook's lead is,
and stored by `intake.store_in` (de-duplicated into contacts, scored) in transactions of
`BATCH` rows, so a file of any size is read in bounded memory. The same person twice in the
file (their phone however written, or their e-mail) is stored once: the later rows are
listed as duplicates of the first. A person already in the database gets the new lead on
their contact ("merged"), as a returning webhook lead does.

Stored without routing (`--store-only`, and by default for files over `LARGE_FILE` rows),
a lead goes to nurture: no owner, listed for managers in /pending, given out with /assign,
and woken when the contact writes in again, as a lead the policy nurtures. Routed, it waits
in the import pool (`import_pool.py`), which the sweep lets go to routing at the team's pace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice

from core.config import OfficeConfig
from core.deps import Deps, UowFactory
from core.errors import Conflict, InvalidInput, UnknownSource
from core.import_columns import cell_text, plan_columns, read_row, with_extras
from core.lead_input import validate_lead
from core.lifecycle.intake import IncomingLead, office_products, store_in
from core.model import Channel, LeadEvent, LeadStatus
from core.ports import UnitOfWork
from core.ports.spreadsheet import Cell, Sheet

IMPORT_SOURCE = "import"  # the source of an imported file when the office configures none
LARGE_FILE = 1000  # rows; a larger file is stored without routing unless routing is asked
BATCH = 500  # rows to a transaction
KEPT = 1000  # rows named per kind in the report; the counts are whole


@dataclass
class ImportReport:
    """What an import did (or, dry, would do), by row number as a spreadsheet shows it."""

    source: str
    held: bool  # stored in nurture instead of routed
    dry_run: bool
    rows: int = 0  # rows with any value (blank rows are passed over)
    new: int = 0  # stored, a person not known before
    merged: int = 0  # stored on a contact already in the database
    again: int = 0  # a lead id (`external_id`) this source sent before: left as it was
    duplicates: int = 0  # the same person as an earlier row: not stored again
    rejected: int = 0
    merged_rows: list[int] = field(default_factory=list)
    duplicate_rows: list[tuple[int, int]] = field(default_factory=list)  # (row, first row)
    rejected_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, why)
    lead_ids: list[int] = field(default_factory=list)  # of the first KEPT leads stored

    @property
    def stored(self) -> int:
        """Leads stored (or, dry, that would be)."""
        return self.new + self.merged


def import_warmth(config: OfficeConfig, source: str) -> float:
    """How warm an import from *source* is: a configured source's warmth, or a list's
    (`database`) for the `import` source; UnknownSource for any other name."""
    configured = config.source_named(source)
    if configured is not None:
        return config.warmth_of(configured)
    if source == IMPORT_SOURCE:
        return config.scoring.channel_warmth[Channel.DATABASE]
    names = ", ".join([s.name for s in config.sources] + [IMPORT_SOURCE])
    raise UnknownSource(f"no source is called {source!r}; use one of {names}")


def admit_row(deps: Deps, *, source: str, payload: Mapping[str, object],
              warmth: float | None = None) -> IncomingLead:
    """A spreadsheet row as a lead of the source called *source* (a configured one, or
    `import`), for the command line, which needs no token: validated as `intake.admit_lead`
    validates a webhook's, but not through the source's mapping (a row's columns were read
    by their headers). *warmth*, when the caller worked it out once for the file, spares
    looking the source up for every row."""
    if warmth is None:
        warmth = import_warmth(deps.config, source)
    data = validate_lead(payload, default_region=deps.config.default_region,
                         products=office_products(deps.config), cap=deps.config.max_amount)
    return IncomingLead(source, warmth, data)


class _FileBook:
    """The people met so far in the file, by phone, e-mail and lead id: their first row."""

    def __init__(self) -> None:
        self._first: dict[str, int] = {}

    def first_row(self, row: int, lead: IncomingLead) -> int | None:
        """The earlier row of the same person as *lead*, or None, remembering this one."""
        data = lead.data
        keys = [f"{kind}:{value}" for kind, value in (
            ("p", data.phone), ("e", data.email), ("x", data.external_id)) if value]
        first = next((self._first[k] for k in keys if k in self._first), None)
        for key in keys:
            self._first.setdefault(key, row if first is None else first)
        return first


async def import_sheet(
    uows: UowFactory, deps: Deps, /, *, sheet: Sheet, source: str,
    overrides: Mapping[str, str] | None = None, route: bool | None = None,
    dry_run: bool = False, label: str = "", progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import *sheet*'s rows as leads of *source*; *route* None routes a file of up to
    LARGE_FILE rows and stores a larger one in nurture. *progress* hears the rows read after
    each transaction. Reads the file as it goes (blocking: a command's work)."""
    warmth = import_warmth(deps.config, source)  # refused before a row is read
    plan = plan_columns(sheet.headers, overrides)
    rows: Iterator[tuple[int, Sequence[Cell]]] = iter(sheet.rows())
    head = list(islice(rows, LARGE_FILE + 1))
    held = route is False or (route is None and len(head) > LARGE_FILE)
    report = ImportReport(source, held=held, dry_run=dry_run)
    book = _FileBook()
    cap = deps.config.max_amount
    batch: list[tuple[int, IncomingLead]] = []
    for number, cells in chain(head, rows):
        if all(cell_text(c) is None for c in cells):
            continue
        report.rows += 1
        row = read_row(plan, cells, max_amount=cap)
        if not row.has_contact:
            _reject(report, number, "no phone or e-mail")
            continue
        try:
            lead = admit_row(deps, source=source, payload=with_extras(row), warmth=warmth)
        except InvalidInput as exc:
            _reject(report, number, exc.detail)
            continue
        first = book.first_row(number, lead)
        if first is not None:
            report.duplicates += 1
            if len(report.duplicate_rows) < KEPT:
                report.duplicate_rows.append((number, first))
            continue
        batch.append((number, lead))
        if len(batch) == BATCH:
            await _store(uows, deps, batch, report, label)
            batch = []
            if progress is not None:
                progress(report.rows)
    if batch:
        await _store(uows, deps, batch, report, label)
    if progress is not None:
        progress(report.rows)
    return report


def _reject(report: ImportReport, row: int, why: str) -> None:
    report.rejected += 1
    if len(report.rejected_rows) < KEPT:
        report.rejected_rows.append((row, why))


async def _store(uows: UowFactory, deps: Deps, batch: Sequence[tuple[int, IncomingLead]],
                 report: ImportReport, label: str) -> None:
    try:
        placed = await store_rows(uows(), deps, rows=batch, held=report.held,
                                  dry_run=report.dry_run, label=label)
    except Conflict:  # a webhook's lead took a contact of the batch first: read again
        placed = await store_rows(uows(), deps, rows=batch, held=report.held,
                                  dry_run=report.dry_run, label=label)
    for number, (kind, lead_id) in zip((n for n, _ in batch), placed, strict=True):
        if kind == "again":
            report.again += 1
            continue
        if kind == "merged":
            report.merged += 1
            if len(report.merged_rows) < KEPT:
                report.merged_rows.append(number)
        else:
            report.new += 1
        if lead_id and len(report.lead_ids) < KEPT:
            report.lead_ids.append(lead_id)


async def store_rows(uow: UnitOfWork, deps: Deps, /, *,
                     rows: Sequence[tuple[int, IncomingLead]], held: bool, dry_run: bool,
                     label: str) -> list[tuple[str, int]]:
    """Store one batch of admitted rows in one transaction: for each, `new`, `merged` (on a
    known contact) or `again` (its lead id stored before), and the lead's id (0 dry). *held*
    leads go to nurture; *dry_run* only looks, and commits nothing."""
    now = deps.clock.now()
    leads = [lead for _, lead in rows]
    async with uow:
        if dry_run:
            return await _would_place(uow, leads)
        # Written at once where they wait, with their file (for /pending and the first
        # call's days, core/sla.py): held, in nurture; routed, in the import pool, released
        # at the team's pace by the sweep (core/lifecycle/import_pool.py).
        slots = await store_in(uow, deps, leads, now, import_file=label or IMPORT_SOURCE,
                               status=LeadStatus.NURTURE if held else LeadStatus.QUEUED)
        await uow.events.add_all([
            LeadEvent(lead.id, now, "imported", data={"file": label, "row": number,
                                                      "held": held})
            for (number, _), (lead, created) in zip(rows, slots, strict=True) if created])
        await uow.commit()
    return [("again", lead.id) if not created else
            ("merged", lead.id) if lead.returning else ("new", lead.id)
            for lead, created in slots]


async def _would_place(uow: UnitOfWork, leads: Sequence[IncomingLead]) -> list[tuple[str, int]]:
    """What store_rows would say of *leads*, read without writing."""
    known = await uow.leads.by_external_ids(
        [(i.source, i.data.external_id) for i in leads if i.data.external_id])
    contacts = await uow.contacts.find_any(
        phones=[i.data.phone for i in leads if i.data.phone],
        emails=[i.data.email for i in leads if i.data.email])
    phones = {c.phone for c in contacts if c.phone}
    emails = {c.email for c in contacts if c.email}
    return [("again", 0) if i.data.external_id and (i.source, i.data.external_id) in known
            else ("merged", 0) if i.data.phone in phones or i.data.email in emails
            else ("new", 0) for i in leads]
