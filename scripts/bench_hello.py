"""The bare app scripts/bench.py measures the console against: Textual's "hello world" with an
Input that takes the same keys. Run on its own (``python scripts/bench_hello.py``) it is what
the start-up and wire figures start, exactly as the console is started."""

from textual.app import App, ComposeResult
from textual.widgets import Input, Static


class HelloApp(App[None]):
    """A label and one focused Input; Ctrl+Q quits, as in the console (which has no command
    palette either, so Ctrl+P reaches the Input)."""

    ENABLE_COMMAND_PALETTE = False

    def compose(self) -> ComposeResult:
        yield Static("Hello, world")
        yield Input(placeholder="type here", id="field")

    def on_mount(self) -> None:
        self.query_one(Input).focus()


if __name__ == "__main__":
    HelloApp().run()
