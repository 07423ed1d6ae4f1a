"""Single checks over HTTP against their floor, the bare token lookup in SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench python benchmarks/single_check.py [--seconds 20] [--connections 4]

Seed first (benchmarks/seed_listed.py N). Starts gunicorn (2 sync workers, 127.0.0.1, a free port,
DEBUG off, check quotas raised so the limiter admits the load but still runs its UPDATE), seeds the
demo keys, and drives POST /api/v1/checks with wrk (a Lua script cycling through request bodies)
or, without wrk, a threaded Python client. Each request sends two listed tokens (phone and email of
one seeded subject, oblivious mode), so every check is a hit that reads reports. Prints throughput,
p50 and p99. Floor: the same token lookups as one prepared SQL query through psycopg (latency on one
connection; throughput with the same number of connections). Stops gunicorn at the end.
Targets (at 10M listed): p50 <= 10 ms and >= 500 checks/s. Before the load it EXPLAIN ANALYZEs the check's
one statement (sharing/checks/services/lookup_sql.py) for a seeded seller and says whether its plan scans
a table that grows with the register sequentially (the plan check at scale the tests' tiny tables cannot make).

--during-bulk M measures whether a bulk job starves single checks: after the quiet run it starts a
Celery worker on the bulk queue (real broker: --broker, by default CELERY_BROKER_URL or redis://127.0.0.1:6379/9),
uploads a bulk job of M rows with tokens supplied through the API, and once the upload has returned
runs the same load again while the worker processes chunks. It prints both runs and the bulk job's
rows/s during the second.

--batch K also drives POST /api/v1/checks/batch with the same sellers, K a request (threaded Python
client), and prints sellers/s and latency per request beside the single checks' checks/s of the same run.

--replica [URL] runs the same load once more on a second gunicorn whose checks read through a
streaming replica (scripts/replica; hub/replica_reads.py), and prints replica/primary from the same
run, with how many transactions each server committed per check (the replica's are the check's reads).

--batched-audit runs the same load once more with HUB_AUDIT_SEQUENCING=batched (each check stages its
audit event; accounts/audit/sequencer.py) and a real Celery worker on the broker as the sequencer, and
prints batched/inline from the same run, how many events were staged at most while the load ran, and
how long the sequencer took to place the rest once it stopped.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    ROOT,
    TYPES,
    bench_token,
    bulk_jsonl,
    celery_worker_start,
    celery_worker_stop,
    database_url,
    django_setup,
    listed_count,
    percentile,
)

BODIES = 5000


# Tables that grow with the listed tokens: a sequential scan of any of them in the check's plan would make
# a check cost time in proportion to the register (the tests' tiny tables cannot show a plan).
GROWING_TABLES = ("sharing_identifiertoken", "sharing_reportidentifier", "sharing_report", "sharing_subject")


def lookup_plan(n_listed: int, organisation_id: int) -> dict:
    """EXPLAIN ANALYZE of the check's one statement (lookup_sql.py) for a seeded seller, at this scale."""
    from django.db import connection
    from django.utils import timezone

    from sharing.checks.services.checks import check_lookup_arguments
    from sharing.checks.services.lookup_sql import check_lookup_sql
    from sharing.subjects.services.tokens import TokenisedIdentifier

    k = random.Random(11).randrange(n_listed // 2)
    tokenised = [
        TokenisedIdentifier(type=TYPES[j], token=bench_token(2 * k + j), key_version=1) for j in (0, 1)
    ]
    arguments = check_lookup_arguments(tokenised, now=timezone.now(), organisation_id=organisation_id)
    with connection.cursor() as cursor:
        cursor.execute(check_lookup_sql(), arguments)  # once to warm, then explained
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + check_lookup_sql(), arguments)
        (explained,) = cursor.fetchone()
    explained = explained[0] if isinstance(explained, list) else json.loads(explained)[0]
    scans: dict[str, int] = {}
    sequential: list[str] = []

    def walk(node: dict) -> None:
        relation = node.get("Relation Name")
        if relation:
            label = f"{node['Node Type']} {relation}"
            scans[label] = scans.get(label, 0) + 1
            if node["Node Type"] == "Seq Scan" and relation in GROWING_TABLES:
                sequential.append(relation)
        for child in node.get("Plans", []):
            walk(child)

    walk(explained["Plan"])
    return {
        "execution_ms": explained["Execution Time"],
        "planning_ms": explained["Planning Time"],
        "scans": scans,
        "sequential": sequential,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bodies_for(n_listed: int, count: int, purpose: str = "seller_onboarding") -> list[tuple[int, str]]:
    rng = random.Random(42)
    out = []
    for _ in range(count):
        k = rng.randrange(n_listed // 2)
        ids = [{"type": TYPES[i % 2], "token": bench_token(i), "key_version": 1} for i in (2 * k, 2 * k + 1)]
        out.append((k, json.dumps({"identifiers": ids, "purpose": purpose})))
    return out


def run_wrk(port: int, key: str, bodies: list[str], seconds: int, connections: int, workdir: Path) -> dict:
    lua = workdir / "check.lua"
    items = ",\n".join("[[" + b + "]]" for b in bodies)
    lua.write_text(f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {key}"
local bodies = {{
{items}
}}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/api/v1/checks", nil, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50_us=%d p99_us=%d requests=%d non2xx=%d errors=%d\\n",
    latency:percentile(50), latency:percentile(99), summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
""")
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(lua),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"BENCH p50_us=(\d+) p99_us=(\d+) requests=(\d+) non2xx=(\d+) errors=(\d+)", out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {
        "client": "wrk",
        "rps": rps,
        "p50_ms": int(m[1]) / 1000,
        "p99_ms": int(m[2]) / 1000,
        "requests": int(m[3]),
        "non2xx": int(m[4]),
        "errors": int(m[5]),
    }


def batch_bodies(chosen: list[tuple[int, str]], size: int, purpose: str = "seller_onboarding") -> list[str]:
    """The single checks' sellers, `size` to a batch check's body."""
    sellers = [{"identifiers": json.loads(body)["identifiers"]} for _, body in chosen]
    return [
        json.dumps({"purpose": purpose, "sellers": sellers[i : i + size]})
        for i in range(0, len(sellers) - size + 1, size)
    ]


def run_threads(
    port: int, key: str, bodies: list[str], seconds: int, connections: int, path: str = "/api/v1/checks"
) -> dict:
    latencies: list[float] = []
    bad = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine, bad_mine, i = [], 0, offset
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            conn.request("POST", path, bodies[i % len(bodies)], headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t0)
            bad_mine += response.status != 200
            i += connections
        with lock:
            latencies.extend(mine)
            bad[0] += bad_mine

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "client": "python threads",
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "requests": len(latencies),
        "non2xx": bad[0],
        "errors": 0,
    }


def sql_floor(sealed_pairs: list[list[str]], seconds: int, connections: int) -> dict:
    """The token lookup of a check as one prepared query: latency on one connection, then throughput."""
    import psycopg

    query = "SELECT id, subject_id, identifier_type FROM sharing_identifiertoken WHERE token = ANY(%s)"
    with psycopg.connect(database_url(), autocommit=True) as conn:
        latencies = []
        for pair in sealed_pairs[:2000]:
            t0 = time.perf_counter()
            rows = conn.execute(query, (pair,), prepare=True).fetchall()
            latencies.append(time.perf_counter() - t0)
            assert len(rows) == 2, rows
    latencies.sort()
    counts = [0] * connections
    stop = time.perf_counter() + seconds

    def worker(c: int) -> None:
        with psycopg.connect(database_url(), autocommit=True) as conn:
            i = c
            while time.perf_counter() < stop:
                conn.execute(query, (sealed_pairs[i % len(sealed_pairs)],), prepare=True).fetchall()
                counts[c] += 1
                i += connections

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "rps": sum(counts) / (time.perf_counter() - started),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


def gunicorn_start(env: dict, port: int, threads: int) -> subprocess.Popen:
    """gunicorn with 2 workers on this port, once it accepts connections."""
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "hub.wsgi:application",
            "--workers",
            "2",
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    return process


def xacts_committed(url: str) -> int:
    """Transactions the server has committed in this database (pg_stat_database; a standby counts its reads)."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (name,)
        ).fetchone()[0]


def replica_run(args, env: dict, key: str, bodies: list[str]) -> dict:
    """The same load on a second gunicorn whose checks read through the streaming replica."""
    from urllib.parse import urlsplit

    primary = database_url()
    parts = urlsplit(args.replica)
    replica_url = f"{parts.scheme}://{parts.netloc}/{primary.rsplit('/', 1)[1]}"
    port = free_port()
    gunicorn = gunicorn_start({**env, "DATABASE_REPLICA_URL": replica_url}, port, args.threads)
    workdir = Path(tempfile.mkdtemp(prefix="iih-bench-"))
    try:
        run_threads(port, key, bodies, 2, args.connections)  # warm both workers
        primary_before, replica_before = xacts_committed(primary), xacts_committed(replica_url)
        checks = checks_load(args, port, key, bodies, workdir)
        # Statistics reach pg_stat_database when a backend goes idle: give them a moment.
        time.sleep(1)
        primary_after, replica_after = xacts_committed(primary), xacts_committed(replica_url)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "checks": checks,
        "replica_xacts": replica_after - replica_before,
        "primary_xacts": primary_after - primary_before,
    }


def checks_load(args, port: int, key: str, bodies: list[str], workdir: Path) -> dict:
    """The check load of this run: wrk when asked for or installed, else the threaded Python client."""
    if args.client == "wrk" or (args.client == "auto" and shutil.which("wrk")):
        return run_wrk(port, key, bodies, args.seconds, args.connections, workdir)
    return run_threads(port, key, bodies, args.seconds, args.connections)


def staged_events(url: str) -> int:
    """Audit events staged and not yet placed in the log by the sequencer."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM accounts_auditstagedevent").fetchone()[0]


def batched_audit_run(args, env: dict, key: str, bodies: list[str]) -> dict:
    """The same load with HUB_AUDIT_SEQUENCING=batched: each check stages its audit event, and a real
    Celery worker (one process, the default queue, nudged by the web workers and run every second by
    its embedded beat, as in production) runs the sequencer that places them in the log. The window ends when the load does; the script then
    times how long the sequencer takes to place what was left staged."""
    batched_env = {**env, "HUB_AUDIT_SEQUENCING": "batched"}
    # With beat, as in production: nudges come only after commits, and beat places what the last ones left.
    worker = celery_worker_start(
        queue="celery", concurrency=1, name="bench-sequencer", env=batched_env, solo=True, beat=True
    )
    port = free_port()
    gunicorn = gunicorn_start(batched_env, port, args.threads)
    workdir = Path(tempfile.mkdtemp(prefix="iih-bench-"))
    most_staged = 0
    try:
        run_threads(port, key, bodies, 2, args.connections)  # warm both workers
        result: dict = {}

        def load() -> None:
            result.update(checks_load(args, port, key, bodies, workdir))

        loader = threading.Thread(target=load)
        loader.start()
        while loader.is_alive():  # how far the sequencer falls behind while the load runs
            most_staged = max(most_staged, staged_events(database_url()))
            loader.join(1.0)
        left, t0 = staged_events(database_url()), time.perf_counter()
        while staged_events(database_url()) and time.perf_counter() - t0 < 120:
            time.sleep(0.1)
        drained = time.perf_counter() - t0
        still = staged_events(database_url())
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        celery_worker_stop(worker, timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)
    return {"checks": result, "most_staged": most_staged, "left": left, "drained_s": drained, "still": still}


def measure_during_bulk(port: int, key: str, env: dict, n_listed: int, rows: int, load) -> dict:
    """Upload a bulk job, start a bulk worker, and run the check load while it works."""
    upload = bulk_jsonl(n_listed, rows)[0].encode()
    boundary = "iih-bench-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nseller_onboarding\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="sellers.jsonl"\r\n'
            f"Content-Type: application/x-ndjson\r\n\r\n"
        ).encode()
        + upload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Authorization": f"Bearer {key}"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(
        "POST",
        "/api/v1/bulk-checks",
        body,
        {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    response = conn.getresponse()
    created = json.loads(response.read())
    if response.status not in (200, 201, 202):
        sys.exit(f"bulk upload refused: HTTP {response.status} {created}")
    job_id = created["id"]

    def done() -> int:
        conn.request("GET", f"/api/v1/bulk-checks/{job_id}", headers=headers)
        return json.loads(conn.getresponse().read())["done"]

    worker = celery_worker_start(queue="bulk", concurrency=1, name="bench-bulk", env=env)
    try:
        deadline = time.time() + 60
        while done() == 0 and time.time() < deadline:  # the worker is up once rows move
            time.sleep(0.5)
        before, t0 = done(), time.perf_counter()
        checks = load()
        after, seconds = done(), time.perf_counter() - t0
    finally:
        celery_worker_stop(worker)
    if after >= rows:
        print(f"warning: the bulk job finished during the window; use a larger --during-bulk than {rows}")
    return {
        "checks": checks,
        "rows": rows,
        "bulk_done": after - before,
        "bulk_rows_per_s": (after - before) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="DATABASE_CONN_MAX_AGE for gunicorn (default: the hub's, persistent connections)",
    )
    parser.add_argument(
        "--broker",
        default=os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/9",
        help="Celery broker for gunicorn's tasks ('none': run them in-process)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers)"
    )
    parser.add_argument(
        "--during-bulk",
        type=int,
        default=0,
        metavar="M",
        help="also measure while a Celery worker processes a bulk job of M rows",
    )
    parser.add_argument(
        "--replica",
        nargs="?",
        const="postgres://postgres@127.0.0.1:5433/x",
        default=None,
        metavar="URL",
        help="also run the same load with the check's reads on this streaming replica (scripts/replica; "
        "default postgres://postgres@127.0.0.1:5433, the database is the primary's) and print replica/primary",
    )
    parser.add_argument(
        "--batched-audit",
        action="store_true",
        help="also run the same load with HUB_AUDIT_SEQUENCING=batched and a Celery worker as the sequencer "
        "(needs a broker) and print batched/inline",
    )
    parser.add_argument(
        "--courier",
        action="store_true",
        help="also run the same load as the demo courier's analyst (purpose parcel_screening, "
        "answers with a parcel action) and print courier/platform",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        metavar="K",
        help="also drive POST /api/v1/checks/batch with the same sellers, K a request, and print sellers/s "
        "beside the single checks' checks/s",
    )
    args = parser.parse_args()

    django_setup()
    from django.core.management import call_command

    from hub.keys import token_storage_keys
    from sharing.crypto.tokens import token_seal

    n_listed = listed_count()
    if n_listed < 2:
        sys.exit("Seed listed tokens first: python benchmarks/seed_listed.py N")
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out)
    demo_keys = {m["username"]: m["api_key"] for m in json.loads(out.getvalue())}
    key = demo_keys["platform-analyst"]
    chosen = bodies_for(n_listed, BODIES)
    keys = token_storage_keys()
    sealed_pairs = [[token_seal(bench_token(i), keys=keys) for i in (2 * k, 2 * k + 1)] for k, _ in chosen]

    from accounts.models import Member

    plan = lookup_plan(n_listed, Member.objects.get(user__username="platform-analyst").organisation_id)
    print(
        f"plan of the check's statement at {n_listed} listed: execution {plan['execution_ms']:.2f} ms, "
        f"planning {plan['planning_ms']:.2f} ms; "
        + (
            f"SEQUENTIAL SCAN of {', '.join(sorted(set(plan['sequential'])))}: a check grows with the register"
            if plan["sequential"]
            else "no sequential scan of a table that grows with the register"
        )
    )
    print("      " + ", ".join(f"{label} ×{n}" for label, n in sorted(plan["scans"].items())))

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "DJANGO_DEBUG": "false",
        "HUB_QUOTA_CHECKS_PER_MINUTE": "100000000",
        "HUB_QUOTA_CHECKS_PER_DAY": "1000000000",
    }
    if args.conn_max_age is not None:
        env["DATABASE_CONN_MAX_AGE"] = str(args.conn_max_age)
    # A broker, as in production: without one the audit checkpoint task would run inside a request.
    if args.broker != "none":
        env["CELERY_BROKER_URL"] = args.broker
    if args.during_bulk:
        if args.broker == "none":
            sys.exit("--during-bulk needs a broker")
        env.update(
            HUB_BULK_MAX_ROWS=str(max(args.during_bulk, 100_000)),
            HUB_BULK_JOBS_PER_DAY="100000",
            HUB_BULK_CONCURRENT_JOBS="100000",
        )
    # The primary run never reads a replica, whatever the environment says.
    env["DATABASE_REPLICA_URL"] = ""
    during = courier = on_replica = batched = audit_batched = None
    if args.batched_audit and args.broker == "none":
        sys.exit("--batched-audit needs a broker (the sequencer runs on a Celery worker)")
    gunicorn = gunicorn_start(env, port, args.threads)
    workdir = Path(tempfile.mkdtemp(prefix="iih-bench-"))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request(
            "POST",
            "/api/v1/checks",
            chosen[0][1],
            {"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        response = conn.getresponse()
        sample = json.loads(response.read())
        print(
            f"sample check: HTTP {response.status}, level={sample.get('level')}, reports_matched={sample.get('reports_matched')}"
        )
        bodies = [b for _, b in chosen]
        # warm both workers
        run_threads(port, key, bodies, 2, args.connections)
        use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))

        def load() -> dict:
            return (
                run_wrk(port, key, bodies, args.seconds, args.connections, workdir)
                if use_wrk
                else run_threads(port, key, bodies, args.seconds, args.connections)
            )

        before = xacts_committed(database_url())
        hub = load()
        time.sleep(1)  # statistics reach pg_stat_database when a backend goes idle
        hub["primary_xacts"] = xacts_committed(database_url()) - before
        if args.courier:
            # The same sellers checked at a courier's counter: same path, plus the parcel action.
            courier_key = demo_keys["logistics-analyst"]
            courier_bodies = [b for _, b in bodies_for(n_listed, BODIES, "parcel_screening")]
            run_threads(port, courier_key, courier_bodies, 2, args.connections)
            courier = (
                run_wrk(port, courier_key, courier_bodies, args.seconds, args.connections, workdir)
                if use_wrk
                else run_threads(port, courier_key, courier_bodies, args.seconds, args.connections)
            )
        if args.batch:
            grouped = batch_bodies(chosen, args.batch)
            path = "/api/v1/checks/batch"
            run_threads(port, key, grouped, 2, args.connections, path)
            batched = run_threads(port, key, grouped, args.seconds, args.connections, path)
        if args.during_bulk:
            during = measure_during_bulk(port, key, env, n_listed, args.during_bulk, load)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    if args.replica:
        on_replica = replica_run(args, env, key, [b for _, b in chosen])
    if args.batched_audit:
        audit_batched = batched_audit_run(args, env, key, [b for _, b in chosen])
    floor = sql_floor(sealed_pairs, min(args.seconds, 10), args.connections)
    print(
        f"listed tokens: {n_listed}   client: {hub['client']}, {args.connections} connections, {args.seconds} s, "
        f"gunicorn 2 workers × {args.threads} thread(s), DATABASE_CONN_MAX_AGE={env.get('DATABASE_CONN_MAX_AGE', 'hub default (60)')}, "
        f"Celery broker: {env.get('CELERY_BROKER_URL') or 'none (tasks in-process)'}"
    )
    print(
        f"hub   POST /api/v1/checks: {hub['rps']:>8.0f} checks/s   p50 {hub['p50_ms']:6.2f} ms   p99 {hub['p99_ms']:6.2f} ms"
        f"   ({hub['requests']} requests, {hub['non2xx']} non-2xx, {hub['errors']} socket errors)"
    )
    print(
        f"floor prepared SQL lookup: {floor['rps']:>8.0f} lookups/s  p50 {floor['p50_ms']:6.2f} ms   p99 {floor['p99_ms']:6.2f} ms"
    )
    print(
        f"ratio hub/floor: throughput {hub['rps'] / floor['rps']:.3f}   p50 latency x{hub['p50_ms'] / floor['p50_ms']:.1f}"
    )
    if courier:
        print(
            f"courier POST /api/v1/checks: {courier['rps']:>6.0f} checks/s   p50 {courier['p50_ms']:6.2f} ms   "
            f"p99 {courier['p99_ms']:6.2f} ms   ({courier['requests']} requests, {courier['non2xx']} non-2xx);  "
            f"courier/platform: throughput {courier['rps'] / hub['rps']:.2f}, p50 x{courier['p50_ms'] / hub['p50_ms']:.2f}"
        )
    if batched:
        sellers_per_s = batched["rps"] * args.batch
        print(
            f"batch POST /api/v1/checks/batch ({args.batch} sellers a request, python threads): {sellers_per_s:>6.0f} sellers/s"
            f"   p50 {batched['p50_ms']:6.2f} ms   p99 {batched['p99_ms']:6.2f} ms a request"
            f"   ({batched['requests']} requests, {batched['non2xx']} non-2xx);  batch/single sellers/s: "
            f"{sellers_per_s / hub['rps']:.2f}"
        )
    if on_replica:
        r = on_replica["checks"]
        print(
            f"replica POST /api/v1/checks: {r['rps']:>6.0f} checks/s   p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms"
            f"   ({r['requests']} requests, {r['non2xx']} non-2xx);  replica/primary: throughput "
            f"{r['rps'] / hub['rps']:.2f}, p50 x{r['p50_ms'] / hub['p50_ms']:.2f}"
        )
        print(
            f"      the replica committed {on_replica['replica_xacts']} read transactions in the window "
            f"({on_replica['replica_xacts'] / max(r['requests'], 1):.1f} per check), the primary "
            f"{on_replica['primary_xacts']} ({on_replica['primary_xacts'] / max(r['requests'], 1):.1f} per check; "
            f"{hub['primary_xacts'] / max(hub['requests'], 1):.1f} per check without the replica)"
        )
    if audit_batched:
        b = audit_batched["checks"]
        print(
            f"batched audit POST /api/v1/checks: {b['rps']:>6.0f} checks/s   p50 {b['p50_ms']:6.2f} ms   "
            f"p99 {b['p99_ms']:6.2f} ms   ({b['requests']} requests, {b['non2xx']} non-2xx);  batched/inline: "
            f"throughput {b['rps'] / hub['rps']:.2f}, p50 x{b['p50_ms'] / hub['p50_ms']:.2f}"
        )
        print(
            f"      the sequencer (one Celery worker): at most {audit_batched['most_staged']} events staged during "
            f"the load, {audit_batched['left']} at its end, placed {audit_batched['drained_s']:.1f} s later"
            + (f" ({audit_batched['still']} STILL STAGED after 120 s)" if audit_batched["still"] else "")
        )
    if during:
        d = during["checks"]
        print(
            f"during a bulk job ({during['rows']} rows, tokens supplied, Celery worker on the bulk queue, concurrency 1, "
            f"HUB_BULK_DUTY_PERCENT={os.environ.get('HUB_BULK_DUTY_PERCENT', 'hub default (50)')}):"
        )
        print(
            f"hub   POST /api/v1/checks: {d['rps']:>8.0f} checks/s   p50 {d['p50_ms']:6.2f} ms   p99 {d['p99_ms']:6.2f} ms"
            f"   ({d['requests']} requests, {d['non2xx']} non-2xx, {d['errors']} socket errors)"
        )
        print(
            f"      bulk job meanwhile: {during['bulk_rows_per_s']:.0f} rows/s ({during['bulk_done']} rows done in the window)"
            f";  p50 during/quiet x{d['p50_ms'] / hub['p50_ms']:.2f}, throughput during/quiet {d['rps'] / hub['rps']:.2f}"
        )
    print(
        f"targets: p50 <= 10 ms: {'met' if hub['p50_ms'] <= 10 else 'missed'};  >= 500 checks/s: "
        f"{'met' if hub['rps'] >= 500 else 'missed'}  (targets are stated at 10M listed)"
    )


if __name__ == "__main__":
    main()
