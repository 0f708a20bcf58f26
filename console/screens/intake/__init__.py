"""Intake (unit a): take a call, find the caller, pick a category, end the call with one key.

The panel the main screen shows for the intake mode. Top to bottom at 80x24:

- the caller row: what the caller gives (a phone in any digit script, a subscription number,
  bill ID, national code, name or tracking code); 300 ms after typing stops, or at Enter, a
  worker runs `db.intake.lookup_caller`;
- the side column (on the left in English, on the right in Persian): the caller card with any
  active incident at the caller's address, or a request's status for a tracking code, or the
  ready answers (F8);
- the form: category (type-ahead), address, district, description, caller's name, notes; the
  category marks which of them it requires, and a repeat caller is offered a link instead of a
  duplicate;
- one line for what just happened (saved, refused, offered).

A call ends with one key (`console.keys`, scope "intake"): answered, registered (the tracking code
is then shown large for read-back), linked to the incident, linked to the open request,
transferred, or dropped. Handle time runs from the first change of the call to the save, on the
app's clock. Every change is kept as a draft a moment later, so a crash, a closed terminal or a
dropped SSH session loses nothing: after the next sign-in the agent is offered to resume it.

No SQL and no rule here: every question goes to `db.intake` in a thread worker with its own
session, and comes back as a message with plain data.

The panel is composed in `panel.py` from one part per concern: `caller.py` (lookup and card),
`form.py` (pickers and fields), `repeat.py` (repeat callers and the link offer), `answers.py`
(F8), `line.py` (F9, call back), `draft.py` with `draft_offer.py` (autosave and resume),
`ending.py` (outcomes, save, refusals); `base.py` holds what they share and `results.py` the
workers' messages.
"""

from console.screens.intake.caller import LOOKUP_DELAY
from console.screens.intake.draft import DRAFT_DELAY, DRAFT_VERSION
from console.screens.intake.draft_offer import DraftOfferScreen
from console.screens.intake.ending import SAVED_WORDS
from console.screens.intake.form import MAX_LENGTHS, TEXT_FIELDS
from console.screens.intake.line import LINES
from console.screens.intake.panel import IntakePanel
from console.screens.intake.repeat import LinkTarget

__all__ = [
    "DRAFT_DELAY",
    "DRAFT_VERSION",
    "LINES",
    "LOOKUP_DELAY",
    "MAX_LENGTHS",
    "SAVED_WORDS",
    "TEXT_FIELDS",
    "DraftOfferScreen",
    "IntakePanel",
    "LinkTarget",
]
