"""The run tree: one branch per file (name, size, modified time), its groups and datasets
with shape and axis names; non-viewable ones greyed with the reason. Files of a big run
directory are opened only when their branch is expanded or their run is shown."""

from __future__ import annotations

import posixpath
import time

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from heatscope.data.catalog import DatasetInfo
from heatscope.data.session import OpenedFile
from heatscope.data.text import safe_text


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def file_label(f: OpenedFile) -> Text:
    text = Text(safe_text(f.path.name), style="bold")
    if f.stamp is not None:
        size, mtime = f.stamp
        text.append(f"  {_size(size)}  {time.strftime('%Y-%m-%d %H:%M', time.localtime(mtime / 1e9))}", style="dim")
    if f.catalog is not None:
        text.append(f"  {len(f.catalog.viewable())} viewable", style="dim")
    return text


class DatasetTree(Tree):
    """Enter (or a click) on a viewable dataset opens it; expanding a file opens it."""

    DEFAULT_CSS = """
    DatasetTree { width: 34; border-right: vkey $foreground 30%; overflow-x: hidden; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("files", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._file_nodes: dict[int, TreeNode] = {}

    def populate(self, files: list[OpenedFile], order: list[int] | None = None) -> None:
        """One branch per file in ``order``; opened files show their groups and datasets."""
        self.clear()
        self._file_nodes = {}
        for index in order if order is not None else range(len(files)):
            f = files[index]
            node = self.root.add(file_label(f), data=("file", index), expand=f.catalog is not None)
            self._file_nodes[index] = node
            self.fill_file(index, f)

    def fill_file(self, index: int, f: OpenedFile) -> None:
        """(Re)build a file's branch from its catalog."""
        node = self._file_nodes.get(index)
        if node is None:
            return
        node.remove_children()
        node.set_label(file_label(f))
        if f.error:
            node.add_leaf(Text(safe_text(f.error), style="red"))
            return
        if f.catalog is None:
            node.allow_expand = True
            return
        groups = {"/": node}

        def group_node(path: str):
            if path not in groups:
                parent = group_node(posixpath.dirname(path))
                groups[path] = parent.add(Text(safe_text(posixpath.basename(path)) + "/"), expand=True)
            return groups[path]

        for g in f.catalog.groups:
            group_node(g)
        for d in f.catalog.datasets:
            group_node(posixpath.dirname(d.path)).add_leaf(_dataset_label(d), data=(index, d))

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
    text = Text(safe_text(d.name), style="" if d.viewable else "dim")
    shape = " x ".join(f"{a.name}={a.size}" for a in d.axes) if d.axes else d.shape_text()
    text.append(f" {safe_text(shape)}", style="dim cyan" if d.viewable else "dim")
    if not d.viewable:
        text.append(f" ({safe_text(d.reason or '')})", style="dim italic")
    return text
