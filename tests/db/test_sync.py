"""Rural centers offline: two centers on their own SQLite files and the province's database
(PostgreSQL when ABFA_DESK_TEST_PG_URL is set, and SQLite), kept in step online and by files.

The day of a rural center: a first sync brings its users, units, categories and subscribers;
it registers and follows requests for days without a link; the next sync loses nothing and
duplicates nothing, a repeated or killed sync ends like one clean run, a request changed on
both sides keeps both histories and says so, and a bundle file that was tampered with, cut
short or written by another version is refused whole.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine, make_url
from sqlmodel import select

from db.accounts import add_agent, sign_in
from db.engine import make_engine, normalize_url, session
from db.followup import request_detail, transition
from db.migrate import alembic_config, head_revision
from db.models import (
    Agent,
    Category,
    Center,
    Holiday,
    OutboxMessage,
    Subscriber,
    SubscriberPhone,
    Ticket,
    TicketEvent,
    metadata,
)
from db.sync import (
    CONFLICT_ACTION,
    NOT_SYNCED,
    SPECS,
    SyncError,
    export_bundle,
    import_bundle,
    replay,
    sync_online,
)
from db.sync.bundle import MANIFEST, ROWS, _sign
from db.sync.codec import canonical
from db.text import search_key
from db.tracking import parse_tracking_code

from .sync_world import RURAL, Province, at, build_province, center_rows, dump, new_center_file
from .world import NOW, PASSWORD, cheap_password_hashes, register

KEY = b"a shared key for the province and its centers"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def province(db_url) -> Province:
    built = build_province(db_url)
    yield built
    built.engine.dispose()


@pytest.fixture
def centers(province, sqlite_template, tmp_path) -> dict[str, Engine]:
    """Both rural centers after their first sync (a new computer, an empty file)."""
    engines = {
        code: new_center_file(sqlite_template, tmp_path / f"{code.lower()}.db") for code in RURAL
    }
    for code, engine in engines.items():
        sync_online(engine, province.engine, center_code=code)
    yield engines
    for engine in engines.values():
        engine.dispose()


def _ticket(engine: Engine, ticket_id: uuid.UUID) -> Ticket:
    with session(engine, write=False) as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


def _events(engine: Engine, ticket_id: uuid.UUID) -> list[TicketEvent]:
    with session(engine, write=False) as s:
        return list(
            s.exec(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.at, TicketEvent.id)
            )
        )


def _step(engine, actor, ticket_id, action, minutes, **kw):
    ticket = _ticket(engine, ticket_id)
    with session(engine) as s:
        return transition(
            s,
            actor=actor,
            ticket_id=ticket_id,
            action=action,
            expected_version=ticket.version,
            now=NOW + timedelta(minutes=minutes),
            **kw,
        )


def _nothing_sent(report) -> bool:
    return report.received.records == 0 and report.sent.records == 0


# -- what travels ----------------------------------------------------------------------------


def test_every_table_is_synced_or_deliberately_left_out():
    synced = {t.name for spec in SPECS for t in (spec.root, *(c.table for c in spec.children))}
    assert synced.isdisjoint(NOT_SYNCED)
    assert synced | set(NOT_SYNCED) == set(metadata.tables)


def test_records_are_sent_in_foreign_key_order():
    position = {}
    for i, spec in enumerate(SPECS):
        for table in (spec.root, *(c.table for c in spec.children)):
            position[table.name] = i
    for name, i in position.items():
        for fk in metadata.tables[name].foreign_keys:
            target = fk.column.table.name
            if target in position:
                assert position[target] <= i, f"{name} refers to {target}, sent later"


# -- online ----------------------------------------------------------------------------------


def test_first_sync_brings_a_new_computer_its_center_and_nothing_of_others(
    province, sqlite_template, tmp_path
):
    najaf = new_center_file(sqlite_template, tmp_path / "najaf.db")
    world = province.worlds["NJF"]
    steps = []
    sync_online(najaf, province.engine, center_code="NJF", progress=lambda *a: steps.append(a))
    assert steps[0][0] == "pull:scan" and steps[-1][0] == "push:scan"
    received = [(stage, done, total) for stage, done, total in steps if stage == "pull:agents"]
    assert received and received[-1][1] <= received[-1][2]
    with session(najaf, write=False) as s:
        codes = [c.code for c in s.exec(select(Center)).all()]
        categories = s.exec(select(Category)).all()
        subscribers = s.exec(select(Subscriber)).all()
    assert codes == ["NJF"]
    assert {c.id for c in categories} == set(world.categories.values())
    assert {s.id for s in subscribers} == set(world.subscribers.values())
    # The desk signs in offline with the same people and passwords.
    assert dump(najaf, ledger=False)["agents"] == [
        r
        for r in dump(province.engine, ledger=False)["agents"]
        if r["center_id"] == str(world.center_id)
    ]
    with session(najaf) as s:
        assert sign_in(s, username="njf_maryam", password=PASSWORD).center_id == world.center_id
    najaf.dispose()


def test_round_trip_of_two_centers_loses_and_duplicates_nothing(province, centers):
    najaf, khansar = (at(province.worlds[c], centers[c]) for c in ("NJF", "KHR"))
    first = register(najaf, at=NOW)
    second = register(najaf, "bill_dispute", at=NOW + timedelta(minutes=5))
    _step(centers["NJF"], najaf.followup, first.ticket.id, "referred", 10,
          unit_id=najaf.units["water_ops"])  # fmt: skip
    other = register(khansar, "low_pressure", at=NOW + timedelta(minutes=1))
    # Meanwhile the province renames a category of Najafabad and adds a subscriber there.
    with session(province.engine) as s:
        category = s.get(Category, najaf.categories["bill_dispute"])
        category.name_fa = "اعتراض به قبض آب"
        category.updated_at = NOW + timedelta(hours=1)
        s.add(
            Subscriber(
                center_id=najaf.center_id, subscription_no="10000050", name="مینا کاظمی",
                name_key=search_key("مینا کاظمی"), district_id=najaf.districts["D1"],
            )
        )  # fmt: skip

    for code in RURAL:
        report = sync_online(centers[code], province.engine)
        assert report.failed == []

    for code, world in (("NJF", najaf), ("KHR", khansar)):
        here = center_rows(centers[code], world.center_id)
        there = center_rows(province.engine, world.center_id)
        for table in ("tickets", "ticket_events", "calls", "tracking_sequences", "subscribers"):
            assert here[table] == there[table], table
    assert len(center_rows(province.engine, najaf.center_id)["tickets"]) == 2
    assert len(center_rows(province.engine, khansar.center_id)["tickets"]) == 1
    with session(centers["NJF"], write=False) as s:
        assert s.get(Category, najaf.categories["bill_dispute"]).name_fa == "اعتراض به قبض آب"
        assert s.exec(select(Subscriber).where(Subscriber.subscription_no == "10000050")).one()

    # Each center numbers its own requests: the same sequence, different codes.
    codes = [first.ticket.tracking_code, second.ticket.tracking_code, other.ticket.tracking_code]
    parsed = [parse_tracking_code(c) for c in codes]
    assert [(p.center_number, p.seq) for p in parsed] == [(132, 1), (132, 2), (133, 1)]
    with session(province.engine, write=False) as s:
        assert sorted(s.exec(select(Ticket.tracking_code))) == sorted(codes)

    # Again: nothing to send either way, nothing changes.
    before = {code: dump(centers[code]) for code in RURAL}, dump(province.engine)
    for code in RURAL:
        assert _nothing_sent(sync_online(centers[code], province.engine))
    assert ({code: dump(centers[code]) for code in RURAL}, dump(province.engine)) == before


def test_a_replaced_computer_goes_on_numbering_and_gets_open_requests(
    province, centers, sqlite_template, tmp_path
):
    world = at(province.worlds["NJF"], centers["NJF"])
    first = register(world, at=NOW)
    sync_online(centers["NJF"], province.engine)

    fresh = new_center_file(sqlite_template, tmp_path / "new-laptop.db")
    report = sync_online(fresh, province.engine, center_code="njf")
    assert report.failed == []
    assert _ticket(fresh, first.ticket.id).tracking_code == first.ticket.tracking_code
    assert len(_events(fresh, first.ticket.id)) == 1
    later = register(at(province.worlds["NJF"], fresh), at=NOW + timedelta(hours=1))
    assert parse_tracking_code(later.ticket.tracking_code).seq == 2
    fresh.dispose()


def test_both_sides_act_on_one_request_keeps_both_histories_and_records_the_conflict(
    province, centers
):
    center = centers["NJF"]
    here = at(province.worlds["NJF"], center)
    there = province.worlds["NJF"]
    ticket_id = register(here, at=NOW).ticket.id
    sync_online(center, province.engine)

    # Apart: the center refers it and the unit starts; the province cancels it in between.
    _step(center, here.followup, ticket_id, "referred", 10, unit_id=here.units["water_ops"])
    _step(province.engine, there.followup2, ticket_id, "cancelled", 20, reason="invalid",
          note="درخواست نامعتبر بود")  # fmt: skip
    _step(center, here.followup, ticket_id, "started", 30)

    report = sync_online(center, province.engine)
    assert report.conflicts == 1 and report.failed == []

    for engine in (center, province.engine):
        ticket = _ticket(engine, ticket_id)
        events = _events(engine, ticket_id)
        assert [e.action for e in events] == [
            "registered", "referred", "cancelled", "started", CONFLICT_ACTION
        ]  # fmt: skip
        assert ticket.status == "cancelled"
        assert ticket.unit_id == here.units["water_ops"]
        assert ticket.closed_at == NOW + timedelta(minutes=20)
        conflict = events[-1].data
        started = str(events[3].id)
        assert conflict["skipped"] == [
            {"event_id": started, "action": "started", "status": "cancelled"}
        ]
        assert conflict["center_events"] == sorted([str(events[1].id), started])
        assert conflict["province_events"] == [str(events[2].id)]
        assert conflict["since"] == str(events[0].id)
    assert dump(center, ledger=False)["tickets"] == [
        r for r in dump(province.engine, ledger=False)["tickets"]
        if r["center_id"] == str(here.center_id)
    ]  # fmt: skip

    # The follow-up agent sees it in the request's timeline.
    with session(center, write=False) as s:
        detail = request_detail(s, actor=here.followup, ticket_id=ticket_id)
    assert detail.events[-1].action == CONFLICT_ACTION
    assert detail.events[-1].note

    before = dump(center), dump(province.engine)
    assert _nothing_sent(sync_online(center, province.engine))
    assert (dump(center), dump(province.engine)) == before


def test_deletions_travel_and_a_record_still_used_is_kept_and_sent_back(province, centers):
    center = centers["NJF"]
    world = province.worlds["NJF"]
    with session(province.engine) as s:
        holiday = Holiday(calendar_id=world.calendars["office"], day=date(2026, 12, 1), name="x")
        s.add(holiday)
    sync_online(center, province.engine)
    with session(center, write=False) as s:
        assert s.get(Holiday, holiday.id) is not None

    # The province removes the holiday, and a subscriber the center has just called about.
    register(at(world, center), subscriber="karim", phone="09123333333", at=NOW)
    with session(province.engine) as s:
        s.execute(sa.delete(Holiday.__table__).where(Holiday.__table__.c.id == holiday.id))
        phones = SubscriberPhone.__table__
        s.execute(sa.delete(phones).where(phones.c.subscriber_id == world.subscribers["karim"]))
        s.execute(
            sa.delete(Subscriber.__table__).where(Subscriber.id == world.subscribers["karim"])
        )
    report = sync_online(center, province.engine)
    assert report.received.kept == 1 and report.failed == []
    with session(center, write=False) as s:
        assert s.get(Holiday, holiday.id) is None
    with session(province.engine, write=False) as s:
        assert s.get(Subscriber, world.subscribers["karim"]) is not None
    assert _nothing_sent(sync_online(center, province.engine))


def test_a_record_that_clashes_is_reported_and_the_rest_goes_through(province, centers):
    center = centers["NJF"]
    world = at(province.worlds["NJF"], center)
    with cheap_password_hashes(), session(center) as s:
        add_agent(s, actor=None, username="zahra", full_name="زهرا", password=PASSWORD,
                  roles=["agent"], center_code="NJF")  # fmt: skip
    with cheap_password_hashes(), session(province.engine) as s:
        add_agent(s, actor=None, username="zahra", full_name="زهرا ک", password=PASSWORD,
                  roles=["agent"], center_code="KHR")  # fmt: skip
    view = register(world, at=NOW)
    report = sync_online(center, province.engine)
    assert [table for table, _key, _reason in report.failed] == ["agents"]
    assert _ticket(province.engine, view.ticket.id).tracking_code == view.ticket.tracking_code
    # Renamed at the province, the user goes through at the next sync.
    with session(province.engine) as s:
        s.execute(
            sa.update(Agent.__table__).where(Agent.username == "zahra").values(username="zahra.k")
        )
    assert sync_online(center, province.engine).failed == []
    with session(province.engine, write=False) as s:
        assert (
            s.exec(select(Agent).where(Agent.username == "zahra")).one().center_id
            == world.center_id
        )


def test_an_outgoing_message_travels_only_once_the_center_has_sent_it(province, centers):
    """The province's sender drains every center's outbox: it must never see a queued one."""
    center = centers["NJF"]
    world = province.worlds["NJF"]
    message = OutboxMessage(
        center_id=world.center_id, recipient="09121111111", body="آب وصل شد", dedupe_key="t:1"
    )
    with session(center) as s:
        s.add(message)
    sync_online(center, province.engine)
    with session(province.engine, write=False) as s:
        assert s.get(OutboxMessage, message.id) is None
    with session(center) as s:
        s.execute(
            sa.update(OutboxMessage.__table__)
            .where(OutboxMessage.__table__.c.id == message.id)
            .values(status="sent", sent_at=NOW)
        )
    sync_online(center, province.engine)
    with session(province.engine, write=False) as s:
        assert s.get(OutboxMessage, message.id).status == "sent"


def test_a_sync_killed_midway_ends_like_one_clean_run(province, centers, tmp_path, clean_copies):
    center = centers["NJF"]
    world = at(province.worlds["NJF"], center)
    for k in range(12):
        view = register(world, at=NOW + timedelta(minutes=k))
        if k % 2:
            _step(center, world.followup, view.ticket.id, "referred", 20 + k,
                  unit_id=world.units["water_ops"])  # fmt: skip
    with session(province.engine) as s:
        s.add(
            Subscriber(
                center_id=world.center_id, subscription_no="10000068", name="نرگس امینی",
                name_key=search_key("نرگس امینی"), district_id=world.districts["D2"],
            )
        )  # fmt: skip

    clean_center, clean_province = _copy(center, province, tmp_path)
    sync_online(clean_center, clean_province)

    center_path = make_url(center.url).database
    center.dispose()
    process = subprocess.Popen(
        [sys.executable, "-c", "from console.cli import main; main()", "--lang", "en",
         "--db", center_path, "sync", "--to", province.url, "--batch", "1"],
        cwd=REPO, env={**os.environ, "ABFA_DESK_SETTINGS": str(tmp_path / "none.toml")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        with session(province.engine, write=False) as s:
            pushed = s.exec(
                select(sa.func.count())
                .select_from(Ticket)
                .where(Ticket.center_id == world.center_id)
            ).one()
        if pushed >= 3:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    assert 3 <= pushed < 12

    center = make_engine(center_path)
    report = sync_online(center, province.engine)
    assert report.failed == []
    assert dump(center) == dump(clean_center)
    assert dump(province.engine) == dump(clean_province)
    assert _nothing_sent(sync_online(center, province.engine))
    center.dispose()
    clean_center.dispose()
    clean_province.dispose()


def _copy(center: Engine, province: Province, tmp_path: Path) -> tuple[Engine, Engine]:
    """A copy of a center's file and of the province's database, for a second run."""
    center_path = Path(make_url(center.url).database)
    with center.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(center_path, tmp_path / "clean-center.db")
    url = make_url(normalize_url(province.url))
    if url.get_backend_name() == "sqlite":
        with province.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(url.database, tmp_path / "clean-province.db")
        copy_url = f"sqlite:///{tmp_path / 'clean-province.db'}"
    else:
        province.engine.dispose()
        name = f"{url.database}_clean"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
        admin.dispose()
        copy_url = url.set(database=name).render_as_string(hide_password=False)
    return make_engine(str(tmp_path / "clean-center.db")), make_engine(copy_url)


@pytest.fixture
def clean_copies(db_url):
    """Drops the copy of the province's database that _copy makes on PostgreSQL."""
    yield
    url = make_url(normalize_url(db_url))
    if url.get_backend_name() == "postgresql":
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f'DROP DATABASE IF EXISTS "{url.database}_clean" WITH (FORCE)'
            )
        admin.dispose()


def _at_revision(path: Path, revision: str) -> Engine:
    engine = make_engine(str(path))
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


def test_a_database_at_another_schema_is_a_clear_refusal(province, centers, tmp_path):
    old = _at_revision(tmp_path / "old.db", "0002")
    for local, remote, where in ((centers["NJF"], old, "remote"), (old, province.engine, "local")):
        with pytest.raises(SyncError) as error:
            sync_online(local, remote)
        assert error.value.reason == "schema_mismatch"
        assert error.value.params == {"where": where, "found": "0002", "needed": head_revision()}
    old.dispose()


def test_a_file_is_synced_only_as_its_own_center_and_from_its_own_side(province, centers, tmp_path):
    with pytest.raises(SyncError) as error:
        sync_online(centers["KHR"], province.engine, center_code="NJF")
    assert (error.value.reason, error.value.params) == (
        "other_center", {"center": "NJF", "here": "KHR"}
    )  # fmt: skip
    with pytest.raises(SyncError) as error:
        sync_online(province.engine, centers["NJF"], center_code="NJF")
    assert (error.value.reason, error.value.params["side"]) == ("wrong_side", "province")
    export_bundle(centers["NJF"], tmp_path / "mine.zip", key=KEY)
    with pytest.raises(SyncError) as error:
        import_bundle(centers["NJF"], tmp_path / "mine.zip", key=KEY)
    assert error.value.reason == "own_bundle"


# -- bundle files ----------------------------------------------------------------------------


def test_bundles_carry_a_sync_both_ways_and_acknowledge_each_other(province, centers, tmp_path):
    center = centers["NJF"]
    world = at(province.worlds["NJF"], center)
    view = register(world, at=NOW)
    out = export_bundle(center, tmp_path / "to-province.zip", key=KEY)
    assert out.side == "center" and out.per_table["tickets"] == 1

    applied = import_bundle(province.engine, tmp_path / "to-province.zip", key=KEY)
    assert applied.applied.failed == [] and applied.applied.written >= 3
    assert _ticket(province.engine, view.ticket.id).tracking_code == view.ticket.tracking_code
    again = import_bundle(province.engine, tmp_path / "to-province.zip", key=KEY)
    assert again.already_applied

    # Until the province's answer arrives, the center sends the same again.
    assert export_bundle(center, tmp_path / "again.zip", key=KEY).per_table["tickets"] == 1
    back = export_bundle(province.engine, tmp_path / "to-center.zip", key=KEY, for_center="NJF")
    assert back.records == 0
    reply = import_bundle(center, tmp_path / "to-center.zip", key=KEY)
    assert reply.acknowledged > 0
    assert export_bundle(center, tmp_path / "empty.zip", key=KEY).records == 0

    # The online sync agrees: nothing left to send.
    assert _nothing_sent(sync_online(center, province.engine))


def test_bundles_that_crossed_record_one_conflict_on_both_sides(province, centers, tmp_path):
    center = centers["NJF"]
    here = at(province.worlds["NJF"], center)
    there = province.worlds["NJF"]
    ticket_id = register(here, at=NOW).ticket.id
    sync_online(center, province.engine)
    _step(center, here.followup, ticket_id, "referred", 10, unit_id=here.units["water_ops"])
    _step(province.engine, there.followup2, ticket_id, "escalated", 15, note="دیر شده")

    up = export_bundle(center, tmp_path / "up.zip", key=KEY)
    down = export_bundle(province.engine, tmp_path / "down.zip", key=KEY, for_center="NJF")
    assert import_bundle(center, tmp_path / "down.zip", key=KEY).applied.conflicts == 1
    assert import_bundle(province.engine, tmp_path / "up.zip", key=KEY).applied.conflicts == 1
    assert up.records and down.records
    export_bundle(center, tmp_path / "up2.zip", key=KEY)
    import_bundle(province.engine, tmp_path / "up2.zip", key=KEY)
    export_bundle(province.engine, tmp_path / "down2.zip", key=KEY, for_center="NJF")
    import_bundle(center, tmp_path / "down2.zip", key=KEY)

    for engine in (center, province.engine):
        actions = [e.action for e in _events(engine, ticket_id)]
        assert actions == ["registered", "referred", "escalated", CONFLICT_ACTION]
        ticket = _ticket(engine, ticket_id)
        assert (ticket.status, ticket.escalation_level) == ("referred", 1)
    assert _events(center, ticket_id)[-1].id == _events(province.engine, ticket_id)[-1].id
    assert _nothing_sent(sync_online(center, province.engine))


def _rewrite(source: Path, target: Path, *, rows=None, manifest=None) -> None:
    with zipfile.ZipFile(source) as z:
        payload, outer = z.read(ROWS), json.loads(z.read(MANIFEST))
    if rows:
        payload = rows(payload)
    if manifest:
        outer = manifest(outer)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(ROWS, payload)
        z.writestr(MANIFEST, canonical(outer))


def _resigned(schema: str):
    def change(outer):
        manifest = dict(outer["manifest"], schema=schema)
        return {"manifest": manifest, "hmac_sha256": _sign(KEY, manifest)}

    return change


DAMAGES = {
    "rows": "tampered",
    "manifest": "tampered",
    "key": "tampered",
    "truncated": "truncated",
    "garbage": "not_a_bundle",
    "schema": "schema_mismatch",
}


def _damaged(good: Path, bad: Path, damage: str) -> bytes:
    """``bad``: ``good`` damaged one way; returns the key to import it with."""
    if damage == "rows":
        _rewrite(good, bad, rows=lambda p: p.replace("علی".encode(), "غلی".encode(), 1))
    elif damage == "manifest":
        _rewrite(good, bad, manifest=lambda o: {**o, "manifest": {**o["manifest"], "counts": {}}})
    elif damage == "key":
        shutil.copy(good, bad)
        return b"somebody else's key, long enough"
    elif damage == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif damage == "garbage":
        bad.write_text("not a bundle at all")
    else:
        _rewrite(good, bad, manifest=_resigned("0002"))
    return KEY


def test_a_damaged_or_foreign_bundle_is_refused_whole(province, centers, tmp_path):
    register(at(province.worlds["NJF"], centers["NJF"]), at=NOW)
    good = tmp_path / "good.zip"
    export_bundle(centers["NJF"], good, key=KEY)
    before = dump(province.engine)
    for damage, reason in DAMAGES.items():
        bad = tmp_path / f"{damage}.zip"
        key = _damaged(good, bad, damage)
        with pytest.raises(SyncError) as error:
            import_bundle(province.engine, bad, key=key)
        assert error.value.reason == reason, damage
    assert dump(province.engine) == before
    assert import_bundle(province.engine, good, key=KEY).applied.failed == []


# -- the replay rule -------------------------------------------------------------------------


def test_replaying_a_history_gives_the_state_the_desk_reached(province):
    """On one database, with no conflict, the replayed history is the request's own state."""
    world = province.worlds["NJF"]
    engine = province.engine
    ticket_id = register(world, "bill_dispute", at=NOW + timedelta(minutes=1)).ticket.id
    child = register(world, "bill_dispute", at=NOW + timedelta(minutes=2)).ticket.id
    _step(engine, world.followup, child, "linked", 5, parent_id=ticket_id)
    steps = [
        ("referred", {"unit_id": world.units["billing"]}),
        ("paused", {"note": "مشترک در منزل نیست"}),
        ("resumed", {}),
        ("started", {}),
        ("escalated", {"note": "دیر شده"}),
        ("answered", {"note": "قبض اصلاح شد"}),
        ("rejected", {"note": "پاسخ کامل نیست"}),
        ("referred", {"unit_id": world.units["billing"]}),
        ("answered", {"note": "قبض اصلاح و پیامک شد"}),
        ("accepted", {}),
        ("closed", {"via": "in_person"}),
        ("reopened", {"note": "مشکل هنوز هست"}),
    ]
    for minute, (action, kw) in enumerate(steps, start=10):
        _step(engine, world.followup, ticket_id, action, minute * 7, **kw)
    for request in (ticket_id, child):
        ticket = _ticket(engine, request)
        result = replay(e.model_dump() for e in _events(engine, request))
        assert result.skipped == []
        for field, value in result.fields().items():
            assert getattr(ticket, field) == value, (request, field)
    assert _ticket(engine, child).status == "closed"
    assert result.unknown == {"resolved_at"}
    assert _ticket(engine, ticket_id).kind == "complaint"


def test_replay_skips_a_step_the_lifecycle_refuses_and_a_repeated_escalation():
    base = NOW
    ticket = uuid.uuid4()

    def event(minutes, action, from_status, to_status, **data):
        return {
            "id": uuid.uuid4(), "ticket_id": ticket, "at": base + timedelta(minutes=minutes),
            "action": action, "from_status": from_status, "to_status": to_status,
            "unit_id": None, "data": data,
        }  # fmt: skip

    history = [
        event(0, "registered", None, "registered"),
        event(5, "escalated", "registered", "registered", level=1),  # the center's SLA tick
        event(6, "escalated", "registered", "registered", level=1),  # the province's
        event(7, "cancelled", "registered", "cancelled", reason="invalid"),
        event(9, "paused", "registered", "pending_subscriber"),
    ]
    result = replay(reversed(history))
    assert result.status == "cancelled"
    assert result.escalation_level == 1
    assert [s["action"] for s in result.skipped] == ["escalated", "paused"]
