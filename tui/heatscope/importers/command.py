"""``heatscope import KIND SRC -o OUT``: Megatron-LM logs and router traces, SGLang's expert
distribution dumps, plain tensor files. Skipped records are reported as ``file:line`` or
``file: key``; assumptions are printed and stored; the output appears only when complete.
``--workers`` / ``--scheduler`` read Megatron's files in byte ranges and SGLang's dumps one
a task on a dask cluster; the counts are summed and written here, the same as read here."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

from heatscope.cluster.options import Engine, add_cluster_flags
from heatscope.errors import HeatscopeError
from heatscope.importers.megatron_layout import ORDERS
from heatscope.parsing import Parser

SHOWN_SKIPPED = 50


def _parser() -> Parser:
    parser = Parser(prog="heatscope import", description="Import expert-load data into an HDF5 run file.")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True, parser_class=Parser)

    def common(sub: Parser) -> None:
        sub.add_argument("-o", "--output", required=True, metavar="OUT", help="HDF5 file to write")
        sub.add_argument("--force", action="store_true", help="replace OUT if it exists")

    mega = kinds.add_parser("megatron", help="Megatron-LM router traces or tokens_per_expert logs")
    mega.add_argument("source", metavar="DIR", help="--moe-routing-trace-path dir, or a save dir with tokens_per_expert/")
    mega.add_argument("--format", choices=["auto", "trace", "tokens-per-expert"], default="auto",
                      help="which logs to read when DIR has both (default: the one found)")
    mega.add_argument("--ep-size", type=int, help="expert-parallel size (tokens_per_expert lists local experts)")
    mega.add_argument("--pp-size", type=int, help="pipeline-parallel size (layer numbers are stage-local)")
    mega.add_argument("--dp-size", type=int, help="data-parallel size of the experts (ranks that routed different "
                      "tokens: data and context parallel); --dp-size N alone on N ranks: plain replicas")
    mega.add_argument("--tp-size", type=int, help="expert-tensor-parallel size (Megatron's "
                      "--expert-tensor-parallel-size, by default its --tensor-model-parallel-size)")
    mega.add_argument("--rank-order", choices=list(ORDERS), default=ORDERS[0],
                      help="Megatron's rank order (tp-cp-ep-pp-dp with --use-tp-pp-dp-mapping)")
    mega.add_argument("--num-experts", type=int, help="traces: number of experts (default: highest index + 1)")
    mega.add_argument("--step-offset", type=int, default=0, help="add this to every step (--step-offset 1 on "
                      "traces numbers them as tokens_per_expert does)")
    common(mega)
    add_cluster_flags(mega, "read the rank files")
    sgl = kinds.add_parser("sglang", help="SGLang expert distribution recorder dumps (.pt) or logical_count .json")
    sgl.add_argument("source", metavar="SRC", help="a dump, a .json, or SGLANG_EXPERT_DISTRIBUTION_RECORDER_DIR")
    common(sgl)
    add_cluster_flags(sgl, "read the dumps (one task a file)")
    tensor = kinds.add_parser("tensor", help="a .npy, .npz, .safetensors or .pt file")
    tensor.add_argument("source", metavar="FILE")
    tensor.add_argument("--axes", help="axis names, e.g. step,layer,expert (arrays of other ranks are skipped)")
    tensor.add_argument("--key", help="only this array (of an .npz, .safetensors or state dict)")
    tensor.add_argument("--kind", help="heatscope kind, e.g. expert_token_counts or relative_expert_load")
    tensor.add_argument("--label", action="append", default=[], metavar="AXIS=LABELS",
                        help="tick labels: AXIS=a,b,c or AXIS=FIRST..LAST (repeatable)")
    common(tensor)
    return parser


def _megatron(args, source: Path, report, engine):
    from heatscope.importers.megatron import read_counts, stage_arrays, tpe_directory
    from heatscope.importers.megatron_trace import read_traces, trace_arrays, trace_files

    if not source.is_dir():
        raise HeatscopeError("not a directory", str(source))
    has_trace, has_tpe = bool(trace_files(source)), tpe_directory(source) is not None
    fmt = args.format
    if fmt == "auto":
        if has_trace and has_tpe:
            raise HeatscopeError("holds both router traces and tokens_per_expert logs: choose one with "
                                 "--format trace or --format tokens-per-expert", str(source))
        if not (has_trace or has_tpe):
            raise HeatscopeError("no Megatron-LM logs (router_trace_rank*.jsonl or tokens_per_expert/rank*.jsonl)",
                                 str(source))
        fmt = "trace" if has_trace else "tokens-per-expert"
    sizes = {"tp": args.tp_size, "ep": args.ep_size, "dp": args.dp_size, "pp": args.pp_size}
    if fmt == "trace":
        if args.num_experts is not None and args.num_experts < 1:
            raise HeatscopeError("--num-experts must be at least 1")
        report.found = "Megatron-LM router traces (router_trace_rank*.jsonl)"
        values, layout = read_traces(source, report, sizes=sizes, order=args.rank_order,
                                     num_experts=args.num_experts, step_offset=args.step_offset, engine=engine)
        return trace_arrays(values, layout, report, args.num_experts)
    report.found = "Megatron-LM tokens_per_expert logs (rank*.jsonl)"
    values, width, layout = read_counts(source, report, sizes, args.rank_order, args.step_offset, engine)
    return stage_arrays(values, width, width * layout.ep, report, layout.pp)


def run_import(argv: Sequence[str]) -> int:
    """Parse ``argv``, import, print what was found, written, skipped and assumed."""
    args = _parser().parse_args(argv)
    from heatscope.importers.arrays_file import write_arrays
    from heatscope.importers.output import ImportReport, staged_output
    from heatscope.text import safe_text

    source, output = Path(args.source), Path(args.output)
    if not source.exists():
        raise HeatscopeError("no such file or directory", str(source))
    report = ImportReport()
    engine = Engine.from_args(args) if "workers" in vars(args) else None  # megatron and sglang
    with staged_output(output, args.force, [source]) as staging, engine or nullcontext():
        if args.kind == "megatron":
            arrays = _megatron(args, source, report, engine)
        elif args.kind == "sglang":
            from heatscope.importers.sglang import read_sglang

            arrays = read_sglang(source, report, engine)
        else:
            from heatscope.importers.tensors import parse_labels, tensor_arrays

            report.found = f"{source.suffix or 'tensor'} file"
            axes = [a.strip() for a in args.axes.split(",")] if args.axes else None
            if axes is not None and (not all(axes) or len(set(axes)) != len(axes)):
                raise HeatscopeError("axis names must be distinct and non-empty", f"--axes {args.axes}")
            arrays = tensor_arrays(source, report, axes=axes, key=args.key, kind=args.kind,
                                   labels=parse_labels(args.label))
        write_arrays(staging, arrays, report, f"{report.found} from {source}")
    print(f"found: {safe_text(report.found)}")
    for line in report.skipped[:SHOWN_SKIPPED]:
        print(f"heatscope: skipped {safe_text(line)}", file=sys.stderr)
    if report.skipped_count > SHOWN_SKIPPED:
        print(f"heatscope: ... and {report.skipped_count - SHOWN_SKIPPED} more skipped", file=sys.stderr)
    for line in report.written:
        print(f"wrote {safe_text(str(output))}: {safe_text(line)}")
    print(f"read {report.lines} records from {report.files} files; {report.skipped_count} skipped")
    for assumption in report.assumptions:
        print(f"assumed: {safe_text(assumption)}")
    for note in report.notes:
        print(f"note: {safe_text(note)}")
    return 0
