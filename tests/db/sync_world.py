"""A province and its rural centers, for sync tests.

The province's database (PostgreSQL in CI, or SQLite) holds the provincial center ISF and two
rural centers, Najafabad (NJF, number 132) and Khansar (KHR, 133), each with the small world of
tests/db/world.py (units, calendars, categories, two subscribers, people in every role). A
rural center starts with an empty migrated SQLite file and gets its data by a first sync, as a
new computer at a rural center would.
"""

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db.engine import make_engine
from db.sync.codec import encode_row, key_of
from db.sync.specs import SPECS

from .world import World, add_center, build_world

RURAL = {"NJF": 132, "KHR": 133}


@dataclasses.dataclass
class Province:
    engine: Engine
    url: str
    worlds: dict[str, World]


def build_province(url: str) -> Province:
    engine = make_engine(url)
    add_center(engine, "ISF", 131)
    worlds = {}
    for code, number in RURAL.items():
        center_id = add_center(engine, code, number)
        worlds[code] = build_world(engine, center_id, prefix=f"{code.lower()}_")
    return Province(engine=engine, url=url, worlds=worlds)


def new_center_file(template: Path, path: Path) -> Engine:
    """An empty, migrated SQLite file for a rural center."""
    shutil.copy(template, path)
    return make_engine(str(path))


def at(world: World, engine: Engine) -> World:
    """The same center's world, on another database."""
    return dataclasses.replace(world, engine=engine)


SYNCED_TABLES = [
    table for spec in SPECS for table in (spec.root, *(child.table for child in spec.children))
]


def dump(engine: Engine, *, ledger: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Every synced row (and the ledger), in JSON form and a stable order."""
    tables = list(SYNCED_TABLES)
    if ledger:
        from db.models.sync import SyncRow

        tables.append(SyncRow.__table__)
    out = {}
    with engine.connect() as connection:
        for table in tables:
            rows = [encode_row(table, r) for r in connection.execute(sa.select(table)).mappings()]
            rows.sort(key=lambda r, t=table: key_of(t, r))
            out[table.name] = rows
    return out


def center_rows(engine: Engine, center_id) -> dict[str, list[dict[str, Any]]]:
    """The rows of one center in every synced table that has a center_id."""
    data = dump(engine, ledger=False)
    return {
        name: [r for r in rows if r.get("center_id") == str(center_id)]
        for name, rows in data.items()
        if rows and "center_id" in rows[0]
    }
