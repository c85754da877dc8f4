#!/usr/bin/env bash
# sesslua mcp against the command line (issue 20's targets: a tools/call of
# update within 2x the time of the same update run as a command, and
# tools/list under 20 ms). Run by hand, never by ctest:
#
#     tests/bench/mcp.sh [SESSLUA [LOGS [ROUNDS]]]   # default build/sesslua, 200, 40
#
# A seeded tree of LOGS active logs (tests/bench/corpus.py). One server runs
# for the whole benchmark; each round times `sesslua update.lua ID --note
# TEXT --json` as a process (start to exit) and the same update as a
# tools/call (request written to response read), alternating which goes
# first, then tools/list round trips. Prints medians and the ratio.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
S=$(realpath "${1:-$here/../../build/sesslua}")
n=${2:-200}
rounds=${3:-40}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sesslua-mcp-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

python3 - "$here" "$tmp" "$n" "$rounds" "$S" <<'PY'
import json, os, statistics, subprocess, sys, time
sys.dont_write_bytecode = True
here, tmp, n, rounds, S = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sys.path.insert(0, here)
import corpus
root, stats, _ = corpus.make_root(tmp, n, 20251115, n_learnings=200)
ids = sorted(f[:-3] for f in os.listdir(os.path.join(root, "sessions", "ACTIVE")))
target = ids[len(ids) // 2]
env = dict(os.environ, SESSLUA_ROOT=root, NO_COLOR="1")
env.pop("SESSLUA_SESSION", None)
print("%d logs, %.1f MB; updating %s" % (stats["files"], stats["bytes"] / 1e6, target), file=sys.stderr)

t0 = time.perf_counter()
srv = subprocess.Popen([S, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, env=env)
seq = [0]
def rpc(method, params=None):
    seq[0] += 1
    msg = {"jsonrpc": "2.0", "id": seq[0], "method": method}
    if params is not None:
        msg["params"] = params
    start = time.perf_counter()
    srv.stdin.write((json.dumps(msg) + "\n").encode()); srv.stdin.flush()
    line = srv.stdout.readline()
    took = time.perf_counter() - start
    reply = json.loads(line)
    assert reply.get("id") == seq[0] and "result" in reply, line[:300]
    return reply["result"], took
rpc("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "bench", "version": "1"}})
_, first_list = rpc("tools/list")
started = time.perf_counter() - t0

cli, mcp = [], []
for i in range(rounds):
    note = "bench note %d" % i
    def run_cli():
        start = time.perf_counter()
        subprocess.run([S, "update.lua", target, "--note", note + " (cli)", "--json"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        cli.append(time.perf_counter() - start)
    def run_mcp():
        result, took = rpc("tools/call", {"name": "update",
                           "arguments": {"id": target, "note": [note + " (mcp)"]}})
        assert not result["isError"] and result["structuredContent"]["changed"], result
        mcp.append(took)
    for f in ((run_cli, run_mcp) if i % 2 == 0 else (run_mcp, run_cli)):
        f()
lists = [rpc("tools/list")[1] for _ in range(rounds)]
size = len(json.dumps(rpc("tools/list")[0], separators=(",", ":")))
srv.stdin.close(); srv.wait()

ms = lambda xs: statistics.median(xs) * 1000
print("| what | median | target |")
print("|---|---|---|")
print("| `update.lua ID --note TEXT --json` (process) | %.2f ms | |" % ms(cli))
print("| tools/call update, same arguments | %.2f ms | <= 2x the process (%.2fx) |" % (ms(mcp), ms(mcp) / ms(cli)))
print("| tools/list (%d bytes) | %.2f ms | < 20 ms |" % (size, ms(lists)))
print("| first tools/list after start | %.2f ms | |" % (first_list * 1000))
print("| start, initialize and first tools/list | %.2f ms | |" % (started * 1000))
print("(%d rounds, %d logs)" % (rounds, n))
PY
