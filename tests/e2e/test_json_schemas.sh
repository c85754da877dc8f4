#!/usr/bin/env bash
# The JSON contract: every --json document a workflow prints validates
# against docs/json/<kind>.schema.json (JSON Schema 2020-12), every kind
# printed has a schema, and every schema is exercised here.
. "$(dirname "$0")/lib.sh"
SCHEMAS="$(cd "$(dirname "$0")/../../docs/json" && pwd)"
mkdir -p docs/coordination out
j() { local name=$1; shift; "$SESSLUA" "$@" > "out/$name.json" 2>> out/stderr.txt; }
j init init.lua --json
j create create.lua 1 "DevOps Engineer" "Deploy services" --json
"$SESSLUA" create.lua 2 "Tester" "Test" > /dev/null
j update update.lua 1 --status Building --progress 40 --phase Specs --done Specs \
  --blocker "No DB" --next Deploy --learning Async "gather is fast" --json
j update-dry update.lua 1 --note "a note" --dry-run --json
j view view.lua 1 --json
j list list.lua --all --json
j status status.lua --json
j share share.lua Perf "asyncio.gather() speeds up calls" High --json --session session-1
j search search.lua gather --all --json
j handoff handoff.lua 1 --json
j send message.lua send 2 "hello" "the body" --json --session session-1
"$SESSLUA" --session session-1 message.lua send broadcast "to all" > /dev/null
j inbox message.lua inbox --json --session session-2
j morning morning.lua 2 --json --session session-2
j morning-yes morning.lua 1 --json --yes
j read message.lua read 1 --json --session session-2
j prune message.lua prune --older-than 0 --dry-run --json
j eod eod.lua 1 --json
j workflows --list --json
j version --version --json
j doctor doctor.lua --json
j config config.lua --json
j archive archive.lua 2 --force --dry-run --json
j trust trust.lua --list --json
j migrate migrate.lua --json
# a problem and a finding each, so their elements meet their schemas too
: > docs/coordination/sessions/ACTIVE/session-1.md.lock
j doctor-problem doctor.lua --json
rm -f docs/coordination/sessions/ACTIVE/session-1.md.lock
mkdir -p docs/coordination/scripts
printf '#!/bin/sh\n' > docs/coordination/scripts/session-create-log.sh
j migrate-finding migrate.lua --json --dry-run
rm -r docs/coordination/scripts
if grep -q '"problem": "unheld_lock"' out/doctor-problem.json; then ok; else bad "doctor names the problem: $(cat out/doctor-problem.json)"; fi
if grep -q '"finding": "script"' out/migrate-finding.json; then ok; else bad "migrate names the finding: $(cat out/migrate-finding.json)"; fi
j dashboard dashboard.lua --json
if command -v git > /dev/null; then # sync: against a bare repository beside the tree
  export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t
  export GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
  git init -q --bare -b main remote.git && git init -q -b main . && git remote add origin remote.git
  git commit -q --allow-empty -m init && git push -q origin main
  j sync sync.lua --json
else
  touch out/no-sync # no git: sync's schema is the one left unexercised
fi
j error view.lua 99 --json
j usage update.lua 1 --bogus --json
run "$SESSLUA" --json status.lua
expect_rc 2 "the host's --json goes with --list or --version only"
expect_err "a workflow's --json goes after it" "and says where a workflow's goes"
python3 - "$SCHEMAS" out <<'PY' && ok || bad "the JSON contract (above)"
import glob, json, os, sys
import jsonschema
schemas_dir, out = sys.argv[1], sys.argv[2]
schemas = {}
for path in glob.glob(os.path.join(schemas_dir, "*.schema.json")):
    s = json.load(open(path))
    jsonschema.Draft202012Validator.check_schema(s)
    schemas[os.path.basename(path)[:-len(".schema.json")]] = s
failed, seen = [], set()
for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    text = open(path).read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        failed.append("%s: not one JSON document (%s): %r" % (path, e, text[:200])); continue
    kind = doc.get("kind")
    seen.add(kind)
    if kind not in schemas:
        failed.append("%s: kind %r has no docs/json/%s.schema.json" % (path, kind, kind)); continue
    for e in jsonschema.Draft202012Validator(schemas[kind]).iter_errors(doc):
        failed.append("%s: %s at %s" % (path, e.message[:200], "/".join(map(str, e.path))))
if os.path.exists(os.path.join(out, "no-sync")):
    seen.add("sync")
for kind in sorted(set(schemas) - seen):
    failed.append("docs/json/%s.schema.json: no document of this kind was checked" % kind)
for f in failed:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if failed else 0)
PY
# the schemas are strict enough to catch a broken document
python3 - "$SCHEMAS" <<'PY' && ok || bad "a document missing a required key validates"
import json, sys, jsonschema
s = json.load(open(sys.argv[1] + "/status.schema.json"))
bad = {"schema": 1, "kind": "status", "root": "/r", "sessions": [{"id": "x"}], "totals": {}}
sys.exit(0 if list(jsonschema.Draft202012Validator(s).iter_errors(bad)) else 1)
PY
finish
