#!/usr/bin/env bash
# sync_race: a bare repository and three clones working at once. Each clone,
# in random order and at the same time as the others: 50 shares, 20 updates
# of its own log, 10 messages to other sessions and broadcasts, a few reads
# of its inbox, and a sync every few operations (the syncs race to push).
# After a last sync in each: every clone holds the same tree, learnings.md
# holds the 150 new entries once each with the right Total, every note,
# message and read mark is there, no file holds a conflict marker, and git
# log shows only sesslua's commits (no manual resolution).
# A sync whose every retry was refused (exit 4, "push was refused") is
# allowed during the race: the next sync pushes what it committed.
# SYNC_RACE_SCALE=N divides the counts by N (for a quick run by hand).
. "$(dirname "$0")/lib.sh"
command -v git > /dev/null || { echo "git missing: skipped"; exit 0; }
export GIT_AUTHOR_NAME=racer GIT_AUTHOR_EMAIL=racer@example.com
export GIT_COMMITTER_NAME=racer GIT_COMMITTER_EMAIL=racer@example.com
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
SCALE=${SYNC_RACE_SCALE:-1}
SHARES=$((50 / SCALE)) UPDATES=$((20 / SCALE)) MESSAGES=$((10 / SCALE)) READS=4
CLONES="c1 c2 c3"

cd "$WORK" || exit 1
git init -q --bare -b main remote.git
git clone -q remote.git seed 2> /dev/null
(cd seed && git commit -q --allow-empty -m "init" && git push -q origin main)

# Each clone: the tree set up for git, its own session's log, synced in turn
# so that every clone knows every session before the race.
for c in $CLONES; do
  git clone -q remote.git "$c"
  (cd "$c" && "$SESSLUA" init.lua --git > /dev/null && "$SESSLUA" --session "$c" create.lua "$c" Racer "race" > /dev/null \
    && "$SESSLUA" --session "$c" sync.lua > /dev/null) || bad "set-up of $c"
done
for c in $CLONES; do (cd "$c" && "$SESSLUA" --session "$c" sync.lua > /dev/null); done

# The operations of one clone, in random order, one per line.
ops() {
  local c=$1 k
  for k in $(seq 1 "$SHARES"); do echo "share $k"; done
  for k in $(seq 1 "$UPDATES"); do echo "update $k"; done
  for k in $(seq 1 "$MESSAGES"); do echo "send $k"; done
  for k in $(seq 1 "$READS"); do echo "read $k"; done
}

# One clone's worker: runs its operations with a sync every 2 to 5 of them.
# Fails (a line in $c.fail) on any exit but 0, or 1 for a sync with nothing
# to do. Records the read marks and read messages it saw, to check later.
worker() {
  local c=$1 others=() o op k n=0 next=$((2 + RANDOM % 4)) rc
  for o in $CLONES; do [ "$o" != "$c" ] && others+=("$o"); done
  cd "$WORK/$c" || return
  while read -r op k; do
    case $op in
      share) "$SESSLUA" --session "$c" share.lua learning race "share $c-$k" > /dev/null 2>> "../$c.err" ;;
      update)
        if [ $((k % 2)) -eq 0 ]; then
          "$SESSLUA" --session "$c" update.lua --note "note $c-$k" --progress $((k * 5)) > /dev/null 2>> "../$c.err"
        else
          "$SESSLUA" --session "$c" update.lua --note "note $c-$k" > /dev/null 2>> "../$c.err"
        fi ;;
      send)
        if [ $((k % 2)) -eq 0 ]; then to=broadcast; else to=${others[$((k % 2 + RANDOM % 2))]:-${others[0]}}; fi
        "$SESSLUA" --session "$c" message.lua send "$to" "subject $c-$k" "body $c-$k" > /dev/null 2>> "../$c.err" ;;
      read)
        "$SESSLUA" --session "$c" message.lua read --all > /dev/null 2>> "../$c.err" ;;
    esac
    rc=$?
    [ "$rc" -eq 0 ] || echo "$op $k: exit $rc" >> "../$c.fail"
    if [ "$op" = read ]; then
      cat docs/coordination/messages/"$c"/broadcast-read >> "../$c.marks" 2> /dev/null
      ls docs/coordination/messages/"$c"/cur >> "../$c.cur" 2> /dev/null
    fi
    n=$((n + 1))
    if [ "$n" -ge "$next" ]; then
      n=0 next=$((2 + RANDOM % 4))
      "$SESSLUA" --session "$c" sync.lua > /dev/null 2> "../$c.last"
      rc=$?
      cat "../$c.last" >> "../$c.err"
      # every retry refused (the others kept pushing first) is the bounded
      # retry doing its job: what was committed goes with the next sync
      if [ "$rc" -eq 4 ] && grep -q "push was refused" "../$c.last"; then echo "$c" >> ../busy
      elif [ "$rc" -gt 1 ]; then echo "sync: exit $rc" >> "../$c.fail"; fi
    fi
  done < <(ops "$c" | shuf)
}

start=$(date +%s)
pids=()
for c in $CLONES; do worker "$c" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
# the last syncs: twice round, so every clone has every other's last push
for round in 1 2; do
  for c in $CLONES; do
    (cd "$c" && "$SESSLUA" --session "$c" sync.lua > /dev/null 2>> "../$c.err")
    rc=$?
    [ "$rc" -le 1 ] || echo "last sync: exit $rc" >> "$c.fail"
  done
done
echo "race took $(( $(date +%s) - start )) s; syncs that gave up after every retry: $(cat busy 2> /dev/null | wc -l)" >&2

for c in $CLONES; do
  expect_eq "$(cat "$c.fail" 2> /dev/null)" "" "every operation and sync of $c succeeds ($(tail -3 "$c.err" 2> /dev/null))"
done
R=docs/coordination
expect_eq "$(git -C c1 rev-parse HEAD)" "$(git -C c2 rev-parse HEAD)" "c1 and c2 at the same commit"
expect_eq "$(git -C c1 rev-parse HEAD)" "$(git -C c3 rev-parse HEAD)" "c1 and c3 at the same commit"
expect_eq "$(git -C c1 rev-parse HEAD)" "$(git -C remote.git rev-parse main)" "the remote holds it"
for c in $CLONES; do
  expect_eq "$(git -C "$c" status --porcelain -- "$R")" "" "nothing left uncommitted in $c"
done
expect_eq "$(snapshot c2/$R)" "$(snapshot c1/$R)" "c1 and c2 hold the same tree"
expect_eq "$(snapshot c3/$R)" "$(snapshot c1/$R)" "c1 and c3 hold the same tree"

L=c1/$R/shared-knowledge/learnings.md
want=$((3 * SHARES))
expect_eq "$(wellformed "$L" Learning)" "$want 0" "learnings.md holds $want well-formed entries"
expect_eq "$(total "$L")" "$want" "its Total is $want"
missing=0 doubled=0
for c in $CLONES; do
  for k in $(seq 1 "$SHARES"); do
    n=$(grep -cxF "**Learning:** share $c-$k" "$L")
    [ "$n" -eq 0 ] && missing=$((missing + 1))
    [ "$n" -gt 1 ] && doubled=$((doubled + 1))
  done
done
expect_eq "$missing $doubled" "0 0" "every share once (missing, doubled)"

missing=0
for c in $CLONES; do
  for k in $(seq 1 "$UPDATES"); do
    [ "$(grep -c -- "note $c-$k\$" "c1/$R/sessions/ACTIVE/$c.md")" -eq 1 ] || missing=$((missing + 1))
  done
done
expect_eq "$missing" "0" "every note once in its log"

missing=0
for c in $CLONES; do
  for k in $(seq 1 "$MESSAGES"); do
    [ "$(grep -rlF "\"subject $c-$k\"" "c1/$R/messages" | wc -l)" -eq 1 ] || missing=$((missing + 1))
  done
done
expect_eq "$missing" "0" "every message once"

lost=0
for c in $CLONES; do
  for id in $(sort -u "$c.marks" 2> /dev/null); do
    grep -qxF "$id" "c1/$R/messages/$c/broadcast-read" || lost=$((lost + 1))
  done
  for f in $(sort -u "$c.cur" 2> /dev/null); do
    [ -f "c1/$R/messages/$c/cur/$f" ] && [ ! -e "c1/$R/messages/$c/new/$f" ] || lost=$((lost + 1))
  done
done
expect_eq "$lost" "0" "every read mark and read message is kept"
expect_eq "$(grep -rlE '^(<<<<<<<|>>>>>>>|=======$)' c1/$R | wc -l)" "0" "no conflict marker in any file"
expect_eq "$(git -C c1 log --format=%s | grep -vE '^(sesslua sync|init$)' | wc -l)" "0" \
  "git log holds only sesslua's commits (no manual resolution)"
sl --root "$WORK/c1/$R" doctor.lua
expect_rc 0 "doctor finds nothing wrong in the merged tree ($OUT)"
finish
