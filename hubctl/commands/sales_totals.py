"""hubctl sales-totals: keygen, request, tasks, submit, decline, fetch, decrypt.

The requester's Paillier key pair is made here and its private half stays in a local file; a member's
figures are encrypted here under the requester's public key before they are sent; the released sum is
decrypted here, after the hub's signed statement is checked against the hub's key.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from hubcore import paillier
from hubcore.packages import PackageError
from hubctl import output
from hubctl.commands.base import EXIT_INVALID, EXIT_OK, client_for, command, hub_key_for, local
from hubctl.commands.files import out_file, save_private
from hubctl.inputs import InputError


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `sales-totals` and its subcommands."""
    parser = commands.add_parser(
        "sales-totals",
        help="Cross-platform sales totals under your own Paillier key (issue 17).",
        description="Ask for a listed seller's sales totals across platforms, answer a task, or\n"
        "decrypt a released total. Figures are encrypted and decrypted here, never on the hub.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="sales_totals_command", metavar="STEP", required=True)
    _add_keygen(sub)
    _add_request(sub)
    _add_tasks(sub)
    _add_submit(sub)
    _add_decline(sub)
    _add_fetch(sub)
    _add_decrypt(sub)


def _add_keygen(sub: argparse._SubParsersAction) -> None:
    parser = command(
        sub,
        "keygen",
        "Make a Paillier key pair; write the private key to a local file (owner-only), print n.",
        "Keep the key file: only it decrypts the released totals. Offline.\n\n"
        "example:\n  hubctl sales-totals keygen --out sales.key",
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="where to write the private key")
    parser.add_argument(
        "--bits",
        type=int,
        default=paillier.MIN_KEY_BITS,
        help=f"modulus size (at least {paillier.MIN_KEY_BITS})",
    )
    parser.set_defaults(run=_run_keygen)


def _add_request(sub: argparse._SubParsersAction) -> None:
    parser = command(
        sub,
        "request",
        "Ask for a listed seller's sales totals over a period, under your key.",
        "Only the public key (n) is sent. The hub releases the sum at the request's fixed deadline,\n"
        "and only when at least k members contributed.\n\n"
        "example:\n  hubctl sales-totals request --key sales.key --subject SUBJECT_ID \\\n"
        "    --from 2025-01-01 --to 2025-12-31 --currency EUR",
    )
    parser.add_argument("--key", required=True, metavar="FILE", help="your private key file (keygen's)")
    parser.add_argument("--subject", required=True, metavar="ID", help="the listed seller's subject id")
    parser.add_argument("--from", dest="period_start", required=True, type=_day, metavar="DATE")
    parser.add_argument("--to", dest="period_end", required=True, type=_day, metavar="DATE")
    parser.add_argument("--currency", required=True, help="ISO 4217 code, e.g. EUR")
    parser.add_argument("--k", type=int, help="least contributors (not below the hub's minimum)")
    parser.add_argument("--case-reference", default="", help="the case (courts must give one)")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_request)


def _add_tasks(sub: argparse._SubParsersAction) -> None:
    parser = command(
        sub, "tasks", "List your organisation's sales totals tasks.", "example:\n  hubctl sales-totals tasks"
    )
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_tasks)


def _add_submit(sub: argparse._SubParsersAction) -> None:
    parser = command(
        sub,
        "submit",
        "Answer a task: encrypt your totals here under the requester's key and send the ciphertexts.",
        "Figures are whole numbers: gross sales in minor currency units (cents, fen), orders, units,\n"
        "over the task's period and for the matched accounts only.\n\n"
        "example:\n  hubctl sales-totals submit TASK_ID --gross-minor 1250000 --orders 310 --units 402 --accounts 3",
    )
    parser.add_argument("task_id", metavar="TASK_ID")
    parser.add_argument("--gross-minor", required=True, type=_figure, help="gross sales in minor units")
    parser.add_argument("--orders", required=True, type=_figure)
    parser.add_argument("--units", required=True, type=_figure)
    parser.add_argument("--accounts", required=True, type=int, help="how many accounts the figures cover")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_submit)


def _add_decline(sub: argparse._SubParsersAction) -> None:
    parser = command(
        sub,
        "decline",
        "Decline a task with a reason.",
        "example:\n  hubctl sales-totals decline TASK_ID --reason 'accounts closed before the period'",
    )
    parser.add_argument("task_id", metavar="TASK_ID")
    parser.add_argument("--reason", required=True)
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_decline)


def _add_fetch(sub: argparse._SubParsersAction) -> None:
    parser = command(
        sub,
        "fetch",
        "Show one of your requests; once released, save the signed statement with --out.",
        "--out DIR writes statement.json and statement.json.sig (check it with ssh-keygen -Y\n"
        "check-novalidate -n iih-sales-totals, docs/formats.md) and aggregate.json.\n\n"
        "example:\n  hubctl sales-totals fetch REQUEST_ID --out totals/",
    )
    parser.add_argument("request_id", metavar="REQUEST_ID")
    parser.add_argument("--out", metavar="DIR", help="save the statement, its signature and the aggregate")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_fetch)


def _add_decrypt(sub: argparse._SubParsersAction) -> None:
    parser = command(
        sub,
        "decrypt",
        "Verify the hub's signed statement and decrypt the released totals with your key.",
        "Without --hub-key the hub's key is fetched from GET /api/v1/keys (hubctl warns: pin it).\n\n"
        "exit status: 0 verified and decrypted, 1 the hub refused or the statement does not verify\n\n"
        "example:\n  hubctl sales-totals decrypt REQUEST_ID --key sales.key --hub-key HEX",
    )
    parser.add_argument("request_id", metavar="REQUEST_ID")
    parser.add_argument("--key", required=True, metavar="FILE", help="your private key file (keygen's)")
    parser.add_argument("--hub-key", metavar="KEY", help="the hub's Ed25519 public key (64 hex digits)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(run=_run_decrypt)


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError("give a date as YYYY-MM-DD") from None


def _figure(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("give a whole number (minor units for money)") from None
    if value < 0:
        raise argparse.ArgumentTypeError("give a number of zero or more")
    return value


def _key_load(path: str):
    try:
        return paillier.private_key_load(Path(path).read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read the key file {path}: {exc.strerror or exc}") from None
    except paillier.PaillierInputError as exc:
        raise InputError(f"{path}: {exc}") from None


# -- commands -------------------------------------------------------------------------------


def _run_keygen(args: argparse.Namespace) -> int:
    target = out_file(args.out, "--out")
    if target.exists():
        raise InputError(f"{target} exists: hubctl will not overwrite a private key.")
    try:
        public_key, private_key = paillier.keypair_generate(args.bits)
    except paillier.PaillierInputError as exc:
        raise InputError(str(exc)) from None
    save_private(target, paillier.private_key_dump(private_key), "the private key")
    print(
        f"wrote the private key ({public_key.n.bit_length()} bits) to {target}; keep it, it never leaves here"
    )
    print(f"public key n: {public_key.n}")
    return EXIT_OK


def _run_request(args: argparse.Namespace) -> int:
    private_key = _key_load(args.key)
    client = client_for(args)
    created = local(
        lambda: client.sales_totals_request(
            subject=args.subject,
            period_start=args.period_start,
            period_end=args.period_end,
            currency=args.currency.strip().upper(),
            n=private_key.public_key.n,
            k=args.k,
            case_reference=args.case_reference,
        )
    )
    print(output.as_json(created) if args.json else _request_text(created))
    return EXIT_OK


def _run_tasks(args: argparse.Namespace) -> int:
    tasks = client_for(args).sales_totals_tasks()
    if args.json:
        print(output.as_json(tasks))
    else:
        for task in tasks:
            print(
                f"task {task['id']}: {task['status']} (request {task['request_status']}); "
                f"{task['period_start']}..{task['period_end']} {task['currency']}; deadline {task['deadline']}"
            )
    return EXIT_OK


def _run_submit(args: argparse.Namespace) -> int:
    client = client_for(args)
    task = local(lambda: client.sales_totals_task(args.task_id))
    try:
        n = paillier.modulus_parse(task["public_key"])
        ciphertexts = paillier.figures_encrypt(
            n, {"gross_minor": args.gross_minor, "orders": args.orders, "units": args.units}
        )
    except paillier.PaillierInputError as exc:
        raise InputError(f"cannot encrypt under the requester's key: {exc}") from None
    answered = client.sales_totals_submit(args.task_id, ciphertexts=ciphertexts, accounts=args.accounts)
    print(
        output.as_json(answered)
        if args.json
        else f"task {answered['id']}: {answered['status']} (figures encrypted here; the hub never saw them)"
    )
    return EXIT_OK


def _run_decline(args: argparse.Namespace) -> int:
    client = client_for(args)
    declined = local(lambda: client.sales_totals_decline(args.task_id, reason=args.reason))
    print(output.as_json(declined) if args.json else f"task {declined['id']}: {declined['status']}")
    return EXIT_OK


def _run_fetch(args: argparse.Namespace) -> int:
    client = client_for(args)
    found = local(lambda: client.sales_totals_get(args.request_id))
    if args.out:
        if found["status"] != "released":
            raise InputError(f"request {found['id']} is {found['status']}: there is no statement to save.")
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        save_private(
            out_file(str(folder / "statement.json"), "--out"), found["statement"].encode(), "the statement"
        )
        save_private(
            out_file(str(folder / "statement.json.sig"), "--out"),
            found["statement_signature"].encode(),
            "the signature",
        )
        save_private(
            out_file(str(folder / "aggregate.json"), "--out"),
            (output.as_json(found["aggregate"]) + "\n").encode(),
            "the aggregate",
        )
    print(output.as_json(found) if args.json else _request_text(found))
    return EXIT_OK


def _run_decrypt(args: argparse.Namespace) -> int:
    private_key = _key_load(args.key)
    client = client_for(args)
    found = local(lambda: client.sales_totals_get(args.request_id))
    if found["status"] != "released":
        raise InputError(f"request {found['id']} is {found['status']}: nothing has been released.")
    hub_key, source = hub_key_for(args)
    try:
        statement = paillier.statement_verify(
            found["statement"], found["statement_signature"], hub_key, found["aggregate"]
        )
    except (PackageError, paillier.PaillierInputError) as exc:
        print(f"hubctl: the statement does not verify: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if statement["public_key_sha256"] != paillier.modulus_sha256(private_key.public_key.n):
        print("hubctl: the statement names another key than yours", file=sys.stderr)
        return EXIT_INVALID
    totals = paillier.aggregate_decrypt(private_key, found["aggregate"])
    summary = {
        "request": found["id"],
        "currency": statement["currency"],
        "period": statement["period"],
        "k": statement["k"],
        "contributors": statement["contributors"],
        "totals": totals,
        "hub_key": hub_key.hex(),
        "hub_key_source": source,
    }
    if args.json:
        print(output.as_json(summary))
    else:
        print(f"request {found['id']}: statement signed by the hub ({source}), verified")
        print(f"period {statement['period']['start']}..{statement['period']['end']}, k = {statement['k']}")
        for contributor in statement["contributors"]:
            print(f"  {contributor['name']}: {contributor['accounts']} accounts")
        print(f"gross sales: {totals['gross_minor']} (minor units of {statement['currency']})")
        print(f"orders: {totals['orders']}    units: {totals['units']}")
    return EXIT_OK


def _request_text(request: dict) -> str:
    lines = [
        f"sales totals request {request.get('id')}: {request.get('status')}",
        f"subject {request.get('subject')}; {request.get('period_start')}..{request.get('period_end')} "
        f"{request.get('currency')}; k = {request.get('k')}; deadline {request.get('deadline')}",
    ]
    if request.get("refusal_reason"):
        lines.append(f"refused: {request['refusal_reason']}")
    if request.get("status") == "released":
        lines.append(
            f"released; decrypt with: hubctl sales-totals decrypt {request.get('id')} --key KEY_FILE"
        )
    return "\n".join(lines)
