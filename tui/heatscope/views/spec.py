"""A view as one value: a source and the transforms that turn it into the picture.

``ViewSpec`` is what the command line's view flags say and what a key in the TUI changes; it
names things as a user does (axis names, labels), so it prints back as the same flags. The
evaluator (``views.resolve``) turns it into a ``ViewState`` against the open files, and
``views.frame`` turns a state and its panels into the frame every output draws.

Transforms apply in a fixed order (``ORDER``): the dataset is derived, reduced or stacked
first, then the drawn axes chosen, indices selected, faceted, differenced, profiled, zoomed
and colored. A new kind of view is a new transform here, nothing else.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Source:
    """Which dataset: a name or path (the file's default when None), in one file, as the
    second file minus the first (``minus``), or across every run (``runs``)."""

    dataset: str | None = None
    runs: bool = False
    minus: bool = False


@dataclass(frozen=True)
class Derive:
    """Token counts shown as counts (``False``) instead of relative load (the default)."""

    relative_load: bool = True


@dataclass(frozen=True)
class Reduce:
    """A metric view: ``stat`` over ``axis`` (``expert=maxvio``)."""

    axis: str
    stat: str


@dataclass(frozen=True)
class Axes:
    """The two drawn axes (names or ``#index``)."""

    row: str
    col: str


@dataclass(frozen=True)
class Select:
    """An index by label on each named axis (``layer=9``); on a drawn axis it places the cursor."""

    picks: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Facet:
    """One panel per label of an axis (``layer=9,18``, ``variant``); up to two, first outermost."""

    text: str


@dataclass(frozen=True)
class Diff:
    """B minus A along an axis (``variant=A,B``)."""

    text: str


@dataclass(frozen=True)
class Profile:
    """The cursor's row or column drawn as a chart (``row`` | ``col``)."""

    kind: str


@dataclass(frozen=True)
class Zoom:
    """A zoom level (0 fits the screen)."""

    level: int


@dataclass(frozen=True)
class Colors:
    """Colormap and color range; unset fields keep the dataset's defaults."""

    cmap: str | None = None
    range_mode: str | None = None
    vmin: float | None = None
    vmax: float | None = None


Transform = Derive | Reduce | Axes | Select | Facet | Diff | Profile | Zoom | Colors
ORDER = (Derive, Reduce, Axes, Select, Facet, Diff, Profile, Zoom, Colors)


@dataclass(frozen=True)
class ViewSpec:
    source: Source = field(default_factory=Source)
    transforms: tuple[Transform, ...] = ()

    def __post_init__(self) -> None:
        order = sorted(self.transforms, key=lambda t: ORDER.index(type(t)))
        object.__setattr__(self, "transforms", tuple(order))

    def of(self, kind: type) -> tuple:
        """The transforms of one kind, in order."""
        return tuple(t for t in self.transforms if isinstance(t, kind))

    def first(self, kind: type):
        found = self.of(kind)
        return found[0] if found else None

    def with_transform(self, transform: Transform) -> ViewSpec:
        """This spec with ``transform`` replacing those of its kind (facets add up)."""
        kept = tuple(t for t in self.transforms if not isinstance(t, type(transform)) or isinstance(t, Facet))
        return replace(self, transforms=(*kept, transform))

    def flags(self) -> list[str]:
        """The command-line flags that give this view (``heatscope [export] PATH ...``)."""
        out: list[str] = []
        if self.source.dataset:
            out += ["--dataset", self.source.dataset]
        for t in self.transforms:
            out += _flags(t)
        return out

    def command(self, paths: list[str], export: bool = True, output: str | None = None) -> str:
        """The shell command that draws this view, quoted for a POSIX shell."""
        words = ["heatscope", *(["export"] if export else []), *paths, *self.flags()]
        if export and output:
            words += ["-o", output]
        return shlex.join(words)


def _flags(t: Transform) -> list[str]:
    if isinstance(t, Derive):
        return [] if t.relative_load else ["--counts"]
    if isinstance(t, Reduce):
        return ["--reduce", f"{t.axis}={t.stat}"]
    if isinstance(t, Axes):
        return ["--axes", f"{t.row},{t.col}"]
    if isinstance(t, Select):
        return [w for axis, label in t.picks for w in ("--select", f"{axis}={label}")]
    if isinstance(t, Facet):
        return ["--facet", t.text]
    if isinstance(t, Diff):
        return ["--diff", t.text]
    if isinstance(t, Profile):
        return ["--profile", t.kind]
    if isinstance(t, Zoom):
        return ["--zoom", str(t.level)] if t.level else []
    out = []
    if t.cmap:
        out += ["--cmap", t.cmap]
    if t.range_mode:
        out += ["--range", t.range_mode]
    if t.vmin is not None:
        out += [f"--vmin={t.vmin!r}"]
    if t.vmax is not None:
        out += [f"--vmax={t.vmax!r}"]
    return out
