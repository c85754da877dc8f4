-- The MCP server's tools against the workflows' declarations: the schema
-- each tool gets, and the command line a call's arguments turn back into
-- (mcp_tools.argv), including values that start with '-', TOPIC TEXT
-- pairs, numbers for text and the refusals.
local ctx = require("sesslua.context")
local json = require("sesslua.json")
local tools = require("sesslua.mcp_tools")

local failures = 0
local function check(cond, what, got)
  if not cond then
    failures = failures + 1
    io.stderr:write("FAIL: ", what, got ~= nil and (": " .. json.encode(got)) or "", "\n")
  end
end

local list = tools.catalogue(ctx)
local by = {}
for _, t in ipairs(list) do by[t.name] = t end
for _, n in ipairs({ "create", "update", "status", "share", "search", "message_send", "message_read" }) do
  check(by[n], "tool " .. n)
end
check(not by.init and not by.mcp and not by.message_prune, "init, mcp and message_prune are not offered")
local only, unknown = tools.catalogue(ctx, { "status", "message_prune", "nope" })
check(#only == 2 and only[1].name == "status" and only[2].name == "message_prune", "--tools picks by name", only)
check(#unknown == 1 and unknown[1] == "nope", "--tools reports unknown names", unknown)

local listing = {}
for i, t in ipairs(list) do listing[i] = tools.listing(t) end
check(#json.encode({ tools = listing }) < 12288, "tools/list under 12 KB", #json.encode({ tools = listing }))

local up = by.update.schema.properties
check(up.note.type == "array" and up.note.items.type == "string", "a repeatable option is an array", up.note)
check(up.learning.items.type == "array" and up.learning.items.minItems == 2, "--learning TOPIC TEXT", up.learning)
check(up.next_clear.type == "boolean", "a flag is a boolean", up.next_clear)
check(up.json == nil and up.help == nil and up.interactive == nil, "no --json, --help or --interactive")
check(json.encode(by.create.schema.required) == '["id"]', "create requires its id", by.create.schema.required)
check(json.encode(by.status.schema.properties.sort.enum) == '["id","progress","updated"]', "choices are an enum")
check(by.status.schema.properties.stale_hours.type == "number", "a number option")
check(by.message_send.schema.properties.priority.default == "normal", "a default", by.message_send.schema.properties.priority)

local function argv(name, args) return tools.argv(by[name], args) end
local function same(name, args, want)
  local got, why = argv(name, args)
  check(got and table.concat(got, "\0") == table.concat(want, "\0"), name .. " " .. json.encode(args), got or why)
end
same("update", { id = "12", status = "Building", progress = 60, note = { "a", "-b" },
  learning = { { "T", "x" } }, next_clear = true, dry_run = false },
  { "--status=Building", "--progress=60", "--next-clear", "--note=a", "--note=-b",
    "--learning", "T", "x", "--json", "--", "12" })
same("update", { learning = { "T", "x" } }, { "--learning", "T", "x", "--json" })
same("update", { note = "one note" }, { "--note=one note", "--json" })
same("message_send", { to = "5", subject = "- hi", priority = "high" },
  { "send", "--priority=high", "--json", "--", "5", "- hi" })
same("share", { words = { "Testing", "-text-", "High" } }, { "--json", "--", "Testing", "-text-", "High" })
same("status", { stale_hours = 1.5, sort = "progress" }, { "--stale-hours=1.5", "--sort=progress", "--json" })
same("status", { stale_hours = "48" }, { "--stale-hours=48", "--json" })
same("message_read", { ids = { "a", "b" }, as_session = "3" }, { "read", "--json", "--", "a", "b" })

local function refused(name, args, words)
  local got, why = argv(name, args)
  check(got == nil and type(why) == "string" and why:find(words, 1, true), name .. " refuses " .. json.encode(args), got or why)
end
refused("update", { bogus = 1 }, "unknown argument 'bogus'")
refused("update", { status = true }, "'status' must be a string")
refused("update", { note = { x = 1 } }, "'note' must be an array")
refused("update", { note = "-" }, "'-' reads standard input")
refused("update", { learning = { { "only topic" } } }, "'learning' must hold 2 values")
refused("update", { as_session = { 1 } }, "'as_session' must be a session id")
refused("status", { stale_hours = "soon" }, "'stale_hours' must be a number")
refused("create", { role = "r" }, "'id' is required")

if failures > 0 then error(("%d check(s) failed"):format(failures), 0) end
print("test_mcp: ok")
