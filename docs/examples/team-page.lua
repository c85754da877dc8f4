--- Team page: a small web page of our own, one row per active session
--- with its progress bar and blockers, and the last learnings shared.
-- A team workflow built only on the documented API (docs/lua-api.md):
-- sesslua.team gives the rows status shows, sesslua.html makes them safe
-- to show in a browser. The page needs no script and loads nothing.
-- Install: copy to docs/coordination/scripts/team-page.lua, then run
--   sesslua team-page.lua [--out FILE]      (default: team.html in the root)
require("sesslua.api").require(1)
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local html = require("sesslua.html")
local knowledge = require("sesslua.knowledge")
local summary = require("sesslua.summary")
local team = require("sesslua.team")
local tree = require("sesslua.tree")

local parser = cli.parser("team-page.lua", "Write our team page.")
parser:option("--out", "Where to write it (default: team.html in the root).")
local args = cli.parse(parser)
cli.check(tree.require_root(ctx))

-- One row per session, sorted by progress. Every value from a log is
-- escaped: a log may hold "<script>" and the page must show it as text.
local rows, totals = team.rows(ctx, { sort = "progress", warn = cli.warn })
local cells = {}
for i, s in ipairs(rows) do
  local blockers = {}
  for k, b in ipairs(s.blockers) do blockers[k] = html.text("li", nil, b) end
  cells[i] = {
    html.escape(s.id),
    html.escape(s.working_on or "—"),
    html.progress(s.progress, "Progress of " .. s.id),
    #blockers > 0 and ("<ul>" .. table.concat(blockers) .. "</ul>") or "none",
    html.escape(summary.age_text(s)) .. (s.stale and " (stale)" or ""),
    class = #blockers > 0 and "blocked" or nil,
  }
end

-- The five newest learnings (a knowledge file lists its newest first).
local learned = {}
local text = fs.read(knowledge.path(ctx.root, knowledge.kind("learning")))
for i, e in ipairs(text and knowledge.entries(text) or {}) do
  if i > 5 then break end
  learned[i] = html.text("li", nil, ("%s (%s): %s"):format(e.category, e.impact or "?", e.text or ""))
end

local body = table.concat({
  html.text("h1", nil, "Our team"),
  html.text("p", nil, ("%d sessions, %d stale, %d open blockers"):format(
    totals.sessions, totals.stale, totals.blockers)),
  html.table({ "Session", "Working on", "Progress", "Blockers", "Updated" }, cells,
    { row_headers = true, caption = "Most progress first" }),
  html.text("h2", nil, "Learned lately"),
  "<ul>" .. table.concat(learned) .. "</ul>",
}, "\n")

-- The built-in stylesheet plus our own touch; page() puts the stylesheet's
-- hash in the Content-Security-Policy, so it is the only style allowed.
local page = html.page({ title = "Our team", body = body,
  css = html.CSS .. "h1 { color: #0b7285; }\n" })
local out = args.out or (ctx.root .. "/team.html")
cli.check(fs.write(out, page)) -- atomic: a browser never reads half a page
io.write("Wrote ", out, "\n")
return 0
