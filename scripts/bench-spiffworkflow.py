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
  PYTHONPATH=/path/to/SpiffWorkflow /usr/bin/python3 scripts/bench-spiffworkflow.py --growth
      (the growth curves: one loop step after 100/400/1,600 iterations, a 100/1,000/4,000-branch
      fan-out, a 100/1,000/10,000-item multi-instance run to the next user task and serialised)

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


# Growth curves (docs/PERFORMANCE.md "Growth curves"): the same three
# diagram families internal/engine/bench_growth_test.go builds, written
# here as XML text for SpiffWorkflow's parser.

def user_loop_xml():
    return """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="loop" isExecutable="true">
<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work"/>
<bpmn:userTask id="work"/><bpmn:sequenceFlow id="f1" sourceRef="work" targetRef="count"/>
<bpmn:scriptTask id="count"><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f2" sourceRef="count" targetRef="more"/>
<bpmn:exclusiveGateway id="more" default="f_end"/>
<bpmn:sequenceFlow id="f_back" sourceRef="more" targetRef="work"><bpmn:conditionExpression>n &lt; limit</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f_end" sourceRef="more" targetRef="end"/><bpmn:endEvent id="end"/>
</bpmn:process></bpmn:definitions>"""


def wide_join_xml(n):
    parts = ["""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="wide" isExecutable="true">
<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split"/>
<bpmn:parallelGateway id="split"/><bpmn:parallelGateway id="join"/>
"""]
    for i in range(n):
        parts.append("""<bpmn:sequenceFlow id="s%(i)d" sourceRef="split" targetRef="t%(i)d"></bpmn:sequenceFlow>
<bpmn:scriptTask id="t%(i)d"><bpmn:script>b%(i)d = %(i)d</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="j%(i)d" sourceRef="t%(i)d" targetRef="join"/>
""" % {"i": i})
    parts.append("""<bpmn:sequenceFlow id="f1" sourceRef="join" targetRef="look"/><bpmn:userTask id="look"/>
<bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="end"/><bpmn:endEvent id="end"/>
</bpmn:process></bpmn:definitions>""")
    return "".join(parts)


def mi_xml(sequential):
    seq = ' isSequential="true"' if sequential else ""
    return """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="mi" isExecutable="true">
<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="each"/>
<bpmn:scriptTask id="each"><bpmn:multiInstanceLoopCharacteristics""" + seq + """>
<bpmn:loopDataInputRef>items</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>
<bpmn:inputDataItem id="item"/><bpmn:outputDataItem id="result"/>
</bpmn:multiInstanceLoopCharacteristics><bpmn:script>result = item * 2</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f1" sourceRef="each" targetRef="look"/><bpmn:userTask id="look"/>
<bpmn:sequenceFlow id="f2" sourceRef="look" targetRef="end"/><bpmn:endEvent id="end"/>
</bpmn:process></bpmn:definitions>"""


def parse_text(xml, process):
    from lxml import etree
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml.encode()), filename=process + ".bpmn")
    return parser.get_spec(process), parser.get_subprocess_specs(process)


def start(spec, subs, data):
    workflow = BpmnWorkflow(spec, subs)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    workflow.do_engine_steps()
    return workflow


def ready_user_task(workflow):
    ready = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
    if len(ready) != 1:
        raise RuntimeError("want one ready user task, got %r" % [t.task_spec.name for t in ready])
    return ready[0]


def growth(limit_seconds):
    """Print the growth curves; a size is skipped once the one before it took
    longer than limit_seconds."""
    clock = time.perf_counter
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    print("%-40s %14s  %s" % ("benchmark", "ms per op", "note"))

    spec, subs = parse_text(user_loop_xml(), "loop")
    wf = start(spec, subs, {"n": 0, "limit": 1 << 30})
    done = 0
    stalled = False
    for n in (100, 400, 1600):
        label = "LoopStep/after=%d" % n
        if stalled:
            print("%-40s %14s  not reached: the loop stalled after %d iterations" % (label, "-", done))
            continue
        try:
            while done < n:
                ready_user_task(wf).run()
                wf.do_engine_steps()
                done += 1
            t0 = clock()
            steps = 20
            for _ in range(steps):
                ready_user_task(wf).run()
                wf.do_engine_steps()
                done += 1
        except RuntimeError as e:
            # SpiffWorkflow walks the task tree to a depth of 1,000, so the
            # user task of a long loop is no longer found.
            stalled = True
            print("%-40s %14s  stalled after %d iterations: %s" % (label, "-", done, e))
            continue
        print("%-40s %14.3f" % (label, (clock() - t0) * 1000 / steps), flush=True)

    slow = False
    for n in (100, 1000, 4000):
        if slow:
            print("%-40s %14s  skipped: the size before took over %ds" % ("FanOut/branches=%d" % n, "-", limit_seconds))
            continue
        spec, subs = parse_text(wide_join_xml(n), "wide")
        t0 = clock()
        wf = start(spec, subs, {})
        ready_user_task(wf)
        took = clock() - t0
        slow = took > limit_seconds
        print("%-40s %14.1f" % ("FanOut/branches=%d" % n, took * 1000), flush=True)

    for sequential in (False, True):
        spec, subs = parse_text(mi_xml(sequential), "mi")
        slow = False
        name = "sequential" if sequential else "parallel"
        for n in (100, 1000, 10000):
            label = "MultiInstanceSnapshot/%s/items=%d" % (name, n)
            if slow:
                print("%-40s %14s  skipped: the size before took over %ds" % (label, "-", limit_seconds))
                continue
            t0 = clock()
            wf = start(spec, subs, {"items": list(range(n))})
            ready_user_task(wf)
            snap = serializer.serialize_json(wf)
            took = clock() - t0
            slow = took > limit_seconds
            print("%-40s %14.1f  snapshot %d bytes" % (label, took * 1000, len(snap)), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bench-dir", default=os.path.join(here, "..", "..", "shared", "conformance", "bench"))
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--growth", action="store_true", help="print the growth curves instead")
    ap.add_argument("--growth-limit", type=int, default=120, help="seconds after which bigger sizes are skipped")
    args = ap.parse_args()
    if args.growth:
        print("python %s  lxml %s  SpiffWorkflow %s" % (platform.python_version(), lxml.__version__, spiff_commit()))
        growth(args.growth_limit)
        return

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
