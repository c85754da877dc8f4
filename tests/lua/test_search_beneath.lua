-- test_search_beneath.lua — search.files opens each file beneath the root
-- it holds open for the whole search: a file, or the folder of the files,
-- swapped for a link out of the root while the search runs (after the
-- folder was listed, before the file is opened) is refused, never read.
local search = require("sesslua.search")

local base = os.tmpname() -- a fresh unique name; we turn it into a folder
os.remove(base)
local root = base .. "/root"
local active = root .. "/sessions/ACTIVE"
local outside = base .. "/outside"
local function sh(cmd) assert(os.execute(cmd), cmd) end
sh("mkdir -p '" .. active .. "' '" .. outside .. "'")
package.loaded["sesslua.context"] = { root = root } -- files resolved beneath this root

local function write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

local N = 40
local function fill()
  for i = 1, N do
    local name = ("session-%d.md"):format(i)
    write(active .. "/" .. name, "# Log\nneedle in the tree\n")
    write(outside .. "/" .. name, "# Secret\nneedle SECRET outside\n")
  end
end

-- Run a search over the N names; at the k-th name asked for, before it is
-- handed over, swap(k) runs. Returns the results.
local function run(threads, swaps)
  local i = 0
  local function next_name()
    i = i + 1
    if i > N then return nil end
    if swaps[i] then swaps[i]() end
    return ("session-%d.md"):format(i)
  end
  return search.files(next_name, "needle", { dir = active, threads = threads })
end

local function check(r, refused, maybe, what)
  local errs = {}
  for _, e in ipairs(r.errors) do
    local n = tonumber(e.path:match("session%-(%d+)%.md$"))
    -- between the folder's move and the link's creation a file still
    -- waiting for a thread is missing: only for those handed over before
    if e.code ~= "ENOENT" or refused(n) or not maybe(n) then
      assert(e.code == "EXDEV", what .. ": " .. e.message)
      assert(e.message:find("out of the root", 1, true), e.message)
    end
    errs[n] = true
  end
  for _, h in ipairs(r.hits) do
    assert(not h.text:find("SECRET", 1, true), what .. ": read a file outside the root: " .. h.path)
  end
  for n = 1, N do
    if refused(n) then
      assert(errs[n], what .. ": session-" .. n .. " was not refused")
    elseif not maybe(n) then
      assert(not errs[n], what .. ": session-" .. n .. " was refused")
    end
  end
end

for _, threads in ipairs({ 1, 4 }) do
  -- one file swapped for a link out, just before it is handed over: the
  -- pool opens it later, and must refuse it
  fill()
  local r = run(threads, { [7] = function()
    os.remove(active .. "/session-7.md")
    sh("ln -s '" .. outside .. "/session-7.md' '" .. active .. "/session-7.md'")
  end })
  check(r, function(n) return n == 7 end, function() return false end, "a file swapped")
  assert(r.count == N - 1, "every other file searched: " .. r.count)

  -- the folder swapped for a link to a folder outside with the same names:
  -- every file handed over after it is refused; the few handed over just
  -- before and still waiting for a thread may be either
  sh("rm -rf '" .. active .. "'; mkdir '" .. active .. "'")
  fill()
  r = run(threads, { [20] = function()
    sh("mv '" .. active .. "' '" .. active .. ".old'")
    sh("ln -s '" .. outside .. "' '" .. active .. "'")
  end })
  check(r, function(n) return n >= 20 end, function(n) return n >= 20 - 16 end, "the folder swapped")
  sh("rm -f '" .. active .. "'; rm -rf '" .. active .. ".old'; mkdir '" .. active .. "'")
end

sh("rm -rf '" .. base .. "'")
print("ok")
