"""The dataset tree: files, groups and datasets with shape; non-viewable ones greyed."""

from __future__ import annotations

import posixpath

from rich.text import Text
from textual.widgets import Tree

from heatscope.data.catalog import DatasetInfo
from heatscope.data.session import OpenedFile
from heatscope.data.text import printable


class DatasetTree(Tree):
    """Enter (or a click) on a viewable dataset opens it."""

    DEFAULT_CSS = """
    DatasetTree { width: 34; border-right: vkey $foreground 30%; overflow-x: hidden; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("files", id=id)
        self.show_root = False
        self.guide_depth = 2

    def populate(self, files: list[OpenedFile]) -> None:
        """One branch per file, with its groups and datasets."""
        self.clear()
        for index, f in enumerate(files):
            label = Text(printable(f.path.name), style="bold")
            node = self.root.add(label, expand=True)
            if f.catalog is None:
                node.add_leaf(Text(printable(f.error or "cannot open"), style="red"))
                continue
            groups = {"/": node}

            def group_node(path: str, parent_node=node, groups=groups):
                if path not in groups:
                    parent = group_node(posixpath.dirname(path))
                    groups[path] = parent.add(Text(printable(posixpath.basename(path)) + "/"), expand=True)
                return groups[path]

            for g in f.catalog.groups:
                group_node(g)
            for d in f.catalog.datasets:
                group_node(posixpath.dirname(d.path)).add_leaf(_dataset_label(d), data=(index, d))

    def select_dataset(self, file_index: int, path: str) -> None:
        """Move the tree cursor to a dataset without opening it again."""
        for node in self.root.children[file_index].children if file_index < len(self.root.children) else []:
            stack = [node]
            while stack:
                n = stack.pop()
                if n.data and n.data[1].path == path:
                    self.move_cursor(n)
                    return
                stack.extend(n.children)


def _dataset_label(d: DatasetInfo) -> Text:
    text = Text(printable(d.name), style="" if d.viewable else "dim")
    shape = " x ".join(f"{a.name}={a.size}" for a in d.axes) if d.axes else d.shape_text()
    text.append(f" {printable(shape)}", style="dim cyan" if d.viewable else "dim")
    if not d.viewable:
        text.append(f" ({printable(d.reason or '')})", style="dim italic")
    return text
