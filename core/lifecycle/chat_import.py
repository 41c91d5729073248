"""A spreadsheet a manager sends the bot: a preview (the columns read, the first rows as
leads, a dry run's counts), then Import (once, however often it is pressed) or Cancel.

The import itself is `imports.import_sheet`, the command line's: this module only keeps the
file waiting between the preview and the press (`uow.chat_imports`, Telegram's file id and
not its bytes) and moves it previewed → running → done (or failed, or cancelled) by
conditional updates, so a double tap on Import runs it once. A preview older than
`PREVIEW_LIFE` can no longer be imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import chain

from core.deps import Deps, UowFactory
from core.errors import DomainError, InvalidInput
from core.import_columns import Column, cell_text, plan_columns, read_row, with_extras
from core.lead_input import LeadInput
from core.lifecycle.common import manager
from core.lifecycle.import_pool import release_pooled
from core.lifecycle.imports import IMPORT_SOURCE, ImportReport, admit_row, import_sheet
from core.model.chat_imports import ImportStatus, PendingImport
from core.ports import UnitOfWork
from core.ports.spreadsheet import Cell, Sheet

PREVIEW_LIFE = timedelta(days=1)  # a preview's Import works this long
SAMPLES = 5  # rows the preview shows as leads
_LOOK_AHEAD = 50  # rows read at most to find them (a file may open with rejected rows)


class ImportNotPending(DomainError):
    """Import or Cancel pressed on a file already imported, being imported or cancelled
    (a second tap), or on someone else's."""

    key = "error.import_not_pending"


class ImportExpired(DomainError):
    """Import pressed on a preview older than PREVIEW_LIFE: the file is to be sent again."""

    key = "error.import_expired"


@dataclass(frozen=True)
class ChatPreview:
    """What the manager sees before Import: the pending import, the dry run's report, each
    column's field, and the first rows as the leads they would become (with their row
    numbers)."""

    pending: PendingImport
    report: ImportReport
    columns: tuple[Column, ...]
    samples: tuple[tuple[int, LeadInput], ...]


class _Replayed:
    """A sheet whose first rows were read already: they come again first."""

    def __init__(self, sheet: Sheet, head: Sequence[tuple[int, Sequence[Cell]]],
                 rest: Iterator[tuple[int, Sequence[Cell]]]) -> None:
        self._sheet, self._head, self._rest = sheet, head, rest

    @property
    def headers(self) -> Sequence[str]:
        """The sheet's header row."""
        return self._sheet.headers

    @property
    def described(self) -> str:
        """How the sheet was read."""
        return self._sheet.described

    def rows(self) -> Iterator[tuple[int, Sequence[Cell]]]:
        """The rows read already, then the rest."""
        return chain(self._head, self._rest)

    def close(self) -> None:
        """Let go of the sheet."""
        self._sheet.close()


async def preview_import(uows: UowFactory, deps: Deps, /, *, sheet: Sheet, manager_id: int,
                         file_id: str, file_name: str) -> ChatPreview:
    """Read *sheet* as an import of the office's `import` source would (a dry run, nothing
    stored but the pending import) and keep it waiting for Import; NotAManager for anyone
    else, NoContactColumn or UnreadableSheet for a file that cannot give leads."""
    async with uows().reading() as uow:
        await manager(uow, manager_id)
    plan = plan_columns(sheet.headers)
    rows = iter(sheet.rows())
    head: list[tuple[int, Sequence[Cell]]] = []
    samples: list[tuple[int, LeadInput]] = []
    seen: set[str] = set()  # phones and e-mails of the samples: a later row of one is no lead
    for number, cells in rows:
        head.append((number, cells))
        if all(cell_text(c) is None for c in cells):
            continue
        row = read_row(plan, cells, max_amount=deps.config.max_amount)
        if row.has_contact:
            try:
                lead = admit_row(deps, source=IMPORT_SOURCE, payload=with_extras(row))
            except InvalidInput:
                pass
            else:
                keys = {k for k in (lead.data.phone, lead.data.email) if k}
                if not keys & seen:
                    samples.append((number, lead.data))
                seen |= keys
        if len(samples) == SAMPLES or len(head) == _LOOK_AHEAD:
            break
    report = await import_sheet(uows, deps, sheet=_Replayed(sheet, head, rows),
                                source=IMPORT_SOURCE, dry_run=True, label=file_name)
    pending = PendingImport(file_id=file_id, file_name=file_name, manager_id=manager_id,
                            source=IMPORT_SOURCE, rows=report.rows, held=report.held,
                            created_at=deps.clock.now())
    async with uows() as uow:
        await uow.chat_imports.add(pending)
        await uow.commit()
    return ChatPreview(pending, report, plan.columns, tuple(samples))


async def start_import(uow: UnitOfWork, deps: Deps, /, *, import_id: int, manager_id: int,
                       held: bool) -> PendingImport:
    """Import pressed: the pending import moved to running with the manager's pick (*held*:
    nurture rather than routing), once; ImportNotPending for a second press,
    ImportExpired for an old preview."""
    now = deps.clock.now()
    async with uow:
        await manager(uow, manager_id)
        pending = await _own(uow, import_id, manager_id)
        if pending.status is ImportStatus.PREVIEWED and pending.created_at <= now - PREVIEW_LIFE:
            raise ImportExpired()
        if not await uow.chat_imports.move(import_id, expect=ImportStatus.PREVIEWED,
                                           to=ImportStatus.RUNNING, at=now, held=held,
                                           created_after=now - PREVIEW_LIFE):
            raise ImportNotPending()
        await uow.commit()
    pending.status, pending.held = ImportStatus.RUNNING, held
    return pending


async def run_import(uows: UowFactory, deps: Deps, /, *, pending: PendingImport,
                     open_sheet: Callable[[], Awaitable[Sheet]],
                     progress: Callable[[int], None] | None = None) -> ImportReport:
    """Carry out a started import: the file opened again (*open_sheet*, the bot's download)
    and imported as `leadrelay import` does (routed, into the import pool, whose first
    hour's share is released at once); the import marked done with its counts, or failed if
    anything breaks it off (what was stored before stays)."""
    try:
        sheet = await open_sheet()
        try:
            report = await import_sheet(uows, deps, sheet=sheet, source=pending.source,
                                        route=not pending.held, label=pending.file_name,
                                        progress=progress)
        finally:
            sheet.close()
    except BaseException:
        async with uows() as uow:
            await uow.chat_imports.move(pending.id, expect=ImportStatus.RUNNING,
                                        to=ImportStatus.FAILED, at=deps.clock.now())
            await uow.commit()
        raise
    if not report.held and not report.dry_run:
        await release_pooled(uows(), deps)  # the first hour's share now, as the command does
    counts = {"rows": report.rows, "new": report.new, "merged": report.merged,
              "again": report.again, "duplicates": report.duplicates,
              "rejected": report.rejected}
    async with uows() as uow:
        await uow.chat_imports.move(pending.id, expect=ImportStatus.RUNNING,
                                    to=ImportStatus.DONE, at=deps.clock.now(), result=counts)
        await uow.commit()
    return report


async def cancel_import(uow: UnitOfWork, deps: Deps, /, *, import_id: int,
                        manager_id: int) -> PendingImport:
    """Cancel pressed: the pending import set aside, nothing stored; ImportNotPending when
    it was started or cancelled already."""
    async with uow:
        pending = await _own(uow, import_id, manager_id)
        if not await uow.chat_imports.move(import_id, expect=ImportStatus.PREVIEWED,
                                           to=ImportStatus.CANCELLED, at=deps.clock.now()):
            raise ImportNotPending()
        await uow.commit()
    pending.status = ImportStatus.CANCELLED
    return pending


async def _own(uow: UnitOfWork, import_id: int, manager_id: int) -> PendingImport:
    pending = await uow.chat_imports.get(import_id)
    if pending is None or pending.manager_id != manager_id:
        raise ImportNotPending()
    return pending
