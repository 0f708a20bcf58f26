"""Rural centers offline: a center's SQLite file and the provincial database kept in step.

A small center works for days on its own file. When the link is back (``sync_online``), or
when a file comes on a USB stick (``export_bundle`` / ``import_bundle``), each side sends the
other what it lacks; nothing is lost, nothing is duplicated, and repeating or resuming a sync
ends in the same state as one clean run.

What travels (db/sync/specs.py). A *record* is a root row with its child rows (a request with
its events, a calendar with its hours and holidays, a user with their roles...). Keys are
UUIDs made without coordination, so a record has the same key everywhere.

- The province sends a center its reference data (the center itself, districts, units,
  users and roles, settings, calendars, categories, ready answers, questionnaires, notice
  templates, the subscribers of its area), its tracking sequence, and its *open* requests and
  *active* incidents, plus any record the center already holds when it changes. It adds what
  those refer to and the center lacks (a closed parent request, the province's agent who
  acted on a request).
- A center sends everything of its own: the same tables (its own edits, say a new user),
  and its calls, requests, incidents, callbacks, surveys, campaigns, outbox, replies and
  audit trail. Call drafts stay on the desk that typed them; an outgoing message travels
  once the center has handed it to its gateway (never twice sent by the province's sender).

What changed (db/sync/changes.py): not timestamps (a rural PC's clock may be wrong, several
tables have no ``updated_at``, and child rows get deleted) but digests. Each side keeps a
*ledger* (table ``sync_rows``): per center and record, the SHA-256 digest of the record as the
other side holds it. A record whose digest differs from the ledger, or that the ledger does
not have, is sent; a record in the ledger that is gone here is sent as a deletion. The ledger
is written on the receiving side in the same transaction as the batch it received (the sender
holds what it sent), and on the sending side once the batch is committed over there (online)
or when a bundle back acknowledges the file (offline: until then the entries stay *pending*
and are sent again). So a sync killed at any point resends at most the batch in flight, and a
repeated sync sends nothing. A center's file has an id (``sync_links.node_id``): when the
province meets another file for the same center (a replaced computer), it forgets its ledger
for that center and sends everything again.

How two versions become one (db/sync/apply.py), per record:

- unchanged here since the other side last had it (local digest = ledger digest): the
  incoming version is taken;
- changed on both sides: the later ``updated_at`` wins, then the higher ``version``, then the
  owner's copy (the province owns reference data, the center its own work); child rows
  follow the winner, except append-only ones (events, call attempts), kept from both;
- tracking sequences: the higher number (so a replaced computer never reuses a code); audit
  entries: never changed once written;
- requests: all events of both sides are kept. If one side's events include all the other's,
  its row is taken. If each side has events the other lacks (a *conflict*), the request's
  state is recomputed from the merged history by the rule of db/sync/replay.py: events in
  ``(at, id)`` order, each applied with the lifecycle table of db.followup.states, a step the
  table refuses in that order skipped (kept in the history, changes nothing); the newer row
  gives the fields the history does not decide; ``version`` is the higher plus one. One
  log-only event "sync_conflict" is added, listing the center's and the province's events
  since the last common one and the skipped steps; the follow-up agent sees it in the
  request's timeline. Its id and content depend only on the merged history, so if both sides
  find the same conflict (bundles that crossed) it is recorded once.

Tracking codes cannot collide across centers: a code starts with the center's own number and
each center draws its own sequence (db/tracking.py). Requests of a center must be registered
at that center: the province registers with its own number.

Schema: both databases (and a bundle) must be at this program's schema revision, or the sync
is refused with both revisions named. The bundle file format and its signature are described
in db/sync/bundle.py. Bookkeeping tables: ``sync_links`` (this database's side per center),
``sync_rows`` (the ledger), ``sync_bundles`` (bundles applied here).

``progress(stage, done, total)``: stage is ``"pull:<table>"``, ``"push:<table>"``,
``"export:<table>"`` or ``"import:<table>"`` (``<table>`` is ``scan`` while comparing).
"""

from db.sync.bundle import BundleReport, export_bundle, import_bundle, read_manifest, sync_key
from db.sync.errors import SyncError
from db.sync.online import DEFAULT_BATCH, SyncReport, Transfer, sync_online
from db.sync.replay import CONFLICT_ACTION, Replayed, replay
from db.sync.specs import NOT_SYNCED, SPECS

__all__ = [
    "CONFLICT_ACTION",
    "DEFAULT_BATCH",
    "NOT_SYNCED",
    "SPECS",
    "BundleReport",
    "Replayed",
    "SyncError",
    "SyncReport",
    "Transfer",
    "export_bundle",
    "import_bundle",
    "read_manifest",
    "replay",
    "sync_key",
    "sync_online",
]
