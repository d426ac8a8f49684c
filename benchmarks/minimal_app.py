"""The baseline for first-paint timing: the smallest Textual app that paints a word."""

from textual.app import App
from textual.widgets import Static


class Minimal(App):
    def compose(self):
        yield Static("minimal-ready")


if __name__ == "__main__":
    Minimal().run()
