#!/usr/bin/env python3
# Runs a command and writes what the kernel counted for it to a JSON file:
#   python3 bench/tree-rusage.py OUT.json COMMAND [ARGS...]
# {"exitCode", "wallMs", "treeMaxRssKb"}: treeMaxRssKb is ru_maxrss as wait4(2) reports it for
# the child, which Linux takes as the largest of the child and every descendant reaped below it
# (its signal's cmaxrss), so it covers non-Node processes too; descendants orphaned to init are
# counted only if they were reaped here. Plain python3, no packages: Debian's python3 is on
# every machine the bench runs on (the conformance run needs it anyway).
import json
import os
import resource
import sys
import time

out, argv = sys.argv[1], sys.argv[2:]
started = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall_ms = (time.monotonic() - started) * 1000
# The largest over everything this wrapper reaped, the child included (ru_maxrss is in KiB).
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(out, "w") as f:
    json.dump(
        {
            "exitCode": os.waitstatus_to_exitcode(status),
            "wallMs": wall_ms,
            "treeMaxRssKb": max(usage.ru_maxrss, children),
        },
        f,
    )
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
