"""The capture file: ``expert_token_counts`` (variant x layer x dataset x expert, int64),
and with ``max_tokens`` the routing sample (``routing_sample``: variant x dataset x token x
layer x slot, the expert each token selected, and ``routing_sample_token_id``), written by
the importers' ``write_arrays`` under a temporary name and renamed when complete.

A second variant goes into an existing capture file: same model class, layers, experts,
top-k, datasets and sample size, else it is refused before anything changes; the file is
rewritten with the variant axis one longer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.importers.arrays_file import MISSING, ImportedArray, counts_attrs, write_arrays
from heatscope.importers.output import ImportReport, staged_output
from heatscope.sources.signature import HDF5_SIGNATURE

COUNTS, SAMPLE, SAMPLE_IDS = "expert_token_counts", "routing_sample", "routing_sample_token_id"
COUNT_AXES = ["variant", "layer", "dataset", "expert"]
PADDING_NOTE = "tokens with attention_mask == 0 (padding) are not counted"


@dataclass
class Layout:
    """What a capture holds; two captures go into one file when these agree."""

    model_class: str
    layers: list[int]
    num_experts: int
    top_k: int | None
    sample_tokens: int  # 0: no routing sample


@dataclass
class Variant:
    """One variant's results: counts layer x dataset x expert, tokens per dataset."""

    name: str
    datasets: list[str]
    counts: np.ndarray
    tokens: np.ndarray
    sample: np.ndarray | None = None  # dataset x token x layer x slot
    sample_ids: np.ndarray | None = None  # dataset x token


def _labels(dset: h5py.Dataset, axis: int) -> list:
    values = dset.dims[axis][0][()].tolist()
    return [v.decode() if isinstance(v, bytes) else v for v in values]


def read_capture(path: Path) -> tuple[Layout, list[Variant], list[int]] | None:
    """The layout, variants and dense layers of an existing capture file (None: no file)."""
    if not path.exists():
        return None
    try:
        f = h5py.File(path, "r", locking=False)
    except OSError as exc:
        raise HeatscopeError(f"exists and is not an HDF5 file ({exc}): not replaced", str(path)) from None
    with f:
        counts = f.get(COUNTS)
        if not isinstance(counts, h5py.Dataset) or [d.label for d in counts.dims] != COUNT_AXES \
                or "model_class" not in counts.attrs:
            raise HeatscopeError("exists and is not a heatscope capture file: choose another output", str(path))
        attrs = counts.attrs
        sample = f.get(SAMPLE)
        layout = Layout(str(attrs["model_class"]), [int(v) for v in _labels(counts, 1)], counts.shape[3],
                        int(attrs["top_k"]), 0 if sample is None else sample.shape[2])
        names, datasets = _labels(counts, 0), [str(v) for v in _labels(counts, 2)]
        data, tokens = counts[()], np.asarray(attrs["tokens"]).reshape(len(names), len(datasets))
        samples, ids = (sample[()], f[SAMPLE_IDS][()]) if sample is not None else ([None] * len(names),) * 2
        variants = [Variant(str(name), datasets, data[i], tokens[i], samples[i], ids[i])
                    for i, name in enumerate(names)]
        return layout, variants, [int(v) for v in np.asarray(attrs.get("dense_layers", []), dtype=np.int64)]


def check_output(path: Path, replace: bool) -> None:
    """Refuse, before any forward, an output that could not be written at close."""
    if path.is_dir():
        raise HeatscopeError("the output is a directory", str(path))
    if not path.parent.is_dir():
        raise HeatscopeError("no such directory for the output", str(path.parent))
    if replace and path.exists():
        with open(path, "rb") as fh:
            if fh.read(8) != HDF5_SIGNATURE:
                raise HeatscopeError("exists and is not an HDF5 file: not replaced", str(path))


def check_fits(path: Path, layout: Layout, variant: str, existing) -> None:
    """Refuse, in one line naming the difference, a capture that cannot extend ``path``."""
    if existing is None:
        return
    old, variants, _ = existing
    for what, a, b in [("model class", old.model_class, layout.model_class), ("MoE layers", old.layers, layout.layers),
                       ("experts", old.num_experts, layout.num_experts),
                       ("routing sample tokens (max_tokens)", old.sample_tokens, layout.sample_tokens)]:
        if a != b:
            raise HeatscopeError(f"holds {what} {a}, this capture {b}: a variant must have the file's shape "
                                 "(write it to another file)", str(path))
    if layout.top_k is not None and old.top_k != layout.top_k:
        raise HeatscopeError(f"holds top-{old.top_k} routing, this capture top-{layout.top_k}", str(path))
    if variant in [v.name for v in variants]:
        raise HeatscopeError(f"already holds variant {variant!r}: name this one differently", str(path))


def _aligned(variant: Variant, datasets: list[str], path: Path) -> Variant:
    if sorted(variant.datasets) != sorted(datasets):
        raise HeatscopeError(f"holds datasets {datasets}, this capture {variant.datasets}: capture the same "
                             "datasets for every variant", str(path))
    order = [variant.datasets.index(name) for name in datasets]
    sample, ids = (None if a is None else a[order] for a in (variant.sample, variant.sample_ids))
    return Variant(variant.name, datasets, variant.counts[:, order], variant.tokens[order], sample, ids)


def write_capture(path: Path, layout: Layout, new: Variant, dense: list[int], replace: bool = False) -> list[str]:
    """Write ``new`` to ``path``, added to the variants already there (``replace``: a new
    file in place of an HDF5 file there); returns what was written."""
    existing = None if replace else read_capture(path)
    check_fits(path, layout, new.name, existing)
    variants = [] if existing is None else existing[1]
    datasets = variants[0].datasets if variants else new.datasets
    variants = [*variants, _aligned(new, datasets, path)]
    names = [v.name for v in variants]
    counts = np.stack([v.counts for v in variants]).astype(np.int64)
    tokens = np.stack([v.tokens for v in variants]).astype(np.int64)
    attrs = counts_attrs(top_k=np.int64(layout.top_k), num_experts=np.int64(layout.num_experts),
                         model_class=layout.model_class, tokens=tokens, dense_layers=np.asarray(dense, dtype=np.int64),
                         counted=PADDING_NOTE, description="experts selected per token, counted by heatscope capture "
                         "(tokens: tokens counted per variant x dataset)")
    arrays = [ImportedArray(COUNTS, counts, [("variant", names), ("layer", layout.layers), ("dataset", datasets),
                                             ("expert", range(layout.num_experts))], attrs)]
    if layout.sample_tokens:
        sample = np.stack([v.sample for v in variants])
        arrays.append(ImportedArray(SAMPLE, sample, [
            ("variant", names), ("dataset", datasets), ("token", range(sample.shape[2])), ("layer", layout.layers),
            ("slot", range(sample.shape[4]))], {"long_name": "Expert selected", "_FillValue": np.int64(MISSING),
                                                "description": "the first token positions of each dataset: the "
                                                "experts each layer selected, in the router's order; -1 for "
                                                "padding"}))
        arrays.append(ImportedArray(SAMPLE_IDS, np.stack([v.sample_ids for v in variants]), [
            ("variant", names), ("dataset", datasets), ("token", range(sample.shape[2]))],
            {"long_name": "Token id", "_FillValue": np.int64(MISSING)}))
    report = ImportReport(found=f"routing of {layout.model_class} (heatscope capture)")
    with staged_output(path, force=replace or existing is not None) as staging:
        write_arrays(staging, arrays, report, f"heatscope capture of {layout.model_class}")
    return report.written
