"""Which Megatron-LM rank holds which experts and pipeline stage.

Megatron lays its expert process groups out with ``RankGenerator`` in the order given to
``initialize_model_parallel`` (megatron/core/parallel_state.py): ``tp-cp-ep-dp-pp`` by
default, ``tp-cp-ep-pp-dp`` with ``--use-tp-pp-dp-mapping``. For the expert layers that is
``etp-ep-edp-pp``: ``rank = etp + ep * ETP + edp * ETP * EP + pp * ETP * EP * EDP`` (or with
pp and edp swapped), where ETP is the expert-tensor-parallel size (Megatron's default: the
tensor-parallel size) and EDP the expert-data-parallel size (all other ranks: data and
context parallelism), which routed different tokens.

Several ranks' logs do not say which of these they are, so the layout is taken from the
flags or, when it is there, from the names of Megatron's own checkpoint directories
(``iter_NNNNNNN/mp_rank_TT[_PPP][_EEE]``, ``--ckpt-format torch``) beside the logs;
otherwise the import is refused with one line saying what was seen and which flag settles it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from heatscope.errors import HeatscopeError

ORDERS = ("tp-cp-ep-dp-pp", "tp-cp-ep-pp-dp")
SIZES = ("tp", "ep", "dp", "pp")
FLAGS = {"tp": "--tp-size", "ep": "--ep-size", "dp": "--dp-size", "pp": "--pp-size"}
_CHECKPOINT_RANK = re.compile(r"mp_rank_(\d{2})(?:_(\d{3}))?(?:_(\d{3}))?$")


@dataclass(frozen=True)
class Layout:
    """Sizes of the expert rank grid: tp (expert tensor), ep, dp (expert data), pp."""

    tp: int
    ep: int
    dp: int
    pp: int
    order: str = ORDERS[0]
    source: str = "flags"
    open: tuple[str, ...] = ()  # sizes left open because they do not change what is read

    @property
    def world(self) -> int:
        return self.tp * self.ep * self.dp * self.pp

    def coords(self, rank: int) -> tuple[int, int, int, int]:
        """``(tp_rank, ep_rank, dp_rank, pp_rank)`` of ``rank`` in Megatron's expert grid."""
        tp, rest = rank % self.tp, rank // self.tp
        ep, rest = rest % self.ep, rest // self.ep
        if self.order == ORDERS[0]:
            return tp, ep, rest % self.dp, rest // self.dp
        return tp, ep, rest // self.pp, rest % self.pp

    def text(self) -> str:
        names = {"tp": "expert-tensor-parallel", "ep": "expert-parallel", "dp": "data-parallel",
                 "pp": "pipeline-parallel"}
        parts = [f"{names[n]} {getattr(self, n)}" for n in SIZES if n not in self.open]
        if self.open:
            parts.append(f"{math.prod(getattr(self, n) for n in self.open)} ranks of "
                         f"{'/'.join(names[n] for n in self.open)} (not needed to read these logs)")
        return f"{' x '.join(parts)} = {self.world} ranks in Megatron's order {self.order} (from {self.source})"


def checkpoint_sizes(save_dir: Path) -> tuple[dict[str, int], str] | None:
    """tp, pp and ep sizes read from the rank directories of the newest ``iter_*`` checkpoint
    in ``save_dir`` (only names are read; nothing is unpickled), with where they came from."""
    iterations = sorted(p for p in save_dir.glob("iter_*") if p.is_dir() and p.name[5:].isdigit())
    for directory in reversed(iterations):
        found = [m.groups() for p in directory.iterdir() if p.is_dir() and (m := _CHECKPOINT_RANK.match(p.name))]
        if found:
            tp = 1 + max(int(t) for t, _, _ in found)
            has_pp, has_ep = found[0][1] is not None, found[0][2] is not None
            pp = 1 + max(int(p) for _, p, _ in found) if has_pp else 1
            ep = 1 + max(int(e) for _, _, e in found) if has_ep else 1
            return {"tp": tp, "ep": ep, "pp": pp}, f"checkpoint directories {directory}/mp_rank_*"
    return None


def resolve_layout(ranks: list[int], given: dict[str, int | None], needed: set[str], order: str,
                   seen: Callable[[], str],
                   saved: tuple[dict[str, int], str] | None = None) -> tuple[Layout, list[str]]:
    """The layout of ``ranks`` from the ``given`` sizes (None: not given), filled in from
    ``saved`` sizes; the sizes in ``needed`` must be settled by them or by the rank count.
    Returns the layout and what was assumed; refuses with one line (with what ``seen()``
    says the logs hold) when the sizes leave it open."""
    for name, value in given.items():
        if value is not None and value < 1:
            raise HeatscopeError(f"{FLAGS[name]} must be at least 1")
    if order not in ORDERS:
        raise HeatscopeError(f"--rank-order must be one of {', '.join(ORDERS)}")
    world = max(ranks) + 1
    sizes = dict(given)
    source = "flags" if any(v is not None for v in given.values()) else "one rank"
    assumed = []
    if saved is not None:
        for name, value in saved[0].items():
            if sizes.get(name) is None:
                sizes[name] = value
        source = saved[1] if source == "one rank" else f"flags and {saved[1]}"
        if given.get("tp") is None:
            assumed.append(f"expert-tensor-parallel size = the checkpoint's tensor-parallel size {saved[0]['tp']} "
                           "(Megatron's default; pass --tp-size if --expert-tensor-parallel-size differed)")
    left_open: tuple[str, ...] = ()
    given_text = " x ".join(f"{FLAGS[n]} {sizes[n]}" for n in SIZES if sizes.get(n) is not None)
    known = math.prod(v for v in sizes.values() if v is not None)
    unknown = [name for name in SIZES if sizes.get(name) is None]
    if unknown and world % known:
        product = f" = {known}" if sum(v is not None for v in sizes.values()) > 1 else ""
        raise HeatscopeError(f"{given_text}{product} does not divide the {world} ranks ({seen()})")
    if world == 1 or known == world:
        sizes.update({name: 1 for name in unknown})
    elif len(unknown) == 1:
        sizes[unknown[0]] = world // known
    elif unknown and not needed & set(unknown):  # the open factor does not change what is read
        rest = next(n for n in ("dp", "ep", "tp") if n in unknown)
        sizes.update({name: 1 for name in unknown})
        sizes[rest] = world // known
        left_open = tuple(unknown)
    elif unknown:
        if not given_text and needed == {"pp"}:
            hint = "--pp-size P (--pp-size 1 without pipeline parallelism)"
        elif not given_text:
            hint = (f"--ep-size E and --pp-size P (and --dp-size or --tp-size when E x P < {world}; "
                    f"--dp-size {world} alone for plain data-parallel replicas)")
        else:
            hint = " or ".join(FLAGS[n] for n in SIZES if n in unknown)
        if not given_text:
            raise HeatscopeError(f"{seen()}: data-parallel replicas, expert-parallel shards or pipeline stages? "
                                 f"Nothing beside the logs says; pass {hint}")
        raise HeatscopeError(f"{seen()}: {given_text} leaves a factor {world // known} of the {world} ranks open; "
                             f"pass {hint}")
    layout = Layout(sizes["tp"], sizes["ep"], sizes["dp"], sizes["pp"], order, source, left_open)
    if layout.world < world:
        raise HeatscopeError(f"{layout.text()}, but files of {world} ranks were found ({seen()})")
    return layout, assumed
