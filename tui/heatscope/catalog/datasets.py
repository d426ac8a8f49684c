"""Discovering every dataset in a file: a safe walk over groups and links."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from pathlib import Path

import h5py
from h5py import h5g, h5l

from heatscope.catalog.attributes import Attributes
from heatscope.catalog.axes import Axis, discover_axes
from heatscope.catalog.classify import describe_dtype, dtype_reason, viewability
from heatscope.catalog.values import ValueInfo, read_value_info
from heatscope.catalog.virtual import Reduction, RunStack
from heatscope.errors import HeatscopeError
from heatscope.sources.backends import is_hsds
from heatscope.sources.signature import HDF5_ERRORS
from heatscope.sources.vds import missing_sources
from heatscope.text import attr_text, decode_name, encode_name, safe_text

MAX_DEPTH = 64
DETAIL_LIMIT = 400  # datasets described in full while walking; the rest when first used


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset as listed: where it is, its shape and axes, and whether it is viewable."""

    path: str
    shape: tuple[int, ...]
    dtype: str
    axes: tuple[Axis, ...] = ()
    value: ValueInfo = field(default_factory=ValueInfo)
    reason: str | None = None  # why it is not viewable; None = viewable
    is_scale: bool = False
    link: str | None = None  # "-> /target" for soft links, "-> file:/path" for external ones
    default_picks: tuple[tuple[str, str], ...] = ()  # from "default_select": axis=label,...
    unlimited: tuple[int, ...] = ()  # axes a writer can extend (maxshape None), e.g. step
    detailed: bool = True  # False: only shape/dtype were read (a file with very many datasets)
    reduction: Reduction | None = None  # a metric view: a statistic over an axis of ``path``
    stack: RunStack | None = None  # runs as an axis: ``path`` in several runs

    @property
    def viewable(self) -> bool:
        return self.reason is None

    @property
    def name(self) -> str:
        """The dataset's own name, display-safe."""
        return safe_text(posixpath.basename(self.path) or "/")

    @property
    def display_path(self) -> str:
        """The full path, display-safe (``path`` itself is the exact key into the file)."""
        return safe_text(self.path)

    @property
    def kind(self) -> str:
        return self.value.kind

    @property
    def computed(self) -> bool:
        """A metric view, or a stack of them: values computed in the background, not stored."""
        return self.reduction is not None or (self.stack is not None and bool(self.stack.reduce))

    def shape_text(self) -> str:
        """``variant=2 x layer=26 x ...`` (or plain sizes when axes are unknown)."""
        if not self.shape:
            return "scalar"
        if self.axes:
            return " x ".join(f"{a.name}={a.size}" for a in self.axes)
        return " x ".join(str(s) for s in self.shape)

    def axis_index(self, name: str) -> int | None:
        """Position of the axis called ``name`` (case-insensitive), if any."""
        for i, axis in enumerate(self.axes):
            if axis.name.casefold() == name.casefold():
                return i
        return None


@dataclass
class Catalog:
    """Everything found in one file."""

    path: Path
    groups: list[str] = field(default_factory=list)
    datasets: list[DatasetInfo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    preferred: str | None = None  # the root attribute "default_dataset"
    source: h5py.File | None = field(default=None, repr=False, compare=False)
    detail_limit: int | None = field(default=DETAIL_LIMIT, repr=False, compare=False)

    def viewable(self) -> list[DatasetInfo]:
        return [d for d in self.datasets if d.viewable]

    def steps(self) -> int | None:
        """How many steps the run holds: the longest growing axis (unlimited, or named
        step/iteration) of its datasets, or None when nothing grows."""
        found = [d.shape[a] for d in self.datasets if d.viewable and not d.is_scale
                 for a in range(len(d.shape)) if a in d.unlimited or is_step_axis(d, a)]
        return max(found, default=None)

    def detail(self, info: DatasetInfo) -> DatasetInfo:
        """``info`` with axes and value metadata (read now if the walk skipped them)."""
        if info.detailed or self.source is None:
            return info
        try:
            full = describe_dataset(self.source[encode_name(info.path)], info.path, info.link)
        except HDF5_ERRORS:
            return info
        self.datasets = [full if d.path == info.path else d for d in self.datasets]
        return full

    def find(self, name: str) -> DatasetInfo | None:
        """A dataset by full path, or by path without the leading slash, or by unique basename."""
        wanted = name if name.startswith("/") else "/" + name
        for d in self.datasets:
            if d.path == wanted:
                return self.detail(d)
        matches = [d for d in self.datasets if d.name == name]
        return self.detail(matches[0]) if len(matches) == 1 else None

    def default_dataset(self) -> DatasetInfo | None:
        """The dataset to open first: the file's ``default_dataset`` attribute when it names a
        viewable dataset, else the first viewable non-scale with the most dimensions."""
        chosen = self.find(self.preferred) if self.preferred else None
        if chosen is not None and chosen.viewable:
            return chosen
        candidates = [d for d in self.datasets if d.viewable and not d.is_scale]
        if not candidates:
            candidates = self.viewable()
        best = max(candidates, key=lambda d: len(d.shape), default=None)
        return self.detail(best) if best is not None else None


STEP_NAMES = ("step", "steps", "iter", "iteration", "iterations", "global_step")


def is_step_axis(info: DatasetInfo, axis: int) -> bool:
    """Whether ``axis`` counts training steps (by its name)."""
    return axis < len(info.axes) and info.axes[axis].name.casefold() in STEP_NAMES


def describe_briefly(dset: h5py.Dataset, path: str, link: str | None = None) -> DatasetInfo:
    """Shape, dtype and whether the dtype can be drawn; attributes are left for later."""
    shape = tuple(dset.shape or ())
    reason = dtype_reason(dset.dtype)
    if reason is None and not shape:
        reason = "scalar"
    elif reason is None and dset.size == 0:
        reason = "empty (a dimension has length 0)"
    return DatasetInfo(path=path, shape=shape, dtype=describe_dtype(dset.dtype), reason=reason, link=link,
                       detailed=False)


def describe_dataset(dset: h5py.Dataset, path: str, link: str | None = None) -> DatasetInfo:
    """Classify one dataset and, when it is viewable, discover its axes and value metadata."""
    attrs = Attributes(dset)
    reason = viewability(dset, attrs)
    is_scale = attr_text(attrs.get("CLASS")) == "DIMENSION_SCALE"  # not H5DSis_scale: it can abort
    shape = tuple(dset.shape or ())
    axes: tuple[Axis, ...] = ()
    value = ValueInfo()
    if shape and dset.size > 0:
        try:
            axes = discover_axes(dset, attrs)
        except HDF5_ERRORS:
            axes = tuple(Axis(f"axis{i}", n) for i, n in enumerate(shape))
    picks: tuple[tuple[str, str], ...] = ()
    if reason is None:
        value = read_value_info(dset, attrs)
        picks = _default_picks(attrs.get("default_select"))
        gone, total = missing_sources(dset)
        if gone:
            value = replace(value, notes=(*value.notes, f"virtual dataset: {gone} of {total} sources missing, "
                                                        "their cells are missing data"))
    return DatasetInfo(
        path=path,
        shape=shape,
        dtype=describe_dtype(dset.dtype),
        axes=axes,
        value=value,
        reason=reason,
        is_scale=is_scale,
        link=link,
        default_picks=picks,
        unlimited=tuple(i for i, m in enumerate(dset.maxshape or ()) if m is None),
    )


def _default_picks(raw: object) -> tuple[tuple[str, str], ...]:
    """``default_select = "variant=Aux-Loss-Free,layer=9"`` as ((axis, label), ...)."""
    text = attr_text(raw) if raw is not None else None
    if not text:
        return ()
    pairs = []
    for item in text.split(","):
        if "=" in item:
            axis, label = item.split("=", 1)
            pairs.append((safe_text(axis.strip()), safe_text(label.strip())))
    return tuple(pairs)


def _object_key(obj: h5py.HLObject) -> tuple:
    """Which object ``obj`` is (file and header address). Not ``h5o.get_info``: h5py asks it
    for every field, and the metadata size of a chunked dataset means reading its whole
    chunk index (thousands of requests for a remote run appended step by step)."""
    if is_hsds(obj):
        return ("hsds", obj.id.uuid)
    stat = h5g.get_objinfo(obj.id)
    return (stat.fileno, stat.objno)


def _is_group(obj) -> bool:
    return isinstance(obj, h5py.Group) or (is_hsds(obj) and hasattr(obj, "keys") and not hasattr(obj, "shape"))


def _is_dataset(obj) -> bool:
    return isinstance(obj, h5py.Dataset) or (is_hsds(obj) and hasattr(obj, "shape") and hasattr(obj, "dtype"))


def build_catalog(f: h5py.File, detail_limit: int | None = DETAIL_LIMIT) -> Catalog:
    """Walk every group of ``f`` (following soft and external links safely) and list datasets.

    The first ``detail_limit`` datasets are described in full; beyond that only shape and
    dtype are read, and the rest is read when a dataset is first used (``detail``), so a
    file with thousands of datasets opens at once. Damaged parts become notes; a root
    that cannot be read raises HeatscopeError.
    """
    catalog = Catalog(path=Path(f.filename), source=f, detail_limit=detail_limit)
    catalog.preferred = attr_text(Attributes(f).get("default_dataset"))
    try:
        seen: dict[tuple, str] = {_object_key(f): "/"}
    except HDF5_ERRORS as exc:
        raise HeatscopeError(f"damaged HDF5 file: cannot read the root group ({_first_line(exc)})",
                             f.filename) from None
    _walk(f, "/", catalog, seen, depth=0)
    return catalog


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip("'\"")
    return text.splitlines()[0] if text else type(exc).__name__


def _link(group: h5py.Group, name: str | bytes) -> tuple[int, str | None]:
    """(link type, "-> target" for soft and external links). Low-level calls, because
    h5py's ``get(name, getlink=True)`` cannot take a name that is not UTF-8 (h5pyd, whose
    names are always text, has no low-level API: its link objects are asked)."""
    if is_hsds(group):
        link = group.get(name, getlink=True)
        kind = type(link).__name__
        if kind == "SoftLink":
            return h5l.TYPE_SOFT, f"-> {link.path}"
        if kind == "ExternalLink":
            return h5l.TYPE_EXTERNAL, f"-> {link.filename}:{link.path}"
        return h5l.TYPE_HARD, None
    links = group.id.links
    name = name if isinstance(name, bytes) else name.encode("utf-8")
    kind = links.get_info(name).type
    if kind == h5l.TYPE_SOFT:
        return kind, f"-> {decode_name(links.get_val(name))}"
    if kind == h5l.TYPE_EXTERNAL:
        filename, target = links.get_val(name)
        return kind, f"-> {decode_name(filename)}:{decode_name(target)}"
    return kind, None


def _walk(group: h5py.Group, prefix: str, catalog: Catalog, seen: dict, depth: int) -> None:
    if depth > MAX_DEPTH:
        catalog.notes.append(f"{prefix}: deeper than {MAX_DEPTH} levels, not listed further")
        return
    try:
        names = list(group.keys())
    except HDF5_ERRORS as exc:
        catalog.notes.append(f"{prefix}: cannot list group ({exc})")
        return
    for name in names:  # as h5py gives it: str, or bytes for a name that is not UTF-8
        path = posixpath.join(prefix, decode_name(name))
        try:
            kind, link_text = _link(group, name)
        except HDF5_ERRORS as exc:
            catalog.notes.append(f"{path}: unreadable link ({exc})")
            continue
        try:
            obj = group[name]
        except HDF5_ERRORS:
            what = "external link" if kind == h5l.TYPE_EXTERNAL else "link"
            catalog.notes.append(f"{path}: dangling {what} {link_text or ''} skipped".rstrip())
            continue
        try:
            key = _object_key(obj)
        except HDF5_ERRORS:
            key = ("unknown", path)
        if _is_group(obj):
            if key in seen:
                via = f" {link_text}" if link_text else ""
                catalog.notes.append(f"{path}:{via} same group as {seen[key]}, listed there")
                continue
            seen[key] = path
            catalog.groups.append(path)
            _walk(obj, path, catalog, seen, depth + 1)
        elif _is_dataset(obj):
            seen.setdefault(key, path)
            limit = catalog.detail_limit
            describe = describe_dataset if limit is None or len(catalog.datasets) < limit else describe_briefly
            try:
                catalog.datasets.append(describe(obj, path, link_text))
            except HDF5_ERRORS as exc:
                catalog.notes.append(f"{path}: unreadable dataset ({exc})")
        # committed datatypes are not data: nothing to list
