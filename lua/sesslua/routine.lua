--- What morning, eod and archive share: prompts for lists, shared
--- knowledge that is new since a moment, the work status check, and the
--- "can every write be made?" check that runs before the first write;
--- and the Messages Received line that morning and message read write.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local tree = require("sesslua.tree")
local knowledge = require("sesslua.knowledge")
local clock = require("sesslua.clock")
local log = require("sesslua.log")

local M = {}

---Knowledge entries shared after epoch time `since` (all when nil).
function M.knowledge_since(ctx, since)
  local out = {}
  for _, kind in ipairs(tree.KNOWLEDGE) do
    local text = fs.read(knowledge.path(ctx.root, kind))
    if text then
      for _, e in ipairs(knowledge.entries(text, kind)) do
        local t = clock.parse(e.timestamp) or clock.parse(e.date)
        if since == nil or (t and t > since) then out[#out + 1] = e end
      end
    end
  end
  table.sort(out, function(a, b) return (a.timestamp or a.date) > (b.timestamp or b.date) end)
  return out
end

---Parse "1,3" / "1 3" / "all" / "none" against a list of n items.
---@return table|nil set of chosen indices, string|nil error
function M.parse_choice(s, n)
  local chosen = {}
  if s == nil or s == "" or s:lower() == "all" then
    for i = 1, n do chosen[i] = true end
    return chosen
  end
  if s:lower() == "none" then return chosen end
  if n == 0 then return nil, "there are no next steps to carry" end
  for word in s:gmatch("[^,%s]+") do
    local i = tonumber(word)
    if not i or i < 1 or i > n or math.type(i) ~= "integer" then
      return nil, ("'%s' is not a number from 1 to %d"):format(word, n)
    end
    chosen[i] = true
  end
  return chosen
end

---Print a titled list, or nothing when it is empty. Items come from logs
---and shared files, which may hold anything: control characters are shown
---escaped, never sent to the terminal.
function M.show(cli, title, list, numbered)
  if #list == 0 then return end
  io.write(cli.paint("bold", title), "\n")
  for i, s in ipairs(list) do
    s = cli.printable(s)
    io.write(numbered and ("  %d. %s\n"):format(i, s) or ("  - %s\n"):format(s))
  end
end

---The work statuses the template offers; another is written with a warning.
M.STATUSES = log.WORK_STATUSES

---Check a status to be written (update's rule): empty is a usage error,
---an unknown word a warning. `what` names the script ("morning").
function M.check_status(cli, what, status)
  if status:match("^%s*$") then cli.usage_error(what .. ": --status: empty TEXT") end
  if not log.known_status(status) then
    cli.warn(("status '%s' is not one of %s"):format(status, table.concat(M.STATUSES, ", ")))
  end
  return status
end

---The Messages Received line of a message: `<time> ← <from>: "<subject>"`,
---the time it was sent in the logs' time zone, the subject on one line.
---@param m sesslua.Message
---@return string line without the list marker
function M.received_line(m)
  local t = clock.parse((tostring(m.sent or ""):gsub("T", " "):gsub("Z$", " UTC")))
  local stamp = t and clock.now(t):sub(1, 16) or tostring(m.sent)
  local subject = tostring(m.subject):gsub("%s*\r?\n%s*", " ")
  return ('%s ← %s: "%s"'):format(stamp, tostring(m.from), subject)
end

local probes = 0
---Whether a file can be created in folder `dir` right now, found by
---creating one there: permission bits, read-only mounts and root's
---privileges all answer as they will for the real write. The file is a
---lock file (fs.lock: no data, no fsync, removed on release), so the
---check costs a create and an unlink. A workflow that writes several files
---asks this before the first, so a folder it cannot write stops it while
---nothing has changed.
---@return true|nil ok, string|nil "<dir>: <reason>", string|nil code
function M.writable(dir)
  probes = probes + 1
  local probe = ("%s/.sesslua-probe-%d-%d-%04x"):format(dir, sys.getpid(), probes,
    math.random(0, 0xffff))
  local lock, err, code = fs.lock(probe, { timeout_ms = 0 })
  if not lock then
    -- name the folder, not the probe file the user never asked for
    local reason = err:sub(1, #probe + 2) == probe .. ": " and err:sub(#probe + 3) or err
    return nil, dir .. ": " .. reason, code
  end
  lock:release()
  return true
end

---The longest a knowledge category, which is a learning's topic, may be,
---in characters: share refuses a longer one, and eod and archive refuse to
---share one, so a topic that is fine in one place is fine in all.
---@type integer
M.TOPIC_MAX = 60

---Why `topic` cannot be a knowledge category, or nil when it can: the one
---rule and wording share, eod and archive use.
---@param topic string
---@return string|nil why "longer than 60 characters or spans lines"
function M.topic_problem(topic)
  if (utf8.len(topic) or #topic) > M.TOPIC_MAX or topic:find("[\r\n]") then
    return ("longer than %d characters or spans lines"):format(M.TOPIC_MAX)
  end
  return nil
end

---The first of `entries` (knowledge entries about to be shared) whose
---category routine.topic_problem refuses, as a message naming it, or nil.
---@param entries {category: string}[]
---@return string|nil message "learning topic '<topic>' is longer than ..."
function M.bad_topic(entries)
  for _, e in ipairs(entries) do
    local why = M.topic_problem(e.category)
    if why then return ("learning topic '%s' is %s"):format(e.category, why) end
  end
  return nil
end

return M
