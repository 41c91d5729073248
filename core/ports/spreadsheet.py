"""Spreadsheets read row by row (`integrations/spreadsheet.py`: CSV in UTF-8 or Windows-1254
with `,` or `;`, and `.xlsx`), for `leadrelay import`: a file of any size is read in bounded
memory, one row at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from typing import Protocol

from core.errors import DomainError

Cell = str | int | float | bool | datetime | date | time | None
"""One cell's value: text from a CSV file, any of these from an .xlsx one."""


class UnreadableSheet(DomainError):
    """A file that is not a spreadsheet we read (not CSV text in UTF-8 or Windows-1254, not
    .xlsx), or that breaks off; the detail says why, and where."""

    key = "error.unreadable_sheet"


class Sheet(Protocol):
    """An open spreadsheet: its header row, then its rows, each read when asked for."""

    @property
    def headers(self) -> Sequence[str]:
        """The first row's cells, as text ("" for a blank one)."""
        ...

    @property
    def described(self) -> str:
        """How the file was read, for the report: `CSV, windows-1254, ";"`, `.xlsx, sheet X`."""
        ...

    def rows(self) -> Iterator[tuple[int, Sequence[Cell]]]:
        """Each row after the header with its number as a spreadsheet shows it (the header is
        row 1); raises UnreadableSheet where the file breaks off."""
        ...

    def close(self) -> None:
        """Let go of the file."""
        ...


class Spreadsheets(Protocol):
    """Opens spreadsheet files."""

    def open(self, path: str) -> Sheet:
        """The sheet in the file at *path* (the first sheet of a workbook); raises
        UnreadableSheet when it cannot be read, OSError when it cannot be opened."""
        ...
