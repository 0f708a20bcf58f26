"""Deterministic, realistic demo data for one city (Isfahan), of any size.

`build_demo(engine, seed=..., subscribers=..., calls=..., now=...)` wipes the database and
fills every table: the center, its districts and units, SLA calendars and the 1405 holidays,
the catalog of `db.catalog_seed`, agents of every role, subscribers with phones, a four-month
history of calls with its requests (every status, consistent event logs, escalations,
duplicates), two incidents, callbacks with surveys, and a notice campaign.

Same (seed, now) gives the same rows, ids included; only the argon2 password hashes differ,
because argon2 salts them. Each module plans one part and writes its rows:

- `context`: the build's seed, clock and random streams; time-stamped ids
- `bulk`: fast chunked writes (`bulk_insert`) and the wipe
- `city`: Isfahan's districts, streets and the center's units
- `catalog`: SLA calendars, holidays, categories, canned answers
- `staff`: the demo accounts and who does which step
- `people`: names, phones and subscribers
- `incidents`: the main break and the planned cut-off
- `calls`: four months of calls
- `tickets`: the requests the calls registered, tracking codes, request rows
- `story`: each request's life as its event log, with callbacks and escalations
- `feedback`: questionnaire, callbacks, attempts and surveys
- `notices`: templates, the cut-off campaign and the SMS outbox
- `build`: `build_demo`, which runs them in order
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from db.demo.build import DemoSummary, build_demo
    from db.demo.bulk import bulk_insert
    from db.demo.city import DEMO_CENTER_CODE
    from db.demo.context import DemoError, uuid7_from
    from db.demo.staff import demo_accounts, demo_password, sign_in_hint

# Each name is imported from its module on first use: the sign-in screen asks for
# `sign_in_hint` and must not wait for the whole builder to load.
_HOMES = {
    "DEMO_CENTER_CODE": "city",
    "DemoError": "context",
    "DemoSummary": "build",
    "build_demo": "build",
    "bulk_insert": "bulk",
    "demo_accounts": "staff",
    "demo_password": "staff",
    "sign_in_hint": "staff",
    "uuid7_from": "context",
}

__all__ = [
    "DEMO_CENTER_CODE",
    "DemoError",
    "DemoSummary",
    "build_demo",
    "bulk_insert",
    "demo_accounts",
    "demo_password",
    "sign_in_hint",
    "uuid7_from",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
