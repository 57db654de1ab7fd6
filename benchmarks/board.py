"""Benchmark the discharge board: 1,000 inpatients, 50 concurrent clients, real uvicorn.

For each board database (SQLite always; PostgreSQL when NEARHOME_TEST_PG is set) this starts
a uvicorn server on 127.0.0.1 in its own process, signs in 50 ward users (one per ward, about
18 patients each), then for a bounded time (``--seconds``, at most 20) every client loads its
board page, and then every client edits one of its own patients in place (HTMX POST). Each
client waits ``--think`` seconds between requests, as a person at a ward computer does
(``--think 0`` measures the server flat out). It prints requests per second and p50/p95/p99
latency for both, and the load average before and after each backend (the machine may be
shared: compare figures only at similar load). The server runs as ``nearhome serve`` runs it
(production settings, one process). All traffic stays on loopback; every loop stops by itself.

    python benchmarks/board.py [--seconds 20] [--clients 50] [--think 1.0] [--inpatients 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

MAX_SECONDS = 20.0
PASSWORD = "benchmark-password-synthetic"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROW = re.compile(r'id="row-(S\d+)"')


@dataclass
class Timings:
    """Latencies of one kind of request."""

    name: str
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    def line(self, backend: str) -> str:
        if not self.seconds:
            return f"{backend:<10} {self.name:<11} no successful requests ({self.errors} errors)"
        ordered = sorted(self.seconds)

        def pct(p: float) -> float:
            return 1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))]

        rate = len(ordered) / self.elapsed
        return (
            f"{backend:<10} {self.name:<11} {len(ordered):>6} req {rate:>8.1f} req/s   "
            f"p50 {pct(0.50):>7.1f} ms  p95 {pct(0.95):>7.1f} ms  p99 {pct(0.99):>7.1f} ms  "
            f"mean {1000 * statistics.fmean(ordered):>7.1f} ms  errors {self.errors}"
        )


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` shows them."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def today() -> datetime:
    return datetime.now(UTC)


def prepare(
    root: Path, db_url: str, inpatients: int, clients: int
) -> tuple[str, list[str]]:
    """Write the warehouse file and the users; returns the warehouse URL and the usernames."""
    from nearhome.appdb import open_database, upgrade_database
    from nearhome.appdb.accounts import NewUser, create_user
    from nearhome.board.demo import demo_frames, demo_wards
    from nearhome.data.warehouse import connect
    from nearhome.web.deps import LOCAL_ZONE
    from nearhome.web.harness import cheap_hasher

    day = today().astimezone(LOCAL_ZONE).date()
    warehouse_url = f"duckdb:///{root / 'warehouse.duckdb'}"
    if not (root / "warehouse.duckdb").exists():
        warehouse = connect(warehouse_url)
        for name, frame in demo_frames(inpatients, today=day).items():
            warehouse.write_table(name, frame)
        warehouse.close()
    wards = [w.ward_code for w in demo_wards(inpatients) if w.provider_code == "RNH"]
    database = open_database(db_url)
    upgrade_database(database)
    users = [f"nurse{i:02d}" for i in range(clients)]
    with database.transaction() as session:
        for i, name in enumerate(users):
            new = NewUser(name, "ward_staff", wards=(wards[i % len(wards)],))
            create_user(session, cheap_hasher(), new, password=PASSWORD, now=today())
    database.dispose()
    return warehouse_url, users


def run_server(warehouse_url: str, db_url: str, port: int) -> None:
    """The server process: the real app, run as ``nearhome serve`` runs it in production.

    Production settings (templates read once), the default census cache lifetime, and
    ``nearhome serve``'s own uvicorn call. The one change: the per-address sign-in limit is
    raised, because all 50 users sign in from 127.0.0.1.
    """
    from nearhome.cli.serve import run_app
    from nearhome.settings import Settings
    from nearhome.web.app import create_app
    from nearhome.web.auth import LoginThrottle

    settings = Settings(
        environment="production",
        warehouse_url=warehouse_url,
        board_db_url=db_url,
        secret_key="benchmark-secret-key-synthetic-only-0123456789",
    )
    app = create_app(settings, login_throttle=LoginThrottle(max_attempts=10_000))
    run_app(app, host="127.0.0.1", port=port)


@contextlib.contextmanager
def server(warehouse_url: str, db_url: str) -> Iterator[str]:
    port = free_port()
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=run_server, args=(warehouse_url, db_url, port), daemon=True
    )
    process.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if not process.is_alive():
                raise SystemExit("the server process died while starting")
            time.sleep(0.2)
        else:
            raise SystemExit("the server did not start within 300 s")
        yield url
    finally:
        process.terminate()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


@dataclass
class Client:
    http: httpx.AsyncClient
    csrf: str = ""
    spell: str = ""
    version: int = 0
    edits: int = 0


async def sign_in(url: str, username: str) -> Client:
    http = httpx.AsyncClient(base_url=url, timeout=30.0)
    page = await http.get("/login")
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    response = await http.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 303:
        raise SystemExit(f"sign-in failed for {username}: {response.status_code}")
    board = await http.get("/board")
    client = Client(http=http, csrf=CSRF.search(board.text).group(1))  # type: ignore[union-attr]
    spells = ROW.findall(board.text)
    client.spell = spells[0] if spells else ""
    return client


async def board_loop(
    client: Client, timings: Timings, stop_at: float, think: float
) -> None:
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            response = await client.http.get("/board")
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok:
            timings.seconds.append(time.perf_counter() - started)
        else:
            timings.errors += 1
        if think:
            await asyncio.sleep(think)


async def edit_loop(
    client: Client, timings: Timings, stop_at: float, think: float
) -> None:
    day = today().date()
    while time.monotonic() < stop_at and client.spell:
        client.edits += 1
        data = {
            "version": str(client.version),
            "expected_discharge_date": (
                day + timedelta(days=7 + client.edits % 20)
            ).isoformat(),
            "is_crfd": "no",
            "day_status": "green" if client.edits % 2 else "red",
            "wishes": f"Benchmark note {client.edits}",
        }
        headers = {"HX-Request": "true", "X-CSRF-Token": client.csrf}
        started = time.perf_counter()
        try:
            response = await client.http.post(
                f"/board/rows/{client.spell}", data=data, headers=headers
            )
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok:
            timings.seconds.append(time.perf_counter() - started)
            client.version += 1
        else:
            timings.errors += 1
        if think:
            await asyncio.sleep(think)


async def measure(
    url: str, users: list[str], seconds: float, think: float
) -> list[Timings]:
    clients = list(await asyncio.gather(*(sign_in(url, u) for u in users)))
    try:
        results = []
        for name, loop in (("board page", board_loop), ("edit", edit_loop)):
            timings = Timings(name)
            began = time.monotonic()
            stop_at = began + seconds
            await asyncio.gather(*(loop(c, timings, stop_at, think) for c in clients))
            timings.elapsed = time.monotonic() - began
            results.append(timings)
        return results
    finally:
        await asyncio.gather(*(c.http.aclose() for c in clients))


def backends() -> Iterator[tuple[str, contextlib.AbstractContextManager[str] | None]]:
    yield "sqlite", None
    pg = os.environ.get("NEARHOME_TEST_PG")
    if not pg:
        print("postgres   skipped: NEARHOME_TEST_PG is not set")
        return
    from nearhome.web.harness import scratch_postgres

    yield "postgres", scratch_postgres(pg)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=MAX_SECONDS)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--inpatients", type=int, default=1000)
    args = parser.parse_args()
    seconds = min(args.seconds, MAX_SECONDS)
    print(
        f"Board benchmark: {args.inpatients} inpatients, {args.clients} clients, "
        f"{seconds:.0f} s per measurement, think time {args.think} s, on {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, scratch in backends():
            with scratch or contextlib.nullcontext(
                f"sqlite:///{root / 'board.sqlite'}"
            ) as db_url:
                warehouse_url, users = prepare(
                    root, db_url, args.inpatients, args.clients
                )
                with server(warehouse_url, db_url) as url:
                    print(f"{name:<10} {load_average()} before", flush=True)
                    for timings in asyncio.run(
                        measure(url, users, seconds, args.think)
                    ):
                        print(timings.line(name), flush=True)
                    print(f"{name:<10} {load_average()} after", flush=True)


if __name__ == "__main__":
    sys.exit(main())
