"""The `eventpipe` command: each subcommand calls one function or flow."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = REPO_ROOT / "data" / "samples"
DEFAULT_LAKE = REPO_ROOT / "data" / "lake"


def cmd_extract(args: argparse.Namespace) -> int:
    """Print one JSON object per coded event. Example: eventpipe extract ../shared/eval/seed.jsonl"""
    from flows.extraction import event_lines

    for line in event_lines(Path(args.path)):
        print(line)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Score a gold file as shared/eval/FORMAT.md says. Example: eventpipe evaluate ../shared/eval/dev.jsonl"""
    from flows.extraction import extract_records
    from flows.sources import read_gold
    from transforms.scoring import format_score, score_corpus

    gold_path = Path(args.gold)
    events, _ = extract_records(gold_path)
    print(format_score(score_corpus(events, read_gold(gold_path))))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the pipeline flow into a lake. Example: eventpipe run --input data/samples --lake data/lake"""
    from flows.pipeline import run_pipeline
    from flows.settings import settings_from_args

    settings = settings_from_args(args)  # built once here, passed down
    summary = run_pipeline(settings.sources, settings.lake, settings)
    print(summary.describe())
    return 0 if summary.ok else 1


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the flow on a cron schedule until Ctrl-C. Example: eventpipe serve --cron "*/15 * * * *" --input URL"""
    from flows.pipeline import prefect_defaults
    from flows.serve import serve
    from flows.settings import settings_from_args

    prefect_defaults()
    serve(settings_from_args(args))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Rebuild the HTML run report from a lake. Example: eventpipe report --lake data/lake"""
    from flows.pipeline import rebuild_report

    print(f"report: {rebuild_report(Path(args.lake))}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the GDELT- and ACLED-format exports. Example: eventpipe export --lake data/lake --format csv --out out"""
    from flows.exports import write_exports

    lake = Path(args.lake)
    if not (lake / "events").is_dir():
        raise FileNotFoundError(f"no events table under {lake}: run `eventpipe run --lake {lake}` first")
    for name, path in write_exports(lake, args.format, Path(args.out) if args.out else None).items():
        print(f"{name}: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Argument parser with one subcommand per job."""
    from flows.settings import add_arguments
    parser = argparse.ArgumentParser(prog="eventpipe", description="News articles in, coded political events out.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help=cmd_run.__doc__)
    add_arguments(run)
    run.set_defaults(func=cmd_run)
    serve = sub.add_parser("serve", help=cmd_serve.__doc__)
    add_arguments(serve, serve=True)
    serve.set_defaults(func=cmd_serve)
    extract = sub.add_parser("extract", help=cmd_extract.__doc__)
    extract.add_argument("path", help="a .txt article, a folder of them, or a JSON Lines file")
    extract.set_defaults(func=cmd_extract)
    evaluate = sub.add_parser("evaluate", help=cmd_evaluate.__doc__)
    evaluate.add_argument("gold", help="gold JSON Lines file")
    evaluate.set_defaults(func=cmd_evaluate)
    report = sub.add_parser("report", help=cmd_report.__doc__)
    report.add_argument("--lake", default=str(DEFAULT_LAKE))
    report.set_defaults(func=cmd_report)
    export = sub.add_parser("export", help=cmd_export.__doc__)
    export.add_argument("--lake", default=str(DEFAULT_LAKE))
    export.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    export.add_argument("--out", help="output folder; default: <lake>/exports")
    export.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    from flows.memory import limit_allocator_retention

    limit_allocator_retention()  # before anything imports pyarrow or starts threads
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"eventpipe: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
