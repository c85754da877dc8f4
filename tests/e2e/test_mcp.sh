#!/usr/bin/env bash
# mcp: the official MCP TypeScript SDK's client (@modelcontextprotocol/sdk
# from npm, installed once into the build folder) drives `sesslua mcp`:
# initialize, tools and their schemas, calls that write the files, refused
# calls, resources, prompts (tests/mcp/client.cjs).
. "$(dirname "$0")/lib.sh"
SDK_DIR="${BUILD_DIR:?}/mcp-client"
npm_client "$SDK_DIR" "@modelcontextprotocol/sdk@^1" || { finish; exit; }
R="$WORK/docs/coordination"
run "$SESSLUA" --root "$R" init.lua
expect_rc 0 "init"
run node "$SESSLUA_SRC/tests/mcp/client.cjs" "$SDK_DIR" "$SESSLUA" "$R"
expect_rc 0 "the SDK client's checks ($OUT) $ERR"
case "$OUT" in *" passed, 0 failed") ok ;; *) bad "the SDK client ran its checks: $OUT" ;; esac
finish
