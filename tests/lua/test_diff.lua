-- The --dry-run diff: hunks must rebuild both texts, and a change at the top
-- and one at the bottom give two small hunks.
local diff = require("sesslua.diff")

local function rebuild(patch, a_lines_total)
  local old, new = {}, {}
  for line in patch:gmatch("([^\n]*)\n") do
    local op, rest = line:sub(1, 1), line:sub(2)
    if line:match("^@@") or line:match("^%-%-%- ") or line:match("^%+%+%+ ") then
      -- header
    elseif op == " " then old[#old + 1] = rest; new[#new + 1] = rest
    elseif op == "-" then old[#old + 1] = rest
    elseif op == "+" then new[#new + 1] = rest end
  end
  return old, new
end

local rng = 12345
local function rand(n) rng = (rng * 1103515245 + 12345) % 2147483648; return rng % n end

for case = 1, 300 do
  local a = {}
  for i = 1, rand(30) do a[i] = "line " .. rand(8) end
  local b = {}
  for _, l in ipairs(a) do
    local r = rand(10)
    if r == 0 then -- drop
    elseif r == 1 then b[#b + 1] = "new " .. rand(5); b[#b + 1] = l
    else b[#b + 1] = l end
  end
  if rand(3) == 0 then b[#b + 1] = "tail" end
  local ta, tb = table.concat(a, "\n") .. "\n", table.concat(b, "\n") .. "\n"
  local patch = diff.unified(ta, tb, "f", 1000000)
  if ta == tb then
    assert(patch == "", "equal texts give no diff")
  else
    local old, new = rebuild(patch)
    assert(table.concat(old, "\n") == table.concat(a, "\n"), "case " .. case .. ": old side")
    assert(table.concat(new, "\n") == table.concat(b, "\n"), "case " .. case .. ": new side")
  end
end

local lines = {}
for i = 1, 200 do lines[i] = "l" .. i end
local a = table.concat(lines, "\n") .. "\n"
lines[2] = "changed top"; lines[199] = "changed bottom"
local patch = diff.unified(a, table.concat(lines, "\n") .. "\n", "f")
local hunks = select(2, patch:gsub("\n@@", ""))
assert(hunks == 2, "two separate hunks, got " .. hunks)
assert(#patch < 400, "small hunks")
-- A text without a final line ending: marked as patch(1) expects, and the
-- last line counts as changed when a line ending is added to it.
local p2 = diff.unified("a\nb", "a\nb\nc\n", "f")
assert(p2:find("\n%-b\n\\ No newline at end of file\n%+b\n%+c\n"), p2)
local p3 = diff.unified("a\nx\nb", "a\ny\nb", "f")
assert(p3:find("\n b\n\\ No newline at end of file\n$"), p3)
assert(select(2, p3:gsub("No newline", "")) == 1, "one marker for a shared last line")
local p4 = diff.unified("a\n", "a\nb", "f")
assert(p4:find("\n%+b\n\\ No newline at end of file\n$"), p4)
io.write("ok diff\n")
