#!/usr/bin/env bash
# mcp at the protocol level: crafted lines into `sesslua mcp`. Malformed
# JSON, unknown methods, notifications, batches, huge messages and input
# that ends mid-message get the right JSON-RPC answer (or none), never a
# crash or a write; stdout holds nothing but protocol, whatever a workflow
# prints; version negotiation; --tools; team workflows as tools.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
export SESSLUA_ROOT="$R"
run "$SESSLUA" init.lua
run "$SESSLUA" create.lua 1 backend "Ship it"
expect_rc 0 "create"

INIT='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
# serve LINE...: run the server on these lines; stdout in $OUT, stderr in $ERR.
serve() { run sh -c 'printf "%s\n" "$@" | "$SESSLUA" mcp' sh "$@"; }
# answer ID: the reply line for request ID.
answer() { printf '%s\n' "$OUT" | grep -F "\"id\":$1,"; }
only_protocol() { # every stdout line is one JSON-RPC 2.0 message
  if printf '%s\n' "$OUT" | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    assert m["jsonrpc"] == "2.0" and ("result" in m) != ("error" in m), line
'; then ok; else bad "$1: stdout holds more than protocol: $OUT"; fi
}

before=$(snapshot "$R")
serve "$INIT" \
  '{"jsonrpc":"2.0","id":1,"method":"tools/list"' \
  '{"jsonrpc":"2.0","id":2,"method":"no/such/method"}' \
  '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"update","arguments":{"id":"1","note":["from a notification"]}}}' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '[{"jsonrpc":"2.0","id":3,"method":"ping"}]' \
  '{"id":4,"method":"ping"}' \
  '"just a string"' \
  '{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}' \
  '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"nope"}}' \
  '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":"update"}' \
  '{"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"sesslua://log/../../../etc/passwd"}}' \
  '' \
  '{"jsonrpc":"2.0","id":"last","method":"ping"}'
expect_rc 0 "a bad session ends cleanly at end of input"
expect_out '{"jsonrpc":"2.0","id":0,"result":' "initialize answered"
expect_out '"protocolVersion":"2025-06-18"' "the client's revision is kept when known"
expect_out '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error' "malformed JSON: -32700"
expect_eq "$(answer 2)" '{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"method not found: no/such/method"}}' "unknown method: -32601"
expect_out '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batches are not supported' "a batch: -32600"
expect_out '{"jsonrpc":"2.0","id":4,"error":{"code":-32600' "no jsonrpc member: -32600"
expect_out '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"a message must be a JSON object"}}' "a string: -32600"
expect_out '"message":"unknown tool: nope"' "unknown tool"
expect_out '{"jsonrpc":"2.0","id":5,"error":{"code":-32602' "unknown tool: -32602"
expect_out '{"jsonrpc":"2.0","id":6,"error":{"code":-32602' "params not an object: -32602"
expect_out '{"jsonrpc":"2.0","id":7,"error":{"code":-32002' "a resource out of the tree: -32002"
expect_eq "$(answer '"last"')" '{"jsonrpc":"2.0","id":"last","result":{}}' "served on after every bad line"
# 13 lines in: initialize, the 9 bad requests and the last ping answered;
# the 2 notifications and the empty line are not
expect_eq "$(printf '%s\n' "$OUT" | grep -c '')" 11 "one answer per request, none per notification"
expect_file_lacks "$R/sessions/ACTIVE/session-1.md" "from a notification" "a notification runs nothing"
only_protocol "bad lines"
expect_eq "$(snapshot "$R")" "$before" "bad lines wrote nothing"

# Version negotiation: an unknown revision gets the newest.
serve '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1999-01-01","capabilities":{}}}'
expect_out '"protocolVersion":"2025-11-25"' "unknown revision: the newest"
serve '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{}}}'
expect_out '"protocolVersion":"2024-11-05"' "an older known revision is kept"
LIST_ONLY='{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
# The stateless revision (2026-07-28): no initialize; each request names its
# revision and the client's capabilities in _meta. server/discover says
# which revisions are served; create then status run with no handshake; a
# result says it is complete and names the server in its _meta, a list or
# a read says it may not be cached; an unknown revision is -32022 naming the
# served ones; a request without the capabilities, a discover without
# _meta, and the methods that revision removed (ping) are refused.
META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"t","version":"1"}}'
# req ID METHOD [PARAMS]: a 2026-07-28 request (PARAMS: more members of params).
req() { printf '{"jsonrpc":"2.0","id":%s,"method":"%s","params":{%s%s}}' "$1" "$2" "$META" "${3:+,$3}"; }
serve "$(req 1 server/discover)" \
  "$(req 2 tools/call '"name":"create","arguments":{"id":"7","role":"stateless","goal":"No handshake"}')" \
  "$(req 3 tools/call '"name":"status","arguments":{}')" \
  "$(req 4 tools/list)" "$(req 5 ping)" \
  '{"jsonrpc":"2.0","id":6,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1900-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}' \
  '{"jsonrpc":"2.0","id":7,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1900-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}' \
  '{"jsonrpc":"2.0","id":8,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}' \
  '{"jsonrpc":"2.0","id":9,"method":"server/discover"}' \
  "$(req 10 resources/subscribe '"uri":"sesslua://status"')" "$(req 11 resources/read '"uri":"sesslua://log/session-7"')"
expect_rc 0 "stateless requests"
only_protocol "stateless requests"
if printf '%s\n' "$OUT" | python3 -c '
import json, sys
r = {m["id"]: m for m in map(json.loads, sys.stdin)}
d = r[1]["result"]
assert d["resultType"] == "complete", d
assert d["supportedVersions"][0] == "2026-07-28" and "2025-11-25" in d["supportedVersions"], d
assert d["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "sesslua" and d["instructions"], d
assert set(d["capabilities"]) == {"tools", "resources", "prompts"}, d
assert "subscribe" not in d["capabilities"]["resources"], "2026-07-28 has no resources/subscribe"
c = r[2]["result"]
assert c["resultType"] == "complete" and c["isError"] is False and c["structuredContent"]["id"] == "session-7", c
s = r[3]["result"]
assert s["resultType"] == "complete" and "session-7" in [x["id"] for x in s["structuredContent"]["sessions"]], s
t = r[4]["result"]
assert t["resultType"] == "complete" and any(x["name"] == "update" and "outputSchema" in x for x in t["tools"]), t
for i in (5, 10):
    assert r[i]["error"]["code"] == -32601, r[i]
for i in (6, 7):
    e = r[i]["error"]
    assert e["code"] == -32022 and e["data"] == {"supported": d["supportedVersions"], "requested": "1900-01-01"}, e
for i in (8, 9):
    assert r[i]["error"]["code"] == -32602 and "_meta" in r[i]["error"]["message"], r[i]
assert r[11]["result"]["resultType"] == "complete" and "No handshake" in r[11]["result"]["contents"][0]["text"], r[11]
assert len(r) == 11
# lists, reads and discovery carry caching hints (never cached here); calls do not
for i in (1, 4, 11):
    assert r[i]["result"]["ttlMs"] == 0 and r[i]["result"]["cacheScope"] == "private", r[i]
for i in (2, 3):
    assert "ttlMs" not in r[i]["result"] and "cacheScope" not in r[i]["result"], r[i]
'; then ok; else bad "stateless requests: $OUT"; fi
expect_file_has "$R/sessions/ACTIVE/session-7.md" "**Goal:** No handshake" "a stateless tools/call writes the log"
rm -f "$R/sessions/ACTIVE/session-7.md"
# A dual-era client probes with server/discover, then a 2025 client (the
# same or the next) initializes as before: the handshake revisions are
# untouched, their results carry no resultType, and a stateless request
# sets no revision for the connection.
serve "$(req '"probe"' server/discover)" "$INIT" "$LIST_ONLY"
expect_out '{"jsonrpc":"2.0","id":0,"result":{"capabilities":{"prompts":{"listChanged":false},"resources":{"listChanged":false,"subscribe":true}' "initialize after the probe"
expect_out '"protocolVersion":"2025-06-18"' "the 2025 client's revision after the probe"
case "$(answer 1)" in *resultType*) bad "a 2025 result has a resultType: $(answer 1)" ;; *'"outputSchema"'*) ok ;; *) bad "tools/list after the probe: $(answer 1)" ;; esac
serve '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{}}}' \
  "$(req 1 tools/list)" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
expect_out '"id":1,"result":{"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"sesslua",' "a stateless tools/list on a 2025-03-26 connection"
case "$(answer 1)" in *'"outputSchema"'*) ok ;; *) bad "the stateless request is served as 2026-07-28: $(answer 1)" ;; esac
case "$(answer 2)" in *'"outputSchema"'*) bad "the 2025-03-26 connection got output schemas" ;; *'"name":"update"'*) ok ;; *) bad "tools/list: $(answer 2)" ;; esac
# A request whose _meta names a handshake revision is served under it, with
# no initialize: 2025-03-26 has no output schemas, and no resultType.
serve '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2025-03-26"}}}'
case "$OUT" in *'"outputSchema"'*|*resultType*) bad "_meta naming 2025-03-26: $OUT" ;; *'"name":"update"'*) ok ;; *) bad "tools/list: $OUT" ;; esac

# Output schemas (2025-06-18 on): a tool whose workflow has a schema in the
# JSON contract declares a compact one; an older revision gets none.
serve "$INIT" "$LIST_ONLY"
expect_out '"name":"update","outputSchema":{"properties":{"kind":{"const":"update"}},"required":["kind"],"type":"object"}' "update's output schema"
expect_out '"name":"view","outputSchema":{"properties":{"kind":{"const":"log"}}' "view's output schema is the log kind's"
n=$(printf '%s' "$OUT" | grep -o '"outputSchema"' | grep -c '')
[ "$n" -ge 12 ] && ok || bad "$n tools have an output schema, expected 12 or more"
serve '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{}}}' "$LIST_ONLY"
case "$OUT" in *'"outputSchema"'*) bad "an output schema for 2025-03-26: $OUT" ;; *) ok ;; esac
expect_out '"name":"update"' "2025-03-26 still lists the tools"
# The whole schema of each kind is a resource.
serve "$INIT" '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"sesslua://schema/log"}}' \
  '{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"sesslua://schema/nope"}}'
expect_out '"mimeType":"application/schema+json","text":"{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\"' "the log schema as a resource"
expect_out '{"jsonrpc":"2.0","id":2,"error":{"code":-32002' "an unknown kind is no resource"

# Pagination: resources come 100 at a time, each page's nextCursor gives
# the next; tools and prompts come whole; a cursor the server did not
# issue is -32602 and changes nothing.
mkdir -p "$R/shared-knowledge"
for i in $(seq 250); do printf '# Topic %d\n' "$i" > "$R/shared-knowledge/topic-$i.md"; done
page() { printf '{"jsonrpc":"2.0","id":%s,"method":"%s/list","params":{"cursor":%s}}' "$1" "$2" "$3"; }
serve "$INIT" '{"jsonrpc":"2.0","id":1,"method":"resources/list"}' "$(page 2 resources '"resources/100"')" \
  "$(page 3 resources '"resources/200"')" "$(page 4 resources '"resources/50"')" "$(page 5 resources '"bogus"')" \
  "$(page 6 resources 100)" "$(page 7 resources '"tools/100"')" "$(page 8 tools '"tools/100"')" \
  "$(page 9 prompts '"prompts/0"')" "$(page 10 tools null)" '{"jsonrpc":"2.0","id":11,"method":"prompts/list","params":{}}' \
  "$(page 12 resources/templates '"resources/templates/100"')" "$(page 13 resources '"resources/100x"')" \
  '{"jsonrpc":"2.0","id":14,"method":"resources/templates/list"}'
if printf '%s\n' "$OUT" | python3 -c '
import json, sys
r = {m["id"]: m for m in map(json.loads, sys.stdin)}
p1, p2, p3 = (r[i]["result"] for i in (1, 2, 3))
assert len(p1["resources"]) == 100 and p1["nextCursor"] == "resources/100", p1.get("nextCursor")
assert len(p2["resources"]) == 100 and p2["nextCursor"] == "resources/200", p2.get("nextCursor")
assert 0 < len(p3["resources"]) < 100 and "nextCursor" not in p3, p3.get("nextCursor")
uris = [x["uri"] for p in (p1, p2, p3) for x in p["resources"]]
assert len(uris) == len(set(uris)), "a resource on two pages"
topics = [u for u in uris if u.startswith("sesslua://knowledge/topic-")]
assert len(topics) == 250, len(topics)
assert "sesslua://status" in uris and "sesslua://log/session-1" in uris and "sesslua://schema/update" in uris
assert "sesslua://schema/error" in uris and "sesslua://schema/config" not in uris, "schemas of the tools offered"
assert len(r[14]["result"]["resourceTemplates"]) == 3 and "nextCursor" not in r[14]["result"]
for i in (4, 5, 6, 7, 8, 9, 12, 13):
    assert r[i]["error"]["code"] == -32602 and "invalid cursor" in r[i]["error"]["message"], r[i]
assert "nextCursor" not in r[10]["result"] and len(r[10]["result"]["tools"]) > 10
assert "nextCursor" not in r[11]["result"] and len(r[11]["result"]["prompts"]) == 3
'; then ok; else bad "pagination (answers above)"; fi
rm -f "$R"/shared-knowledge/topic-*.md

# A huge message: a 3 MB request is served; over --max-message it is
# refused with -32600 and the next line is served.
big=$(head -c 3000000 /dev/zero | tr '\0' 'a')
printf '{"jsonrpc":"2.0","id":1,"method":"no/such","params":{"x":"%s"}}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n' "$big" > big.jsonl
run sh -c '"$SESSLUA" mcp < big.jsonl'
expect_rc 0 "3 MB message"
expect_out '{"jsonrpc":"2.0","id":1,"error":{"code":-32601' "3 MB message answered"
run sh -c '"$SESSLUA" mcp --max-message 1048576 < big.jsonl'
expect_out '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"message of 3000061 bytes is over the limit of 1048576 bytes"}}' "over the limit: -32600"
expect_out '{"jsonrpc":"2.0","id":2,"result":{}}' "the line after a huge one is served"
expect_eq "$(snapshot "$R")" "$before" "huge messages wrote nothing"

# A client that stops reading: the server's writes fail (EPIPE), and it
# ends cleanly instead of dying of SIGPIPE (50 answers of 10 KB overflow
# the pipe).
for i in $(seq 50); do printf '{"jsonrpc":"2.0","id":%d,"method":"tools/list"}\n' "$i"; done > lists.jsonl
run bash -c '"$SESSLUA" mcp < lists.jsonl 2>/dev/null | head -c 1 >/dev/null; echo "${PIPESTATUS[0]}"'
expect_eq "$OUT" 0 "a client that stops reading ends the server with exit 0"

# End of input in the middle of a request: dropped, said on stderr, exit 0.
run sh -c 'printf "%s\n%s" "$1" "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"update\",\"argu" | "$SESSLUA" mcp' sh "$INIT"
expect_rc 0 "end of input mid-request"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '')" 1 "only initialize answered"
expect_err "end of input inside a message" "the dropped request is noted on stderr"
expect_eq "$(snapshot "$R")" "$before" "a cut request wrote nothing"

# Whatever a workflow prints (io.write, print, io.stdout, C stdout) and
# os.exit stay inside the protocol; a trusted team workflow is a tool.
mkdir -p "$R/scripts"
cat > "$R/scripts/noisy.lua" <<'LUA'
--- Print in every way there is, then exit 3.
local cli = require("sesslua.cli")
local p = cli.parser("noisy.lua", "Print in every way there is.")
p:option("--word", "A word to print.")
local args = cli.parse(p)
io.write("io.write ", args.word or "-", "\n")
print("print")
io.stdout:write("io.stdout\n")
io.stderr:write("to stderr\n")
os.exit(3)
LUA
cat > "$R/scripts/raw.lua" <<'LUA'
--- Echo its arguments (no declared command line).
io.write(table.concat(arg, "|"), "\n")
LUA
CALL='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"noisy","arguments":{"word":"hello"}}}'
RAW='{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"raw","arguments":{"args":["a b","-c","--"],"as_session":1}}}'
LIST='{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
serve "$INIT" "$CALL" "$LIST"
expect_out '"message":"unknown tool: noisy"' "an untrusted tree's workflow is no tool"
SESSLUA_TRUST=1 serve "$INIT" "$CALL" "$LIST" '{"jsonrpc":"2.0","id":3,"method":"ping"}' "$RAW"
expect_rc 0 "os.exit in a tool ends no server"
only_protocol "a noisy workflow"
expect_out 'io.write hello\nprint\nio.stdout\n' "its output is the tool's text"
expect_out 'to stderr' "its stderr is in the result"
expect_out '"isError":true' "os.exit(3) is an error result"
expect_out '"name":"noisy"' "a trusted team workflow is listed"
expect_out '{"jsonrpc":"2.0","id":3,"result":{}}' "served on after os.exit"
expect_out '"text":"a b|-c|--\n"' "a workflow with no declared command line gets its words as they are"
rm -rf "$R/scripts"

# --tools: only those; an unknown name stops with exit 2 before serving.
serve "$INIT" "$LIST"
expect_out '"name":"update"' "default tools"
run sh -c 'printf "%s\n" "$1" | "$SESSLUA" mcp --tools status,update' sh "$LIST"
expect_eq "$(printf '%s' "$OUT" | grep -o '"name":"[a-z_]*"' | tr '\n' ' ')" '"name":"status" "name":"update" ' "--tools status,update"
run sh -c '"$SESSLUA" mcp --tools status,bogus </dev/null'
expect_rc 2 "--tools with an unknown name"
expect_err "mcp: --tools: no tool named bogus" "names the unknown tool"
expect_eq "$OUT" "" "nothing on stdout"
# edit starts a person's editor: never a tool, not even when asked for
printf '%s' "$(serve "$INIT" "$LIST"; printf '%s' "$OUT")" | grep -q '"name":"edit"' && bad "edit is offered as a tool" || ok
run sh -c '"$SESSLUA" mcp --tools edit </dev/null'
expect_rc 2 "--tools edit is refused"

# An agent over MCP and a person in a shell at once: the same locks, so no
# write is lost (30 notes each way into one log).
for i in $(seq 30); do
  printf '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"update","arguments":{"id":"1","note":"mcp note %d"}}}\n' "$i" "$i"
done > notes.jsonl
( for i in $(seq 30); do "$SESSLUA" update.lua 1 --note "cli note $i" >/dev/null 2>&1; done ) &
shell=$!
run sh -c '"$SESSLUA" mcp < notes.jsonl'
wait "$shell"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '"isError":false')" 30 "30 updates over MCP"
expect_eq "$(grep -c '^mcp note [0-9]*$' "$R/sessions/ACTIVE/session-1.md")" 30 "every MCP note is in the log"
expect_eq "$(grep -c '^cli note [0-9]*$' "$R/sessions/ACTIVE/session-1.md")" 30 "every shell note is in the log"

# The acting session from SESSLUA_SESSION, and per call (as_session).
SHARE='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"share","arguments":{"words":["Env","From the environment"]}}}'
SHARE2='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"share","arguments":{"words":["Env","From the call"],"as_session":"session-2"}}}'
SESSLUA_SESSION=1 serve "$SHARE" "$SHARE2"
expect_file_has "$R/shared-knowledge/learnings.md" "**Shared By:** session-1" "SESSLUA_SESSION is the acting session"
expect_file_has "$R/shared-knowledge/learnings.md" "**Shared By:** session-2" "as_session acts for one call"

# The whole tools/list answer stays small (agents pay for it in context).
serve "$LIST"
size=$(printf '%s' "$OUT" | wc -c)
[ "$size" -gt 5000 ] && [ "$size" -lt 12288 ] && ok || bad "tools/list is $size bytes"

# A call can never write outside the root.
serve "$INIT" '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create","arguments":{"id":"../../outside","role":"x","goal":"y"}}}'
expect_out '"isError":true' "a path as session id is refused"
serve "$INIT" '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"share","arguments":{"words":["Env","x"],"as_session":"../../evil"}}}'
expect_out "sesslua: share: 'as_session': session id contains '..' (exit 2)" "a path as as_session is refused, naming as_session"
expect_absent "$WORK/outside.md" "nothing written outside"
expect_absent "$R/outside.md" "nothing written beside the logs"
finish
