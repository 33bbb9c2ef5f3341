"""``python -m benchmarks ledger --size S|M|L --db URL [--reuse] [--json FILE]``."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import Engine

from benchmarks.accounting_bench import measure_accounting
from benchmarks.database import (
    NotABenchmarkDatabase,
    describe,
    dialect_of,
    existing_engine,
    generated_marker,
    recreate,
    stale_indexes,
)
from benchmarks.desk_bench import measure_desk, render_desk
from benchmarks.generate import generate
from benchmarks.ledger_bench import measure
from benchmarks.profiles import PROFILES, Profile
from condo_admin.migrate import upgrade


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Performance benchmarks of condo-admin."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ledger = commands.add_parser(
        "ledger",
        help="generate a profile's data through post_many, then time statements, balances, "
        "the trial balance, aging, early warning and the real monthly charge run",
    )
    ledger.add_argument("--size", required=True, type=str.upper, choices=sorted(PROFILES))
    ledger.add_argument(
        "--db",
        required=True,
        help="sqlite:////tmp/bench-s.sqlite or "
        "postgresql+psycopg://postgres@127.0.0.1:5432/bench_m (created when missing)",
    )
    ledger.add_argument(
        "--reuse",
        action="store_true",
        help="keep the data when the database already holds this profile's finished generation",
    )
    ledger.add_argument(
        "--force",
        action="store_true",
        help="drop the database even when it does not look like a benchmark database",
    )
    ledger.add_argument("--seed", type=int, default=42, help="seed of the synthetic data")
    ledger.add_argument(
        "--samples", type=int, default=200, help="timed calls per query (default 200)"
    )
    ledger.add_argument("--warmup", type=int, default=20, help="untimed calls first (default 20)")
    ledger.add_argument(
        "--chunk",
        type=int,
        default=0,
        help="at most this many entries per post_many call (default 0: one call per batch)",
    )
    ledger.add_argument(
        "--no-keys",
        dest="keys",
        action="store_false",
        help="post without idempotency keys (by default every batch carries one)",
    )
    ledger.add_argument(
        "--untracked",
        dest="tracked",
        action="store_false",
        help="open the debtor accounts without open items (tracks_items off), as before open "
        "items existed: only to measure what tracking them costs (the arrears reports are empty)",
    )
    ledger.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return parser


def _reusable(engine: Engine, profile: Profile, tracked: bool) -> dict[str, Any] | None:
    """The figures of the finished generation held by the database, when its data can be reused."""
    marker = generated_marker(engine, profile.agency_code)
    # Data generated before debtor accounts tracked items (no "tracked" figure) have no unit
    # rents either: the real charge run could not run on them.
    if marker is None or marker.get("tracked") is not tracked:
        print(f"[{profile.code}] no finished profile {profile.code} data", file=sys.stderr)
        return None
    upgrade(engine)
    stale = stale_indexes(engine)
    if stale:
        print(
            f"[{profile.code}] the data were generated with other indexes than the models' "
            f"({', '.join(stale)})",
            file=sys.stderr,
        )
        return None
    return marker


def _prepare(args: argparse.Namespace, profile: Profile) -> tuple[Engine, dict[str, Any], bool]:
    """The engine on a database holding the profile, and the figures of its generation."""
    if args.reuse:
        engine = existing_engine(args.db)
        if engine is not None:
            marker = _reusable(engine, profile, args.tracked)
            if marker is not None:
                print(
                    f"[{profile.code}] reusing the data generated at {marker.get('finished_at')}",
                    file=sys.stderr,
                )
                return engine, marker, True
            engine.dispose()
        print(f"[{profile.code}] generating", file=sys.stderr)
    engine = recreate(args.db, force=args.force)
    upgrade(engine)
    stats = generate(
        engine, profile, seed=args.seed, keys=args.keys, chunk=args.chunk, tracked=args.tracked
    )
    return engine, stats.as_dict(), False


def _size(value: int | None) -> str:
    if value is None:
        return "n/a"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024  # type: ignore[assignment]
    raise AssertionError


def _ms(summary: dict[str, Any]) -> str:
    return (
        f"{summary['p50_ms']:8.2f} {summary['p95_ms']:8.2f} {summary['max_ms']:8.2f}"
        f"   {summary['db_p50_ms']:7.2f} {summary['db_p95_ms']:7.2f}"
    )


def _steps(steps: dict[str, float], labels: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{name} {steps[label]:.3f}" for label, name in labels if label in steps)


def render_accounting(report: dict[str, Any]) -> list[str]:
    acc = report["accounting"]
    run = acc["charge_run"]
    steps = run["steps_median_s"]
    inserts = steps["post_many.reserve_ids"] + steps["post_many.insert_rows"]
    items = steps["post_many.open_items"]
    fingerprint = steps["post_many.fingerprint"]
    checks = steps["post_many"] - inserts - items - fingerprint
    lines = [
        "",
        "Accounting operations (wall s, median; each run in a new session, rolled back)",
        f"  real charge run run_charges({run['period']}): {run['entries']:,} entries, "
        f"total {run['total']}",
        f"    median {run['median_s']:.3f} s of {len(run['runs_s'])} "
        f"(runs {', '.join(f'{r:.3f}' for r in run['runs_s'])}), db {run['db_median_s']:.3f} s",
        f"    building drafts {steps['drafts']:.3f} s ("
        + _steps(steps, (("drafts.rents", "rents"), ("drafts.occupancies", "occupancies")))
        + f"); post_many {steps['post_many']:.3f} s",
        f"    post_many: validation and the rest {checks:.3f}, fingerprint {fingerprint:.3f}, "
        f"entries and postings insert {inserts:.3f}, open items {items:.3f} s",
        "    open items: "
        + _steps(
            steps,
            (
                ("open_items.add_items", "add_items"),
                ("open_items.accounts_with_credit", "accounts_with_credit"),
                ("open_items.settle", "settle"),
            ),
        )
        + " s",
        "    (PRODUCT.md target: 10,000 units, profile M, under 0.5 s)",
    ]
    for figures in acc["aging"].values():
        s = figures["steps_median_s"]
        lines.append(
            f"  aging_report(as_of={figures['as_of']}, by={figures['by']}): "
            f"median {figures['median_s']:.3f} s of {len(figures['runs_s'])}, "
            f"db {figures['db_median_s']:.3f} s (positions {s['positions']:.3f}, "
            f"owners {s['owners']:.3f}); {figures['rows']:,} rows, "
            f"{figures['accounts']:,} accounts, total matches debtor balances: "
            f"{figures['matches_debtor_balances']}"
        )
    ew = acc["early_warning"]
    s = ew["steps_median_s"]
    flags = ", ".join(f"{rule} {count:,}" for rule, count in ew["flags"].items())
    lines.append(
        f"  early_warnings(as_of={ew['as_of']}): median {ew['median_s']:.3f} s of "
        f"{len(ew['runs_s'])}, db {ew['db_median_s']:.3f} s (positions {s['positions']:.3f}, "
        f"charges of the year {s['charges_of_the_year']:.3f}, monthly moves "
        f"{s['monthly_moves']:.3f}); {ew['households']:,} households flagged ({flags})"
    )
    return lines


def render(report: dict[str, Any]) -> str:
    gen = report["generation"]
    q = report["queries"]
    data = q["data"]
    runs = gen["charge_runs"]
    tb = q["trial_balance"]
    sb_first = q["statement_bank"]["first_page"]["median_s"]
    sb_end = q["statement_bank"]["near_end"]["median_s"]
    sb_end_db = q["statement_bank"]["near_end"]["db_median_s"]
    load = report["load_average"]
    lines = [
        f"condo-admin ledger benchmark: profile {report['profile']} on {report['dialect']} "
        f"({report['db']})",
        f"{report['python']}, SQLAlchemy {report['sqlalchemy']}, {report['when']}, "
        f"{load['cpus']} CPUs, load average {load['start'][0]:.2f} at start, "
        f"{load['end'][0]:.2f} at end",
        "",
        "Data",
        f"  units / buildings                  {gen['units']:,} / {gen['buildings']:,}",
        f"  households / people / occupancies  {gen['households']:,} / {gen['people']:,} / "
        f"{gen['occupancies']:,}",
        f"  accounts in the book (debtors)     {data['accounts']:,} ({data['debtor_accounts']:,}, "
        f"{data.get('tracked_accounts', 0):,} tracking items)",
        f"  journal entries                    {data['entries']:,}",
        f"  postings                           {data['postings']:,}",
        f"  open items (unsettled) / allocations {data.get('open_items', 0):,} "
        f"({data.get('unsettled_items', 0):,}) / {data.get('allocations', 0):,}",
        f"  database size                      {_size(q['database']['bytes'])}",
    ]
    for table, size in q["database"]["tables"].items():
        lines.append(f"    {table:<32} {_size(size)} (with indexes)")
    origin = "reused: generated earlier" if report["reused"] else "this run"
    lines += [
        "",
        f"Generation ({origin}, finished {gen['finished_at']}, "
        f"keys {'on' if gen['keys'] else 'off'}, debtor accounts "
        f"{'tracking items' if gen.get('tracked') else 'without open items'})",
        f"  registry + accounts (Core insert)  {gen['registry_seconds']:.1f} s",
        f"  ledger phase, wall                 {gen['ledger_seconds']:.1f} s "
        f"({gen['months']} months, {gen['post_many_calls']} post_many calls)",
        f"    building drafts                  {gen['drafts_seconds']:.1f} s",
        f"    inside post_many                 {gen['post_many_seconds']:.1f} s "
        f"(of which open items {gen.get('items_seconds', 0.0):.1f} s)",
        f"    commits                          {gen['commit_seconds']:.1f} s",
        f"  bulk posting rate (post_many)      {gen['post_many_rate']:,.0f} postings/s "
        f"({gen['post_many_rate'] / 2:,.0f} entries/s)",
        f"  end-to-end rate (ledger phase)     {gen['end_to_end_rate']:,.0f} postings/s",
        f"  post_many of a month's rent ({gen['units']:,} entries)  "
        f"p50 {statistics.median(runs):.3f} s, "
        f"max {max(runs):.3f} s; last 12 months p50 {statistics.median(runs[-12:]):.3f} s",
    ]
    if gen.get("optimise"):
        lines.append(f"  {gen['optimise']:<34} {gen['optimise_seconds']:.1f} s")
    lines += [
        f"  total generation wall time         {gen['total_seconds']:.1f} s "
        f"(peak RSS {gen['peak_rss_mb']:.0f} MB)",
        "",
        f"Queries (wall ms per call, warm cache; {q['statement']['first_page']['samples']} "
        f"samples after {q['statement']['warmup']} warm-up)",
        "                                         p50      p95      max    db p50  db p95",
        f"  statement, first page (limit {q['statement']['limit']})  "
        f"{_ms(q['statement']['first_page'])}",
        f"  statement, last page via cursor    {_ms(q['statement']['last_page'])}",
        f"    (mean {q['statement']['pages_per_account_mean']} pages per debtor account)",
        f"  balance() of a debtor account      {_ms(q['balance'])}",
        "",
        f"  balance() of BANK ({q['balance_bank']['postings']:,} postings): "
        f"median {q['balance_bank']['median_s'] * 1e3:.1f} ms of 5",
        f"  statement() of BANK, first page: median {sb_first * 1e3:.1f} ms of 5",
        f"  statement() of BANK, page 500 postings before the end: median {sb_end * 1e3:.1f} ms "
        f"(db {sb_end_db * 1e3:.1f} ms) of 5",
        f"  trial_balance() of the book ({tb['rows']:,} accounts): first {tb['first_s']:.2f} s, "
        f"median {tb['median_s']:.2f} s of 3, balanced: {tb['balanced']}",
    ]
    if "accounting" in report:
        lines += render_accounting(report)
    if "desk" in report:
        lines += render_desk(report["desk"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    profile = PROFILES[args.size]
    dialect = dialect_of(args.db)
    if profile.postgres_only and dialect != "postgresql":
        print(f"profile {profile.code} runs on PostgreSQL only", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    try:
        engine, generation, reused = _prepare(args, profile)
    except NotABenchmarkDatabase as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        print(f"[{profile.code}] timing queries", file=sys.stderr)
        queries = measure(engine, profile, samples=args.samples, warmup=args.warmup)
        print(f"[{profile.code}] timing aging, early warning and the charge run", file=sys.stderr)
        accounting = measure_accounting(engine, profile)
        print(
            f"[{profile.code}] timing the advice desk: plans, monitor, warnings, letters",
            file=sys.stderr,
        )
        desk = measure_desk(engine, profile)
    finally:
        engine.dispose()
    report = {
        "profile": profile.code,
        "dialect": dialect,
        "db": describe(args.db),
        "python": f"Python {platform.python_version()}",
        "sqlalchemy": sqlalchemy.__version__,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "reused": reused,
        # Other processes on the machine skew every figure; a load above the core count says so.
        "load_average": {"start": load_before, "end": os.getloadavg(), "cpus": os.cpu_count()},
        "generation": generation,
        "queries": queries,
        "accounting": accounting,
        "desk": desk,
    }
    print(render(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
