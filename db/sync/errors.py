"""The one exception of sync: a refused sync with a stable ``reason`` the console translates."""

from typing import Any


class SyncError(Exception):
    """A sync, export or import that cannot go on. ``reason`` is a stable code.

    Reasons (params):

    - schema_mismatch (where: "local" | "remote" | "bundle", found, needed): one side or the
      bundle is at another schema revision than this program;
    - center_required (several or no centers here: name one);
    - unknown_center (code);
    - wrong_side (center, side): this database already syncs that center from the other side
      (a center's own file used as a province, or the reverse);
    - other_center (center, here): a bundle or sync for another center than this file's own;
    - no_key: no signing key (ABFA_DESK_SYNC_KEY) / key_too_short (minimum);
    - not_a_bundle: the file is not a sync bundle (or is truncated beyond recognition);
    - truncated: the bundle ends early;
    - tampered: the signature or the content's digest does not match (changed, or signed
      with another key);
    - own_bundle: a bundle this side wrote, imported back here;
    - unreachable (detail): the province's database cannot be reached.
    """

    def __init__(self, reason: str, message: str = "", **params: Any) -> None:
        self.reason = reason
        self.params = params
        super().__init__(message or (f"{reason}: {params}" if params else reason))
