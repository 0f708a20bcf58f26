"""Form fields whose Enter belongs to the form, not to the field."""

from textual.widgets import Input

__all__ = ["FormInput"]


class FormInput(Input):
    """An `Input` without its own Enter binding: Enter runs the screen's key (e.g. `sign_in`).

    A priority binding on the screen would also catch Enter, but ahead of the characters typed
    just before it (they are still queued in the field), so a fast typist or a paste would submit
    a half-typed form. A plain screen binding sees Enter only after the field has taken them.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._bindings.key_to_bindings.pop("enter", None)
