-- test_log_names.lua — tree.log_names (fs.list_portable, the name check
-- split between C and Lua) against the rule it replaced, written out here
-- in plain Lua (fs.list, normalize_id on every name, table.sort with the
-- natural key), on folders of tricky names and of random ones: the same
-- names in the same order, the same warnings, the same failures.
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local tree = require("sesslua.tree")

local base = os.tmpname() -- a fresh unique name; we turn it into a folder
os.remove(base)
local root = base .. "/root"
assert(os.execute("mkdir -p '" .. root .. "/sessions/ACTIVE' '" .. root .. "/sessions/ARCHIVE' '"
  .. base .. "/outside'"))
local ctx = { root = root }
package.loaded["sesslua.context"] = ctx -- files resolved beneath this root

local function sh(cmd) assert(os.execute(cmd), cmd) end
local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
local function touch(path)
  local f = assert(io.open(path, "wb"))
  f:write("# log\n")
  f:close()
end

-- The rule as it was before fs.list_portable, kept apart from the C sort:
-- by the natural key of the name without ".md", then that, then the name.
local function natural_before(a, b)
  local sa, sb = a:sub(1, -4), b:sub(1, -4)
  local ka, kb = tree.natural_key(sa), tree.natural_key(sb)
  if ka ~= kb then return ka < kb end
  if sa ~= sb then return sa < sb end
  return a < b
end
local function old_log_names(dir, warn, archived)
  local out = {}
  local names, types, code = fs.list(dir, ".md", true)
  if not names and code ~= "ENOENT" then return out, types, code end
  for _, name in ipairs(names or {}) do
    local id = name:sub(1, -4)
    if archived then id = id:match("^(.-)%-%d%d%d%d%-%d%d%-%d%d%-?%d*$") or id end
    if not tree.normalize_id(id) then
      -- not a session's log
    elseif types[name] == "file" or (types[name] == "link" and tree.safe_file(ctx, dir .. "/" .. name)) then
      out[#out + 1] = name
    elseif warn then
      warn(dir .. "/" .. name .. ": not a regular file inside the coordination root; skipped")
    end
  end
  table.sort(out, natural_before)
  return out
end

local checked = 0
local function same(dir, archived, what)
  local old_warn, new_warn = {}, {}
  local a, amsg, acode = old_log_names(dir, function(m) old_warn[#old_warn + 1] = m end, archived)
  local b, bmsg, bcode = tree.log_names(ctx, dir, function(m) new_warn[#new_warn + 1] = m end, archived)
  local function show(t) return table.concat(t, " | ") end
  assert(#a == #b and show(a) == show(b),
    ("%s (archived=%s): names differ\nold: %s\nnew: %s"):format(what, tostring(archived), show(a), show(b)))
  assert(show(old_warn) == show(new_warn),
    ("%s: warnings differ\nold: %s\nnew: %s"):format(what, show(old_warn), show(new_warn)))
  assert(amsg == bmsg and acode == bcode,
    ("%s: failure differs: %s %s / %s %s"):format(what, tostring(amsg), tostring(acode),
      tostring(bmsg), tostring(bcode)))
  -- without warn too: nothing is called, the same names
  local c = tree.log_names(ctx, dir, nil, archived)
  assert(show(c) == show(a), what .. ": names differ without warn")
  checked = checked + 1
  return a, old_warn, amsg, acode
end

-- tricky names ---------------------------------------------------------------
local active = root .. "/sessions/ACTIVE"
local tricky = {
  "README.md", "readme.md", "CHANGELOG.md", "LICENSE.md", "contributing.md", "template.md",
  "TEMPLATE.md", "SESSION_LOG_TEMPLATE.md", "foo-template.md", "foo.template.md",
  "foo_template.md", "footemplate.md", "template-migration.md", "my notes.md", "a..b.md",
  "a.b.md", "..md", "-x.md", "_x.md", "x-.md", "x.md", "X.md", "e.md", "g.md", "E.md",
  "session-1.md", "session-01.md", "session-001.md", "session-2.md", "session-10.md",
  "session-1a.md", "session-1-2.md", "12.md", "012.md", "0.md", "00.md", ".hidden.md",
  "session-3.MD", "session-4.md.bak", "session-5.mdx", "café.md", "tab\tname.md",
  "session-9-2025-01-02.md", "session-9-2025-01-02-3.md", "README-2025-01-02.md",
  "template-2025-01-02-1.md", "-2025-01-02.md", "x-2025-01-02-.md", "x-2025-01-0.md",
  "x-2025-01-02-2025-01-03.md", "session-9-2025-01-021.md", "a..b-2025-01-02.md",
  ("a"):rep(100) .. ".md", ("a"):rep(101) .. ".md", ("9"):rep(92) .. ".md", ("9"):rep(93) .. ".md",
  ("e"):rep(100) .. ".md", ("b"):rep(89) .. "-2025-01-02.md", ("b"):rep(101) .. "-2025-01-02.md",
  "123456789012345678.md", "session-99999999999999.md", "v1.2.10.md", "v1.2.9.md",
}
for _, name in ipairs(tricky) do touch(active .. "/" .. name) end
-- not regular files: folders, a FIFO, links in and out of the root
sh("mkdir " .. q(active .. "/session-dir.md") .. " " .. q(active .. "/README-dir.md"))
sh("mkfifo " .. q(active .. "/session-fifo.md"))
touch(root .. "/sessions/target.md")
touch(base .. "/outside/secret.md")
sh("ln -s ../target.md " .. q(active .. "/session-link-in.md"))
sh("ln -s " .. q(root .. "/sessions/target.md") .. " " .. q(active .. "/session-link-abs.md"))
sh("ln -s " .. q(base .. "/outside/secret.md") .. " " .. q(active .. "/session-link-out.md"))
sh("ln -s ../../../outside/secret.md " .. q(active .. "/session-link-up.md"))
sh("ln -s nowhere.md " .. q(active .. "/session-dangling.md"))
sh("ln -s ../ARCHIVE " .. q(active .. "/session-link-dir.md"))
sh("ln -s ../target.md " .. q(active .. "/my link.md"))
sh("ln -s ../target.md " .. q(active .. "/README.link.md"))
sh("ln -s ../target.md " .. q(active .. "/template.md.md"))

local names, warned = same(active, false, "tricky names")
-- what the rule says, so that both cannot drift together
local has = {}
for _, n in ipairs(names) do has[n] = true end
for _, n in ipairs({ "session-1.md", "12.md", "footemplate.md", "template-migration.md",
    "e.md", "session-link-in.md", "session-link-abs.md", ("9"):rep(92) .. ".md", ("a"):rep(100) .. ".md" }) do
  assert(has[n], n .. " is a log")
end
for _, n in ipairs({ "README.md", "template.md", "foo-template.md", "foo_template.md", "foo.template.md", "my notes.md",
    "a..b.md", ("a"):rep(101) .. ".md", ("9"):rep(93) .. ".md", "session-link-out.md", "session-dir.md",
    "session-fifo.md", ".hidden.md", "session-3.MD", "café.md" }) do
  assert(not has[n], n .. " is no log")
end
assert(#warned == 7, "a warning each for the two folders, FIFO, two links out, dangling, link to a folder: "
  .. table.concat(warned, " | "))
assert(names[1] == "0.md" and names[2] == "00.md", "natural order: " .. names[1] .. " " .. names[2])
-- the same folder read as ARCHIVE reads names
same(active, true, "tricky names as archived")

-- random names ---------------------------------------------------------------
local archive = root .. "/sessions/ARCHIVE"
math.randomseed(20251203)
local alphabet = "aeEgGz09._- Ab1"
local made = {}
for _ = 1, 600 do
  local n = math.random(1, 20)
  local t = {}
  for i = 1, n do
    local k = math.random(1, #alphabet)
    t[i] = alphabet:sub(k, k)
  end
  local stem = table.concat(t)
  local r = math.random(1, 6)
  if r == 1 then stem = stem .. "-2025-0" .. math.random(1, 9) .. "-1" .. math.random(0, 9)
  elseif r == 2 then stem = stem .. "-2024-12-31-" .. math.random(1, 30)
  elseif r == 3 then stem = ({ "readme", "template", "x-template", "changelog", "license" })[math.random(1, 5)]
  elseif r == 4 then stem = stem:rep(math.random(4, 7)) end
  local name = stem .. ".md"
  if not made[name] and not stem:find("/") and #name < 250 then
    made[name] = true
    touch(archive .. "/" .. name)
  end
end
same(archive, true, "random names as archived")
same(archive, false, "random names as active")

-- folders that cannot be listed, or are not there ------------------------------
touch(root .. "/sessions/a-file")
sh("ln -s " .. q(base .. "/outside") .. " " .. q(root .. "/sessions/out"))
sh("ln -s ARCHIVE " .. q(root .. "/sessions/in"))
local _, _, msg, code = same(root .. "/sessions/nothing", false, "a missing folder")
assert(msg == nil and code == nil, "a missing folder has no logs and is no failure")
_, _, msg, code = same(root .. "/sessions/a-file", false, "a file")
assert(code == "ENOTDIR", tostring(code))
_, _, msg, code = same(root .. "/sessions/out", false, "a link out of the root")
assert(code == "EXDEV" and msg:find("out of the root"), tostring(msg))
names = same(root .. "/sessions/in", true, "a link to a folder in the root")
assert(#names > 100, "the archive through a link inside the root")

-- fs.list_portable itself: the rest apart, by name
local files, others = fs.list_portable(active, ".md")
assert(type(files) == "table" and type(others) == "table")
local types = {}
for i, o in ipairs(others) do
  types[o.name] = o.type
  assert(i == 1 or others[i - 1].name < o.name, "others in bytewise order")
end
assert(types["session-fifo.md"] == "other" and types["session-dir.md"] == "dir"
  and types["session-link-in.md"] == "link" and types["my link.md"] == nil, "types of the rest")
assert(not fs.list_portable(active, "") == false, "an empty suffix is allowed")
local ok = pcall(fs.list_portable, active)
assert(not ok, "the suffix is required")
assert(not pcall(fs.list_portable, active, ".md", "eg"), "mark is a table")
-- marked: exactly the names whose stem ends in e or g, or is over 92 bytes
local names2, _, marked = fs.list_portable(active, ".md", { last = "eg", over = 92 })
assert(#names2 == #files and select("#", fs.list_portable(active, ".md")) == 2)
local want = {}
for i, n in ipairs(names2) do
  local stem = n:sub(1, -4)
  if #stem > 92 or stem:find("[eg]$") then want[#want + 1] = i end
end
assert(#want > 5 and table.concat(marked, ",") == table.concat(want, ","),
  "marked: " .. table.concat(marked, ",") .. " want " .. table.concat(want, ","))
local _, _, none = fs.list_portable(active, ".md", {})
assert(#none == 0, "nothing marked without last or over")

-- sys.natural_sort (now sharing list_portable's C sort) against the Lua rule
local all = fs.list(archive, ".md")
local byc, bylua = table.move(all, 1, #all, 1, {}), table.move(all, 1, #all, 1, {})
sys.natural_sort(byc, 3)
table.sort(bylua, natural_before)
assert(table.concat(byc, "|") == table.concat(bylua, "|"), "sys.natural_sort order")

sh("rm -rf " .. q(base))
print(("ok %d folders compared"):format(checked))
