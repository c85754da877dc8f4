#!/usr/bin/env bash
# search side by side with ripgrep and grep (issue 17), run by hand:
#
#   tests/bench/search_vs_rg.sh [SESSLUA] [LOGS]    # default build/sesslua, 10000
#
# Generates LOGS logs with corpus.py (seed 20251116) and 1/10 of them
# (seed 20251115) in a temporary folder, then, with hyperfine (7 runs after
# 2 warm-ups, output to a file, NO_COLOR), times each query shape: a word
# in no file, a rare word, two words, a word on most lines, a regex
# alternation. Prints a Markdown table of medians and the ratio to rg
# (default threads), the same ratio in CPU time (user + system, means of
# the same runs: a loaded machine moves it less than the wall time), then
# peak memory (max RSS) at LOGS and LOGS/10.
set -u
S=$(realpath "${1:-$(dirname "$0")/../../build/sesslua}")
N=${2:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v hyperfine >/dev/null || { echo "needs hyperfine" >&2; exit 2; }
command -v rg >/dev/null || { echo "needs rg (ripgrep)" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sesslua-search-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
python3 -B -c "
import sys; sys.path.insert(0, '$HERE')
import corpus
corpus.make_root('$TMP/big', $N, 20251116)
corpus.make_root('$TMP/small', max(1, $N // 10), 20251115)
"
BIG=$TMP/big/docs/coordination SMALL=$TMP/small/docs/coordination
export NO_COLOR=1 LC_ALL=C.UTF-8
# median of a hyperfine JSON export, in ms
median() { python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"] * 1000))' "$1" "$2"; }
# user + system time of a hyperfine JSON export (means), in ms
cpu() { python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]; print("%.1f" % ((r["user"] + r["system"]) * 1000))' "$1" "$2"; }

echo "search over $N logs ($(du -sh "$BIG/sessions/ACTIVE" | cut -f1)), $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| query | hits (rg lines) | sesslua | rg | grep | sesslua / rg | CPU sesslua / rg |"
echo "|---|---|---|---|---|---|---|"
row() { # row LABEL SESSLUA-ARGS RG-ARGS GREP-ARGS
  local label=$1 sargs=$2 rargs=$3 gargs=$4
  hyperfine -N -w 2 -r 7 -i --export-json "$TMP/h.json" --output "$TMP/out.txt" \
    "$S --root $BIG search.lua $sargs" "rg $rargs $BIG" "grep $gargs $BIG" >/dev/null 2>&1
  local hits; hits=$(eval "rg $rargs $BIG" | wc -l)
  local a b c; a=$(median "$TMP/h.json" 0); b=$(median "$TMP/h.json" 1); c=$(median "$TMP/h.json" 2)
  local ca cb; ca=$(cpu "$TMP/h.json" 0); cb=$(cpu "$TMP/h.json" 1)
  echo "| $label | $hits | $a ms | $b ms | $c ms | $(python3 -c "print('%.2fx' % ($a / $b))") |" \
    "$ca / $cb ms = $(python3 -c "print('%.2fx' % ($ca / $cb))") |"
}
row '`xylophone` (in no file)' xylophone '-niF xylophone' '-rniF xylophone'
row '`quetzal` (rare)' quetzal '-niF quetzal' '-rniF quetzal'
row '`flaky test` (two words)' "'flaky test'" "-niF 'flaky test'" "-rniF 'flaky test'"
row '`deploy` (common)' deploy '-niF deploy' '-rniF deploy'
row '`the` (on most lines)' the '-niF the' '-rniF the'
row "\`-e 'deploy|rollback'\`" "-e 'deploy|rollback'" "-ni -e 'deploy|rollback'" "-rniE 'deploy|rollback'"

echo
echo "| peak memory (max RSS) | $((N / 10)) logs | $N logs | ratio |"
echo "|---|---|---|---|"
rss() { /usr/bin/time -f %M -o "$TMP/rss" "$@" >/dev/null 2>&1 || true; cat "$TMP/rss" | tail -1; }
for q in flaky the; do
  a=$(rss "$S" --root "$SMALL" search.lua "$q"); b=$(rss "$S" --root "$BIG" search.lua "$q")
  echo "| \`search.lua $q\` | $((a / 1024)) MiB | $((b / 1024)) MiB | $(python3 -c "print('%.2fx' % ($b / $a))") |"
done
