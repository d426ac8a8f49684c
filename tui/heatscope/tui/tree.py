"""The run tree: one row per run (its short name, steps or size, modified time); only the
current run is expanded, showing its groups and datasets with shape and axis names
(non-viewable ones greyed with the reason). Dimension-scale datasets are the axes of the
datasets that use them, so they are not listed here (``heatscope info`` lists them).
Files of a big run directory are opened only when their row is expanded or shown.
Enter on a run's row shows that run; Enter on a dataset opens it."""

from __future__ import annotations

import posixpath
import time

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from heatscope.catalog.datasets import DatasetInfo
from heatscope.read.session import OpenedFile
from heatscope.render.screen_layout import TREE_WIDTH
from heatscope.text import safe_text


def size_text(n: int) -> str:
    """``12.3 MB``."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def time_text(mtime_ns: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(mtime_ns / 1e9))


def file_label(name: str, f: OpenedFile) -> Text:
    text = Text(safe_text(name), style="bold")
    steps = f.catalog.steps() if f.catalog is not None else None
    if steps is not None:
        text.append(f"  {steps} steps", style="dim")
    elif f.stamp is not None and f.stamp[0] > 0:  # 0: a server that does not say (HSDS folders)
        text.append(f"  {size_text(f.stamp[0])}", style="dim")
    if f.stamp is not None and f.stamp[1] > 0:  # 0: a server that does not say (HTTP)
        text.append(f"  {time_text(f.stamp[1])}", style="dim")
    if f.error:
        text.append("  damaged", style="red")
    return text


class DatasetTree(Tree):
    """Enter (or a click) on a viewable dataset opens it; expanding a run opens its file."""

    DEFAULT_CSS = f"""
    DatasetTree {{ width: {TREE_WIDTH}; border-right: vkey $foreground 30%; overflow-x: hidden; }}
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("runs", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._file_nodes: dict[int, TreeNode] = {}
        self._names: list[str] = []

    def populate(self, files: list[OpenedFile], names: list[str], order: list[int], current: int | None) -> None:
        """One row per run in ``order``; only ``current`` is expanded."""
        self.clear()
        self._file_nodes = {}
        self._names = names
        for index in order:
            node = self.root.add(file_label(names[index], files[index]), data=("file", index), expand=False)
            node.allow_expand = True
            self._file_nodes[index] = node
        if current is not None:
            self.fill_file(current, files[current])
            self._file_nodes[current].expand()

    def fill_file(self, index: int, f: OpenedFile) -> None:
        """(Re)build a run's row and its branch from its catalog."""
        node = self._file_nodes.get(index)
        if node is None:
            return
        node.remove_children()
        node.set_label(file_label(self._names[index], f))
        if f.error:
            node.add_leaf(Text(safe_text(f.error), style="red"))
            return
        if f.catalog is None:
            return
        groups = {"/": node}

        def group_node(path: str):
            if path not in groups:
                parent = group_node(posixpath.dirname(path))
                groups[path] = parent.add(Text(safe_text(posixpath.basename(path)) + "/"), expand=True)
            return groups[path]

        for d in f.catalog.datasets:
            if not d.is_scale:
                group_node(posixpath.dirname(d.path)).add_leaf(_dataset_label(d), data=(index, d))

    def show_run(self, file_index: int, f: OpenedFile) -> None:
        """Expand the current run's branch (filled now if needed) and collapse the others."""
        for index, node in self._file_nodes.items():
            if index != file_index and node.is_expanded:
                node.collapse()
        node = self._file_nodes.get(file_index)
        if node is not None:
            if not node.children:
                self.fill_file(file_index, f)
            node.expand()

    def select_dataset(self, file_index: int, path: str) -> None:
        """Move the tree cursor to a dataset without opening it again."""
        node = self._file_nodes.get(file_index)
        stack = [node] if node is not None else []
        while stack:
            n = stack.pop()
            if n.data and isinstance(n.data[1], DatasetInfo) and n.data[1].path == path:
                n.parent.expand()
                self.move_cursor(n)
                return
            stack.extend(n.children)


def _dataset_label(d: DatasetInfo) -> Text:
    text = Text(d.name, style="" if d.viewable else "dim")
    shape = " x ".join(f"{a.name}={a.size}" for a in d.axes) if d.axes else d.shape_text()
    text.append(f" {safe_text(shape)}", style="dim cyan" if d.viewable else "dim")
    if not d.viewable:
        text.append(f" ({safe_text(d.reason or '')})", style="dim italic")
    return text
