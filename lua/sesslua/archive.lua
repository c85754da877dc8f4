--- Archiving a session log: close it (Status: Completed, footer), share
--- its learnings not yet shared, and move it to ARCHIVE under a name that
--- exists nowhere yet. The move is one rename, so a crash leaves the log in
--- ACTIVE or in ARCHIVE, never in both or neither.
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local knowledge = require("sesslua.knowledge")
local clock = require("sesslua.clock")

local M = {}

---The first free archive path: <id>-DATE.md, then -2, -3, ...
function M.target(ctx, id, date)
  local dir = tree.paths(ctx.root).archive
  local n = 1
  while true do
    local name = n == 1 and ("%s-%s.md"):format(id, date) or ("%s-%s-%d.md"):format(id, date, n)
    if not fs.exists(dir .. "/" .. name) then return dir .. "/" .. name, n end
    n = n + 1
  end
end

---Archive one log. The log's lock is held from the edit through the
---move, so an update waiting for it finds the log gone (and says so)
---instead of writing a new copy into ACTIVE.
---Returns {path=, shared=N} or nil, message, code.
function M.archive(ctx, id, by)
  local src = tree.log_path(ctx.root, id)
  local archive_dir = tree.paths(ctx.root).archive
  local ok, err, code = fs.mkdir(archive_dir)
  if not ok then return nil, err, code end
  local lock <close>, lerr, lcode = fs.lock(src)
  if not lock then return nil, lerr, lcode end
  local text, rerr, rcode = fs.read(src)
  if not text then return nil, rerr, rcode end
  local doc = log.new(text)
  local shared = 0
  for _, e in ipairs(knowledge.unshared_learnings(ctx, doc, id)) do
    local added, aerr, acode = knowledge.add(ctx, e, { unique = true })
    if added == nil then return nil, aerr, acode end
    if added then shared = shared + 1 end
  end
  if not edit.set_header_field(doc, "Status", "Completed") then
    edit.set_work_field(doc, "Status", "Complete")
  end
  edit.touch(doc, clock.now(), by or id)
  ok, err, code = fs.write(src, doc.text)
  if not ok then return nil, err, code end
  -- Another archiver may take the same name between our look and our move:
  -- the move never overwrites, so try the next name.
  for _ = 1, 100 do
    local dest = M.target(ctx, id, clock.today())
    ok, err, code = fs.move(src, dest)
    if ok then return { path = dest, shared = shared } end
    if code ~= "EEXIST" then return nil, err, code end
  end
  return nil, src .. ": no free archive name", "EEXIST"
end

return M
