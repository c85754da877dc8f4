// The official MCP TypeScript SDK's 2.x client (@modelcontextprotocol/client)
// against `sesslua mcp` under the stateless 2026-07-28 revision: a client
// pinned to that revision (no initialize, per-request _meta, results with
// resultType), a client that probes and picks (auto), and a 2025 client
// (legacy, the SDK's default) against the same server. Run by
// tests/e2e/test_mcp_stateless.sh: node client_stateless.cjs SDK_DIR SESSLUA ROOT
"use strict";
const { createRequire } = require("node:module");
const fs = require("node:fs");
const path = require("node:path");

const [sdkDir, sesslua, root] = process.argv.slice(2);
const sdk = createRequire(path.join(sdkDir, "package.json"));
const { Client } = sdk("@modelcontextprotocol/client");
const { StdioClientTransport } = sdk("@modelcontextprotocol/client/stdio");

let passed = 0, failed = 0;
function check(cond, what, detail) {
  if (cond) { passed++; return; }
  failed++;
  console.error("FAIL: " + what + (detail === undefined ? "" : ": " + JSON.stringify(detail).slice(0, 600)));
}
const read = (rel) => { try { return fs.readFileSync(path.join(root, rel), "utf8"); } catch { return ""; } };

// connect(mode): a client of that negotiation mode on a fresh `sesslua mcp`.
async function connect(mode) {
  const transport = new StdioClientTransport({
    command: sesslua, args: ["mcp"], env: { ...process.env, SESSLUA_ROOT: root }, stderr: "pipe",
  });
  const client = new Client({ name: "sesslua-test", version: "2.0.0" }, { versionNegotiation: { mode } });
  const errors = [];
  client.onerror = (e) => errors.push(String(e));
  await client.connect(transport);
  return { client, errors };
}

async function main() {
  // pinned to 2026-07-28: connect fails unless server/discover offers it
  const { client, errors } = await connect({ pin: "2026-07-28" });
  check(client.getProtocolEra() === "modern", "pinned: the stateless era", client.getProtocolEra());
  check(client.getNegotiatedProtocolVersion() === "2026-07-28", "pinned: 2026-07-28", client.getNegotiatedProtocolVersion());
  check(client.getServerVersion() && client.getServerVersion().name === "sesslua", "server/discover's serverInfo", client.getServerVersion());
  check(client.getServerCapabilities() && client.getServerCapabilities().tools, "server/discover's tools capability");
  const { tools } = await client.listTools();
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  check(byName.create && byName.status, "tools listed", tools.map((t) => t.name));
  check(byName.update && byName.update.outputSchema, "output schemas under 2026-07-28", byName.update);
  // create then status, no handshake; the SDK checks each result against
  // the tool's output schema
  let r = await client.callTool({ name: "create", arguments: { id: "21", role: "agent", goal: "Stateless goal" } });
  check(!r.isError && r.structuredContent && r.structuredContent.id === "session-21", "create", r);
  check(read("sessions/ACTIVE/session-21.md").includes("**Goal:** Stateless goal"), "create wrote the log");
  r = await client.callTool({ name: "status", arguments: {} });
  check(!r.isError && r.structuredContent.sessions.some((s) => s.id === "session-21"), "status shows the new log", r);
  r = await client.callTool({ name: "update", arguments: { id: "21", progress: "lots" } });
  check(r.isError === true, "a bad argument is isError", r);
  const res = await client.readResource({ uri: "sesslua://log/session-21" });
  check(res.contents[0].text.includes("Stateless goal"), "a log read as a resource", res);
  const p = await client.getPrompt({ name: "handoff", arguments: { session: "21" } });
  check(p.messages[0].content.text.includes("session-21"), "a prompt", p);
  await client.close();
  check(errors.length === 0, "pinned: no protocol errors", errors);

  // auto: probes with server/discover and takes the stateless revision
  const auto = await connect("auto");
  check(auto.client.getProtocolEra() === "modern", "auto: the stateless era", auto.client.getProtocolEra());
  r = await auto.client.callTool({ name: "view", arguments: { id: "21" } });
  check(!r.isError && r.structuredContent.kind === "log", "auto: view", r);
  await auto.client.close();
  check(auto.errors.length === 0, "auto: no protocol errors", auto.errors);

  // legacy (the default): initialize as a 2025 client, as before
  const legacy = await connect("legacy");
  check(legacy.client.getProtocolEra() === "legacy", "legacy: the handshake era", legacy.client.getProtocolEra());
  r = await legacy.client.callTool({ name: "status", arguments: {} });
  check(!r.isError && r.structuredContent.kind === "status", "legacy: status", r);
  await legacy.client.close();
  check(legacy.errors.length === 0, "legacy: no protocol errors", legacy.errors);

  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main().catch((e) => { console.error("FAIL: " + (e && e.stack || e)); process.exit(1); });
