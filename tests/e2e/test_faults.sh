#!/usr/bin/env bash
# faults: every system call a workflow makes, failed in turn. For update,
# share, archive, eod, message send, create and migrate, a run through the
# fault shim (tests/faults/shim.c) counts the calls each one reaches (open,
# write, fsync, close, rename, renameat2, link, unlink, mkdir, fchmod); then
# each call site is failed on its own, with ENOSPC and with EIO, in a fresh
# copy of the same tree. After each run:
#   - exit 0 or 5; on 5 a first line `sesslua: ...` naming the injected
#     error; on 0 nothing on stderr but `sesslua: warning: ...` lines
#   - every file is whole: as it was before, or as the same workflow leaves
#     it without a fault (contents compared with times and ids blanked),
#     never anything else; a log is in ACTIVE or in ARCHIVE, never both
#   - exit 0 only with the change on disk (a warning allowed after the
#     commit point), exit 5 only without it (so a retry never doubles it)
#   - no temp, lock or probe file left, neither by the failed run nor after
#     the next normal run (the same command again)
# Cases that fail because of a known fault elsewhere are listed in
# KNOWN_FAILING (workflow:call:n:errno); a listed case that passes is an
# error. FAULT_WORKFLOWS, FAULT_ERRNOS and FAULT_STRIDE (every Nth call
# site) narrow a run by hand. Under AddressSanitizer, where each run costs
# several times more, the defaults are EIO and every second site (a quarter
# of the runs; the -Werror build runs them all), so CI stays well inside its
# time.
. "$(dirname "$0")/lib.sh"

if [ -z "${FAULT_SHIM:-}" ] || [ ! -e "$FAULT_SHIM" ]; then
  echo "faults: SKIPPED: no fault shim (FAULT_SHIM='${FAULT_SHIM:-}'); build the sesslua_fault_shim target"
  finish; exit
fi
PRELOAD=$FAULT_SHIM
# under AddressSanitizer its runtime must be the first library loaded
asan=$(ldd "$SESSLUA" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$asan" ] && PRELOAD="$asan $FAULT_SHIM"

WORKFLOWS=${FAULT_WORKFLOWS:-"update share archive eod message create migrate"}
if [ -n "$asan" ]; then
  ERRNOS=${FAULT_ERRNOS:-EIO}; STRIDE=${FAULT_STRIDE:-2}
else
  ERRNOS=${FAULT_ERRNOS:-"ENOSPC EIO"}; STRIDE=${FAULT_STRIDE:-1}
fi
CALLS="open write fsync close rename renameat2 link unlink mkdir fchmod"
declare -A STRERROR=([ENOSPC]="No space left on device" [EIO]="Input/output error")
# The files whose change is the workflow's change (paths as snapshots name
# them): on exit 0 they are as the workflow leaves them, on exit 5 as before.
declare -A PRIMARY=(
  [update]="sessions/ACTIVE/s1.md" [share]="shared-knowledge/learnings.md"
  [archive]="sessions/ACTIVE/s3.md sessions/ARCHIVE/s3-DATE.md"
  [eod]="sessions/ACTIVE/s4.md" [message]="messages/s2/new/ID.json"
  [create]="sessions/ACTIVE/s5.md" [migrate]="messages/.migrated")
# A file that may also be a line-by-line prefix of what the workflow leaves:
# migrate records each converted message with one whole line, and a re-run
# goes on from there.
declare -A GROWING=([migrate]="messages/.migrated")

# None today. migrate's listing opens (open 11-13: messages/broadcast,
# messages/direct, messages/direct/s2) were listed here while migrate took
# a folder it could not read for an empty one and exited 0.
KNOWN_FAILING=""

# ---- the tree every case starts from ----------------------------------------
B="$WORK/base"
mkdir -p "$B/docs/coordination"
setup() { "$SESSLUA" --root "$B/docs/coordination" "$@" > /dev/null 2>&1 || bad "setup: $*"; }
setup init.lua
# the team's template differs from the built-in: a template that cannot be
# read must stop create, not be replaced by the built-in unseen
printf '\n<!-- the team template -->\n' >> "$B/docs/coordination/sessions/SESSION_LOG_TEMPLATE.md"
setup create.lua s1 Dev "Goal one"
setup create.lua s2 Dev "Goal two"
setup create.lua s3 Archiver "Goal three"
setup update.lua s3 --learning "Fault topic" "archived lesson"
setup create.lua s4 Closer "Goal four"
setup update.lua s4 --learning "Eod topic" "eod lesson"
setup --session s2 share.lua Base "base entry" Low --broadcast # makes messages/broadcast/
rm -f "$B"/docs/coordination/messages/broadcast/2*.json # one new message per folder: ids are blanked
mkdir -p "$B/docs/coordination/messages/direct/s2"
printf '{"from": "s1", "to": "s2", "subject": "old one", "message": "hello", "timestamp": "2025-11-15T10:00:00Z", "priority": "high"}\n' \
  > "$B/docs/coordination/messages/direct/s2/1731664800.json"
printf '{"from": "s1", "subject": "old broadcast", "message": "all", "timestamp": "2025-11-15T11:00:00Z"}\n' \
  > "$B/docs/coordination/messages/broadcast/old-1.json"

# invoke WORKFLOW ROOT [FAULT [COUNTFILE]]: one run, through the shim when
# FAULT or COUNTFILE is given; sets $RC and $ERR (stdout is not needed). No
# process but sesslua itself: the suite makes over a thousand runs.
invoke() {
  local args
  case $1 in
    update)  args=(update.lua s1 --note "fault note") ;;
    share)   args=(--session s1 share.lua Faults "fault entry" Low) ;;
    archive) args=(archive.lua s3 --force) ;;
    eod)     args=(eod.lua s4 --share-all --yes --next "after eod") ;;
    message) args=(--session s1 message.lua send s2 "fault subject" "fault body") ;;
    create)  args=(create.lua s5 Dev "Fault goal") ;;
    migrate) args=(migrate.lua) ;;
  esac
  if [ -n "${3:-}${4:-}" ]; then
    LD_PRELOAD=$PRELOAD SESSLUA_FAULT=${3:-} SESSLUA_FAULT_COUNT=${4:-} \
      "$SESSLUA" --root "$2/docs/coordination" "${args[@]}" > /dev/null 2> "$WORK/.stderr"
  else
    "$SESSLUA" --root "$2/docs/coordination" "${args[@]}" > /dev/null 2> "$WORK/.stderr"
  fi
  RC=$?
  ERR=""
  IFS= read -r -d '' ERR < "$WORK/.stderr" || true
}

# snap DIR: one line per file of the tree under DIR: its path, a tab, its
# content on one line; message ids, times and dates blanked in both (two
# runs differ only there). Leftovers are no files of the tree: checked apart.
cat > "$WORK/snap.awk" <<'AWK'
function blank(s) {
  gsub(/[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]\.[0-9][0-9][0-9][0-9][0-9][0-9]Z-[0-9]+-[0-9a-f]+/, "ID", s)
  gsub(/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9](:[0-9][0-9])?Z?/, "TIME", s)
  gsub(/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/, "DATE", s)
  return s
}
BEGIN {
  for (i = 1; i < ARGC; i++) {
    f = ARGV[i]; body = ""
    while ((getline line < f) > 0) body = body blank(line) "\\n"
    close(f)
    print blank(substr(f, index(f, "/docs/coordination/") + 19)) "\t" body
  }
  exit
}
AWK
snap() { find "$1/docs/coordination" -type f ! -name '.*.tmp-*' ! -name '*.lock' -exec awk -f "$WORK/snap.awk" {} +; }
# classify BEFORE AFTER CASE: "STATE path" for every path in any of them:
# B as before, A as after, S the same in both, P a line-by-line prefix of
# after where the workflow allows it (GROWING), X none of these (torn or
# stray).
cat > "$WORK/classify.awk" <<'AWK'
FNR == 1 { n++ }
{ i = index($0, "\t"); p = substr($0, 1, i - 1); v = substr($0, i + 1); seen[p] = 1
  if (n == 1) b[p] = v; else if (n == 2) a[p] = v; else c[p] = v }
END {
  for (p in seen) {
    mb = (p in c) ? ((p in b) && b[p] == c[p]) : !(p in b)
    ma = (p in c) ? ((p in a) && a[p] == c[p]) : !(p in a)
    st = mb && ma ? "S" : mb ? "B" : ma ? "A" : "X"
    if (st == "X" && p == growing && (p in c) && (p in a) && index(a[p], c[p]) == 1) st = "P"
    print st, p
  }
}
AWK
leftovers() { find "$1" \( -name '.*.tmp-*' -o -name '*.lock' \) -printf '%P ' 2> /dev/null; }
# places C: in how many of ACTIVE and ARCHIVE the archived log (s3) is.
places() {
  local n=0 f
  for f in "$1"/docs/coordination/sessions/ACTIVE/s3.md "$1"/docs/coordination/sessions/ARCHIVE/s3-*.md; do
    [ -e "$f" ] && n=$((n + 1))
  done
  echo "$n"
}

# check_case WF ERRNO DIR: the problems of one faulted run, one a line, in
# $PROBLEMS (empty: the case survived). Runs the next normal run too.
check_case() {
  local wf=$1 e=$2 C=$3 p st want left line
  local first=${ERR%%$'\n'*}
  PROBLEMS=""
  case $RC in
    0) while IFS= read -r line; do
         [ -z "$line" ] || [[ $line == "sesslua: warning: "* ]] || PROBLEMS+="exit 0 with an error on stderr: $line"$'\n'
       done <<< "$ERR" ;;
    5) [[ $first == "sesslua: "*"${STRERROR[$e]}"* ]] \
         || PROBLEMS+="exit 5 without the injected error in its first line: $first"$'\n' ;;
    *) PROBLEMS+="exit $RC (0 or 5 expected): $first"$'\n' ;;
  esac
  local -A state=()
  while read -r st p; do
    state[$p]=$st
    [ "$st" != X ] || PROBLEMS+="torn or stray file: $p"$'\n'
  done < <(snap "$C" | awk -v growing="${GROWING[$wf]:-}" -f "$WORK/classify.awk" \
             "$WORK/$wf.before" "$WORK/$wf.after" -)
  want=B; [ "$RC" -eq 0 ] && want=A
  for p in ${PRIMARY[$wf]}; do
    st=${state[$p]:-?}
    [ "$st" = "$want" ] && continue
    [ "$st" = P ] && [ "$RC" -ne 0 ] && continue # some converted: a re-run goes on
    # the one documented exception: a message delivered, a log line not
    [ "$wf" = message ] && [ "$RC" -eq 5 ] && [ "$st" = A ] \
      && [[ $first == *"was delivered, but the log line"* ]] && continue
    if [ "$st" = A ]; then PROBLEMS+="exit $RC but $p was changed"$'\n'
    else PROBLEMS+="exit $RC but $p is not as the workflow leaves it ($st)"$'\n'; fi
  done
  if [ "$wf" = archive ] && [ "$(places "$C")" -ne 1 ]; then
    PROBLEMS+="the log is in $(places "$C") places"$'\n'
  fi
  left=$(leftovers "$C")
  [ -z "$left" ] || PROBLEMS+="left by the failed run: $left"$'\n'
  invoke "$wf" "$C" # the next normal run
  left=$(leftovers "$C")
  [ -z "$left" ] || PROBLEMS+="left after the next run: $left"$'\n'
  case $wf in
    archive) [ "$(places "$C")" -eq 1 ] || PROBLEMS+="after the next run the log is in $(places "$C") places"$'\n' ;;
    migrate) # each old message converted once
      local conv; conv=$(grep -rl '"migrated_from"' "$C/docs/coordination/messages" | wc -l)
      [ "$conv" -eq 2 ] || PROBLEMS+="after the next run $conv converted messages (2 expected)"$'\n' ;;
  esac
  return 0
}

known_failing() { case " $(printf '%s' "$KNOWN_FAILING" | tr '\n' ' ') " in *" $1 "*) return 0 ;; esac; return 1; }

n=0
summary=()
declare -A SEEN=()
for wf in $WORKFLOWS; do
  # the reference run: what the workflow does without a fault, and its calls
  C="$WORK/ref-$wf"
  cp -a "$B" "$C"
  rm -f "$WORK/counts"
  invoke "$wf" "$C" "" "$WORK/counts"
  expect_rc 0 "$wf without a fault"
  snap "$B" > "$WORK/$wf.before"
  snap "$C" > "$WORK/$wf.after"
  sites=0; runs=0; survived=0; xfail=0; failed_here=0
  while read -r call count; do
    case " $CALLS " in *" $call "*) ;; *) continue ;; esac
    sites=$((sites + count))
    for k in $(seq 1 "$STRIDE" "$count"); do
      for e in $ERRNOS; do
        id="$wf:$call:$k:$e"; SEEN[$id]=1
        n=$((n + 1)); C="$WORK/case-$n"
        cp -a "$B" "$C"
        invoke "$wf" "$C" "$call:$k:$e"
        check_case "$wf" "$e" "$C"
        runs=$((runs + 1))
        if [ -z "$PROBLEMS" ]; then
          if known_failing "$id"; then bad "XPASS: $id passes: remove it from KNOWN_FAILING"
          else ok; survived=$((survived + 1)); fi
        elif known_failing "$id"; then
          ok; xfail=$((xfail + 1)); printf 'xfail: %s: %s\n' "$id" "${PROBLEMS%%$'\n'*}"
        else
          bad "$id: ${PROBLEMS//$'\n'/; }"; failed_here=$((failed_here + 1))
        fi
      done
    done
    rm -rf "$WORK"/case-* # in bulk: one process, not one per case
  done < "$WORK/counts"
  summary+=("$(printf '%-8s %3d sites x %d errnos = %3d runs: %3d survived, %d known failing, %d failed  (%s)' \
    "$wf" "$sites" "$(wc -w <<< "$ERRNOS")" "$runs" "$survived" "$xfail" "$failed_here" \
    "$(grep -v fsyncdir "$WORK/counts" | tr '\n' ' ')")")
done
printf 'faults: %s\n' "${summary[@]}"

# ---- message prune: a failed open never deletes an unread broadcast ---------
# prune removes an old broadcast once every active session has read it: an
# ACTIVE that cannot be listed must not count as "no one left to read it".
# Every open of a run fails in turn with EIO; the broadcast s1 never read stays.
P="$WORK/prune"
cp -a "$B" "$P"
BC="$P/docs/coordination/messages/broadcast/20250101T000000.000000Z-1-abc.json"
printf '{"schema": 1, "id": "20250101T000000.000000Z-1-abc", "from": "s2", "to": "broadcast", "subject": "unread", "body": "x", "priority": "normal", "sent": "2025-01-01T00:00:00Z", "reply_to": null}\n' > "$BC"
prune() { "$SESSLUA" --root "$P/docs/coordination" message.lua prune --older-than 1 > /dev/null 2> "$WORK/.stderr"; RC=$?; }
rm -f "$WORK/counts"
LD_PRELOAD=$PRELOAD SESSLUA_FAULT_COUNT="$WORK/counts" prune
expect_rc 0 "prune without a fault"
expect_exists "$BC" "prune without a fault keeps a broadcast s1 has not read"
opens=$(awk '$1 == "open" { print $2 }' "$WORK/counts")
for k in $(seq 1 "$STRIDE" "${opens:-0}"); do
  LD_PRELOAD=$PRELOAD SESSLUA_FAULT="open:$k:EIO" prune
  if [ -e "$BC" ] && { [ "$RC" -eq 0 ] || [ "$RC" -eq 5 ]; }; then ok
  else bad "prune with open $k failing (EIO): exit $RC, broadcast $( [ -e "$BC" ] && echo kept || echo DELETED): $(cat "$WORK/.stderr")"; fi
done
printf 'faults: prune    %3d opens failed in turn, the unread broadcast kept in each\n' "${opens:-0}"

for k in $KNOWN_FAILING; do # a stale entry (the sites moved) must not hide
  case " $WORKFLOWS " in *" ${k%%:*} "*) [ -n "${SEEN[$k]:-}" ] || bad "KNOWN_FAILING names no case run: $k" ;; esac
done
finish
