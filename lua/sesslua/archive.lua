--- Archiving a session log: close it (the header's Status says complete,
--- a closing note, the footer), share its learnings not yet shared, and
--- move it to ARCHIVE under a name that exists nowhere yet. The move is one rename and the last step, so a crash
--- leaves the log in ACTIVE or in ARCHIVE, never in both or neither.
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local knowledge = require("sesslua.knowledge")
local clock = require("sesslua.clock")
local routine = require("sesslua.routine")
local summary = require("sesslua.summary")
local md = require("sesslua.md")

local M = {}

---The ARCHIVE folder, refused when it is a symlink leading out of the root
---(as tree.safe_file refuses a log that is one): the log would be moved,
---and its closed text written, wherever the link points.
---@return string|nil dir, string|nil message, string|nil code
function M.dir(ctx)
  local dir = tree.paths(ctx.root).archive
  local st = fs.stat(dir)
  if st and st.type == "link" then
    local real, root = fs.realpath(dir), fs.realpath(ctx.root)
    if not (real and root and real:sub(1, #root + 1) == root .. "/") then
      return nil, dir .. ": a symlink to outside the coordination root; refused", "EACCES"
    end
  end
  return dir
end

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

---Close a log Doc: a header Status that already says complete
---(summary.is_complete_status) stays as written; any other becomes
---`Completed`, and the value it had is kept in the closing note appended to
---Session Notes; a header without a Status gets one. Nothing the log said
---is dropped, and Current Work is left alone.
---@param doc table a log Doc (edited in place)
---@param date string the day of the archive (YYYY-MM-DD)
---@param by string who archives it (a session id)
function M.close(doc, date, by)
  -- a blank or placeholder Status (`[not set]`) held nothing worth keeping
  local old = log.trim(doc:header_value("Status") or "")
  local note = ("Archived %s by %s"):format(date, by)
  if summary.is_complete_status(md.plain(old)) then
    note = note .. "."
  else
    edit.set_header_field(doc, "Status", "Completed", true)
    note = note .. (old ~= "" and (" (Status was: %s)."):format(old) or ".")
  end
  edit.add_note(doc, note)
end

---A failure after learnings were shared: they stay shared (a re-run does
---not repeat them), and the message says so.
local function after_sharing(shared, err)
  if shared == 0 then return err end
  return ("%s (%d learning(s) were shared before this and stay shared; a re-run does not "
    .. "share them again)"):format(err, shared)
end

---Archive one log. Every folder it writes to is checked first, so an
---unwritable ARCHIVE or shared-knowledge stops it with nothing changed.
---Then, with the log's lock held from the first write through the move
---(an update waiting for it finds the log gone and says so, instead of
---writing a new copy into ACTIVE): share the learnings (idempotent: a
---re-run never shares twice), write the closed log, move it. When the
---move fails the log's old text is written back.
---Returns {path=, shared=N} or nil, message, code.
function M.archive(ctx, id, by)
  local src = tree.log_path(ctx.root, id)
  local p = tree.paths(ctx.root)
  local archive_dir, derr, dcode = M.dir(ctx)
  if not archive_dir then return nil, derr, dcode end
  local ok, err, code = fs.mkdir(archive_dir)
  if not ok then return nil, err, code end
  local lock <close>, lerr, lcode = fs.lock(src)
  if not lock then return nil, lerr, lcode end
  local text, rerr, rcode = fs.read(src)
  if not text then return nil, rerr, rcode end
  local doc = log.new(text)
  local pending = knowledge.unshared_learnings(ctx, doc, id)
  -- a topic share would refuse is refused here too, before anything is written
  local bad = routine.bad_topic(pending)
  if bad then
    return nil, ("%s: %s; nothing was changed\nhint: shorten the topic under Learnings & "
      .. "Discoveries in the log"):format(src, bad), "EUSAGE"
  end
  -- the log is rewritten in ACTIVE, then renamed out of it into ARCHIVE
  local dirs = { p.active, archive_dir }
  if #pending > 0 then dirs[#dirs + 1] = p.knowledge end
  for _, dir in ipairs(dirs) do
    if dir ~= p.knowledge or fs.exists(dir) then -- knowledge.add creates it when missing
      ok, err, code = routine.writable(dir)
      if not ok then return nil, err .. "; nothing was changed", code end
    end
  end
  local shared = 0
  for _, e in ipairs(pending) do
    local added, aerr, acode = knowledge.add(ctx, e, { unique = true })
    if added == nil then return nil, after_sharing(shared, aerr), acode end
    if added then shared = shared + 1 end
  end
  M.close(doc, clock.today(), by or id)
  edit.touch(doc, clock.now(), by or id)
  ok, err, code = fs.write(src, doc.text)
  if not ok then return nil, after_sharing(shared, err .. "; the log was not changed"), code end
  -- Another archiver may take the same name between our look and our move:
  -- the move never overwrites, so try the next name.
  for _ = 1, 100 do
    local dest = M.target(ctx, id, clock.today())
    ok, err, code = fs.move(src, dest)
    if ok then return { path = dest, shared = shared } end
    if code ~= "EEXIST" then break end
  end
  if code == "EEXIST" then err = src .. ": no free archive name" end
  -- Not moved: put the log back as it was (it is still in ACTIVE, locked).
  local back, berr = fs.write(src, text)
  err = err .. (back and "; the log was left in ACTIVE as it was"
    or ("; the log is still in ACTIVE but marked Completed, and restoring it failed: " .. berr))
  return nil, after_sharing(shared, err), code
end

return M
