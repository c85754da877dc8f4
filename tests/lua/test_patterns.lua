-- md.patterns (core/luapat.c) against Lua's own string.find: the set must
-- answer exactly what string.find answers, for the schema's sample lines
-- and for random patterns of the part of the language it takes, or say
-- that it cannot take a pattern. Then the plan's skip filter (d:read)
-- against placeholders.is_placeholder and log.filled.
local md = require("sesslua.md")
local log = require("sesslua.log")
local schema = require("sesslua.schema")
local placeholders = require("sesslua.placeholders")

local harness = dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "harness.lua")
local test, eq = harness.test, harness.eq

---The index string.find gives for the first pattern of list finding s.
local function lua_find(list, s)
  for i, p in ipairs(list) do
    if s:find(p) then return i end
  end
  return nil
end

test("sample_lines_compile_and_find_what_lua_finds", function()
  local samples = schema.current().samples
  local set = assert(md.patterns(samples))
  local texts = { "", "Task 1", "Task 12", "Task", "Task 1 of the parser", "[not set]", "[X%]",
    "## Session [ID] - Work Log", "#Session [ID] - Work Log", "Session [ID] - Work Log",
    "see - [Topic]", "- [Topic] x", '"Subject" (Priority)', 'Re: "Subject" (Priority)',
    "**[service-name]** on 8080", "[Date Time] did a thing", "[Date Time]",
    "Working with session-X on it", "Status: ...", "Status: ..x", "Progress: X%",
    "Planning | Building | Testing | Deploying | Complete", "~~Previous blocker~~ - Solved by doing X",
    "Blocker 3 description", "Blocker  description", "Completed task 7" }
  for _, s in ipairs(texts) do eq(set:match(s), lua_find(samples, s), s) end
end)

test("what_c_cannot_take_is_refused_with_its_index", function()
  for _, p in ipairs({ "[abc]", "(x)", "%bxy", "%f[%a]", "(a)%1", "abc%" }) do
    local set, at = md.patterns({ "^ok$", p })
    eq(set, nil, p)
    eq(at, 2, p)
  end
  local set = assert(md.patterns({}))
  eq(set:match("anything"), nil, "an empty set")
end)

-- random patterns over a small alphabet: every piece kind and quantifier
local PIECES = { "a", "b", " ", ".", "%d", "%a", "%s", "%S", "%D", "%w", "%p", "%%", "%.",
                 "%-", "%z", "*", "-", "^", "$" }
local QUANT = { "", "", "", "*", "+", "-", "?" }
local CHARS = { "a", "b", " ", "1", "9", ".", "-", "%", "*", "^", "$", "z", "\t", "é", "\0" }

local function random_pattern(rnd)
  local out = {}
  if rnd(3) == 1 then out[#out + 1] = "^" end
  for _ = 1, rnd(0, 5) do
    local piece = PIECES[rnd(#PIECES)]
    out[#out + 1] = piece
    -- a quantifier after a piece (the "*" piece itself is a literal)
    if piece ~= "$" then out[#out + 1] = QUANT[rnd(#QUANT)] end
  end
  if rnd(3) == 1 then out[#out + 1] = "$" end
  return table.concat(out)
end

local function random_text(rnd)
  local out = {}
  for _ = 1, rnd(0, 8) do out[#out + 1] = CHARS[rnd(#CHARS)] end
  return table.concat(out)
end

test("random_patterns_find_what_string_find_finds", function()
  math.randomseed(20251115)
  local rnd = math.random
  for _ = 1, 3000 do
    local p = random_pattern(rnd)
    local set = md.patterns({ p })
    local ok_lua = pcall(string.find, "", p)
    if set then
      assert(ok_lua, p .. ": C took a pattern Lua refuses")
      for _ = 1, 8 do
        local s = random_text(rnd)
        eq(set:match(s) ~= nil, s:find(p) ~= nil, ("%q in %q"):format(p, s))
      end
    end
  end
end)

test("a_set_of_random_patterns_gives_the_first_that_finds", function()
  math.randomseed(1763)
  local rnd = math.random
  for _ = 1, 500 do
    local list = {}
    while #list < 6 do
      local p = random_pattern(rnd)
      if md.patterns({ p }) then list[#list + 1] = p end
    end
    local set = assert(md.patterns(list))
    for _ = 1, 8 do
      local s = random_text(rnd)
      eq(set:match(s), lua_find(list, s), ("%q in %q"):format(table.concat(list, " "), s))
    end
  end
end)

local LOG = table.concat({
  "# Session 1 - Work Log", "", "**Role:** [Your Role]", "**Goal:**   ", "**Status:** Active", "",
  "## Current Work", "", "**Working On:**  [not set] ", "**Status:** Building", "**Progress:** 40%", "",
  "**Current Phase:**", "- [ ] Task 1", "- [ ] ", "- [ ] Task 1 of the parser", "- [x] Task 2",
  "- [ ]  Task 3 ", "", "## Blockers & Issues", "", "**Current Blockers:**", "- Blocker 1 description",
  "- real one", "", "---", "**Last Updated:** [Date Time]", "" }, "\n")

test("a_plan_with_skip_answers_as_filled_and_is_placeholder_do", function()
  local set = assert(md.patterns(placeholders.PATTERNS))
  local spec = {
    header = { "Role", "Goal", "Status", "Missing" },
    sections = {
      { keys = { schema.key("Current Work") }, fields = { "Working On", "Status" },
        label = "Current Phase", items = "todo" },
      { keys = { schema.key("Blockers & Issues") }, label = "Current Blockers", items = "open" },
    },
    footer = "Last Updated",
  }
  local d = md.parse(LOG)
  local raw = d:read(md.plan(spec))
  spec.skip, spec.sections[1].count = set, true
  local r = d:read(md.plan(spec))
  -- values: present but blank or a sample is false, absent stays nil
  for _, i in ipairs({ 1, 2, 3, 4, 6, 7 }) do
    if raw[i] == nil then eq(r[i], nil, "hole " .. i)
    else eq(r[i] or nil, log.filled(raw[i]), "value " .. i) end
  end
  eq(r[1], false, "a sample value")
  eq(r[4], nil, "an absent value")
  -- items: samples left out (a blank item is no sample), counted
  local open = 0
  for _, t in ipairs(raw[8]) do
    if not placeholders.is_placeholder(t) then open = open + 1 end
  end
  eq(r[8], open, "open tasks")
  eq(r[8], 2, "open tasks: the blank one and the parser's (Task 1 and Task 3 are samples)")
  eq(#r[10], 1, "blockers")
  eq(r[10][1], "real one", "blocker")
  eq(r[11], false, "a sample footer")
end)

test("a_plan_gives_the_values_it_lists_in_plain_as_text", function()
  local d = md.parse("# Log\n\n**Role:** **Lead** dev\n**Goal:** [not set]\n**Progress:** **40%**\n" ..
    "**Status:** `Active`\n")
  local spec = { header = { "Role", "Goal", "Progress", "Status" }, plain = { "Role", "Status" },
                 skip = assert(md.patterns(placeholders.PATTERNS)) }
  local r = d:read(md.plan(spec))
  eq(r[1], md.plain("**Lead** dev"), "a listed value as text")
  eq(r[1], "Lead dev")
  eq(r[2], false, "a sample is checked as written, then false")
  eq(r[3], "**40%**", "a value not listed stays as written")
  eq(r[4], "Active")
end)

harness.done("test_patterns")
return 0
