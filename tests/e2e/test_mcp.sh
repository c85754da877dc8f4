#!/usr/bin/env bash
# mcp: the official MCP TypeScript SDK's client (@modelcontextprotocol/sdk
# from npm, installed once into the build folder) drives `sesslua mcp`:
# initialize, tools and their schemas, calls that write the files, refused
# calls, resources, prompts (tests/mcp/client.cjs).
. "$(dirname "$0")/lib.sh"
SDK_DIR="${BUILD_DIR:?}/mcp-client"
if [ ! -f "$SDK_DIR/node_modules/@modelcontextprotocol/sdk/package.json" ]; then
  # a missing client is a failure, never a skip: the test would prove nothing
  if ! command -v npm >/dev/null 2>&1; then
    bad "npm is not installed (Debian: apt-get install npm)"; finish; exit
  fi
  if ! npm install --prefix "$SDK_DIR" --no-audit --no-fund --loglevel=error \
       "@modelcontextprotocol/sdk@^1" >"$WORK/npm.log" 2>&1; then
    bad "npm install @modelcontextprotocol/sdk failed (is the npm registry reachable?): $(tail -3 "$WORK/npm.log")"
    finish; exit
  fi
fi
R="$WORK/docs/coordination"
run "$SESSLUA" --root "$R" init.lua
expect_rc 0 "init"
run node "$SESSLUA_SRC/tests/mcp/client.cjs" "$SDK_DIR" "$SESSLUA" "$R"
expect_rc 0 "the SDK client's checks ($OUT) $ERR"
case "$OUT" in *" passed, 0 failed") ok ;; *) bad "the SDK client ran its checks: $OUT" ;; esac
finish
