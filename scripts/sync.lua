--- Share the tree through git: commit its changes, pull (merging with the driver), push.
-- Only paths under the root are committed, never the rest of the work tree
-- or the index. A refused push (another clone pushed first) pulls and
-- retries with a growing, jittered wait. Exit 0 when something was
-- committed, merged or pushed; 1 when there was nothing to do; 4 when a
-- conflict waits for a person (or every retry was refused).
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local tree = require("sesslua.tree")
local fs = require("sesslua.fs")
local git = require("sesslua.git")
local json = require("sesslua.json")

local parser = cli.parser("sync.lua", "Commit the tree's changes, pull with the merge driver, push.")
parser:flag("--dry-run", "Say what would be committed and set up; change nothing, fetch nothing.")
parser:flag("--json", "Print the result as JSON.")
parser:option("--retries", "How many times a refused push is retried.", "10"):argname("N")
  :convert(function(s)
    local n = math.tointeger(tonumber(s))
    if not n or n < 0 or n > 100 then return nil, "--retries: want a whole number from 0 to 100" end
    return n
  end)
local args = cli.parse(parser)

-- Exit codes for the failure codes of sesslua.git.
local EXIT = { ECONFLICT = cli.EXIT.conflict, EBUSY = cli.EXIT.conflict, EUSAGE = cli.EXIT.usage,
               ENOENT = cli.EXIT.not_found, EGIT = cli.EXIT.io, EDIRTY = cli.EXIT.io }
local function check(value, msg, code, ...)
  if value == nil then cli.fail(EXIT[code] or cli.exit_for(code), msg) end
  return value, msg, code, ...
end

cli.check(tree.root_is_folder(ctx))
if not fs.exists(ctx.root) then
  cli.fail(cli.EXIT.not_found, ctx.root .. ": no coordination tree here (sesslua init.lua --git)")
end
local root = ctx.root
local top = check(git.repo(root))
local open = git.unresolved(root)
if open then
  cli.fail(cli.EXIT.conflict, ("%s: a merge waits for a person%s; resolve it and git commit, then sync again")
    :format(root, #open > 0 and " (" .. table.concat(open, ", ") .. ")" or ""))
end
local branch, remote = check(git.branch(root))

local session = tree.current_session(ctx) or "unknown"

local function message(paths) return git.commit_message(session, paths) end

local result = { committed = {}, pulled = 0, pushed = false, attempts = 0, setup = {} }
if args.dry_run then
  if git.configured_driver(root) ~= git.driver_command() or not git.attributes_name_driver(root) then
    result.setup[1] = { path = root, what = "would set up .gitattributes, .gitignore and merge.sesslua.driver" }
  end
  result.committed = check(git.changes(root))
  result.state = (#result.committed > 0 or #result.setup > 0) and "dry-run" or "nothing"
else
  result.setup = check(git.setup(root, top))
  -- one sync at a time in a clone: git's own index.lock would fail the other
  local lock <close> = check(fs.lock(root .. "/.sesslua-sync", { timeout_ms = 120000 }))
  result.committed = check(git.changes(root))
  if #result.committed > 0 then result.commit = check(git.commit(root, message(result.committed))) end
  -- a workflow that writes during the sync: its file is committed before the merge
  local function recommit()
    local paths, msg, code = git.changes(root)
    if not paths or #paths == 0 then return paths and "", msg, code end
    for _, p in ipairs(paths) do result.committed[#result.committed + 1] = p end
    local commit
    commit, msg, code = git.commit(root, message(paths))
    result.commit = commit or result.commit
    if commit == false then return "" end -- nothing new after all
    return commit, msg, code
  end
  check(git.exchange(root, remote, branch, result, args.retries, recommit))
  result.state = result.pushed and "pushed"
    or (result.pulled > 0 or result.commit or #result.setup > 0) and "pulled" or "nothing"
end

if args.json then
  cli.print_json({ schema = 1, kind = "sync", root = root, remote = remote, branch = branch,
    state = result.state, dry_run = args.dry_run or false, committed = result.committed,
    commit = result.commit or json.null, pulled = result.pulled, pushed = result.pushed,
    attempts = result.attempts, setup = result.setup })
else
  for _, c in ipairs(result.setup) do io.write("set up  ", c.what, " (", c.path, ")\n") end
  local verb = args.dry_run and "would commit " or "committed "
  for _, p in ipairs(result.committed) do io.write(verb, cli.printable(p), "\n") end
  if result.pulled > 0 then io.write(("merged %s/%s\n"):format(remote, branch)) end
  if result.pushed then
    io.write(("pushed to %s/%s%s\n"):format(remote, branch,
      result.attempts > 1 and (" (attempt %d)"):format(result.attempts) or ""))
  end
  if result.state == "nothing" then io.write("Nothing to sync: the tree and ", remote, "/", branch, " agree.\n") end
end
return result.state == "nothing" and cli.EXIT.check or 0
