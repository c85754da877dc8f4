// The official MCP TypeScript SDK's client against `sesslua mcp`: what an
// agent's client (Claude Code, Cursor, ...) does. Run by
// tests/e2e/test_mcp.sh: node client.cjs SDK_DIR SESSLUA ROOT
"use strict";
const { createRequire } = require("node:module");
const fs = require("node:fs");
const path = require("node:path");

const [sdkDir, sesslua, root] = process.argv.slice(2);
const sdk = createRequire(path.join(sdkDir, "package.json"));
const { Client } = sdk("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = sdk("@modelcontextprotocol/sdk/client/stdio.js");
const { ResourceUpdatedNotificationSchema } = sdk("@modelcontextprotocol/sdk/types.js");
const { spawnSync } = require("node:child_process");

let passed = 0, failed = 0;
function check(cond, what, detail) {
  if (cond) { passed++; return; }
  failed++;
  console.error("FAIL: " + what + (detail === undefined ? "" : ": " + JSON.stringify(detail).slice(0, 600)));
}
const read = (rel) => { try { return fs.readFileSync(path.join(root, rel), "utf8"); } catch { return ""; } };

async function main() {
  const transport = new StdioClientTransport({
    command: sesslua, args: ["mcp", "--session", "7"],
    env: { ...process.env, SESSLUA_ROOT: root }, stderr: "pipe",
  });
  let stderr = "";
  transport.stderr.on("data", (d) => { stderr += d; });
  const client = new Client({ name: "sesslua-test", version: "1.0.0" });
  const protocolErrors = [];
  client.onerror = (e) => protocolErrors.push(String(e));
  await client.connect(transport);
  check(client.getServerVersion().name === "sesslua", "server name", client.getServerVersion());
  check(client.getServerCapabilities().tools, "tools capability");
  check(client.getServerCapabilities().prompts, "prompts capability");

  // tools and their schemas, made from the workflows' declarations
  const { tools } = await client.listTools();
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  for (const n of ["create", "update", "view", "list", "status", "share", "search", "handoff",
                   "archive", "morning", "eod", "message_send", "message_inbox", "message_read", "doctor"])
    check(byName[n], "tool " + n + " listed", tools.map((t) => t.name));
  check(!byName.init && !byName.trust && !byName.mcp, "no init, trust or mcp tool");
  check(byName.status.annotations && byName.status.annotations.readOnlyHint === true, "status is read-only", byName.status);
  check(!byName.update.annotations || !byName.update.annotations.readOnlyHint, "update is not read-only", byName.update);
  check(JSON.stringify({ tools }).length < 12288, "tools/list under 12 KB", JSON.stringify({ tools }).length);
  const up = byName.update.inputSchema;
  check(up.type === "object" && up.properties.status.type === "string", "update.status is a string", up.properties.status);
  check(up.properties.note.type === "array" && up.properties.note.items.type === "string", "update.note repeatable", up.properties.note);
  check(up.properties.learning.items.minItems === 2, "update.learning takes TOPIC TEXT", up.properties.learning);
  check(up.properties.next_clear.type === "boolean", "update.next_clear is a flag");
  check(!up.properties.json && !up.properties.help, "no --json or --help in a schema");
  check(tools.every((t) => !t.inputSchema.properties.no_pager && !t.inputSchema.properties.interactive),
    "no --no-pager or --interactive: a call has no terminal");
  check(JSON.stringify(byName.create.inputSchema.required) === '["id"]', "create requires id", byName.create.inputSchema.required);
  check(JSON.stringify(byName.status.inputSchema.properties.sort.enum) === '["id","progress","updated"]', "status.sort enum", byName.status.inputSchema.properties.sort);
  check(byName.status.inputSchema.properties.stale_hours.type === "number", "status.stale_hours is a number");
  check((byName.message_send.inputSchema.properties.priority.enum || []).includes("urgent"), "priority enum", byName.message_send.inputSchema.properties.priority);
  check(!/for stdin/.test(JSON.stringify(tools)), "no description offers '-' for stdin (a call refuses it)");

  // output schemas: every tool whose workflow the JSON contract covers has
  // one, and the SDK validates every result of it from here on (callTool
  // throws on a structuredContent that does not match)
  const kinds = { create: "create", update: "update", view: "log", list: "list", status: "status",
    share: "share", search: "search", handoff: "handoff", archive: "archive", message_send: "message",
    message_inbox: "inbox", doctor: "doctor" };
  for (const [n, kind] of Object.entries(kinds)) {
    const o = byName[n].outputSchema;
    check(o && o.type === "object" && o.properties.kind.const === kind && o.required.includes("kind"),
      n + " has the output schema of kind " + kind, o);
    check(typeof client.getToolOutputValidator(n) === "function", "the SDK validates " + n + "'s results");
  }
  for (const t of tools)
    check(!t.outputSchema || typeof client.getToolOutputValidator(t.name) === "function", "the SDK validates " + t.name + "'s results");
  const v = client.getToolOutputValidator("update");
  check(!v({ schema: 1, kind: "error", code: "EUSAGE", exit: 2, message: "x", hints: [], details: [] }).valid,
    "an error document does not pass update's output schema");
  check(v({ schema: 1, kind: "update", id: "session-7", changed: true }).valid, "an update document passes");
  check(!v({ schema: 1, id: "session-7" }).valid, "a document with no kind does not pass");
  const called = new Set();
  const call = async (name, args) => { called.add(name); return client.callTool({ name, arguments: args }); };

  // calls write the same files the command line writes
  let r = await call("create", { id: "7", role: "backend", goal: "Ship the API" });
  check(!r.isError && r.structuredContent && r.structuredContent.kind === "create", "create", r);
  check(read("sessions/ACTIVE/session-7.md").includes("Ship the API"), "create wrote the log");
  r = await call("create", { id: "8", role: "frontend", goal: "The UI" });
  check(!r.isError, "create 8", r);
  r = await call("update", { id: "7", status: "Building", progress: "60",
    note: ["Note from the SDK client"], learning: [["Testing", "SDK clients see typed tools"]] });
  check(!r.isError && r.structuredContent.changed === true, "update", r);
  const log7 = read("sessions/ACTIVE/session-7.md");
  check(log7.includes("Note from the SDK client") && log7.includes("SDK clients see typed tools"), "update wrote the log", log7);
  r = await call("status", {});
  const s7 = (r.structuredContent.sessions || []).find((s) => s.id === "session-7");
  check(s7 && s7.progress === 60 && s7.status === "Building", "status sees the update", r.structuredContent);
  r = await call("share", { words: ["Testing", "MCP calls run in the same process", "High"] });
  check(!r.isError && r.structuredContent.entry.session === "session-7", "share as the server's session", r);
  check(read("shared-knowledge/learnings.md").includes("MCP calls run in the same process"), "share wrote learnings.md");
  r = await call("search", { query: "same process" });
  check(!r.isError && r.structuredContent.hits.length >= 1, "search finds the share", r);
  r = await call("message_send", { to: "8", subject: "API ready", body: "Try /v1" });
  check(!r.isError, "message send", r);
  const box = path.join(root, "messages", "session-8", "new");
  const files = fs.existsSync(box) ? fs.readdirSync(box) : [];
  check(files.length === 1 && fs.readFileSync(path.join(box, files[0]), "utf8").includes("API ready"), "message file delivered", files);
  r = await call("message_inbox", { as_session: "8" });
  check(!r.isError && JSON.stringify(r.structuredContent).includes("API ready"), "inbox of session-8 (as_session)", r);
  r = await call("message_read", { ids: ["1"], as_session: "8" });
  check(!r.isError && fs.readdirSync(box).length === 0, "message read moves the message out of new/", r);

  r = await call("update", { id: "7", progress: 65 });
  check(!r.isError && read("sessions/ACTIVE/session-7.md").includes("65%"), "a number where text is expected is taken as typed", r);
  r = await call("status", { stale_hours: "48" });
  check(!r.isError, "a numeric string for a number", r);
  r = await call("update", { id: "7", progress: "60" });

  // the daily routine, never interactive
  r = await call("morning", { id: "7", focus: "Finish the API" });
  check(!r.isError && read("sessions/ACTIVE/session-7.md").includes("Finish the API"), "morning sets the focus", r);
  r = await call("eod", { id: "7", next: ["Deploy to staging"] });
  check(!r.isError && read("sessions/ACTIVE/session-7.md").includes("Deploy to staging"), "eod sets next steps", r);
  r = await call("handoff", { id: "7" });
  check(r.structuredContent && r.structuredContent.kind === "handoff", "handoff's report", r);

  // refused calls are tool errors with sesslua's line and exit code
  const before = read("sessions/ACTIVE/session-7.md");
  r = await call("update", { id: "7", status: true });
  check(r.isError && /sesslua: update: 'status' must be a string \(exit 2\)/.test(r.content[0].text), "wrong type is isError", r);
  r = await call("update", { id: "7", note: { text: "x" } });
  check(r.isError && r.content[0].text.includes("'note' must be an array"), "an object for a list is isError", r);
  r = await call("update", { id: "7", bogus: "x" });
  check(r.isError && r.content[0].text.includes("unknown argument 'bogus'"), "unknown argument is isError", r);
  r = await call("update", { id: "99", note: ["x"] });
  check(r.isError && /no active log for session-99.*\(exit 3\)/s.test(r.content.map((c) => c.text).join("\n")), "missing log is exit 3", r);
  check(r.structuredContent === undefined, "a failure carries no structuredContent (its output schema is the tool's kind)", r);
  r = await call("update", { id: "7", progress: "250" });
  check(r.isError && /\(exit 2\)/.test(JSON.stringify(r.content)), "progress 250 refused", r);
  check(read("sessions/ACTIVE/session-7.md") === before, "refused calls wrote nothing");
  r = await call("view", { id: "7" });
  check(!r.isError && r.structuredContent.id === "session-7" && r.structuredContent.progress === 60, "view", r);
  r = await call("list", {});
  check(!r.isError && r.structuredContent.logs.length === 2, "list", r);
  r = await call("doctor", {});
  check(r.structuredContent && r.structuredContent.kind === "doctor", "doctor", r);
  let threw = false;
  try { await client.callTool({ name: "no_such_tool", arguments: {} }); } catch (e) { threw = /unknown tool/.test(String(e)); }
  check(threw, "an unknown tool is a protocol error");

  // resources
  const { resources } = await client.listResources();
  const uris = resources.map((x) => x.uri);
  for (const u of ["sesslua://status", "sesslua://log/session-7", "sesslua://knowledge/learnings.md"])
    check(uris.includes(u), "resource " + u, uris);
  let rr = await client.readResource({ uri: "sesslua://log/session-7" });
  check(rr.contents[0].text.includes("Note from the SDK client"), "read a log", rr);
  rr = await client.readResource({ uri: "sesslua://status" });
  check(JSON.parse(rr.contents[0].text).kind === "status", "read the status", rr);
  rr = await client.readResource({ uri: "sesslua://schema/update" });
  const whole = JSON.parse(rr.contents[0].text);
  check(whole.properties.kind.const === byName.update.outputSchema.properties.kind.const &&
    whole.properties.changes.type === "array", "the whole update schema is a resource, the output schema its compact form", whole);
  check(uris.includes("sesslua://schema/log"), "the schemas are listed", uris);
  threw = false;
  try { await client.readResource({ uri: "sesslua://log/../../etc/passwd" }); } catch (e) { threw = true; }
  check(threw, "a path out of the tree is no resource");

  // subscriptions: a change by a call, and one made in a shell meanwhile
  check(client.getServerCapabilities().resources.subscribe === true, "resources can be subscribed");
  const updated = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updated.push(n.params.uri));
  await client.subscribeResource({ uri: "sesslua://log/session-8" });
  await client.subscribeResource({ uri: "sesslua://status" });
  await call("update", { id: "8", note: ["changed over MCP"] });
  await new Promise((ok) => setTimeout(ok, 100));
  check(updated.includes("sesslua://log/session-8") && updated.includes("sesslua://status"), "a call's change is announced", updated);
  updated.length = 0;
  spawnSync(sesslua, ["update.lua", "8", "--note", "changed in a shell"], { env: { ...process.env, SESSLUA_ROOT: root } });
  for (let i = 0; i < 40 && !updated.includes("sesslua://log/session-8"); i++) await new Promise((ok) => setTimeout(ok, 100));
  check(updated.includes("sesslua://log/session-8"), "a change made in a shell is announced within 4 s", updated);
  await client.unsubscribeResource({ uri: "sesslua://log/session-8" });
  await client.unsubscribeResource({ uri: "sesslua://status" });
  threw = false;
  try { await client.subscribeResource({ uri: "sesslua://log/nobody" }); } catch (e) { threw = true; }
  check(threw, "no subscription to a resource that is not there");

  // prompts with the session's data
  const { prompts } = await client.listPrompts();
  check(["morning", "end-of-day", "handoff"].every((n) => prompts.some((p) => p.name === n)), "prompts listed", prompts);
  const p = await client.getPrompt({ name: "morning", arguments: { session: "7" } });
  const text = p.messages[0].content.text;
  check(text.includes("session-7") && text.includes("Progress: 60%") && text.includes("Checklist"), "morning prompt filled in", text);
  const h = await client.getPrompt({ name: "handoff", arguments: {} });
  check(h.messages[0].content.text.includes("Handoff check"), "handoff prompt for the acting session", h);

  // archive last: it takes session-8's log out of ACTIVE
  r = await call("archive", { id: "8", force: true });
  check(r.structuredContent && r.structuredContent.kind === "archive", "archive", r);
  // every tool with an output schema was called (sync needs a remote, so not sync)
  const unvalidated = tools.filter((t) => t.outputSchema && t.name !== "sync" && !called.has(t.name)).map((t) => t.name);
  check(unvalidated.length === 0, "every tool with an output schema was called and its result validated", unvalidated);

  await client.close();
  check(protocolErrors.length === 0, "no protocol errors (stdout is only protocol)", protocolErrors);
  if (failed) console.error("server stderr:\n" + stderr);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main().catch((e) => { console.error("FAIL: " + (e && e.stack || e)); process.exit(1); });
