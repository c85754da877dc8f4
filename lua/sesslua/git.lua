--- git, run as a subprocess (`sys.run`, no shell): the repository a tree
--- lives in, the merge driver's set-up, and the steps `sync.lua` takes.
--- Failures return nil, "git <args>: <git's first error line>", "EGIT"
--- (or "ENOENT" when there is no git).
local sys = require("sesslua.sys")
local fs = require("sesslua.fs")

local M = {}

---The `.gitattributes` lines the tree needs, relative to the root (the
---file lives in the root, so they apply to the tree alone).
---@type string[]
M.ATTRIBUTES = {
  "shared-knowledge/*.md merge=sesslua",
  "sessions/**/*.md merge=sesslua",
  "messages/*/broadcast-read merge=sesslua",
}

---The `.gitignore` lines for what is local to a machine: locks, temp
---files of writers, the acting session.
---@type string[]
M.IGNORES = { "*.lock", ".*.tmp-*", ".sesslua-probe-*", ".current_session" }

---The driver's name, as `merge.sesslua.name` shows it.
M.DRIVER_NAME = "sesslua: coordination files (knowledge, logs, read state)"

---Run git with args in folder dir.
---@param dir string
---@param args string[]
---@return integer|nil status git's exit status; nil when git cannot run
---@return string out_or_message stdout, or the message
---@return string err_or_code stderr, or the code
function M.run(dir, args)
  local argv = { "git", "-C", dir }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local status, out, err = sys.run(argv)
  if not status then return nil, "git: not found (install git)", "ENOENT" end
  return status, out, err
end

---The first line git wrote on stderr, without its `fatal: ` / `error: `.
local function first_error(err, out)
  local line = err:match("[^\n]*%S[^\n]*") or out:match("[^\n]*%S[^\n]*") or "failed"
  return (line:gsub("^%s*", ""):gsub("^fatal: ", ""):gsub("^error: ", ""))
end

---Run git; its stdout when it exits 0, else nil, message, "EGIT".
---@param dir string
---@param args string[]
---@return string|nil out
---@return string|nil message
---@return string|nil code
function M.ok(dir, args)
  local status, out, err = M.run(dir, args)
  if status == nil then return nil, out, err end
  if status ~= 0 then
    return nil, ("git %s: %s"):format(table.concat(args, " "), first_error(err, out)), "EGIT"
  end
  return out
end

---The top of the work tree that holds dir, and dir's path below it
---(`docs/coordination/`, or `""` at the top).
---@param dir string an existing folder
---@return string|nil top
---@return string|nil prefix_or_message
---@return string|nil code
function M.repo(dir)
  local out, msg, code = M.ok(dir, { "rev-parse", "--show-toplevel", "--show-prefix" })
  if not out then
    if code == "EGIT" then return nil, dir .. ": not inside a git work tree (run git init or clone first)", "ENOENT" end
    return nil, msg, code
  end
  local top, prefix = out:match("^([^\n]*)\n([^\n]*)")
  return top, prefix or ""
end

---The merge driver's command for .git/config: this binary, by absolute
---path and shell-quoted (git runs drivers through the shell).
---@return string
function M.driver_command()
  local exe = fs.realpath("/proc/self/exe") or "sesslua"
  return ("'%s' merge-driver %%O %%A %%B %%P"):format(exe:gsub("'", "'\\''"))
end

---The configured `merge.sesslua.driver` of the repository at dir, or nil.
---@param dir string
---@return string|nil
function M.configured_driver(dir)
  local out = M.ok(dir, { "config", "--get", "merge.sesslua.driver" })
  return out and out:match("^[^\n]+")
end

---Add the lines a file lacks (creating it), keeping what is there.
local function ensure_lines(path, lines)
  local added = {}
  local ok, err, code = fs.update(path, function(text)
    text = text or ""
    local have = {}
    for line in text:gmatch("[^\r\n]+") do have[line:match("^%s*(.-)%s*$")] = true end
    for _, l in ipairs(lines) do
      if not have[l] then added[#added + 1] = l end
    end
    if #added == 0 then return nil end
    if text ~= "" and text:sub(-1) ~= "\n" then text = text .. "\n" end
    return text .. table.concat(added, "\n") .. "\n"
  end, { create = true })
  if not ok then return nil, err, code end
  return added
end

---Set up the tree at root for git: the `.gitattributes` and `.gitignore`
---lines in the root, and `merge.sesslua.driver` / `.name` in the
---repository's config (when missing, or naming another command).
---@param root string the coordination root, inside a git work tree
---@param top? string the work tree's top when the caller knows it (saves a git run)
---@return {path: string, what: string}[]|nil changes what was added or set
---@return string|nil message
---@return string|nil code
function M.setup(root, top)
  local msg, code
  if not top then top, msg, code = M.repo(root) end
  if not top then return nil, msg, code end
  local changes = {}
  for _, f in ipairs({ { ".gitattributes", M.ATTRIBUTES }, { ".gitignore", M.IGNORES } }) do
    local path = root .. "/" .. f[1]
    local added, err, c = ensure_lines(path, f[2])
    if not added then return nil, err, c end
    for _, l in ipairs(added) do changes[#changes + 1] = { path = path, what = l } end
  end
  local want = M.driver_command()
  if M.configured_driver(root) ~= want then
    local ok, err, c = M.ok(root, { "config", "merge.sesslua.driver", want })
    if not ok then return nil, err, c end
    ok, err, c = M.ok(root, { "config", "merge.sesslua.name", M.DRIVER_NAME })
    if not ok then return nil, err, c end
    changes[#changes + 1] = { path = top .. "/.git/config", what = "merge.sesslua.driver = " .. want }
  end
  return changes
end

---Whether git's attributes give the tree's files the sesslua driver: the
---root's `.gitattributes`, else whatever git reads (a `.gitattributes`
---higher up, `.git/info/attributes`), asked of git.
---@param root string
---@return boolean
function M.attributes_name_driver(root)
  local text = fs.read(root .. "/.gitattributes") or ""
  if text:find("merge=sesslua", 1, true) then return true end
  local out = M.ok(root, { "check-attr", "merge", "--", "shared-knowledge/learnings.md" })
  return out ~= nil and out:find(": merge: sesslua\n", 1, true) ~= nil
end

-- ---- the steps of a sync ---------------------------------------------------------

---The paths under dir (as git names them, from the top) that differ from
---HEAD or are untracked and not ignored.
---@param dir string
---@return string[]|nil paths
---@return string|nil message
---@return string|nil code
function M.changes(dir)
  local out, msg, code = M.ok(dir, { "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", "." })
  if not out then return nil, msg, code end
  local paths, skip = {}, false
  for item in out:gmatch("([^%z]*)%z") do
    if skip then skip = false
    else
      paths[#paths + 1] = item:sub(4)
      skip = item:sub(1, 1) == "R" or item:sub(1, 1) == "C" -- the old name follows
    end
  end
  return paths
end

---Whether a merge waits for a person: an unfinished merge or unmerged paths.
---@param dir string
---@return string[]|nil unmerged paths, or {} with an unfinished merge; nil when none
function M.unresolved(dir)
  local out = M.ok(dir, { "diff", "--name-only", "--diff-filter=U", "-z" }) or ""
  local list = {}
  for p in out:gmatch("([^%z]+)") do list[#list + 1] = p end
  if #list > 0 then return list end
  if M.ok(dir, { "rev-parse", "-q", "--verify", "MERGE_HEAD" }) then return list end
  return nil
end

---The current branch and the remote it pushes to (its upstream's remote,
---else "origin").
---@param dir string
---@return string|nil branch
---@return string|nil remote_or_message
---@return string|nil code
function M.branch(dir)
  local b = M.ok(dir, { "symbolic-ref", "-q", "--short", "HEAD" })
  b = b and b:match("^[^\n]+")
  if not b then return nil, dir .. ": HEAD is detached; check out a branch to sync", "EUSAGE" end
  local remote = M.ok(dir, { "config", "--get", "branch." .. b .. ".remote" })
  remote = remote and remote:match("^[^\n]+") or "origin"
  local remotes = M.ok(dir, { "remote" }) or ""
  if not ("\n" .. remotes):find("\n" .. remote .. "\n", 1, true) then
    return nil, ("%s: no remote '%s' to sync with (git remote add %s URL)"):format(dir, remote, remote), "ENOENT"
  end
  return b, remote
end

---A sync's commit message: the session and what changed by kind ("sesslua
---sync (session-7): 1 log, 2 messages"), then the first file names.
---@param session string
---@param paths string[] the paths committed, as git names them
---@return string message
function M.commit_message(session, paths)
  local kinds, names = { log = 0, knowledge = 0, message = 0, other = 0 }, {}
  for _, p in ipairs(paths) do
    local k = p:find("sessions/[^/]+/") and "log" or p:find("shared%-knowledge/") and "knowledge"
      or p:find("messages/") and "message" or "other"
    kinds[k] = kinds[k] + 1
    if #names < 4 then names[#names + 1] = p:match("[^/]+$") end
  end
  local parts = {}
  for _, k in ipairs({ "log", "knowledge", "message", "other" }) do
    local n = kinds[k]
    if n > 0 then
      local word = k == "knowledge" and "knowledge file" or k == "other" and "other file" or k
      parts[#parts + 1] = ("%d %s%s"):format(n, word, n > 1 and "s" or "")
    end
  end
  return ("sesslua sync (%s): %s\n\n%s%s\n"):format(session, table.concat(parts, ", "),
    table.concat(names, ", "), #paths > #names and (", and %d more"):format(#paths - #names) or "")
end

---Commit every change under dir (and nothing else of the work tree or the
---index) with message; the new commit's id, or false when nothing is left
---to commit once the changes are staged.
---@param dir string
---@param message string
---@return string|false|nil commit
---@return string|nil message
---@return string|nil code
function M.commit(dir, message)
  local ok, msg, code = M.ok(dir, { "add", "-A", "--", "." })
  if not ok then return nil, msg, code end
  -- what `git status` listed a moment ago may hold nothing new by now (a
  -- workflow wrote the file back meanwhile): no commit, and no failure
  if M.ok(dir, { "diff", "--cached", "--quiet", "--", "." }) then return false end
  ok, msg, code = M.ok(dir, { "commit", "-q", "-m", message, "--", "." })
  if not ok then return nil, msg, code end
  return (M.ok(dir, { "rev-parse", "HEAD" }) or ""):match("^%x+")
end

---Fetch remote and merge its branch when it has commits HEAD lacks.
---@return boolean|nil merged nil on failure
---@return string|nil there_or_message the remote branch's commit (nil when it has none yet)
---@return string|nil message
---@return string|nil code "ECONFLICT" when a merge waits for a person
local function pull(dir, remote, branch)
  local ok, msg, code = M.ok(dir, { "fetch", "-q", remote })
  if not ok then return nil, msg, code end
  local ref = ("refs/remotes/%s/%s"):format(remote, branch)
  local there = M.ok(dir, { "rev-parse", "-q", "--verify", ref })
  if not there then return false end -- nothing pushed yet
  if M.ok(dir, { "merge-base", "--is-ancestor", ref, "HEAD" }) then return false, there end
  -- no rename detection: a reader moving every message of new/ to cur/
  -- reads to git as a folder renamed, and a message the other side added
  -- to new/ as a conflict; two messages of one sender are alike enough to
  -- pair one's move with the other. A move is a delete and an add here.
  local status, out, err = M.run(dir, { "-c", "merge.renames=false", "-c", "merge.directoryRenames=false",
    "merge", "-q", "--no-edit", "-X", "no-renames", "-m",
    ("sesslua sync: merge %s/%s"):format(remote, branch), ref })
  if status == 0 then return true, there end
  local open = M.unresolved(dir)
  if open and #open > 0 then
    local why = (out or ""):match("CONFLICT[^\n]*") or ""
    return nil, ("%s: a conflict git could not merge in %s; resolve it, git commit, then sync again%s")
      :format(dir, table.concat(open, ", "), why ~= "" and " (git: " .. why .. ")" or ""), "ECONFLICT"
  end
  if open then M.run(dir, { "merge", "--abort" }) end
  -- a workflow wrote a file of the tree after the commit: commit, try again
  local dirty = (err or ""):find("would be overwritten by merge", 1, true) and "EDIRTY" or "EGIT"
  return nil, ("git merge %s: %s"):format(ref, first_error(err or "", out or "")), dirty
end

---Whether a push failed because the remote moved on (another clone pushed first).
local function refused(err)
  return err:find("[rejected]", 1, true) or err:find("fetch first", 1, true)
    or err:find("non-fast-forward", 1, true) or err:find("cannot lock ref", 1, true)
    or err:find("failed to update ref", 1, true)
end

---@class sesslua.git.SyncResult
---@field committed string[] paths committed (as git names them)
---@field commit string|nil the commit made
---@field pulled integer how many merges of the remote's commits
---@field pushed boolean
---@field attempts integer pushes tried
---@field state "pushed"|"pulled"|"nothing"

---Pull, merging with the driver, and push; a refused push (another clone
---pushed first) pulls again and retries after a jittered, growing wait,
---at most `retries` times.
---@param dir string
---@param remote string
---@param branch string
---@param result sesslua.git.SyncResult filled in
---@param retries integer
---@param recommit? fun(): string|nil, string|nil, string|nil commits what a workflow wrote meanwhile, when a merge would overwrite it
---@return sesslua.git.SyncResult|nil result
---@return string|nil message
---@return string|nil code "ECONFLICT", "EBUSY" (retries used up), "EDIRTY" (a merge would overwrite changes outside the tree), "EGIT"
function M.exchange(dir, remote, branch, result, retries, recommit)
  result.pulled, result.pushed, result.attempts = 0, false, 0
  for attempt = 0, retries do
    if attempt > 0 then
      -- capped low: the clone that lost is the one whose fetch-merge-push
      -- is slow, and a long wait only lets the others win again (starving it)
      local wait = math.min(0.1 * 2 ^ (attempt - 1), 1)
      sys.sleep(wait * (0.5 + math.random()))
    end
    local merged, there, code = pull(dir, remote, branch)
    if merged == nil and code == "EDIRTY" and recommit then
      local ok, msg, c = recommit()
      if not ok then return nil, msg, c end
      merged, there, code = pull(dir, remote, branch)
    end
    if merged == nil then return nil, there, code end
    if merged then result.pulled = result.pulled + 1 end
    local head = M.ok(dir, { "rev-parse", "-q", "--verify", "HEAD" })
    if not head or head == there then return result end -- nothing of ours to push
    result.attempts = attempt + 1
    local status, out, err = M.run(dir, { "push", "-q", remote, "HEAD:refs/heads/" .. branch })
    if status == nil then return nil, out, err end
    if status == 0 then
      result.pushed = true
      return result
    end
    if not refused(err) then
      return nil, ("git push %s: %s"):format(remote, first_error(err, out)), "EGIT"
    end
  end
  return nil, ("%s: the push was refused %d times (other clones kept pushing first); sync again")
    :format(dir, retries + 1), "EBUSY"
end

return M
