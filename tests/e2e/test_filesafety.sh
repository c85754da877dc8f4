#!/usr/bin/env bash
# filesafety: the rules of a write (docs/reliability.md) as a user meets them.
# A write renamed into place is done: a folder sync failing after it is a
# warning and exit 0, never a failure that a retry doubles. A read-only file
# is refused, not replaced. ulimit -f is a clear error. A signal leaves no
# temp or lock file; a writer sweeps what killed writers left in its folder.
# create --force takes the log's lock.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
ACT="$R/sessions/ACTIVE"
K="$R/shared-knowledge"
mkdir -p "$R"
sl init.lua
sl create.lua s1 Dev "Goal one"
sl create.lua s2 Dev "Goal two"

# leftovers DIR: the hidden temp, probe and lock files in DIR, one a line.
leftovers() { find "$1" -maxdepth 1 \( -name '.*.tmp-*' -o -name '*.lock' \) -printf '%f\n' | LC_ALL=C sort; }

# faulty SPEC CMD...: run sesslua with the fault shim failing SPEC.
faulty() { run env LD_PRELOAD="$PRELOAD" SESSLUA_FAULT="$1" "$SESSLUA" "${@:2}"; }
PRELOAD=""
if [ -n "${FAULT_SHIM:-}" ] && [ -e "$FAULT_SHIM" ]; then
  PRELOAD=$FAULT_SHIM
  # under AddressSanitizer its runtime must come first
  asan=$(ldd "$SESSLUA" 2>/dev/null | awk '/libasan/ { print $3 }')
  [ -n "$asan" ] && PRELOAD="$asan $FAULT_SHIM"
fi

# ---- the commit point: a failed folder sync after the rename --------------
if [ -n "$PRELOAD" ]; then
  WARN="sesslua: warning: written, but may not survive a power loss:"
  faulty fsyncdir:1:EIO update.lua s1 --note "synced late"
  expect_rc 0 "update whose folder sync fails after the rename is done"
  expect_err "$WARN $ACT/s1.md: Input/output error" "update says it may not be durable"
  expect_err_lines 1 "one warning line"
  expect_eq "$(grep -c 'synced late' "$ACT/s1.md")" "1" "the note is there once"
  expect_out "Updated" "update reports the change"

  faulty fsyncdir:1:ENOSPC --session s1 share.lua Durability "folder sync failed" Low
  expect_rc 0 "share whose folder sync fails after the rename is done"
  expect_err "$WARN $K/learnings.md: No space left on device" "share warns"
  expect_eq "$(grep -c 'folder sync failed' "$K/learnings.md")" "1" "shared once"

  faulty fsyncdir:1:EIO create.lua s3 Dev "Goal three"
  expect_rc 0 "create whose folder sync fails after the link is done"
  expect_err "$WARN $ACT/s3.md" "create warns"
  expect_out "Created" "create says Created: the log is there"
  expect_exists "$ACT/s3.md" "the log was created"

  faulty fsyncdir:1:EIO --session s1 message.lua send s2 "late sync"
  expect_rc 0 "message send whose folder sync fails after the link is done"
  expect_err "$WARN $R/messages/s2/new/" "message send warns"
  expect_eq "$(grep -l '"late sync"' "$R"/messages/s2/new/*.json | wc -l)" "1" "delivered once"
  expect_eq "$(grep -c 'late sync' "$ACT/s1.md")" "1" "logged once in the sender's log (the recipient's own read logs it there)"

  sl create.lua s9 Dev "Archive me"
  faulty fsyncdir:2:EIO archive.lua s9 --force # ARCHIVE's sync after the move
  expect_rc 0 "archive whose folder sync fails after the move is done"
  expect_err "$WARN" "archive warns"
  expect_absent "$ACT/s9.md" "the archived log is not written back to ACTIVE"
  expect_eq "$(find "$R/sessions/ARCHIVE" -name 's9-*.md' | wc -l)" "1" "the log is in ARCHIVE once"
  # a team script that ignores what fs.write returns still has the warning
  # printed (by the host, when it ends), and fs.warnings hands it out once
  mkdir -p "$WORK/team"
  cat > "$WORK/team/quiet.lua" <<'LUA'
local fs = require("sesslua.fs")
local ctx = require("sesslua.context")
fs.write(ctx.root .. "/quiet.txt", "x")
if arg[1] == "drain" then
  local w = fs.warnings()
  io.write(#w, " ", #fs.warnings(), "\n")
end
return 0
LUA
  faulty fsyncdir:1:EIO "$WORK/team/quiet.lua"
  expect_rc 0 "a script that ignores a write's result"
  expect_err "$WARN $R/quiet.txt: Input/output error" "the host prints the warning the script did not"
  faulty fsyncdir:1:EIO "$WORK/team/quiet.lua" drain
  expect_eq "$OUT" "1 0" "fs.warnings hands each warning out once"
  expect_eq "$ERR" "" "and one handed out is not printed again"
  for d in "$ACT" "$K" "$R/messages/s2/new" "$R/sessions/ARCHIVE"; do
    expect_eq "$(leftovers "$d")" "" "nothing left in $d after the warnings"
  done
else
  echo "filesafety: no fault shim (FAULT_SHIM unset): commit-point cases skipped"
fi

# ---- read-only files are refused, not replaced -------------------------------
# as a user who is not root: root may write any file, as for any program
P="$WORK/perm"
mkdir -p "$P/docs/coordination"
sl --root "$P/docs/coordination" init.lua
sl --root "$P/docs/coordination" create.lua s1 Dev Goal
sl --root "$P/docs/coordination" --session s1 share.lua Perm "first entry" Low
PA="$P/docs/coordination/sessions/ACTIVE/s1.md"
PK="$P/docs/coordination/shared-knowledge/learnings.md"
chmod -R a+rwX "$P"
chmod a+x "$WORK"
chmod 0444 "$PA" "$PK"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  if command -v setpriv > /dev/null; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  elif command -v runuser > /dev/null; then
    as_user=(runuser -u nobody --)
  fi
fi
if [ "$(id -u)" -ne 0 ] || [ "${#as_user[@]}" -gt 0 ]; then
  before=$(snapshot "$P")
  run "${as_user[@]}" env HOME="$P" "$SESSLUA" --root "$P/docs/coordination" update.lua s1 --note "not allowed"
  expect_rc 5 "update of a read-only log"
  expect_err "sesslua: $PA: Permission denied" "the message names the log"
  run "${as_user[@]}" env HOME="$P" "$SESSLUA" --root "$P/docs/coordination" --session s1 share.lua Perm "not allowed" Low
  expect_rc 5 "share into a read-only knowledge file"
  expect_err "$PK: Permission denied" "the message names the knowledge file"
  expect_eq "$(snapshot "$P")" "$before" "nothing was replaced"
  expect_eq "$(stat -c %a "$PA")" "444" "the log keeps its mode"
else
  echo "filesafety: running as root without setpriv or runuser: read-only cases skipped"
fi
if [ "$(id -u)" -eq 0 ]; then
  sl --root "$P/docs/coordination" update.lua s1 --note "root may"
  expect_rc 0 "root keeps root's rights"
  expect_eq "$(stat -c %a "$PA")" "444" "and the log its mode"
fi

# ---- ulimit -f: EFBIG, one line, exit 5, no temp file -----------------------
cp "$ACT/s1.md" before.md
big=$(head -c 20000 /dev/zero | tr '\0' 'x')
run bash -c 'ulimit -f 8; exec "$@"' _ "$SESSLUA" update.lua s1 --note "$big"
expect_rc 5 "a write past ulimit -f"
expect_err "sesslua: $ACT/s1.md: File too large" "says the file is too large"
expect_err_lines 1 "in one line"
expect_same "$ACT/s1.md" before.md "the log is as it was"
expect_eq "$(leftovers "$ACT")" "" "no temp file left by the failed write"

# ---- signals: temp and lock files are removed -------------------------------
if [ -n "$PRELOAD" ]; then
  sigs="SIGTERM SIGINT SIGHUP"
  # a signal ignored since the test started (nohup) stays ignored, by design
  [ -n "$(trap -p HUP)" ] && sigs="SIGTERM SIGINT"
  for sig in $sigs; do
    faulty "fsync:1:$sig" update.lua s1 --note "interrupted by $sig"
    [ "$RC" -ge 128 ] && ok || bad "update killed by $sig: exit $RC, expected death by the signal"
    expect_same "$ACT/s1.md" before.md "$sig: the log is as it was"
    expect_eq "$(leftovers "$ACT")" "" "$sig: no temp or lock file left"
  done
  # SIGKILL cannot be caught: what it leaves, the next writer sweeps
  for i in $(seq 1 100); do
    case $((i % 3)) in
      0) spec=fsync:1:SIGKILL ;;   # the temp file written, the lock held
      1) spec=write:1:SIGKILL ;;   # the temp file empty
      2) spec=rename:1:SIGKILL ;;  # just before the rename
    esac
    (env LD_PRELOAD="$PRELOAD" SESSLUA_FAULT="$spec" "$SESSLUA" update.lua s1 --note "killed $i"; true) \
      > /dev/null 2>&1 # in a subshell: the shell's "Killed" goes to /dev/null too
  done
  # each killed writer swept its predecessors' files: the last one's remain
  n=$(leftovers "$ACT" | wc -l)
  [ "$n" -ge 1 ] && ok || bad "the killed writers left nothing: the kills missed"
  expect_same "$ACT/s1.md" before.md "after 100 kills the log is as it was"
  sl update.lua s1 --note "after the storm"
  expect_rc 0 "the next write after the kills"
  expect_eq "$(leftovers "$ACT")" "" "the next write swept every leftover of the killed writers"
  expect_eq "$(grep -c 'after the storm' "$ACT/s1.md")" "1" "and wrote its note"
fi
# Files of live processes stay; an hour-old one of a live pid (reused) goes.
sleep 30 & live=$!
printf 'x' > "$ACT/.s1.md.tmp-$live-0000beef"
printf 'x' > "$ACT/.s2.md.tmp-$live-0000cafe"
touch -d '2 hours ago' "$ACT/.s2.md.tmp-$live-0000cafe"
: > "$ACT/.sesslua-probe-$live-1-abcd.lock"
( exec 9> "$ACT/s2.md.lock"; flock -x 9; exec sleep 30 ) & holder=$!
sleep 0.2
sl update.lua s1 --note "sweep again"
expect_eq "$(leftovers "$ACT" | tr '\n' ' ')" ".s1.md.tmp-$live-0000beef .sesslua-probe-$live-1-abcd.lock s2.md.lock " \
  "files of live processes stay, an hour-old temp goes"
kill "$live" "$holder"; wait "$live" "$holder" 2> /dev/null
sl update.lua s2 --note "after them"
expect_eq "$(leftovers "$ACT")" "" "gone once their processes are"
# fs.sweep: the same, on demand, from a script
sleep 0 & dead=$!; wait "$dead"
printf 'x' > "$K/.learnings.md.tmp-$dead-0000abcd"
cat > "$WORK/sweep.lua" <<'LUA'
local fs = require("sesslua.fs")
io.write(fs.sweep(arg[1]), " ", select(3, fs.sweep(arg[1] .. "/missing")), "\n")
return 0
LUA
sl "$WORK/sweep.lua" "$K"
expect_eq "$OUT" "1 ENOENT" "fs.sweep removes a dead writer's temp file and reports a missing folder"

# ---- create --force under the log's lock -------------------------------------
# Racing an update: "Created" only when the new log is what is on disk.
wrong=0; created=0
for i in $(seq 1 40); do
  "$SESSLUA" create.lua race Dev "old goal $i" --force > /dev/null 2>&1
  "$SESSLUA" update.lua race --note "racing note $i" > /dev/null 2>&1 &
  out=$("$SESSLUA" create.lua race Dev "new goal $i" --force 2>&1)
  wait
  if printf '%s' "$out" | grep -q '^Created'; then
    created=$((created + 1))
    grep -q "new goal $i" "$ACT/race.md" && ! grep -q "old goal $i" "$ACT/race.md" || wrong=$((wrong + 1))
  fi
done
[ "$created" -gt 0 ] && ok || bad "create --force never succeeded"
expect_eq "$wrong" "0" "create --force said Created while another text was on disk"

finish
