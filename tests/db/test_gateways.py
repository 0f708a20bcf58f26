"""Gateways against a real HTTP server started by the test: a provider that answers, one that
times out after taking the message, one that answers 500, refuses a number, or is not there;
delivery reports read back; and a sender killed while the provider holds its request. Nothing
lost, nothing delivered twice, on SQLite and PostgreSQL."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import col, select

from db import notices
from db.engine import session
from db.models import Center, CenterSetting, OutboxMessage, utcnow
from db.notices import FileGateway, HttpGateway, NoticeError, OutgoingMessage

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "secret-test-key"
KEY_ENV = "ABFA_TEST_SMS_KEY"


class Provider:
    """A fake SMS provider that dedupes by idempotency key, as a good one does.

    ``script`` lists how to treat the next requests: "ok"; "slow" (take the message, then
    answer too late); "hang" (take it and answer much later); "500"; "400"; "401".
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.script: list[str] = []
        self.delivered: dict[str, dict] = {}  # key -> message, once each
        self.requests: list[tuple[str, str]] = []  # (key, behaviour)
        self.headers: list[dict[str, str]] = []
        self.reports: dict[str, dict] = {}
        self.slow_seconds = 1.0

    def next(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def take(self, key: str, message: dict) -> bool:
        with self.lock:
            if key in self.delivered:
                return False
            self.delivered[key] = message
            return True


def make_handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path == "/reports":
                found = [
                    {"id": key, **provider.reports[key]}
                    for key in body.get("ids", [])
                    if key in provider.reports
                ]
                return self.answer(200, {"reports": found})
            key = self.headers.get("Idempotency-Key", "")
            provider.headers.append(dict(self.headers))
            behaviour = provider.next()
            provider.requests.append((key, behaviour))
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                return self.answer(401, {"error": "bad key"})
            if behaviour == "500":
                return self.answer(500, {"error": "busy"})
            if behaviour == "400":
                return self.answer(400, {"error": "invalid number"})
            new = provider.take(key, body)
            if behaviour in ("slow", "hang"):
                time.sleep(provider.slow_seconds if behaviour == "slow" else 30)
            self.answer(200, {"id": f"PRV-{key[:8]}", "duplicate": not new})

    return Handler


@pytest.fixture
def provider():
    p = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(p))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    p.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield p
    server.shutdown()
    server.server_close()


def message(key="0190a1b2-0000-7000-8000-000000000001", to="09121111111"):
    return OutgoingMessage(key, "sms", to, "آب منطقه ۱ وصل شد.")


# -- the gateway alone -----------------------------------------------------------------------


def test_http_gateway_sends_with_the_key_and_the_api_key(provider):
    gw = HttpGateway(provider.url + "/sms", api_key=API_KEY, timeout=2, sender="3000122")
    result = gw.send(message())
    assert (result.outcome, result.provider_ref, result.duplicate) == (
        "accepted",
        "PRV-0190a1b2",
        False,
    )
    [taken] = provider.delivered.values()
    assert taken == {"id": message().key, "to": "09121111111", "text": "آب منطقه ۱ وصل شد.",
                     "from": "3000122"}  # fmt: skip
    assert provider.headers[0]["Idempotency-Key"] == message().key
    assert gw.send(message()).duplicate  # the provider already had it


def test_http_gateway_failures_are_retried_or_refused(provider, monkeypatch):
    gw = HttpGateway(provider.url + "/sms", api_key=API_KEY, timeout=0.3)
    provider.script = ["500", "400", "slow"]
    assert (gw.send(message()).outcome, gw.send(message()).outcome) == ("retry", "rejected")
    slow = gw.send(message())
    assert (slow.outcome, slow.error) == ("retry", "timeout")
    assert len(provider.delivered) == 1  # it took the message all the same
    assert gw.send(message()).duplicate
    wrong_key = HttpGateway(provider.url + "/sms", api_key="wrong", timeout=2).send(message())
    assert (wrong_key.outcome, wrong_key.error) == ("retry", "bad key")
    gone = HttpGateway("http://127.0.0.1:9/sms", api_key=API_KEY, timeout=2).send(message())
    assert gone.outcome == "retry" and gone.error.startswith("unreachable")


def test_delivery_reports_are_read_back(provider):
    gw = HttpGateway(provider.url + "/sms", api_key=API_KEY, reports_url=provider.url + "/reports")
    provider.reports = {
        "a": {"status": "delivered", "at": "2026-11-18T07:00:00+00:00"},
        "b": {"status": "failed", "reason": "absent subscriber"},
        "c": {"status": "weird"},
    }
    reports = {r.key: r for r in gw.reports(["a", "b", "c", "d"])}
    assert set(reports) == {"a", "b"}
    assert reports["a"].at.isoformat() == "2026-11-18T07:00:00+00:00"
    assert (reports["b"].status, reports["b"].reason) == ("failed", "absent subscriber")
    assert (
        HttpGateway("http://127.0.0.1:9/sms", reports_url="http://127.0.0.1:9/r").reports(["a"])
        == []
    )


def test_file_gateway_writes_each_message_once(tmp_path):
    gw = FileGateway(tmp_path / "spool")
    first, again = gw.send(message()), gw.send(message())
    assert (first.outcome, first.duplicate, again.duplicate) == ("accepted", False, True)
    assert [p.name for p in (tmp_path / "spool").iterdir()] == [f"{message().key}.json"]
    (tmp_path / "spool" / "reports").mkdir()
    (tmp_path / "spool" / "reports" / f"{message().key}.json").write_text('{"status": "delivered"}')
    [report] = gw.reports([message().key, "other"])
    assert report.status == "delivered"


def test_gateway_settings(monkeypatch):
    cfg = notices.settings.gateway_config
    assert notices.make_gateway(cfg(None)).kind == "file"
    with pytest.raises(NoticeError) as error:
        notices.make_gateway(cfg({"kind": "http", "url": "http://x/sms"}), environ={})
    assert "ABFA_DESK_SMS_API_KEY" in error.value.params["detail"]
    gw = notices.make_gateway(
        cfg({"kind": "http", "url": "http://x/sms", "api_key_env": KEY_ENV, "timeout": 3}),
        environ={KEY_ENV: API_KEY},
    )
    assert (gw.kind, gw.timeout) == ("http", 3.0)
    for bad in ({"kind": "carrier-pigeon"}, {"kind": "http", "url": "ftp://x"}, "file",
                {"kind": "http", "url": "http://x", "timeout": 0}):  # fmt: skip
        with pytest.raises(NoticeError) as error:
            notices.make_gateway(cfg(bad), environ={KEY_ENV: API_KEY})
        assert error.value.reason == "gateway_config"


# -- through the outbox, on both engines -----------------------------------------------------


def configure(engine, center_id, provider, *, timeout=0.5, lease=None):
    with session(engine) as s:
        s.add(CenterSetting(center_id=center_id, key="notices.gateway", value={
            "kind": "http", "url": provider.url + "/sms", "reports_url": provider.url + "/reports",
            "api_key_env": KEY_ENV, "timeout": timeout,
        }))  # fmt: skip
        s.add(CenterSetting(center_id=center_id, key="notices.retry",
                            value={"max_attempts": 5, "backoff_seconds": [60]}))  # fmt: skip
        if lease:
            s.add(CenterSetting(center_id=center_id, key="notices.lease_seconds", value=lease))


def queue(engine, center_id, *phones, now):
    with session(engine) as s:
        notices.queue_messages(
            s, center_id, [notices.NewMessage(p, f"آب وصل شد {p}", f"t:{p}") for p in phones],
            now=now,
        )  # fmt: skip


def outbox(engine) -> list[OutboxMessage]:
    with session(engine, write=False) as s:
        return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.recipient))).all())


def test_timeouts_and_500s_lose_nothing_and_duplicate_nothing(engine, center_id, provider):
    configure(engine, center_id, provider)
    env = {KEY_ENV: API_KEY}
    now = utcnow()
    queue(engine, center_id, "09121111111", "09122222222", "09123333333", now=now)
    provider.script = ["slow", "500", "ok"]
    report = notices.send_outbox(engine, now=now, environ=env)
    assert (report.claimed, report.sent, report.retried) == (3, 1, 2)
    assert len(provider.delivered) == 2  # the slow one was taken; the 500 was not
    errors = sorted(m.last_error for m in outbox(engine) if m.status == "queued")
    assert errors == ["busy", "timeout"]

    assert notices.send_outbox(engine, now=now + timedelta(seconds=30), environ=env).claimed == 0
    report = notices.send_outbox(engine, now=now + timedelta(seconds=61), environ=env)
    assert (report.claimed, report.sent, report.duplicates) == (2, 2, 1)
    messages = outbox(engine)
    assert {m.status for m in messages} == {"sent"}
    assert set(provider.delivered) == {str(m.id) for m in messages}
    assert {m.provider_ref for m in messages} == {f"PRV-{str(m.id)[:8]}" for m in messages}
    taken = [key for key, behaviour in provider.requests if behaviour != "500"]
    assert len(taken) == 4 and len(set(taken)) == 3  # one resend, with the same key

    provider.reports = {str(messages[0].id): {"status": "delivered"},
                        str(messages[1].id): {"status": "failed", "reason": "absent"}}  # fmt: skip
    report = notices.send_outbox(engine, now=now + timedelta(seconds=90), environ=env)
    assert (report.delivered, report.delivery_failed) == (1, 1)
    assert [m.status for m in outbox(engine)] == ["delivered", "failed", "sent"]


def test_a_refused_number_fails_at_once_with_the_providers_reason(engine, center_id, provider):
    configure(engine, center_id, provider)
    queue(engine, center_id, "09121111111", now=utcnow())
    provider.script = ["400"]
    report = notices.send_outbox(engine, environ={KEY_ENV: API_KEY})
    assert report.failed == 1
    [m] = outbox(engine)
    assert (m.status, m.last_error, m.attempts) == ("failed", "invalid number", 1)


def test_a_misconfigured_center_sends_nothing_and_says_why(engine, center_id, provider):
    configure(engine, center_id, provider)
    queue(engine, center_id, "09121111111", now=utcnow())
    report = notices.send_outbox(engine, environ={})
    assert report.claimed == 0
    problem = f"environment variable {KEY_ENV} is not set"
    assert report.errors == ((center_id, "gateway_config", problem),)
    [m] = outbox(engine)
    assert (m.status, m.attempts) == ("queued", 0)


CHILD = textwrap.dedent(
    """
    import sys
    from db.engine import make_engine
    from db.notices import send_outbox

    send_outbox(make_engine(sys.argv[1]))
    """
)


def test_a_sender_killed_while_the_provider_holds_its_request(
    engine, db_url, center_id, provider, tmp_path
):
    configure(engine, center_id, provider, timeout=60, lease=20)
    queue(engine, center_id, "09121111111", now=utcnow() - timedelta(seconds=1))
    provider.script = ["hang"]
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{KEY_ENV: API_KEY})
    child = subprocess.Popen([sys.executable, str(script), db_url], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while not provider.delivered:
            assert child.poll() is None, "the sender died before sending"
            assert time.monotonic() < deadline, "the sender never sent"
            time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    [m] = outbox(engine)
    assert (m.status, m.attempts) == ("sending", 1)

    report = notices.send_outbox(engine, now=utcnow() + timedelta(seconds=21),
                                 environ={KEY_ENV: API_KEY})  # fmt: skip
    assert (report.sent, report.duplicates) == (1, 1)
    [m] = outbox(engine)
    assert (m.status, m.attempts) == ("sent", 2)
    assert list(provider.delivered) == [str(m.id)]
    assert [key for key, _ in provider.requests] == [str(m.id)] * 2


def test_each_center_uses_its_own_gateway(engine, center_id, provider, tmp_path):
    configure(engine, center_id, provider)
    with session(engine) as s:
        other = Center(code="KSH", number=132, name_fa="کاشان", name_en="Kashan")
        s.add(other)
        s.flush()
        spool = {"kind": "file", "spool_dir": str(tmp_path / "ksh")}
        s.add(CenterSetting(center_id=other.id, key="notices.gateway", value=spool))
    now = utcnow()
    queue(engine, center_id, "09121111111", now=now)
    queue(engine, other.id, "09122222222", now=now)
    report = notices.send_outbox(engine, environ={KEY_ENV: API_KEY})
    assert report.sent == 2
    by_phone = {m.recipient: m for m in outbox(engine)}
    assert list(provider.delivered) == [str(by_phone["09121111111"].id)]
    assert [p.stem for p in (tmp_path / "ksh").glob("*.json")] == [str(by_phone["09122222222"].id)]
