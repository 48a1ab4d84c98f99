"""``make bench``: the whole stack on Telegram's terms, against stock Rasa (REST) on the same model.

    python -m bench.run            full run (about 12 minutes): bench/results/whole-stack.json,
                                   bench/plots/*.png, section "Whole stack" of BENCHMARKS.md
    python -m bench.run --quick    smoke run, about 2 minutes (bench/results/quick.json)
    python -m bench.run --levers   the levers and two Rasa processes (bench/results/levers.json)
    python -m bench.run --repeat   the open loop at 40 turns/s four times (bench/results/repeat.json)

Each setup starts Rasa, the action server and the front (``python -m bot``)
on 127.0.0.1 against the fake Bot API this process serves, measures the
cold start and one person alone (the first turns after a start), then runs
its steps (bench/plan.py): a burst of messages from one chat (bench/burst.py),
open loops through the front as shipped (flood limit on) at 12 and 20 turns/s,
the overload case (bench/overload.py), then the front with its flood limit
lifted (capacity, open loop at 40 turns/s) and Rasa's REST channel. Every run
reports the Bot API calls per turn by method that the fake received
(bench/calls.py). The full run then starts stock Rasa 3.6 for its REST figure.
Keys live under a Redis prefix of the run's own, deleted between setups and
at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

# Before anything reads the settings: this run's keys, and the children's.
PREFIX = "bench" + uuid.uuid4().hex[:8]
os.environ["REDIS_PREFIX"] = PREFIX

from bench import report  # noqa: E402
from bench.machine import Neighbours, machine  # noqa: E402
from bench.plan import MODES, plan_json  # noqa: E402
from bench.rasa_server import validation_cost  # noqa: E402
from bench.stack_setup import Setup, delete_keys  # noqa: E402
from cnam.store import get_redis  # noqa: E402
from stack.train import model_path  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    plan, _, command = MODES[args.mode]
    # Pinned at the start, in a copy of our own: the data (hence the current model)
    # may change during the run, and models/ may be cleaned.
    model = args.model or model_path()
    if not model.exists():
        sys.exit(f"{model} missing: run `make train` first.")
    pinned = Path(tempfile.mkdtemp(prefix="bench-model-")) / model.name
    shutil.copy2(model, pinned)
    setups = [
        Setup(name, replace(options, model=pinned), steps, number, PREFIX)
        for number, (name, options, steps) in enumerate(plan)
    ]
    started = time.monotonic()
    load_before = os.getloadavg()
    neighbours = Neighbours()
    watching = asyncio.get_running_loop().create_task(neighbours.watch())
    results: dict[str, Any] = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": (command if args.model is None else
                    f"python -m bench.run{' --' + args.mode if args.mode != 'full' else ''} "
                    f"--model {args.model}")
        + (f" (under nice {os.nice(0)})" if os.nice(0) else ""),
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "plan": plan_json(plan),
        "model": model.name + ("" if args.model else " (the current data's, `make train`)"),
        "setups": [],
    }
    if args.mode == "levers":
        results["validation_ms"] = validation_cost()
    try:
        for setup in setups:
            print(f"{setup.name}: start…", flush=True)
            results["setups"].append(await setup.measure())
    finally:
        await delete_keys(PREFIX)
        await get_redis().close()
        shutil.rmtree(pinned.parent, ignore_errors=True)
    elapsed = time.monotonic() - started
    results["elapsed_s"] = round(elapsed)
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    watching.cancel()
    neighbours.sample()
    servers = {g for setup in setups for g in setup.groups}
    results["other_busy_processes"] = neighbours.busy(servers)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--quick", action="store_const", dest="mode", const="quick",
                       help="smoke run, about 2 minutes (most of it Rasa's start)")
    modes.add_argument("--levers", action="store_const", dest="mode", const="levers",
                       help="the levers: action workers, each speed-up left out, two Rasa (about 11 minutes)")
    modes.add_argument("--repeat", action="store_const", dest="mode", const="repeat",
                       help="the open loop at 40 turns/s four times: how steady it is (about 5 minutes)")
    parser.add_argument("--model", type=Path, help="a trained model other than the current one")
    parser.set_defaults(mode="full")
    args = parser.parse_args(argv)
    # A SIGTERM (timeout, CI) unwinds like Ctrl-C, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # A front stopped mid-request (restart) makes the fake Bot API's server log the
    # reset; a turn that suffers from it is counted as an error anyway.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    results = asyncio.run(main_async(args))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / MODES[args.mode][1]
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"results: {path}")
    if args.mode in ("full", "levers"):
        # The section shows the last full run and the last levers run.
        report.write(BENCH)


if __name__ == "__main__":
    main()
