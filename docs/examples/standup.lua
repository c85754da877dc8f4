--- Stand-up: every active session's work, progress and blockers.
-- A team workflow built only on the documented API (docs/lua-api.md).
-- Install: copy to docs/coordination/scripts/standup.lua, then run
--   sesslua standup.lua [--json]
local api = require("sesslua.api").require(1)
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local summary = require("sesslua.summary")

local parser = cli.parser("standup.lua", "Every active session's work, progress and blockers.")
parser:flag("--json", "Print as JSON.")
local args = cli.parse(parser)

local active = tree.paths(ctx.root).active
local sessions = {}
for _, name in ipairs(fs.list(active, ".md") or {}) do
  local s = summary.load(active .. "/" .. name, (name:gsub("%.md$", "")))
  if s then sessions[#sessions + 1] = s end
end

if args.json then
  local out = {}
  for i, s in ipairs(sessions) do
    out[i] = { id = s.id, working_on = s.working_on or "", progress = s.progress or -1,
               blockers = s.blockers }
  end
  cli.print_json({ schema = 1, kind = "standup", api = api.level, sessions = out })
  return 0
end
for _, s in ipairs(sessions) do
  io.write(("%s: %s (%s)\n"):format(s.id, s.working_on or "nothing recorded",
    s.progress and (s.progress .. "%") or "no progress"))
  for _, b in ipairs(s.blockers) do io.write("  blocked: ", b, "\n") end
end
io.write(("%d session(s)\n"):format(#sessions))
return 0
