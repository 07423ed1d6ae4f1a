"""hubctl's bulk screening commands: upload a file of sellers, follow the job, download its results.

`hubctl bulk FILE` uploads the file as it is (the hub tokenises the raw values as it reads
them and keeps only tokens); `--tokens-only` derives every token here, obliviously, and
uploads token-form JSONL instead, so the hub never sees a raw value at all.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from hubctl import output
from hubctl.client import HubClient
from hubctl.commands.base import EXIT_HUB, EXIT_OK, add_purpose_argument, client_for, command, local
from hubctl.commands.files import out_file, save_private
from hubctl.commands.sellers import tokenise_each
from hubctl.inputs import InputError, read_csv

FORMATS = {"csv": "text/csv", "jsonl": "application/x-ndjson"}
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
ACTIVE = ("queued", "running")
BAR_WIDTH = 30

BULK_EPILOG = """\
input files:
  CSV (UTF-8, header row): ref,<type>,<type>... one seller per row; empty cells are skipped
  JSONL: one object a line, {"ref": "...", "identifiers": [{"type": "...", "value": "..."}]}

By default the file is uploaded as it is: the hub tokenises raw values as it reads them and
stores only tokens. --tokens-only (CSV input) derives every token here, obliviously, and
uploads token-form JSONL instead, so the hub never sees a raw value.

Progress is shown on stderr; results go to --out (or stdout), one line per input row.

exit status: 0 done, 1 the hub refused, or the job was cancelled or failed, 2 bad usage

examples:
  hubctl bulk sellers.csv --purpose seller_onboarding --out results.jsonl
  hubctl bulk sellers.csv --purpose seller_onboarding --tokens-only --results-format csv --out results.csv
  hubctl bulk sellers.csv --purpose listing_review --no-wait"""


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register bulk, bulk-status, bulk-cancel and bulk-results."""
    _add_bulk_command(commands)
    _add_bulk_status_command(commands)
    _add_bulk_cancel_command(commands)
    _add_bulk_results_command(commands)


def _add_bulk_command(commands: argparse._SubParsersAction) -> None:
    """The bulk subcommand."""
    parser = command(
        commands, "bulk", "Check many sellers from a CSV or JSONL file as one bulk job.", BULK_EPILOG
    )
    parser.add_argument("file", metavar="FILE", help="the CSV or JSONL file of sellers")
    add_purpose_argument(parser)
    parser.add_argument("--format", choices=FORMATS, help="the file's format (default: from its extension)")
    parser.add_argument(
        "--tokens-only",
        action="store_true",
        help="tokenise every identifier here (obliviously) and upload tokens only (CSV input)",
    )
    parser.add_argument("--out", metavar="RESULTS", help="save the results to RESULTS (default: stdout)")
    parser.add_argument(
        "--results-format", choices=FORMATS, default="jsonl", help="results as jsonl (default) or csv"
    )
    parser.add_argument(
        "--no-wait", action="store_true", help="print the job's id and exit once it is uploaded"
    )
    parser.add_argument(
        "--poll",
        metavar="SECONDS",
        type=_poll,
        default=2.0,
        help="seconds between progress polls (default: 2)",
    )
    parser.set_defaults(run=run_bulk)


def _add_bulk_status_command(commands: argparse._SubParsersAction) -> None:
    """The bulk-status subcommand."""
    parser = command(
        commands,
        "bulk-status",
        "Show a bulk job's progress.",
        "statuses: queued, running, done, cancelled, failed\n\n"
        "example:\n  hubctl bulk-status 5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c",
    )
    parser.add_argument("job_id", metavar="ID", help="the bulk job's id, as printed by 'hubctl bulk'")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=run_bulk_status)


def _add_bulk_cancel_command(commands: argparse._SubParsersAction) -> None:
    """The bulk-cancel subcommand."""
    parser = command(
        commands,
        "bulk-cancel",
        "Cancel a queued or running bulk job.",
        "Rows already checked stay counted; the rest are skipped. A cancelled job has no results.\n\n"
        "example:\n  hubctl bulk-cancel 5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c --reason 'wrong file'",
    )
    parser.add_argument("job_id", metavar="ID", help="the bulk job's id")
    parser.add_argument("--reason", default="", help="why, for your audit trail (optional)")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=run_bulk_cancel)


def _add_bulk_results_command(commands: argparse._SubParsersAction) -> None:
    """The bulk-results subcommand."""
    parser = command(
        commands,
        "bulk-results",
        "Download a finished bulk job's results to a file.",
        "One line per input row: its ref and the check's fields, or the row's error.\n\n"
        "example:\n"
        "  hubctl bulk-results 5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c --out results.csv --format csv",
    )
    parser.add_argument("job_id", metavar="ID", help="the bulk job's id")
    parser.add_argument("--out", required=True, metavar="FILE", help="save the results to FILE")
    parser.add_argument("--format", choices=FORMATS, default="jsonl", help="jsonl (default) or csv")
    parser.set_defaults(run=run_bulk_results)


def _poll(text: str) -> float:
    """argparse type of --poll: a number of seconds from 0.1 to 3600."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("give a number of seconds, e.g. 2") from None
    if not 0.1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError("give a number of seconds from 0.1 to 3600")
    return seconds


# -- progress ---------------------------------------------------------------------------


def progress_line(status: dict) -> str:
    """A text progress bar: `[#####.....] 4500/10000 rows  850 rows/s  ETA 6 s`."""
    done, total = int(status.get("done") or 0), int(status.get("total") or 0)
    filled = BAR_WIDTH * done // total if total else (BAR_WIDTH if status.get("status") == "done" else 0)
    eta = status.get("eta_seconds")
    eta_text = f"ETA {eta} s" if eta is not None else "ETA ?"
    rate = float(status.get("rate") or 0)
    return (
        f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} rows  {rate:g} rows/s  {eta_text}"
        f"  {status.get('status', '')}"
    )


def _draw(status: dict, stream: TextIO, tty: bool) -> None:
    """Redraw the bar in place on a terminal; print one line per poll otherwise."""
    line = progress_line(status)
    if tty:
        stream.write("\r" + line + "\x1b[K")
    else:
        stream.write(line + "\n")
    stream.flush()


def follow(client: HubClient, job_id: str, *, poll: float, stream: TextIO | None = None) -> dict:
    """Poll the job until it is no longer queued or running, drawing progress; return its last status."""
    stream = stream or sys.stderr
    tty = stream.isatty()
    while True:
        status = client.bulk_status(job_id)
        _draw(status, stream, tty)
        if status.get("status") not in ACTIVE:
            if tty:
                stream.write("\n")
            return status
        time.sleep(poll)


# -- reading and tokenising the input ---------------------------------------------------


def file_format(path: str, given: str | None) -> str:
    """--format, else the format the file's extension names; a usage error when neither says."""
    if given:
        return given
    found = EXTENSIONS.get(Path(path).suffix.lower())
    if found is None:
        raise InputError(
            f"cannot tell the format of {path} from its extension; give --format csv or --format jsonl."
        )
    return found


def tokens_jsonl(client: HubClient, path: str, country: str | None, target: Path) -> int:
    """Write a token-form JSONL of a ref CSV, every identifier tokenised obliviously; return the row count."""
    given = read_csv(path)
    if not given.wide:
        raise InputError(f"{path}: --tokens-only takes a ref CSV (ref plus identifier-type columns).")
    runs = tokenise_each(client, given.sellers, country)
    with target.open("w", encoding="utf-8") as handle:
        for seller, run in zip(given.sellers, runs):
            handle.write(json.dumps({"ref": seller.ref, "identifiers": run}, separators=(",", ":")) + "\n")
    return len(given.sellers)


def _submit(client: HubClient, args: argparse.Namespace, kind: str) -> str:
    """Upload the file (or, with --tokens-only, its token form); return the new job's id."""
    if not args.tokens_only:
        return str(client.bulk_submit(args.file, purpose=args.purpose, content_type=FORMATS[kind]).get("id"))
    with tempfile.TemporaryDirectory(prefix="hubctl-bulk-") as directory:
        target = Path(directory) / "tokens.jsonl"
        rows = tokens_jsonl(client, args.file, args.country, target)
        print(f"tokenised {rows} row(s) locally; uploading tokens only", file=sys.stderr)
        return str(client.bulk_submit(target, purpose=args.purpose, content_type=FORMATS["jsonl"]).get("id"))


# -- commands ---------------------------------------------------------------------------


def run_bulk(args: argparse.Namespace) -> int:
    """Upload, follow the job's progress, then save or print its results."""
    if not Path(args.file).is_file():
        raise InputError(f"file not found or not a file: {args.file}")
    kind = file_format(args.file, args.format)
    if args.tokens_only and kind != "csv":
        raise InputError(
            "--tokens-only reads a ref CSV; a JSONL file can carry token-form identifiers itself."
        )
    target = out_file(args.out, "--out") if args.out else None
    client = client_for(args)
    job_id = _submit(client, args, kind)
    if args.no_wait:
        print(job_id)
        return EXIT_OK
    print(f"bulk job {job_id}", file=sys.stderr)
    final = follow(client, job_id, poll=args.poll)
    if final.get("status") != "done":
        print(f"hubctl: bulk job {job_id} is {final.get('status')}; no results", file=sys.stderr)
        return EXIT_HUB
    _deliver(client.bulk_results(job_id, args.results_format), target)
    return EXIT_OK


def _deliver(results: bytes, target: Path | None) -> None:
    """Save the results to target, or write them to stdout."""
    if target is None:
        sys.stdout.write(results.decode("utf-8"))
        sys.stdout.flush()
        return
    save_private(target, results, "the results")
    lines = results.count(b"\n")
    print(f"saved the results ({lines} lines) to {target}", file=sys.stderr)


def run_bulk_status(args: argparse.Namespace) -> int:
    """Print a job's progress."""
    client = client_for(args)
    status = local(lambda: client.bulk_status(args.job_id))
    print(output.as_json(status) if args.json else f"{status.get('id')}  {progress_line(status)}")
    return EXIT_OK


def run_bulk_cancel(args: argparse.Namespace) -> int:
    """Cancel a job; print its progress."""
    client = client_for(args)
    status = local(lambda: client.bulk_cancel(args.job_id, args.reason))
    print(output.as_json(status) if args.json else f"cancelled {status.get('id')}  {progress_line(status)}")
    return EXIT_OK


def run_bulk_results(args: argparse.Namespace) -> int:
    """Download a finished job's results to --out."""
    target = out_file(args.out, "--out")
    client = client_for(args)
    results = local(lambda: client.bulk_results(args.job_id, args.format))
    _deliver(results, target)
    return EXIT_OK
