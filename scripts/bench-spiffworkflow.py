#!/usr/bin/env python3
"""Measure SpiffWorkflow's speed on the engine benchmark diagrams, on this machine.

What it measures (same method as ../shared/conformance/BENCH.md): in memory, no
persistence, one instance at a time. Each diagram is parsed once with SpiffWorkflow's
spiff parser; one operation is then "create a BpmnWorkflow from the parsed spec, put
the start data on the ready start task, call do_engine_steps() until it completes".
Benchmarks:
  seq10, par10, loop100, mi50   run one instance from start to completion
  snapshot-par10                serialise a completed par10 instance to JSON with
                                BpmnWorkflowSerializer (SPIFF_CONFIG) and restore it
Each benchmark is 5 runs of about one second; a run's figure is instances (ops) per
second. Every op's result is checked (instance completed, final data as expected);
a run with a wrong result aborts the script instead of being counted.

Needs: Python 3.11, lxml (Debian: apt-get install -y python3-lxml, so use the Debian
/usr/bin/python3), and a SpiffWorkflow checkout on PYTHONPATH.

Run:
  PYTHONPATH=/path/to/SpiffWorkflow /usr/bin/python3 scripts/bench-spiffworkflow.py \
      [--bench-dir ../shared/conformance/bench] [--seconds 1.0] [--runs 5]

Output: a header (Python, lxml and SpiffWorkflow versions/commit, load average), then
one line per benchmark: name, median instances/s, and the 5 per-run values.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

import lxml
import SpiffWorkflow
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

# Start data per diagram (from BENCH.md) and the final workflow data each must produce.
START_DATA = {
    "seq10": {"x": 1},
    "par10": {},
    "loop100": {},
    "mi50": {},
}
EXPECTED = {
    # x = 1 + (0 + 1 + ... + 9) = 46
    "seq10": {"x": 46, "y": "step 46"},
    "par10": {f"v{i}": i * 2 for i in range(10)},
    "loop100": {"i": 100, "total": 5050},
    "mi50": {"items": list(range(50)), "results": [i * i for i in range(50)]},
}


def spiff_commit():
    src = os.path.dirname(os.path.dirname(os.path.abspath(SpiffWorkflow.__file__)))
    try:
        return subprocess.run(
            ["git", "-C", src, "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout: %s)" % src


def parse(bench_dir, name):
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(os.path.join(bench_dir, name + ".bpmn"))
    return parser.get_spec(name), parser.get_subprocess_specs(name)


def run_instance(spec, subprocess_specs, start_data):
    workflow = BpmnWorkflow(spec, subprocess_specs)
    if start_data:
        workflow.get_tasks(state=TaskState.READY)[0].data.update(start_data)
    workflow.do_engine_steps()
    return workflow


def check(name, workflow):
    if not workflow.completed:
        waiting = [t.task_spec.name for t in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)]
        raise RuntimeError("%s: instance did not complete; unfinished tasks: %s" % (name, waiting))
    if workflow.data != EXPECTED[name]:
        raise RuntimeError("%s: wrong final data %r" % (name, workflow.data))


def make_op(name, parsed, serializer):
    if name == "snapshot-par10":
        spec, subs = parsed["par10"]
        done = run_instance(spec, subs, START_DATA["par10"])
        check("par10", done)

        def op():
            restored = serializer.deserialize_json(serializer.serialize_json(done))
            check("par10", restored)
        return op

    spec, subs = parsed[name]
    start_data = START_DATA[name]

    def op():
        check(name, run_instance(spec, subs, start_data))
    return op


def timed_run(op, seconds):
    """Run op repeatedly for about `seconds`; return ops per second."""
    clock = time.perf_counter
    n = 0
    start = clock()
    deadline = start + seconds
    while True:
        op()
        n += 1
        now = clock()
        if now >= deadline:
            return n / (now - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bench-dir", default=os.path.join(here, "..", "..", "shared", "conformance", "bench"))
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    parsed = {n: parse(args.bench_dir, n) for n in START_DATA}
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    print("python %s (%s)  lxml %s  SpiffWorkflow %s" % (
        platform.python_version(), sys.executable, lxml.__version__, spiff_commit()))
    print("loadavg %s  cpus %d  %d runs x %.1fs" % (
        " ".join("%.2f" % x for x in os.getloadavg()), os.cpu_count(), args.runs, args.seconds))
    print("%-16s %14s  %s" % ("benchmark", "median inst/s", "runs inst/s"))
    for name in ["seq10", "par10", "loop100", "mi50", "snapshot-par10"]:
        op = make_op(name, parsed, serializer)
        op()  # warm-up and correctness check, not counted
        rates = [timed_run(op, args.seconds) for _ in range(args.runs)]
        print("%-16s %14.1f  %s" % (
            name, statistics.median(rates), " ".join("%.1f" % r for r in rates)), flush=True)


if __name__ == "__main__":
    main()
