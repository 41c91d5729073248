"""core's Spreadsheets port: CSV files with the csv module, their encoding told by
`charset-normalizer` (UTF-8, UTF-8 with a BOM, Windows-1254) and their separator (`,`, `;`
or a tab) by the header line, and `.xlsx` workbooks with `openpyxl` in read-only mode. Both
stream: a row is read when asked for, whatever the file's size."""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import charset_normalizer
import openpyxl

from core.ports.spreadsheet import Cell, UnreadableSheet

_SAMPLE = 64 * 1024  # bytes the encoding and the separator are judged by
_CHUNK = 1024 * 1024
# The encodings offices' spreadsheets are saved in: Excel's "CSV UTF-8" (with a BOM), and
# its plain "CSV" on a Turkish Windows, which is Windows-1254.
_ENCODINGS = ["utf_8", "cp1254"]
_SEPARATORS = (";", ",", "\t")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_NAMES = {"utf_8": "UTF-8", "utf_8_sig": "UTF-8 with BOM", "cp1254": "Windows-1254"}


class FileSpreadsheets:
    """Opens CSV and .xlsx files by what their first bytes say, not by their names."""

    def open(self, path: str) -> CsvSheet | XlsxSheet:
        """The sheet of the file at *path*."""
        with open(path, "rb") as file:
            start = file.read(_SAMPLE)
        if start.startswith(_ZIP):
            return XlsxSheet(path)
        if start.startswith(_OLE):
            raise UnreadableSheet(f"{Path(path).name} is an old Excel .xls file: save it as "
                                  ".xlsx or CSV")
        return CsvSheet(path, start)


class CsvSheet:
    """A CSV file, decoded as it is read."""

    def __init__(self, path: str, start: bytes) -> None:
        self._path = path
        self._encoding = _encoding(path, start)
        sample = _whole_lines(start).decode(self._encoding, errors="replace")
        header_line = sample.splitlines()[0] if sample.strip() else ""
        self._separator = max(_SEPARATORS, key=lambda s: _cells(header_line, s))
        self._file = open(path, encoding=self._encoding, newline="")  # noqa: SIM115
        self._reader = csv.reader(self._file, delimiter=self._separator)
        self._headers = [h.strip() for h in next(self._reader, [])]

    @property
    def headers(self) -> Sequence[str]:
        """The header row."""
        return self._headers

    @property
    def described(self) -> str:
        """`CSV, Windows-1254, ";"`."""
        return f'CSV, {_NAMES[self._encoding]}, "{self._separator}"'.replace('"\t"', "tab")

    def rows(self) -> Iterator[tuple[int, Sequence[Cell]]]:
        """The rows after the header, numbered from 2 (a record with a line break inside
        quotes is one row)."""
        number = 1
        try:
            for number, record in enumerate(self._reader, start=2):
                yield number, record
        except csv.Error as exc:
            raise UnreadableSheet(f"row {number + 1}: {exc}") from None

    def close(self) -> None:
        """Close the file."""
        self._file.close()


class XlsxSheet:
    """The active sheet of an .xlsx workbook, read row by row."""

    def __init__(self, path: str) -> None:
        try:
            with warnings.catch_warnings():
                # Workbooks saved by other programs lack styles openpyxl looks for: harmless.
                warnings.simplefilter("ignore", UserWarning)
                self._book: Any = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise UnreadableSheet(f"{Path(path).name} is not an .xlsx workbook ({exc})") \
                from None
        self._sheet: Any = self._book.active
        self._rows: Iterator[tuple[Any, ...]] = self._sheet.iter_rows(values_only=True)
        self._number = 1
        self._headers = ["" if v is None else str(v).strip()
                         for v in next(self._rows, ())]

    @property
    def headers(self) -> Sequence[str]:
        """The first row."""
        return self._headers

    @property
    def described(self) -> str:
        """`.xlsx, sheet "Leads"`."""
        return f'.xlsx, sheet "{self._sheet.title}"'

    def rows(self) -> Iterator[tuple[int, Sequence[Cell]]]:
        """The rows after the first, with their numbers in the sheet."""
        yield from enumerate(self._rows, start=2)

    def close(self) -> None:
        """Close the workbook (read-only mode keeps the file open)."""
        self._book.close()


def _encoding(path: str, start: bytes) -> str:
    """The file's encoding: a BOM says UTF-8; otherwise charset-normalizer's best guess of
    UTF-8 and Windows-1254 from the sample, checked on the whole file (a Turkish letter may
    first appear far down), and the other tried if the guess fails."""
    if b"\x00" in start:  # UTF-16, or no text at all
        raise UnreadableSheet(f"{Path(path).name} is not a text file (CSV) or an .xlsx "
                              "workbook")
    if start.startswith(codecs.BOM_UTF8):
        candidates = ["utf_8_sig"]
    else:
        best = charset_normalizer.from_bytes(_whole_lines(start),
                                             cp_isolation=_ENCODINGS).best()
        # Plain ASCII is read as UTF-8, whose subset it is.
        guess = best.encoding if best is not None and best.encoding in _ENCODINGS \
            else _ENCODINGS[0]
        candidates = [guess, *(e for e in _ENCODINGS if e != guess)]
    for encoding in candidates:
        if _decodes(path, encoding):
            return "utf_8_sig" if encoding == "utf_8" and start.startswith(
                codecs.BOM_UTF8) else encoding
    raise UnreadableSheet(f"{Path(path).name} is neither UTF-8 nor Windows-1254 text: save "
                          "it as CSV UTF-8 or as .xlsx")


def _decodes(path: str, encoding: str) -> bool:
    """Whether the whole file decodes in *encoding*, read a chunk at a time."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as file:
        try:
            while chunk := file.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _whole_lines(sample: bytes) -> bytes:
    """The sample up to its last line break, so no character is cut in two."""
    end = sample.rfind(b"\n")
    return sample if end < 0 or len(sample) < _SAMPLE else sample[:end + 1]


def _cells(line: str, separator: str) -> int:
    """How many cells the header line has with *separator*."""
    return len(next(csv.reader(io.StringIO(line), delimiter=separator), []))
