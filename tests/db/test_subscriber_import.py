"""Importing subscribers from the billing system's CSV export: good lines imported, bad lines
reported by line number and reason, Persian/Arabic letter and digit variants normalised, a
re-import updating instead of duplicating, on SQLite and PostgreSQL."""

import random

import pytest
from sqlmodel import col, func, select

from db import accounts, admin
from db.accounts import PermissionDenied
from db.admin import AdminError
from db.engine import session
from db.intake import lookup_caller
from db.models import AuditEntry, Subscriber, SubscriberPhone
from db.text import search_key, to_persian_digits
from db.validate import make_bill_id, make_national_code

from .world import PASSWORD, World, build_world, cheap_password_hashes

HEADER = (
    "subscription_no,bill_id,name,national_code,mobile,phone,district_code,street,address,"
    "postal_code,usage"
)
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_rng = random.Random(1405)
BILL = [make_bill_id(_rng) for _ in range(4)]
CODE = [make_national_code(_rng) for _ in range(4)]
# A valid bill ID with its check digit changed.
BAD_BILL = BILL[2][:-1] + str((int(BILL[2][-1]) + 1) % 10)


@pytest.fixture
def world(engine, center_id) -> World:
    return build_world(engine, center_id)


@pytest.fixture
def boss(world):
    with cheap_password_hashes(), session(world.engine) as s:
        return accounts.add_agent(
            s, actor=None, username="admin", full_name="Admin", password=PASSWORD, roles=["admin"]
        )


def write_csv(tmp_path, lines, name="billing.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def run_import(w: World, actor, path, **kw):
    with session(w.engine) as s:
        return admin.import_subscribers(s, actor=actor, path=path, **kw)


def subscriber(w: World, number: str) -> Subscriber:
    with session(w.engine, write=False) as s:
        row = s.exec(select(Subscriber).where(Subscriber.subscription_no == number)).one()
        return row


def phones(w: World, number: str) -> dict[str, str]:
    with session(w.engine, write=False) as s:
        rows = s.exec(
            select(SubscriberPhone.phone, SubscriberPhone.kind)
            .join(Subscriber, col(Subscriber.id) == col(SubscriberPhone.subscriber_id))
            .where(Subscriber.subscription_no == number)
        ).all()
    return dict(rows)


def count_subscribers(w: World) -> int:
    with session(w.engine, write=False) as s:
        return s.exec(select(func.count()).select_from(Subscriber)).one()


BILLING_EXPORT = [
    HEADER,
    # 2: Arabic yeh and kaf in the name and street; a comma inside a quoted address.
    f"20000001,{BILL[0]},علي كريمي,{CODE[0]},09121234567,,D1,خيابان سعدي,"
    f'"خیابان سعدی، پلاک ۱۲, طبقه ۲",8174673111,residential',
    # 3: Persian digits, Arabic-Indic digits, a dashed landline, a district in lower case and
    # a Persian usage.
    f"{to_persian_digits('20000002')},{to_persian_digits(BILL[1])},زهرا احمدی,"
    f"{CODE[1].translate(_ARABIC_DIGITS)},۰۹۱۳ ۱۱۱ ۲۲۳۳,031-3222 4455,d2,,,,تجاری",
    f"20000003,{BAD_BILL},حسن موسوی,,,,D1,,,,",  # 4: bad check digit
    f"20000004,{BILL[3]},   ,,,,D1,,,,",  # 5: no name
    "20000005,,رضا نوری,,0912123,,D1,,,,",  # 6: a mobile too short
    f"20000001,{BILL[0]},علی کریمی,,,,D1,,,,",  # 7: the same subscription again
    "20000006,,مینا صالحی,,,,D9,,,,",  # 8: no such district
    "20000007,,پری,,",  # 9: cells missing
    "20000008,,پروین اعتصامی,,,,,,,12345,residential",  # 10: postal code warned, imported
    "۲۰۰۰-abc,,نام,,,,,,,,",  # 11: letters in the subscription number
    "10000017,,علی رضایی‌نیا,,09127777777,,D1,,,,",  # 12: an existing subscriber, renamed
    f"20000009,,سهراب سپهری,{CODE[2]}1,,,,,,,",  # 13: national code of 11 digits
    "20000010,,کاوه,,,,,,,,villa",  # 14: unknown usage
]


def test_billing_export_imports_good_lines_and_reports_bad_ones_by_line(world, boss, tmp_path):
    path = write_csv(tmp_path, BILLING_EXPORT)
    report = run_import(world, boss, path)
    assert (report.rows, report.inserted, report.updated, report.skipped) == (13, 3, 1, 9)
    assert [(b.line, b.reason, b.field, b.detail) for b in report.bad_rows] == [
        (4, "bad_value", "bill_id", "bad_checksum"),
        (5, "missing_value", "name", ""),
        (6, "bad_value", "mobile", "too_short"),
        (7, "duplicate_in_file", "subscription_no", "2"),
        (8, "unknown_district", "district_code", ""),
        (9, "bad_row", "", "5/11"),
        (11, "bad_value", "subscription_no", "not_digits"),
        (13, "bad_value", "national_code", "too_long"),
        (14, "bad_value", "usage", "unknown"),
    ]
    assert report.bad_rows[0].key == "20000003"
    assert [(w.line, w.reason, w.field) for w in report.warnings] == [
        (10, "wrong_length", "postal_code")
    ]
    assert count_subscribers(world) == 2 + 3


def test_imported_text_and_digits_are_normalised(world, boss, tmp_path):
    run_import(world, boss, write_csv(tmp_path, BILLING_EXPORT))
    ali = subscriber(world, "20000001")
    assert ali.name == "علی کریمی" and ali.name_key == search_key("علی کریمی")
    assert ali.street == "خیابان سعدی" and ali.street_key == search_key("خیابان سعدی")
    assert ali.address == "خیابان سعدی، پلاک ۱۲, طبقه ۲"
    assert (ali.bill_id, ali.national_code, ali.postal_code) == (BILL[0], CODE[0], "8174673111")
    assert ali.district_id == world.districts["D1"]
    assert phones(world, "20000001") == {"09121234567": "mobile"}
    zahra = subscriber(world, "20000002")
    assert (zahra.bill_id, zahra.national_code) == (BILL[1].lstrip("0"), CODE[1])
    assert (zahra.usage, zahra.district_id) == ("commercial", world.districts["D2"])
    assert phones(world, "20000002") == {"09131112233": "mobile", "03132224455": "landline"}
    assert subscriber(world, "20000008").postal_code is None
    # The desk finds them however the agent types.
    with session(world.engine, write=False) as s:
        by_phone = lookup_caller(s, actor=world.desk, query="۰۹۱۲۱۲۳۴۵۶۷")
        by_name = lookup_caller(s, actor=world.desk, query="علي كريمي")
    assert [c.subscription_no for c in by_phone.subscribers] == ["20000001"]
    assert "20000001" in [c.subscription_no for c in by_name.subscribers]


def test_reimport_updates_instead_of_duplicating_and_audits_each_change(world, boss, tmp_path):
    first = write_csv(tmp_path, BILLING_EXPORT, name="first.csv")
    run_import(world, boss, first)
    before = count_subscribers(world)
    renamed = [
        HEADER,
        f"20000001,{BILL[0]},علی کریمی‌زاده,{CODE[0]},09121234567,,D2,خیابان سعدی,"
        f'"خیابان سعدی، پلاک ۱۲, طبقه ۲",8174673111,residential',
        f"20000002,{BILL[1]},زهرا احمدی,{CODE[1]},09131112233;09135556677,03132224455,D2,,,,"
        "commercial",
        "20000008,,پروین اعتصامی,,,,,,,12345,residential",
    ]
    report = run_import(world, boss, write_csv(tmp_path, renamed, name="second.csv"))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    assert report.phones_added == 1
    assert count_subscribers(world) == before
    ali = subscriber(world, "20000001")
    assert ali.name == "علی کریمی‌زاده" and ali.name_key == search_key("علی کریمی زاده")
    assert "09135556677" in phones(world, "20000002")
    with session(world.engine, write=False) as s:
        updates = s.exec(
            select(AuditEntry)
            .where(AuditEntry.action == "subscriber_updated")
            .order_by(col(AuditEntry.at))
        ).all()
        summaries = s.exec(
            select(AuditEntry)
            .where(AuditEntry.action == "subscribers_imported")
            .order_by(col(AuditEntry.at))
        ).all()
    # First import: the world's subscriber 10000017 renamed; second: Ali renamed and moved.
    assert [u.entity_id for u in updates] == [
        str(subscriber(world, "10000017").id),
        str(ali.id),
    ]
    assert updates[1].changes == {
        "name": ["علی کریمی", "علی کریمی‌زاده"],
        "district": ["D1", "D2"],
    }
    assert updates[1].actor_id == boss.id and "second.csv line 2" in updates[1].detail
    assert len(summaries) == 2
    assert summaries[1].changes["updated"] == [None, 1]


def test_phones_learnt_at_intake_are_kept_on_reimport(world, boss, tmp_path):
    lines = [HEADER, "10000017,,علی رضایی,,09129999999,,D1,,,,"]
    run_import(world, boss, write_csv(tmp_path, lines))
    assert phones(world, "10000017") == {"09121111111": "mobile", "09129999999": "mobile"}


def test_a_dry_run_reports_everything_and_writes_nothing(world, boss, tmp_path):
    report = run_import(world, boss, write_csv(tmp_path, BILLING_EXPORT), dry_run=True)
    assert report.dry_run and (report.inserted, report.updated, report.skipped) == (3, 1, 9)
    assert count_subscribers(world) == 2
    assert subscriber(world, "10000017").name == "علی رضایی"
    with session(world.engine, write=False) as s:
        assert s.exec(select(AuditEntry).where(AuditEntry.entity == "subscriber")).all() == []


def test_progress_is_reported_per_batch_and_duplicates_are_caught_across_batches(
    world, boss, tmp_path
):
    lines = [HEADER] + [f"3000000{n},,مشترک {n},,,,D1,,,," for n in range(7)]
    lines.append("30000001,,تکراری,,,,D1,,,,")
    calls = []
    report = run_import(
        world, boss, write_csv(tmp_path, lines), batch_size=3, progress=lambda *a: calls.append(a)
    )
    assert calls == [(3, 8), (6, 8), (8, 8)]
    assert report.inserted == 7
    assert [(b.line, b.reason, b.detail) for b in report.bad_rows] == [
        (9, "duplicate_in_file", "3")
    ]


def test_windows_1256_export_with_persian_headers_and_semicolons(world, boss, tmp_path):
    """Windows-1256 has no Persian yeh: such exports always write the Arabic one."""
    lines = [
        "شماره اشتراک;نام مشترک;تلفن همراه;منطقه;آدرس;ستون اضافه",
        "40000001;مهدي كاظمي;09124445566;D2;خيابان هشت بهشت;x",
    ]
    path = write_csv(tmp_path, lines, encoding="cp1256")
    report = run_import(world, boss, path)
    assert (report.encoding, report.inserted, report.ignored_columns) == (
        "cp1256",
        1,
        ("ستون اضافه",),
    )
    mahdi = subscriber(world, "40000001")
    assert (mahdi.name, mahdi.address) == ("مهدی کاظمی", "خیابان هشت بهشت")


def test_a_file_without_the_required_columns_is_refused_whole(world, boss, tmp_path):
    path = write_csv(tmp_path, ["bill_id,mobile", f"{BILL[0]},09121234567"])
    with pytest.raises(AdminError) as refused:
        run_import(world, boss, path)
    assert refused.value.reason == "missing_columns"
    assert refused.value.params["columns"] == ["subscription_no", "name"]
    with pytest.raises(AdminError) as missing:
        run_import(world, boss, tmp_path / "nope.csv")
    assert missing.value.reason == "bad_file"
    assert count_subscribers(world) == 2


def test_only_an_admin_imports(world, tmp_path):
    path = write_csv(tmp_path, BILLING_EXPORT)
    with pytest.raises(PermissionDenied):
        run_import(world, world.supervisor, path)
    assert count_subscribers(world) == 2
