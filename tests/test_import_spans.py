"""Imports read in pieces, as dask workers read them: Megatron-LM's rank files cut into byte
ranges anywhere (mid-record, mid-number, on a newline), SGLang's dumps one a task, every
task and result pickled there and back. Counts, missing cells, skipped lines (with their
line numbers), assumptions and notes equal the import read in one piece."""

import json
import pickle

import numpy as np
import pytest

from heatscope.importers.command import _megatron, _parser
from heatscope.importers.output import ImportReport
from heatscope.importers.sglang import read_sglang
from tests.framework_files import megatron_run, sglang_per_pass_dumps, write_router_traces


class InProcessCluster:
    """The cluster's side of ``DaskCluster``, in this process, with ``span`` bytes a task."""

    n_workers = 2

    def __init__(self, span: int) -> None:
        self.span, self.tasks = span, 0

    def span_bytes(self, total: int) -> int:
        return self.span

    def for_input(self, nbytes: int):  # the engine that always asks for the cluster
        return self

    def ordered(self, fn, items, sizes, advance=None):
        for item in items:
            self.tasks += 1
            task, args = pickle.loads(pickle.dumps((fn, item)))
            yield pickle.loads(pickle.dumps(task(*args)))


def _report_of(report: ImportReport) -> dict:
    return {k: getattr(report, k) for k in ("found", "files", "lines", "skipped", "skipped_count", "assumptions",
                                            "notes")}


def _import_megatron(argv, engine=None):
    report = ImportReport()
    arrays = _megatron(_parser().parse_args(["megatron", *map(str, argv), "-o", "unused.h5"]),
                       argv[0], report, engine)
    return _report_of(report), [(a.name, a.data, [(n, list(v)) for n, v in a.axes], a.attrs) for a in arrays]


def _assert_same(whole, pieces):
    (report, arrays), (report2, arrays2) = whole, pieces
    assert report2 == report
    assert len(arrays2) == len(arrays)
    for (name, data, axes, attrs), (name2, data2, axes2, attrs2) in zip(arrays, arrays2):
        assert (name2, axes2, attrs2.keys()) == (name, axes, attrs.keys())
        assert data2.dtype == data.dtype and np.array_equal(data2, data)


def _damage_traces(directory):
    """A cut last record, a line whose step cannot be read, a blank line, a record of another stage."""
    first = directory / "router_trace_rank0.jsonl"
    lines = first.read_text().splitlines(keepends=True)
    other = json.loads(lines[1])
    other["stage"] = "post_dispatch"
    lines[3:3] = ["\n", json.dumps(other) + "\n", '{"step": , "block": "decoder", "layer": 1, "top_indices": [[1, 2]\n',
                  "\n"]
    first.write_text("".join(lines))
    last = directory / "router_trace_rank1.jsonl"
    last.write_text(last.read_text()[:-25])


@pytest.mark.parametrize("span", [29, 311, 900])
def test_router_traces_in_byte_ranges_equal_one_piece(tmp_path, span):
    write_router_traces(tmp_path / "t", ranks=2, steps=4, layers=2, tokens=6, mtp=True)
    _damage_traces(tmp_path / "t")
    argv = [tmp_path / "t", "--dp-size", "2", "--num-experts", "8"]
    whole = _import_megatron(argv)
    assert whole[0]["skipped_count"] == 2 and "note:" not in str(whole[0]["skipped"])
    assert any("'post_dispatch' not counted" in a for a in whole[0]["assumptions"])
    cluster = InProcessCluster(span)
    _assert_same(whole, _import_megatron(argv, cluster))
    assert cluster.tasks > 2 * 2  # the files really were cut


def test_multi_stage_run_with_mtp_and_absent_rank(tmp_path, megatron_core):
    megatron_run(tmp_path, dp=2, pp=2, iterations=(0, 1, 2), mtp=True)
    (tmp_path / "traces" / "router_trace_rank1.jsonl").unlink()
    path = tmp_path / "traces" / "router_trace_rank2.jsonl"
    path.write_text("garbage\n" + path.read_text()[:-300])
    argv = [tmp_path / "traces", "--pp-size", "2", "--dp-size", "2"]
    whole = _import_megatron(argv)
    assert any("marked missing" in n for n in whole[0]["notes"])
    for span in (57, 1000):
        _assert_same(whole, _import_megatron(argv, InProcessCluster(span)))


def test_tokens_per_expert_repeated_and_damaged_in_byte_ranges(tmp_path, megatron_core):
    megatron_run(tmp_path, ep=2, dp=2, iterations=(0, 1, 2))
    path = tmp_path / "tokens_per_expert" / "rank0.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("not json\n" + "".join(lines + lines[2:4]) + lines[0][:20])  # resumed, then cut
    argv = [tmp_path, "--ep-size", "2", "--dp-size", "2", "--format", "tokens-per-expert"]
    whole = _import_megatron(argv)
    assert whole[0]["skipped_count"] == 2 and any("logged them twice" in n for n in whole[0]["notes"])
    for span in (23, 160, 100000):
        _assert_same(whole, _import_megatron(argv, InProcessCluster(span)))


def test_sglang_dumps_one_a_task_equal_one_process(tmp_path, torch):
    mapping = np.array([[0, 1, 2, 3, 0, 3], [0, 1, 2, 3, 1, 1]])
    physical = np.arange(3 * 2 * 2 * 6).reshape(3, 2, 2, 6)
    sglang_per_pass_dumps(tmp_path, physical, mapping)
    later = sorted(tmp_path.glob("*.pt"))[-1]
    loaded = torch.load(later, weights_only=True)
    loaded["records"].append({"forward_pass_id": 100, "rank": 2})  # a record without counts
    torch.save(loaded, later)
    (tmp_path / "expert_distribution_recorder_1764000009.5_3.pt").write_bytes(b"PK\x03\x04cut")

    def run(engine):
        report = ImportReport()
        arrays = read_sglang(tmp_path, report, engine)
        return _report_of(report), [(a.name, a.data, [(n, list(v)) for n, v in a.axes], a.attrs) for a in arrays]

    whole = run(None)
    assert whole[0]["skipped_count"] == 2 and whole[0]["files"] == 4
    cluster = InProcessCluster(1)
    _assert_same(whole, run(cluster))
    assert cluster.tasks == 4
