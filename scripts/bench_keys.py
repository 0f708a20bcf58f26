"""Key latency: from a key press to the updated screen, in the real console under Pilot.

Each app runs headless at 80x24 (``App.run_test``). A key is sent as Pilot sends it (a Key
event to the driver), but timed without Pilot's own idle waits (40 ms or more a key): the clock
stops at the last frame the key caused, once every worker it started (the lookup, the queue
page, the request's detail...) has finished and no frame has followed for ``QUIET`` seconds. A
frame is timed where Textual composes it, and it is also turned into the terminal's escape codes
(``render_segments``), which headless mode skips, so the frame costs what it costs on a terminal.

Each console's agent ("rural": desk agent and follow-up) types the number of its own demo's last
caller who is a subscriber (bench_queries.screen_inputs), so each card shows what that caller's
history holds. The bare app (scripts/bench_hello.py: one Input) takes the same keys. The console
runs with ``poll_seconds`` and ``tick_seconds`` out of the way, so a background poll never lands
in a key's window (what polls cost is the wire part's idle figure). The first round of each app
warms it up (imports of screens opened once a session, caches) and is not counted.
"""

import asyncio
import os
import time
import unicodedata
from typing import Any

from bench_common import Figure, fmt, log, median, percentile, ratio
from bench_hello import HelloApp
from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

SIZE = (80, 24)
QUIET = 0.06
"""Seconds with no frame and no worker after which a key's reaction is over (3-4 frames)."""
FRAME_MS = 16.0
TIMEOUT = 20.0

#: What an agent does, in order, each round: (action, keys). The phone is typed key by key.
ACTIONS = (
    ("type a phone number (per key)", None),
    ("open the caller card (Enter)", "enter"),
    ("switch mode (F3 follow-up)", "f3"),
    ("next queue page (Ctrl+P)", "ctrl+p"),
    ("first queue page (Ctrl+B)", "ctrl+b"),
    ("open a request (Enter)", "enter"),
    ("back to the queue (Esc)", "escape"),
    ("switch mode (F2 intake)", "f2"),
)


class FrameClock:
    """Times every frame an app composes, and serialises it as a terminal driver would."""

    def __init__(self, app: App) -> None:
        self.times: list[float] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            self.times.append(time.perf_counter())
            original(screen, renderable)

        app._display = display  # type: ignore[method-assign]


def _key_event(app: App, key: str) -> events.Key:
    """The Key event Pilot.press sends (textual/app.py App._press_keys)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    return event


async def react(app: App, frames: FrameClock, key: str) -> tuple[float, float]:
    """Seconds from sending ``key`` to the first and to the last frame it caused (0 if it
    changed nothing): the first answer on screen, and the screen complete."""
    seen = len(frames.times)
    began = time.perf_counter()
    assert app._driver is not None
    app._driver.send_message(_key_event(app, key))
    last = began
    while True:
        await asyncio.sleep(0.004)
        now = time.perf_counter()
        if now - began > TIMEOUT:
            busy = [w.name for w in app.workers if not w.is_finished]
            raise RuntimeError(f"{key!r} still busy after {TIMEOUT} s: workers {busy}")
        if any(not w.is_finished for w in app.workers):
            last = now
            continue
        if len(frames.times) > seen:
            last = max(last, frames.times[-1])
        if now - last >= QUIET:
            break
    if len(frames.times) == seen:
        return 0.0, 0.0
    return frames.times[seen] - began, frames.times[-1] - began


async def settle(app: App, seconds: float = 0.0) -> None:
    """Wait for workers, and for timers a key set (the lookup's and the draft's) to fire."""
    await asyncio.sleep(seconds)
    while any(not w.is_finished for w in app.workers):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)


class Player:
    """One app, played one round of :data:`ACTIONS` at a time."""

    name: str
    app: App

    async def start(self, stack: Any) -> None:
        await stack.enter_async_context(self.app.run_test(size=SIZE))
        self.frames = FrameClock(self.app)
        await settle(self.app, 0.2)

    async def before_round(self) -> None: ...

    phone: str = "09130000000"
    """What this app's agent types: the last caller of its own demo (see bench_queries)."""

    async def round(self, samples: dict[str, list[tuple[float, float]]]) -> None:
        await self.before_round()
        for digit in self.phone:
            samples.setdefault(ACTIONS[0][0], []).append(await react(self.app, self.frames, digit))
        for action, key in ACTIONS[1:]:
            assert key is not None
            samples.setdefault(action, []).append(await react(self.app, self.frames, key))
            # Let the timers the key set (draft save 0.5 s) fire before the next action.
            await settle(self.app, 0.6)


class BarePlayer(Player):
    def __init__(self) -> None:
        self.name = "bare"
        self.app = HelloApp()

    async def before_round(self) -> None:
        from textual.widgets import Input

        field = self.app.screen.query_one(Input)
        field.value = ""
        field.focus()
        await settle(self.app)


class DeskPlayer(Player):
    def __init__(self, demo: Any, lang: str) -> None:
        from console.app import DeskApp
        from console.settings import Settings
        from db.engine import make_engine

        self.name = demo.label
        self.demo = demo
        self.phone = _phone(demo)
        settings = Settings(db=demo.url, lang=lang, bidi="app", poll_seconds=3600, tick_seconds=0)
        self.engine = make_engine(demo.url)
        now = demo.now
        self.app = DeskApp(engine=self.engine, settings=settings, clock=lambda: now)

    async def start(self, stack: Any) -> None:
        from console.screens.main import MainScreen
        from console.widgets.fields import FormInput
        from db.demo import demo_password

        await super().start(stack)
        screen = self.app.screen
        screen.query_one("#username", FormInput).value = "rural"
        screen.query_one("#password", FormInput).value = demo_password("rural")
        screen.query_one("#password", FormInput).focus()
        await settle(self.app)
        await react(self.app, self.frames, "enter")
        for _ in range(100):  # argon2 on a busy machine: up to ten seconds
            if isinstance(self.app.screen, MainScreen):
                break
            await settle(self.app, 0.1)
        else:
            message = screen.query_one("#sign-in-message").text  # type: ignore[attr-defined]
            raise RuntimeError(f"could not sign in as rural: {message}")

    async def before_round(self) -> None:
        from console.screens.main import MainScreen
        from console.widgets.fields import FormInput

        for _ in range(5):
            if isinstance(self.app.screen, MainScreen):
                break
            # A request's screen: Esc. The offer of a half-typed call (after a sign-in on a
            # database where one was left): Ctrl+D discards it.
            screen = type(self.app.screen).__name__
            await react(self.app, self.frames, "ctrl+d" if "Draft" in screen else "escape")
            await settle(self.app, 0.2)
        main = self.app.screen
        if not isinstance(main, MainScreen):
            raise RuntimeError(f"stuck on {type(main).__name__}")
        if main.mode != "intake":
            await react(self.app, self.frames, "f2")
        field = main.query_one("#intake-query", FormInput)
        field.value = ""
        field.focus()
        await settle(self.app, 0.6)


def _phone(demo: Any) -> str:
    from bench_queries import screen_inputs
    from sqlmodel import Session

    from db.engine import make_engine

    engine = make_engine(demo.url)
    with Session(engine) as s:
        phone = screen_inputs(s, demo.now).phone
    engine.dispose()
    return phone


Samples = dict[str, dict[str, list[tuple[float, float]]]]
"""Per app, per action: (first frame, last frame) seconds of each key press."""


async def _play(players: list[Player], rounds: int) -> Samples:
    from contextlib import AsyncExitStack

    samples: Samples = {p.name: {} for p in players}
    async with AsyncExitStack() as stack:
        for player in players:
            await player.start(stack)
        for r in range(rounds + 1):  # round 0 warms up
            order = players if r % 2 == 0 else list(reversed(players))
            for player in order:
                into: dict[str, list[tuple[float, float]]] = {} if r == 0 else samples[player.name]
                await player.round(into)
            log(f"keys: round {r}/{rounds} done")
    return samples


def measure(demos: list[Any], rounds: int, lang: str = "fa") -> tuple[list[Figure], dict]:
    """p50/p95 per action for the bare app and the console on each demo, rounds interleaved."""
    os.environ.setdefault("TERM", "xterm-256color")
    os.environ.setdefault("COLORTERM", "truecolor")
    players: list[Player] = [BarePlayer(), *(DeskPlayer(d, lang) for d in demos)]
    samples = asyncio.run(_play(players, rounds))
    for player in players:
        if isinstance(player, DeskPlayer):
            player.engine.dispose()
    raw = {
        app: {action: [[f * 1000, x * 1000] for f, x in xs] for action, xs in by.items()}
        for app, by in samples.items()
    }
    return _figures(samples, [d.label for d in demos]), {"samples_ms_first_last": raw}


def _stats(xs: list[tuple[float, float]]) -> dict[str, float]:
    first = [f * 1000 for f, _ in xs]
    last = [x * 1000 for _, x in xs]
    return {
        "p50": median(last),
        "p95": percentile(last, 0.95),
        "first_p50": median(first),
        "first_p95": percentile(first, 0.95),
        "n": len(xs),
    }


def _figures(samples: Samples, labels: list[str]) -> list[Figure]:
    figures = []
    for action, _key in ACTIONS:
        values: dict[str, Any] = {"bare": _stats(samples["bare"][action])}
        bare = values["bare"]
        parts = [f"bare {fmt(bare['p50'])}/{fmt(bare['p95'])}"]
        ok = True
        for label in labels:
            v = values[label] = _stats(samples[label][action])
            parts.append(
                f"{label} {fmt(v['p50'])}/{fmt(v['p95'])} (first frame p95 {fmt(v['first_p95'])})"
            )
            ok = ok and v["p95"] - bare["p95"] <= FRAME_MS
        goal = "p95 <= bare + 16 ms"
        if len(labels) > 1:
            growth = ratio(values[labels[-1]]["p95"], values[labels[0]]["p95"])
            values["big_over_small_p95"] = growth
            parts.append(f"big/small {fmt(growth, 2)}")
            goal += "; big/small <= 1.2"
            ok = ok and growth <= 1.2
        figures.append(Figure("keys", action, "ms p50/p95: " + ", ".join(parts), goal, ok, values))
    return figures
