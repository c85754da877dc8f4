--- Team hooks: Lua files in <root>/hooks/ run in the same process when
--- something happens. Each file returns a function that receives an event
--- table. Events: after_create, after_update, after_share, before_archive
--- (may veto by returning false and a message), after_message.
--- Hooks are the team's code: they run only in a tree the user trusts
--- (sesslua.trust); otherwise each one that would have run is skipped
--- with a note.
local fs = require("sesslua.fs")

local M = {}

---The hook events, as a set.
---@type table<string, boolean>
M.EVENTS = { after_create = true, after_update = true, after_share = true,
             before_archive = true, after_message = true }

local loaded = {}

---Whether hooks/<name>.lua is there: a path through a link out of the
---root (a symlinked hooks/) counts as there, so that in a trusted tree
---loading it says why instead of the hook being left out unseen.
local function hook_there(path)
  local st, _, code = fs.stat(path)
  return st ~= nil, st == nil and code == "EXDEV"
end

local function load_hook(ctx, name)
  if loaded[name] ~= nil then return loaded[name] end
  local path = ctx.root .. "/hooks/" .. name .. ".lua"
  loaded[name] = false
  local there, behind_link = hook_there(path)
  if not (there or behind_link) then return false end
  local trust = require("sesslua.trust")
  local trusted = ctx.trusted
  if trusted == nil then trusted = trust.check(ctx.root) end
  if not trusted then
    if there then trust.note_skipped(ctx, "hooks/" .. name .. ".lua") end
    return false
  end
  -- read once beneath the root, and that text compiled: a hook that is a
  -- link out of the tree is refused, never run
  local chunk, err, code = trust.loadfile(path)
  if not chunk then
    if code == "ENOENT" then return false end -- removed since it was seen
    -- unreadable (a link out of the root, an I/O error): 5; no Lua: 2
    error({ code = code and 5 or 2, message = "hook " .. err }, 0)
  end
  local ok, fn = pcall(chunk)
  if not ok or type(fn) ~= "function" then
    error({ code = 2, message = ("hook %s: must return a function%s"):format(path,
      ok and "" or (" (" .. tostring(fn) .. ")")) }, 0)
  end
  loaded[name] = { fn = fn, path = path }
  return loaded[name]
end

---Run the hook for an event. An after_* hook that fails is reported as a
---warning and changes nothing else. Returns false, message when a
---before_* hook vetoes.
---@param ctx sesslua.Context
---@param name string an event of M.EVENTS (another raises)
---@param event table the event table the hook receives (`event.event` is set to name)
---@return boolean ok false when a before_* hook refused or failed
---@return string|nil reason why it refused
function M.run(ctx, name, event)
  assert(M.EVENTS[name], "unknown hook event " .. tostring(name))
  local loaded_ok, hook = pcall(load_hook, ctx, name)
  if not loaded_ok then
    -- a broken before_ hook refuses; a broken after_ hook only warns,
    -- since what it follows is already done
    if name:match("^before_") then error(hook, 0) end
    io.stderr:write("sesslua: warning: ", type(hook) == "table" and hook.message or tostring(hook), "\n")
    return true
  end
  if not hook then return true end
  event.event = name
  local ok, result, message = pcall(hook.fn, event)
  if not ok then
    local msg = type(result) == "table" and tostring(result.message) or tostring(result)
    if name:match("^before_") then return false, ("hook %s failed: %s"):format(hook.path, msg) end
    io.stderr:write(("sesslua: warning: hook %s failed: %s\n"):format(hook.path, msg))
    return true
  end
  if name:match("^before_") and result == false then
    return false, message or ("vetoed by " .. hook.path)
  end
  return true
end

return M
