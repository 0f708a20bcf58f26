"""Reading the CSV files admins bring: a billing export, a published holiday list.

Such files come from Excel or from a Windows billing system: UTF-8 with or without a byte-order
mark, or Windows-1256 (Arabic Windows, still common in Iranian offices); comma, semicolon or tab
separated. :func:`open_csv` detects both from the first 64 KiB, so admins need not know what
their export is, and reads the file as a stream, so a file of a million rows costs no more
memory than one of a hundred. A line that cannot be used is reported as a :class:`BadRow` with
its line number in the file (the header is line 1) and a stable reason code.
"""

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from db.admin.errors import AdminError

SNIFF_BYTES = 64 * 1024

Reader = Any  # a csv.reader: iterates lists of cells, tells its line_num


@dataclass(frozen=True)
class BadRow:
    """A skipped line: ``reason`` is a stable code (missing_value, bad_value, too_long,
    unknown_district, duplicate_in_file, bad_row...), ``field`` the column at fault (or ""),
    ``detail`` the validator's own code (bad_checksum, too_short...) or the line of the first
    occurrence of a duplicate, ``value`` what the cell held (cut to 60 characters)."""

    line: int
    reason: str
    field: str = ""
    detail: str = ""
    value: str = ""
    key: str = ""  # the row's own key (subscription number, date), to find it in the source


@dataclass(frozen=True)
class RowWarning:
    """A line imported with a doubt the admin should know of (a postal code that is not ten
    digits, a bill ID of another service than water)."""

    line: int
    reason: str
    field: str
    value: str = ""
    key: str = ""


def detect_encoding(head: bytes) -> str:
    """utf-8-sig when the head decodes as UTF-8 (a cut multibyte character at its end is
    allowed), else cp1256."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:
            return "cp1256"
    return "utf-8-sig"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@contextmanager
def open_csv(path: str | Path, encoding: str | None = None) -> Iterator[tuple[Reader, str]]:
    """``(reader, encoding)`` of a CSV file: a ``csv.reader`` whose ``line_num`` is the last
    physical line read, so a record starts one line after the previous record's ``line_num``.
    Errors: bad_file (problem, path), also for undecodable text or a broken quote met while
    the caller reads."""
    path = Path(path)
    try:
        raw = path.open("rb")
    except OSError as error:
        raise AdminError("bad_file", problem=error.strerror or str(error), path=str(path)) from None
    with raw:
        head = raw.read(SNIFF_BYTES)
        raw.seek(0)
        chosen = encoding or detect_encoding(head)
        try:
            first = head.decode(chosen, errors="replace").lstrip("\ufeff").splitlines()
        except LookupError:
            problem = f"unknown encoding {chosen}"
            raise AdminError("bad_file", problem=problem, path=str(path)) from None
        text: TextIO = io.TextIOWrapper(raw, encoding=chosen, errors="strict", newline="")
        reader = csv.reader(text, delimiter=_delimiter(first[0] if first else ""))
        try:
            yield reader, chosen
        except UnicodeDecodeError as error:
            raise AdminError(
                "bad_file", problem=f"not {chosen} text: {error.reason}", path=str(path)
            ) from None
        except csv.Error as error:
            raise AdminError("bad_file", problem=str(error), path=str(path)) from None


def count_rows(path: str | Path, encoding: str | None = None) -> int:
    """The number of CSV records in the file (header included), for a progress bar's total:
    a fast pass of the C reader, exact even when quoted cells hold line breaks."""
    with open_csv(path, encoding) as (rows, _):
        return sum(1 for _row in rows)


def cell(value: str, limit: int = 60) -> str:
    """A cell as shown in a report: one line, cut."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
