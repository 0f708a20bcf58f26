"""The sign-in form is drawn before the database libraries, the main screen or Alembic load.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from db.engine import make_engine
from db.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]

# What the sign-in form must not wait for: each takes a noticeable part of a second to import.
HEAVY = [
    "alembic",
    "argon2",
    "console.messages",
    "console.screens.main",
    "db.accounts",
    "db.demo.build",
    "db.models",
    "sqlalchemy",
    "sqlmodel",
]

# The schema check at start-up compares two revision strings; Alembic is for upgrading.
SCHEMA_CHECK = """
import json, sys
from db.engine import make_engine
from db.migrate import ensure_current
assert ensure_current(make_engine(sys.argv[1]), auto_upgrade=False).up_to_date
print(json.dumps(sorted(set(sys.argv[2:]) & set(sys.modules))))
"""

IMPORTS = """
import json, sys
import console.app, console.cli
print(json.dumps(sorted(set(sys.argv[1:]) & set(sys.modules))))
"""

# The app as the command starts it, headless: its way of opening the database records what was
# loaded when it was called, which is once the sign-in form has been drawn.
FIRST_FRAME = """
import asyncio, json, sys
from console.app import DeskApp
from console.screens.login import SignInScreen
from console.settings import load_settings
from db.engine import DatabaseError

loaded = {}

def open_engine():
    loaded["modules"] = sorted(set(sys.argv[1:]) & set(sys.modules))
    raise DatabaseError("not opened in this check")

async def main():
    app = DeskApp(open_engine=open_engine, settings=load_settings(db=sys.argv[0], lang="en"))
    async with app.run_test(size=(80, 24)):
        assert isinstance(app.screen, SignInScreen)
        for _ in range(1000):
            if app.startup_error is not None:
                break
            await asyncio.sleep(0.01)
    assert app.startup_error == "not opened in this check", app.startup_error

asyncio.run(main())
print(json.dumps(loaded["modules"]))
"""


def loaded_after(script: str, tmp_path: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABFA_DESK_")}
    env["ABFA_DESK_SETTINGS"] = str(tmp_path / "none.toml")
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "desk.db"), *HEAVY],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_command_and_the_app_import_no_database_library(tmp_path):
    assert loaded_after(IMPORTS, tmp_path) == []


def test_the_sign_in_form_is_drawn_before_the_database_libraries_load(tmp_path):
    assert loaded_after(FIRST_FRAME, tmp_path) == []


def test_the_schema_check_at_start_up_does_not_load_alembic(tmp_path):
    engine = make_engine(str(tmp_path / "desk.db"))
    upgrade(engine)
    engine.dispose()
    assert "alembic" not in loaded_after(SCHEMA_CHECK, tmp_path)
