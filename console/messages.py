"""Messages between screens and the app, as small documented dataclasses.

A screen's own events (a worker's result, a widget's change) are nested classes on that screen or
widget; what crosses from one screen to the app's navigation lives here. Payloads are plain,
frozen data (`db/` views), never ORM objects.
"""

import uuid
from dataclasses import dataclass

from textual.message import Message

from db.accounts import AgentView
from db.views import CallView

__all__ = [
    "CallSaved",
    "OpenRequest",
    "ShowChaseBoard",
    "ShowQueue",
    "SignOutRequested",
    "SignedIn",
]


@dataclass
class SignedIn(Message):
    """An agent's password was accepted: the app opens the main screen for them.

    Posted by the sign-in screen; handled by `DeskApp.on_signed_in`.
    """

    agent: AgentView


@dataclass
class SignOutRequested(Message):
    """The signed-in agent asked to sign out: the app returns to the sign-in screen.

    Posted by the main screen; handled by `DeskApp.on_sign_out_requested`.
    """


@dataclass
class CallSaved(Message):
    """The intake panel saved a call with its outcome (and, when registered, a request).

    Posted by `console.screens.intake.IntakePanel` after the database committed it; it bubbles
    to the app, where live counters (calls today, handle time) can listen. `tracking_code` is
    set when a request was registered.
    """

    call: CallView
    tracking_code: str | None = None


@dataclass
class OpenRequest(Message):
    """Open one request's detail (the queue's Enter, Take next, the chase board's Enter).

    Handled by `console.screens.followup.FollowupPanel`, which pushes the request screen and
    reads its lists again when the screen closes.
    """

    ticket_id: uuid.UUID


@dataclass
class ShowChaseBoard(Message):
    """Follow-up mode: switch from the queue to the chase board."""


@dataclass
class ShowQueue(Message):
    """Follow-up mode: switch from the chase board back to the queue."""
