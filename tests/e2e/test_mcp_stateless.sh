#!/usr/bin/env bash
# mcp under the stateless 2026-07-28 revision: the official TypeScript
# SDK's 2.x client (@modelcontextprotocol/client from npm, installed once
# into the build folder) pinned to 2026-07-28 (no initialize, per-request
# _meta), probing and picking (auto), and as a 2025 client (legacy), each
# against `sesslua mcp` (tests/mcp/client_stateless.cjs).
. "$(dirname "$0")/lib.sh"
SDK_DIR="${BUILD_DIR:?}/mcp-client-v2"
if [ ! -f "$SDK_DIR/node_modules/@modelcontextprotocol/client/package.json" ]; then
  # a missing client is a failure, never a skip: the test would prove nothing
  if ! command -v npm >/dev/null 2>&1; then
    bad "npm is not installed (Debian: apt-get install npm)"; finish; exit
  fi
  if ! npm install --prefix "$SDK_DIR" --no-audit --no-fund --loglevel=error \
       "@modelcontextprotocol/client@^2" >"$WORK/npm.log" 2>&1; then
    bad "npm install @modelcontextprotocol/client failed (is the npm registry reachable?): $(tail -3 "$WORK/npm.log")"
    finish; exit
  fi
fi
R="$WORK/docs/coordination"
run "$SESSLUA" --root "$R" init.lua
expect_rc 0 "init"
run node "$SESSLUA_SRC/tests/mcp/client_stateless.cjs" "$SDK_DIR" "$SESSLUA" "$R"
expect_rc 0 "the SDK 2.x client's checks ($OUT) $ERR"
case "$OUT" in *" passed, 0 failed") ok ;; *) bad "the SDK 2.x client ran its checks: $OUT" ;; esac
finish
