"""A spreadsheet a manager sent the bot: previewed, then imported once or cancelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ImportStatus(StrEnum):
    """Where a file sent to the bot stands; each move is a conditional update."""

    PREVIEWED = "previewed"  # its preview shown, waiting for Import or Cancel
    RUNNING = "running"  # Import pressed: being read and stored
    DONE = "done"
    FAILED = "failed"  # broke off part way (the rows stored before stay)
    CANCELLED = "cancelled"


@dataclass
class PendingImport:
    """A file sent to the bot for import: Telegram's file id (downloaded again on Import,
    its bytes never kept), who sent it, and what the preview's dry run counted."""

    file_id: str
    file_name: str
    manager_id: int
    source: str
    rows: int  # rows the dry run read (blank ones passed over)
    held: bool  # stored in nurture rather than routed (the default, or the manager's pick)
    created_at: datetime
    status: ImportStatus = ImportStatus.PREVIEWED
    result: dict[str, int] = field(default_factory=dict)  # the counts once done
    finished_at: datetime | None = None
    id: int = 0
