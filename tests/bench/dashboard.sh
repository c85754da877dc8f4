#!/usr/bin/env bash
# dashboard.lua against status.lua on the same tree of 1,000 active logs
# (issue 19's target: the page in under 3x the time status takes). Run by
# hand, never by ctest:
#
#     tests/bench/dashboard.sh [SESSLUA [LOGS]]   # default build/sesslua, 1000
#
# The logs come from tests/bench/corpus.py (seeded, as tests/bench/run
# makes them), with their Completed Today dates moved into the last 14 days
# so that the chart has every log's tasks to count, plus 200 knowledge
# entries and unread messages for 50 sessions. Prints hyperfine's table,
# the ratio of the means with the caches warm (as a wall screen that
# rewrites the page sees them) and with SESSLUA_CACHE=0 (every log read),
# and, when valgrind is installed, the instruction counts of each.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
S=$(realpath "${1:-$here/../../build/sesslua}")
n=${2:-1000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sesslua-dash-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

python3 - "$here" "$tmp" "$n" <<'PY'
import datetime, os, re, sys
sys.dont_write_bytecode = True
here, tmp, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, here)
import corpus
root, stats, _ = corpus.make_root(tmp, n, 20251115, n_learnings=200)
today = datetime.date.today()
active = os.path.join(root, "sessions", "ACTIVE")
group = re.compile(r"^\*\*(\d{4}-\d\d-\d\d):\*\*", re.M)
for i, name in enumerate(sorted(os.listdir(active))):
    p = os.path.join(active, name)
    with open(p, encoding="utf-8", newline="") as f:
        text = f.read()
    k = [0]
    def recent(m):
        k[0] += 1
        return "**%s:**" % (today - datetime.timedelta(days=(i + k[0]) % 14))
    with open(p, "w", encoding="utf-8", newline="") as f:
        f.write(group.sub(recent, text))
print("%d logs, %.1f MB" % (stats["files"], stats["bytes"] / 1e6), file=sys.stderr)
PY
root=$tmp/docs/coordination
for i in $(seq 1 50); do
  "$S" --root "$root" --session "session-$((i + 1))" message.lua send "session-$i" "bench $i" >/dev/null
done

# logs an hour old, so that both keep them in their caches (sesslua.rowcache)
find "$root" -name '*.md' -exec touch -d '1 hour ago' {} +
export XDG_CACHE_HOME=$tmp/cache
hyperfine --warmup 2 --runs 10 --export-json "$tmp/r.json" \
  -n "status.lua" "$S --root $root status.lua" \
  -n "dashboard.lua" "$S --root $root dashboard.lua --out $tmp/dashboard.html" \
  -n "status.lua, no cache" "env SESSLUA_CACHE=0 $S --root $root status.lua" \
  -n "dashboard.lua, no cache" "env SESSLUA_CACHE=0 $S --root $root dashboard.lua --out $tmp/dashboard.html"
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
for warm, what in (("", "caches warm"), (", no cache", "SESSLUA_CACHE=0")):
    s, d = r["status.lua" + warm], r["dashboard.lua" + warm]
    print("%s: dashboard.lua / status.lua = %.2fx (status %.0f ms, dashboard %.0f ms; target < 3x)"
          % (what, d / s, s * 1e3, d * 1e3))
PY
if command -v valgrind > /dev/null; then
  for c in "status.lua" "dashboard.lua --out $tmp/dashboard.html"; do
    for cache in 1 0; do
      n=$(SESSLUA_CACHE=$cache valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        $S --root "$root" $c 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
      echo "instructions, ${c%% *}, SESSLUA_CACHE=$cache: $n"
    done
  done
fi
