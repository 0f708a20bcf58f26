"""Importing subscribers from the billing system's CSV export.

The columns (header on line 1, in any order; Persian headers are understood too; columns not
listed are ignored and named in the report)::

    subscription_no  شماره اشتراک  required; digits, up to 20 (the billing key)
    name             نام           required; up to 160 characters
    bill_id          شناسه قبض     6-13 digits with a valid check digit
    national_code    کد ملی        10 digits (8-9 are left-padded) with a valid check digit
    mobile           تلفن همراه    a mobile number; several separated by ";"
    phone            تلفن          a landline or mobile number; several separated by ";"
    district_code    کد منطقه      the code of one of the center's districts
    street           خیابان        up to 160 characters
    address          نشانی         up to 400 characters
    postal_code      کد پستی       10 digits; otherwise kept out with a warning, not an error
    usage            کاربری        residential, commercial, public, industrial, agricultural
                                   (or مسکونی، تجاری، عمومی، صنعتی، کشاورزی); empty = residential

Text is stored normalised (Arabic ي/ك become Persian ی/ک) with its search keys, identifiers in
ASCII digits whatever script they came in (db.text, db.validate). The file may be UTF-8 (with or
without BOM) or Windows-1256, separated by commas, semicolons or tabs (db.admin.csvfile).

A line that cannot be used is skipped and reported with its line number, a reason code and the
field at fault; the good lines are imported. A subscription number seen twice in one file keeps
its first line (the second is reported as ``duplicate_in_file``). Importing again *updates*:
the billing key is ``(center, subscription_no)``, unique in the schema, so a re-import changes
the rows whose values differ (one audit row per changed subscriber, with before and after),
leaves the others alone, and only adds phones (phones learnt at intake are never dropped).

Speed: lines are read as a stream and written in batches (one lookup of existing keys per batch,
then executemany inserts and updates), committed per batch so desks on SQLite are never kept
waiting for more than a moment. An interrupted import leaves its finished batches; running it
again completes it. ``progress(done, total)`` is called after every batch; raising from it stops
the import after the batches already written (how a screen cancels).
"""

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from db.accounts import AgentView
from db.admin.changes import diff, record_change
from db.admin.csvfile import BadRow, RowWarning, cell, count_rows, open_csv
from db.admin.errors import AdminError
from db.admin.scope import admin_center
from db.models import AuditEntry, District, Subscriber, SubscriberPhone, new_id, utcnow
from db.text import normalize, search_key, to_ascii_digits
from db.validate import (
    ValidationError,
    check_postal_code,
    normalize_bill_id,
    normalize_mobile,
    normalize_national_code,
    normalize_phone,
)

Progress = Callable[[int, int], None]

COLUMNS = (
    "subscription_no",
    "bill_id",
    "name",
    "national_code",
    "mobile",
    "phone",
    "district_code",
    "street",
    "address",
    "postal_code",
    "usage",
)
REQUIRED_COLUMNS = ("subscription_no", "name")
_ALIASES = {
    "شماره اشتراک": "subscription_no",
    "اشتراک": "subscription_no",
    "شناسه قبض": "bill_id",
    "نام": "name",
    "نام مشترک": "name",
    "نام و نام خانوادگی": "name",
    "کد ملی": "national_code",
    "تلفن همراه": "mobile",
    "موبایل": "mobile",
    "همراه": "mobile",
    "تلفن": "phone",
    "تلفن ثابت": "phone",
    "کد منطقه": "district_code",
    "منطقه": "district_code",
    "خیابان": "street",
    "نشانی": "address",
    "آدرس": "address",
    "کد پستی": "postal_code",
    "کاربری": "usage",
}
USAGES = {
    "residential": "residential",
    "مسکونی": "residential",
    "commercial": "commercial",
    "تجاری": "commercial",
    "public": "public",
    "عمومی": "public",
    "دولتی": "public",
    "اداری": "public",
    "industrial": "industrial",
    "صنعتی": "industrial",
    "agricultural": "agricultural",
    "کشاورزی": "agricultural",
}
#: The subscriber fields an import writes and compares.
FIELDS = (
    "bill_id",
    "national_code",
    "name",
    "district_id",
    "street",
    "address",
    "postal_code",
    "usage",
)
DEFAULT_BATCH = 5000
#: Bad lines and warnings kept in the report (all are counted).
MAX_REPORTED = 10_000

_SUBSCRIPTION_NO = re.compile(r"[0-9]{1,20}")
# Streets, names and usages repeat across a city's subscribers: normalise each text once.
_normalize = lru_cache(maxsize=65_536)(normalize)
_search_key = lru_cache(maxsize=65_536)(search_key)
_PHONE_SEPARATORS = re.compile(r"[;|،؛]")


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do). ``rows`` counts the data lines
    read; ``skipped`` the bad ones, of which ``bad_rows`` holds the first MAX_REPORTED."""

    path: str
    encoding: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    phones_added: int
    bad_rows: tuple[BadRow, ...]
    warnings: tuple[RowWarning, ...]
    warning_count: int
    ignored_columns: tuple[str, ...]
    dry_run: bool

    @property
    def imported(self) -> int:
        return self.inserted + self.updated + self.unchanged


@dataclass
class _Row:
    line: int
    subscription_no: str
    values: dict[str, Any]
    phones: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Tally:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    phones_added: int = 0
    warning_count: int = 0
    bad: list[BadRow] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)

    def reject(self, row: BadRow) -> None:
        self.skipped += 1
        if len(self.bad) < MAX_REPORTED:
            self.bad.append(row)

    def warn(self, warning: RowWarning) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_REPORTED:
            self.warnings.append(warning)


class _Bad(Exception):
    def __init__(self, reason: str, field: str, detail: str = "", value: str = "") -> None:
        self.row = (reason, field, detail, value)


def _column_name(header: str) -> str:
    key = search_key(header)
    return _ALIASES.get(key) or key.replace(" ", "_").replace("-", "_")


def _map_header(header: Sequence[str]) -> tuple[dict[str, int], tuple[str, ...]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(header):
        column = _column_name(name)
        if column in COLUMNS and column not in columns:
            columns[column] = index
        elif name.strip():
            ignored.append(name.strip())
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise AdminError("missing_columns", columns=missing, expected=list(COLUMNS))
    return columns, tuple(ignored)


def _text(value: str, field_name: str, limit: int) -> str:
    text = _normalize(value)
    if len(text) > limit:
        raise _Bad("too_long", field_name, str(limit), text)
    return text


def _valid(normalizer: Callable[[str], str], value: str, field_name: str) -> str:
    try:
        return normalizer(value)
    except ValidationError as error:
        raise _Bad("bad_value", field_name, error.reason.value, value) from None


def _phones(value: str, field_name: str, default_area: str | None) -> list[tuple[str, str]]:
    found = []
    for part in _PHONE_SEPARATORS.split(value):
        if not part.strip():
            continue
        if field_name == "mobile":
            found.append(("mobile", _valid(normalize_mobile, part, field_name)))
        else:
            try:
                found.append(normalize_phone(part, default_area))
            except ValidationError as error:
                raise _Bad("bad_value", field_name, error.reason.value, part) from None
    return found


class _Parser:
    """Turns one CSV record into a row to write, or raises _Bad."""

    def __init__(
        self,
        columns: dict[str, int],
        width: int,
        districts: dict[str, uuid.UUID],
        default_area: str | None,
        tally: _Tally,
    ) -> None:
        self.columns = columns
        self.width = width
        # Codes compared case-folded: billing exports vary the case.
        self.districts = {code.casefold(): i for code, i in districts.items()}
        self.default_area = default_area
        self.tally = tally

    def get(self, record: Sequence[str], column: str) -> str:
        index = self.columns.get(column)
        return record[index].strip() if index is not None else ""

    def parse(self, line: int, record: Sequence[str]) -> _Row:
        if len(record) != self.width:
            raise _Bad("bad_row", "", f"{len(record)}/{self.width}")
        get = self.get
        number = get(record, "subscription_no")
        if not (number.isascii() and number.isdigit()):
            number = to_ascii_digits(normalize(number)).replace(" ", "")
        if not number:
            raise _Bad("missing_value", "subscription_no")
        if _SUBSCRIPTION_NO.fullmatch(number) is None:
            reason = "too_long" if number.isdigit() else "not_digits"
            raise _Bad("bad_value", "subscription_no", reason, number)
        name = _text(get(record, "name"), "name", 160)
        if not name:
            raise _Bad("missing_value", "name")
        values: dict[str, Any] = {"name": name}
        raw = get(record, "bill_id")
        values["bill_id"] = _valid(normalize_bill_id, raw, "bill_id") if raw else None
        if values["bill_id"] and values["bill_id"][-2] != "1":
            self.tally.warn(RowWarning(line, "not_water_bill", "bill_id", raw, number))
        raw = get(record, "national_code")
        values["national_code"] = (
            _valid(normalize_national_code, raw, "national_code") if raw else None
        )
        phones = _phones(get(record, "mobile"), "mobile", None)
        phones += _phones(get(record, "phone"), "phone", self.default_area)
        raw = get(record, "district_code")
        if raw:
            district = self.districts.get(normalize(raw).casefold())
            if district is None:
                raise _Bad("unknown_district", "district_code", "", raw)
            values["district_id"] = district
        else:
            values["district_id"] = None
        values["street"] = _text(get(record, "street"), "street", 160)
        values["address"] = _text(get(record, "address"), "address", 400)
        raw = get(record, "postal_code")
        values["postal_code"] = None
        if raw:
            postal, warning = check_postal_code(raw)
            if warning is None:
                values["postal_code"] = postal
            else:
                self.tally.warn(RowWarning(line, warning.value, "postal_code", cell(raw), number))
        raw = get(record, "usage")
        usage = (USAGES.get(raw) or USAGES.get(_search_key(raw))) if raw else "residential"
        if usage is None:
            raise _Bad("bad_value", "usage", "unknown", raw)
        values["usage"] = usage
        return _Row(line, number, values, list(dict.fromkeys(phones)))


class _Writer:
    """Writes batches of parsed rows: looks up existing keys once per batch, then inserts,
    updates and adds phones with executemany."""

    def __init__(
        self,
        session: Session,
        actor: AgentView | None,
        center_id: uuid.UUID,
        source: str,
        districts: dict[str, uuid.UUID],
    ) -> None:
        self.session = session
        self.actor_id = actor.id if actor else None
        self.center_id = center_id
        self.source = source
        self.table = Subscriber.__table__
        self.phones = SubscriberPhone.__table__
        # SET columns come from the parameter keys: every field, the search keys, the time.
        self.update = sa.update(self.table).where(self.table.c.id == sa.bindparam("_id"))
        self.district_codes = {v: k for k, v in districts.items()}

    def _existing(self, numbers: list[str]) -> dict[str, dict[str, Any]]:
        t = self.table
        rows = self.session.connection().execute(
            sa.select(t.c.id, t.c.subscription_no, *(t.c[name] for name in FIELDS)).where(
                t.c.center_id == self.center_id, t.c.subscription_no.in_(numbers)
            )
        )
        return {r.subscription_no: dict(r._mapping) for r in rows}

    def _known_phones(self, ids: list[uuid.UUID]) -> set[tuple[uuid.UUID, str]]:
        if not ids:
            return set()
        p = self.phones
        rows = self.session.connection().execute(
            sa.select(p.c.subscriber_id, p.c.phone).where(p.c.subscriber_id.in_(ids))
        )
        return {(r.subscriber_id, r.phone) for r in rows}

    def write(self, batch: list[_Row], tally: _Tally, *, dry_run: bool) -> None:
        now = utcnow()
        existing = self._existing([row.subscription_no for row in batch])
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        owners: list[tuple[uuid.UUID, _Row]] = []
        for row in batch:
            values = row.values
            keys = {
                "name_key": _search_key(values["name"]),
                "street_key": _search_key(values["street"]),
            }
            old = existing.get(row.subscription_no)
            if old is None:
                sub_id = new_id()
                inserts.append(
                    {
                        "id": sub_id,
                        "center_id": self.center_id,
                        "subscription_no": row.subscription_no,
                        **values,
                        **keys,
                        "active": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                tally.inserted += 1
            else:
                sub_id = old["id"]
                changes = diff(old, values) if _differs(old, values) else {}
                if "district_id" in changes:
                    ids = changes.pop("district_id")
                    changes["district"] = [
                        self.district_codes.get(uuid.UUID(i)) if i else None for i in ids
                    ]
                if changes:
                    updates.append({"_id": sub_id, **values, **keys, "updated_at": now})
                    audits.append(self._audit(sub_id, row, changes, now))
                    tally.updated += 1
                else:
                    tally.unchanged += 1
            owners.append((sub_id, row))
        known = self._known_phones([o["id"] for o in existing.values()])
        phones = [
            {
                "id": new_id(),
                "center_id": self.center_id,
                "subscriber_id": sub_id,
                "phone": phone,
                "kind": kind,
            }
            for sub_id, row in owners
            for kind, phone in row.phones
            if (sub_id, phone) not in known
        ]
        tally.phones_added += len(phones)
        if dry_run:
            return
        conn = self.session.connection()
        if inserts:
            conn.execute(sa.insert(self.table), inserts)
        if updates:
            conn.execute(self.update, updates)
        if phones:
            conn.execute(sa.insert(self.phones), phones)
        if audits:
            conn.execute(sa.insert(AuditEntry.__table__), audits)

    def _audit(
        self, sub_id: uuid.UUID, row: _Row, changes: dict[str, list[Any]], now
    ) -> dict[str, Any]:
        return {
            "id": new_id(),
            "center_id": self.center_id,
            "at": now,
            "actor_id": self.actor_id,
            "action": "subscriber_updated",
            "entity": "subscriber",
            "entity_id": str(sub_id),
            "changes": changes,
            "detail": f"import {self.source} line {row.line}"[:500],
        }


def _differs(old: dict[str, Any], values: dict[str, Any]) -> bool:
    """A cheap first look (most rows of a re-import are unchanged); diff() says what."""
    return any(old[name] != value for name, value in values.items())


def _districts(session: Session, center_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The center's districts by code."""
    rows = session.exec(select(District.code, District.id).where(District.center_id == center_id))
    return dict(rows.all())


def import_subscribers(
    session: Session,
    *,
    actor: AgentView | None,
    path: str | Path,
    center_code: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH,
    default_area: str | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Import (insert or update) the subscribers of a billing CSV export into the center.

    ``dry_run`` reads, checks and compares everything and writes nothing. ``default_area``
    (e.g. "31") completes 8-digit landlines. Commits after every batch (see the module's note).
    Errors: bad_file (problem, path); missing_columns (columns, expected); the admin checks.
    """
    center = admin_center(session, actor, center_code, action="import subscribers")
    path = Path(path)
    total = max(count_rows(path, encoding) - 1, 0)
    tally = _Tally()
    districts = _districts(session, center.id)
    writer = _Writer(session, actor, center.id, path.name, districts)
    seen: dict[str, int] = {}
    batch: list[_Row] = []

    def flush() -> None:
        if batch:
            writer.write(batch, tally, dry_run=dry_run)
            if not dry_run:
                session.commit()
            batch.clear()
        if progress is not None:
            progress(tally.rows, max(total, tally.rows))

    with open_csv(path, encoding) as (reader, used_encoding):
        header = next(reader, None)
        if header is None:
            raise AdminError(
                "missing_columns", columns=list(REQUIRED_COLUMNS), expected=list(COLUMNS)
            )
        columns, ignored = _map_header(header)
        parser = _Parser(columns, len(header), districts, default_area, tally)
        previous = reader.line_num
        for record in reader:
            line, previous = previous + 1, reader.line_num
            if not any(c.strip() for c in record):
                continue
            tally.rows += 1
            try:
                row = parser.parse(line, record)
            except _Bad as bad:
                reason, field_name, detail, value = bad.row
                key = (
                    record[columns["subscription_no"]].strip()
                    if len(record) > columns["subscription_no"]
                    else ""
                )
                tally.reject(BadRow(line, reason, field_name, detail, cell(value), cell(key, 20)))
                continue
            first = seen.get(row.subscription_no)
            if first is not None:
                tally.reject(
                    BadRow(
                        line,
                        "duplicate_in_file",
                        "subscription_no",
                        str(first),
                        row.subscription_no,
                        row.subscription_no,
                    )
                )
                continue
            seen[row.subscription_no] = line
            batch.append(row)
            if len(batch) >= batch_size:
                flush()
        flush()
    report = ImportReport(
        path=str(path),
        encoding=used_encoding,
        rows=tally.rows,
        inserted=tally.inserted,
        updated=tally.updated,
        unchanged=tally.unchanged,
        skipped=tally.skipped,
        phones_added=tally.phones_added,
        bad_rows=tuple(tally.bad),
        warnings=tuple(tally.warnings),
        warning_count=tally.warning_count,
        ignored_columns=ignored,
        dry_run=dry_run,
    )
    if not dry_run:
        _record_summary(session, actor, center.id, report)
    return report


def _record_summary(
    session: Session, actor: AgentView | None, center_id: uuid.UUID, report: ImportReport
) -> None:
    counts: Iterable[tuple[str, int]] = (
        ("inserted", report.inserted),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("skipped", report.skipped),
        ("phones_added", report.phones_added),
    )
    record_change(
        session,
        actor=actor,
        action="subscribers_imported",
        entity="subscriber",
        entity_id="",
        center_id=center_id,
        changes={name: [None, count] for name, count in counts},
        detail=f"{Path(report.path).name}: {report.rows} lines",
    )
    session.flush()
