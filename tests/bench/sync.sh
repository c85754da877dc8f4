#!/usr/bin/env bash
# The cost of one `sesslua sync` (issue 18), for the scale arithmetic in
# docs/multi-machine.md. Run by hand, never by ctest:
#
#     tests/bench/sync.sh [SESSLUA [ROUNDS [ENTRIES]]]   # default build/sesslua, 20, 1000
#
# A bare repository on the same disk (no network: the floor of a sync) and
# two clones whose learnings.md holds ENTRIES entries. Each round times,
# start to exit, in clone a:
#   nothing   a sync with nothing to commit or fetch;
#   push      a sync that commits one share and pushes (remote unchanged);
#   merge     a sync that commits one share, fetches one share b pushed,
#             merges learnings.md with the driver and pushes.
# Prints the median and the 90th percentile of each, in ms.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
S=$(realpath "${1:-$here/../../build/sesslua}")
rounds=${2:-20}
entries=${3:-1000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sesslua-sync-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null NO_COLOR=1
cd "$tmp"
git init -q --bare -b main remote.git
git clone -q remote.git a 2> /dev/null
R=docs/coordination
(cd a && git commit -q --allow-empty -m init && "$S" init.lua --git > /dev/null)
for i in $(seq 1 "$entries"); do
  "$S" --root "a/$R" --session seed share.lua learning seed "seed entry $i" > /dev/null 2>&1
done
(cd a && "$S" --session a sync.lua > /dev/null)
git clone -q remote.git b
(cd b && "$S" --session b sync.lua > /dev/null || true)

ms() { echo $(( ($2 - $1) / 1000000 )); }
declare -a nothing push merge
for r in $(seq 1 "$rounds"); do
  t0=$(date +%s%N); (cd a && "$S" --session a sync.lua > /dev/null || true); t1=$(date +%s%N)
  nothing+=("$(ms "$t0" "$t1")")
  "$S" --root "a/$R" --session a share.lua learning bench "push round $r" > /dev/null 2>&1
  t0=$(date +%s%N); (cd a && "$S" --session a sync.lua > /dev/null); t1=$(date +%s%N)
  push+=("$(ms "$t0" "$t1")")
  (cd b && "$S" --session b sync.lua > /dev/null 2>&1 || true)
  "$S" --root "b/$R" --session b share.lua learning bench "from b round $r" > /dev/null 2>&1
  (cd b && "$S" --session b sync.lua > /dev/null)
  "$S" --root "a/$R" --session a share.lua learning bench "merge round $r" > /dev/null 2>&1
  t0=$(date +%s%N); (cd a && "$S" --session a sync.lua > /dev/null); t1=$(date +%s%N)
  merge+=("$(ms "$t0" "$t1")")
done
stats() { # name values...: median and p90
  local name=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v n="$name" '{ v[NR] = $1 } END {
    printf "%-8s median %4d ms   p90 %4d ms   (%d rounds)\n", n, v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)], NR }'
}
echo "sync cost, $entries entries in learnings.md, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
stats nothing "${nothing[@]}"
stats push "${push[@]}"
stats merge "${merge[@]}"
grep -c '^### ' "a/$R/shared-knowledge/learnings.md" | xargs echo "entries at the end:"
