#!/usr/bin/env bash
# mcp under the stateless 2026-07-28 revision: the official TypeScript
# SDK's 2.x client (@modelcontextprotocol/client from npm, installed once
# into the build folder) pinned to 2026-07-28 (no initialize, per-request
# _meta), probing and picking (auto), and as a 2025 client (legacy), each
# against `sesslua mcp` (tests/mcp/client_stateless.cjs).
. "$(dirname "$0")/lib.sh"
SDK_DIR="${BUILD_DIR:?}/mcp-client-v2"
npm_client "$SDK_DIR" "@modelcontextprotocol/client@^2" || { finish; exit; }
R="$WORK/docs/coordination"
run "$SESSLUA" --root "$R" init.lua
expect_rc 0 "init"
run node "$SESSLUA_SRC/tests/mcp/client_stateless.cjs" "$SDK_DIR" "$SESSLUA" "$R"
expect_rc 0 "the SDK 2.x client's checks ($OUT) $ERR"
case "$OUT" in *" passed, 0 failed") ok ;; *) bad "the SDK 2.x client ran its checks: $OUT" ;; esac
finish
