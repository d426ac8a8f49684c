"""The first heatmap, drawn straight to the terminal while Textual starts.

When the command line has opened the file and read the first slice, the heatmap is known,
but importing Textual and mounting the app take about 0.25 s more. In a terminal, the
command line draws that heatmap at once, where the app will draw it: the same view
(``render.grid``), the same box (the app's CSS, below), the same colors and escape
sequences as Textual's renderer (Rich styles rendered for the same color system). The
app's first frame then paints the same cells over it and adds the tree, stats panel and
key hints. Keys typed meanwhile wait, unechoed, in the terminal's input queue for the app.

Drawn only when Textual would draw to a terminal in 256 colors or truecolor (not for
``heatscope serve``, pipes, NO_COLOR or --mono) and the first view is the plain heatmap
(not --follow or --reduce); anything unexpected just skips it, and HEATSCOPE_NO_FIRST_FRAME=1
turns it off.
"""

from __future__ import annotations

import os

from rich.color import Color, ColorSystem
from rich.style import Style
from rich.terminal_theme import TerminalTheme

from heatscope.read.session import Session
from heatscope.render.grid import GridLayout, frame_models, layout_view
from heatscope.render.screen_layout import heatmap_box
from heatscope.views.frame import make_frame
from heatscope.views.panels import overview_target, read_panels
from heatscope.views.resolve import resolve
from heatscope.views.spec import ViewSpec

# The heatmap widget's style: Textual's default (textual-dark) theme; a test checks it.
BASE = Style(color="#e0e0e0", bgcolor="#121212")
# Textual's dark ANSI theme (textual._ansi_theme.MONOKAI; a test checks it).
ANSI_DARK = TerminalTheme(
    (12, 12, 12), (217, 217, 217),
    [(26, 26, 26), (244, 0, 95), (152, 224, 36), (253, 151, 31), (157, 101, 255), (244, 0, 95), (88, 209, 235),
     (196, 197, 181)],
    [(98, 94, 76), (244, 0, 95), (152, 224, 36), (224, 213, 97), (157, 101, 255), (244, 0, 95), (88, 209, 235),
     (246, 246, 239)],
)
_TEXTUAL_OUT, _TEXTUAL_IN = 2, 0  # Textual writes to stderr and reads stdin


def first_layout(session: Session, spec: ViewSpec, screen: tuple[int, int]) -> GridLayout | None:
    """The layout of the view the app opens on, on a ``screen`` of (width, height), from
    slices already read (None when they are not, or the view does not fit its box, or it
    shows more than the heatmap: a profile strip, a metric view still to compute)."""
    _, _, width, height = heatmap_box(*screen)
    state = resolve(session, spec).state
    if state.profile is not None or state.info.reduction is not None or state.info.stack is not None:
        return None
    panels = read_panels(session, state, cached_only=True, target=overview_target(*screen))
    if not panels or width < 1 or height < 1:
        return None
    frame = make_frame(state, panels, None, session.names)
    layout = layout_view(frame_models(frame), state.cursor, width, height, frame.per_row, state.zoom)
    fits = len(layout.lines) <= height and all(sum(s.cell_length for s in line) <= width for line in layout.lines)
    return layout if fits else None


def color_system(environ=os.environ) -> ColorSystem | None:
    """The color system Textual's console will pick (Rich's detection), when the first frame
    can match what Textual draws: truecolor or 256 colors, and the default dark theme."""
    if environ.get("TEXTUAL_COLOR_SYSTEM", "auto") != "auto":
        return None
    if environ.get("TEXTUAL_THEME", "textual-dark") != "textual-dark":  # other backgrounds
        return None
    if environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return ColorSystem.TRUECOLOR
    term = environ.get("TERM", "").strip().lower()
    return ColorSystem.EIGHT_BIT if term.rpartition("-")[2] in ("256color", "kitty") else None


def textual_style(style: Style) -> Style:
    """``style`` as Textual's ANSI-to-truecolor filter passes it to the terminal: ANSI colors
    (notes are yellow) as the dark theme's truecolor, dim text as a color blended toward the
    background (TEXTUAL_DIM_FACTOR, 66 %)."""
    color, bgcolor = style.color, style.bgcolor
    if color is not None and color.triplet is None:
        color = Color.from_triplet(color.get_truecolor(ANSI_DARK, foreground=True))
        style = style + Style(color=color)
    if bgcolor is not None and bgcolor.triplet is None:
        bgcolor = Color.from_triplet(bgcolor.get_truecolor(ANSI_DARK, foreground=False))
        style = style + Style(bgcolor=bgcolor)
    if style.dim and color is not None:
        factor = min(100, max(0, int(os.environ.get("TEXTUAL_DIM_FACTOR", "66")))) / 100
        back = (bgcolor or BASE.bgcolor).triplet
        fore = color.triplet
        blended = Color.from_rgb(*(b + (f - b) * factor for b, f in zip(back, fore)))
        style = style + Style(dim=False) + Style(color=blended)
    return style


def frame_text(layout: GridLayout, box: tuple[int, int, int, int], system: ColorSystem) -> str:
    """Escape sequences that clear the screen to the app's background and draw ``layout``'s
    lines in ``box``, each padded to its width like the heatmap widget's strips."""
    x, y, width, height = box
    marked = BASE.render("\0", color_system=system)
    out = ["\x1b[?2026h\x1b[H", marked[:marked.index("\0")], "\x1b[2J\x1b[0m"]
    for row in range(height):
        out.append(f"\x1b[{y + row + 1};{x + 1}H")
        used = 0
        for seg in layout.lines[row] if row < len(layout.lines) else []:  # they fit (first_layout)
            style = textual_style(seg.style if seg.style is not None and seg.style.bgcolor is not None else (
                BASE + seg.style if seg.style is not None else BASE))
            used += seg.cell_length
            out.append(style.render(seg.text, color_system=system))
        if used < width:
            out.append(BASE.render(" " * (width - used), color_system=system))
    out.append("\x1b[?2026l")
    return "".join(out)


class FirstFrame:
    """The drawn frame and the terminal state it changed, until the app takes over."""

    def __init__(self, attrs: list) -> None:
        self._attrs = attrs

    def hand_over(self) -> None:
        """Give the terminal's modes back just before Textual saves and sets its own (the
        screen stays: Textual enters the alternate screen it is already on)."""
        import termios

        try:
            termios.tcsetattr(_TEXTUAL_IN, termios.TCSANOW, self._attrs)
        except termios.error:  # no terminal any more: nothing to give back
            pass

    def withdraw(self) -> None:
        """Leave the alternate screen and give the modes back: the app never started."""
        _write_all("\x1b[?1049l\x1b[?25h")
        self.hand_over()


# The Textual releases whose first paint this frame was checked against cell by cell
# (tests/test_terminal_coupling.py); on textual 3.x the theme's colors differ, so it is not drawn.
VERIFIED_MAJOR = 8


def reproduces_textual() -> bool:
    """Whether the installed Textual is one whose first paint this frame reproduces (read from
    its metadata: textual itself is not imported yet)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return int(version("textual").split(".")[0]) >= VERIFIED_MAJOR
    except (PackageNotFoundError, ValueError):
        return False


def draw_first_frame(session: Session, spec: ViewSpec) -> FirstFrame | None:
    """Draw the first heatmap on the terminal now, when that can match the app's first frame
    (see the module's docstring); None when it was not drawn."""
    system = color_system()
    if (system is None or not reproduces_textual() or os.environ.get("NO_COLOR") or os.environ.get("TEXTUAL_DRIVER")
            or os.environ.get("HEATSCOPE_NO_FIRST_FRAME")
            or not (os.isatty(_TEXTUAL_IN) and os.isatty(_TEXTUAL_OUT))):
        return None
    try:
        import termios

        screen = tuple(os.get_terminal_size(_TEXTUAL_OUT))
        box = heatmap_box(*screen)
        layout = first_layout(session, spec, screen)
        if layout is None:
            return None
        text = frame_text(layout, box, system)
        attrs = termios.tcgetattr(_TEXTUAL_IN)
    except Exception:  # noqa: BLE001 - only a head start: the app shows whatever went wrong
        return None
    quiet = list(attrs)
    quiet[3] &= ~(termios.ECHO | termios.ICANON)  # keys typed now wait for the app, unechoed
    termios.tcsetattr(_TEXTUAL_IN, termios.TCSANOW, quiet)
    frame = FirstFrame(attrs)
    try:
        _write_all("\x1b[?1049h\x1b[?25l" + text)
    except OSError:  # the terminal went away: leave it as it was and let the app report
        frame.hand_over()
        return None
    return frame


def _write_all(text: str) -> None:
    data = text.encode("utf-8", "replace")
    while data:
        data = data[os.write(_TEXTUAL_OUT, data):]
