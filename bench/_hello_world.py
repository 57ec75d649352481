"""The launch benchmark's baseline (bench/launch.py): a hello-world Textual app, a Static and a
Footer, as small as a Textual app gets. Run as a script by the same Python as the board."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static

GREETING = "Hello, world"


class HelloWorld(App):
    def compose(self) -> ComposeResult:
        yield Static(GREETING)
        yield Footer()


if __name__ == "__main__":
    HelloWorld().run()
