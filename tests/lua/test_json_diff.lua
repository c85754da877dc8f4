-- test_json_diff.lua — json.encode (C, core/ljson.c) against the Lua encoder
-- it replaced (json_oracle.lua): thousands of generated values, every byte
-- class a string can hold, numbers at their edges, empty and sparse tables,
-- each encoded compact and indented at several depths, compared byte for
-- byte; errors compared by message. Seeded: a failure repeats.
local json = require("sesslua.json")

local here = debug.getinfo(1, "S").source:match("^@(.*)$")
local dir = here:match("^(.*)/[^/]+$") or "."
local oracle = assert(loadfile(dir .. "/json_oracle.lua"))()

local checked, failures = 0, {}

local function show(s)
  return (s:gsub("[^\32-\126]", function(c) return ("\\x%02X"):format(c:byte()) end))
end

local OPTS = { false, { indent = "  " }, { indent = "\t", depth = 2 },
               { indent = "", depth = 1 }, { indent = " ", depth = -1 }, { depth = 3 } }

---Encodes v with both encoders under every option set; records a mismatch.
local function same(v, label)
  for _, opts in ipairs(OPTS) do
    local o = opts or nil
    local ok1, a = pcall(json.encode, v, o)
    local ok2, b = pcall(oracle.encode, v, o)
    checked = checked + 1
    if ok1 ~= ok2 or a ~= b then
      failures[#failures + 1] = ("%s (indent %q): C %s %s, Lua %s %s"):format(label,
        tostring(o and o.indent), ok1 and "ok" or "error", show(tostring(a)),
        ok2 and "ok" or "error", show(tostring(b)))
      return
    end
  end
end

-- Strings: every byte alone and between letters, every continuation after
-- the lead bytes that start C1 and bidi controls, and the invalid forms.
local strings = { "", "plain", "a/b", "日本語 🎉 é", "\u{FFFD}", "\u{10FFFF}", "\u{7FF}\u{800}" }
for b = 0, 255 do
  strings[#strings + 1] = string.char(b)
  strings[#strings + 1] = "a" .. string.char(b) .. "z"
end
for b = 0x80, 0xBF do
  for _, lead in ipairs({ "\xC2", "\xD8", "\xE2\x80", "\xE2\x81", "\xE2\x82", "\xEF\xBF" }) do
    strings[#strings + 1] = "x" .. lead .. string.char(b) .. "y"
  end
end
for _, s in ipairs({
  "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF",
  "\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xF8\x88\x80\x80\x80",
  "\xFC\x84\x80\x80\x80\x80", "\xFE", "\xFF", "\xE2\x80", "\xE2", "\xF0\x9F\x8E", "caf\xe9",
  "\xC2", "\xC2\x9B31m", "\xE2\x80\xAE\xE2\x80", "\x80\x80\x80", "a\0b", "\0",
  "\xF0\x9F\x8E\x89\xC2\x85\xD8\x9C\xE2\x81\xA9", "\\\"\\/\b\f\n\r\t\127",
}) do strings[#strings + 1] = s end

math.randomseed(20261203)
local BYTES = { 0x00, 0x07, 0x1B, 0x22, 0x2F, 0x5C, 0x7F, 0x80, 0x9B, 0xA0, 0xAE, 0xBF,
                0xC0, 0xC2, 0xD8, 0x9C, 0xE2, 0x81, 0xA6, 0xED, 0xEF, 0xF0, 0xF4, 0xFF }
local function random_string(max)
  local out = {}
  for i = 1, math.random(0, max) do
    local r = math.random()
    if r < 0.5 then out[i] = string.char(math.random(0x61, 0x7A))
    elseif r < 0.8 then out[i] = string.char(BYTES[math.random(#BYTES)])
    elseif r < 0.9 then out[i] = utf8.char(math.random(0x80, 0x2070))
    else out[i] = string.char(math.random(0, 255)) end
  end
  return table.concat(out)
end
for _ = 1, 1500 do strings[#strings + 1] = random_string(24) end

-- Numbers at the edges of each rule (integer, integral float below 2^53,
-- %.14g), and random doubles from random bits (NaNs, subnormals...).
local numbers = { 0, -1, 1, 42, math.maxinteger, math.mininteger, 0.0, -0.0, 0.1, -2.5, 1 / 3,
  1e300, -1e300, 1e15 + 0.5, 2 ^ 53, 2 ^ 53 - 1, -(2 ^ 53 - 1), -(2 ^ 53), 2 ^ 63, -2 ^ 63,
  3.0, -7.0, 5e-324, 2.2250738585072014e-308, 123456789012345.6, 1e-7, 0 / 0, -(0 / 0),
  math.huge, -math.huge, 1e14, 1e15, 1e16, 99999999999999.5 }
for _ = 1, 500 do
  local bits = string.pack("<I4I4", math.random(0, 0xFFFFFFFF), math.random(0, 0xFFFFFFFF))
  numbers[#numbers + 1] = string.unpack("<d", bits)
  numbers[#numbers + 1] = math.random(-2 ^ 40, 2 ^ 40) + 0.0
  numbers[#numbers + 1] = math.random(math.mininteger, math.maxinteger)
end

local KEYS = { "schema", "kind", "Schema", "kinds", "a", "a\0", "a\0b", "b", "", "\0", "é",
               "Z", "_", "1", "name", "a/b", "\u{202E}k", "k\xff" }

-- A metatable that is not json.object's: the table is plain to both. (The
-- C encoder reads tables raw; the Lua one called __index on a hole.)
local OTHER_MT = { __name = "other" }
local SHIELDED_MT = { __metatable = getmetatable(json.object()) }

local gen_value
local function gen_table(depth)
  local r = math.random()
  local t = {}
  if r < 0.4 then                                   -- array, sometimes sparse
    for i = 1, math.random(0, 6) do t[i] = gen_value(depth + 1) end
    if math.random() < 0.15 then t[math.random(1, 8)] = nil end
  elseif r < 0.9 then                               -- object
    for _ = 1, math.random(0, 6) do
      local k = math.random() < 0.7 and KEYS[math.random(#KEYS)] or random_string(8)
      t[k] = gen_value(depth + 1)
    end
  end
  local m = math.random()
  if m < 0.15 then json.object(t)
  elseif m < 0.18 then setmetatable(t, OTHER_MT)
  elseif m < 0.19 then setmetatable(t, SHIELDED_MT) end
  return t
end

gen_value = function(depth)
  local r = math.random()
  if depth < 5 and r < 0.35 then return gen_table(depth) end
  if r < 0.55 then return strings[math.random(#strings)] end
  if r < 0.75 then return numbers[math.random(#numbers)] end
  if r < 0.82 then return json.null end
  if r < 0.9 then return math.random() < 0.5 end
  return KEYS[math.random(#KEYS)]
end

for i, s in ipairs(strings) do
  same(s, "string " .. i)
  same({ [s] = s }, "key " .. i)
end
for i, n in ipairs(numbers) do same({ n, { x = n } }, "number " .. i) end
for i = 1, 3000 do same(gen_value(0), "generated " .. i) end

-- Keys in another collation: the C encoder then orders them with strcoll,
-- segment by segment, as Lua's `<` does (in the C locale, with memcmp).
if os.setlocale("C.UTF-8", "collate") then
  for i = 1, 300 do
    local t = {}
    for _ = 1, 8 do t[KEYS[math.random(#KEYS)] .. random_string(3)] = i end
    same(t, "C.UTF-8 keys " .. i)
  end
  os.setlocale("C", "collate")
end

-- Shapes named by the rules.
local sparse = { 1, 2, 3, 4 }
sparse[2] = nil
local grown = {}
grown[1], grown[2], grown[4] = "a", "b", "d"
for label, v in pairs({
  empty = {}, object = json.object(), null = json.null, ["nil"] = nil, yes = true, no = false,
  holes = { 1, nil, 3 }, lead_hole = { nil, 2 }, sparse = sparse, grown = grown,
  zero_key = { [0] = "x" }, float_key = { [1.5] = "x" }, neg_key = { [-1] = 1 },
  int_float_key = { [1.0] = "one", [2.0] = "two" }, object_array = json.object({ 1, 2 }),
  mixed = { 1, 2, x = 3 }, bool_key = { [true] = 1 }, table_key = { [{}] = 1 },
  nested_empty = { {}, json.object(), { {} }, { a = {} } },
  first_keys = { zeta = 1, kind = "k", schema = 1, alpha = json.null, Kind = 2 },
  func = function() end, func_in = { a = { b = print } }, thread = coroutine.create(print),
  userdata = io.stdout, userdata_in = { io.stdout }, bad_key_and_func = { print, [{}] = 1 },
  many_keys = (function()                           -- the key arrays grow and are reused
    local rows = {}
    for r, n in ipairs({ 5, 100, 10, 33, 0 }) do
      rows[r] = json.object()
      for i = 1, n do rows[r]["k" .. (i * 7919 % 1000)] = { i, { ["x" .. i] = i } } end
    end
    return rows
  end)(),
  late_error = { ("x"):rep(100000), json.object({ a = { b = {} }, z = io.stdout }) },
  deep_ok = (function()
    local t = {}
    local cur = t
    for _ = 1, 999 do cur[1] = {}; cur = cur[1] end
    return t
  end)(),
}) do same(v, label) end

-- What only the C encoder does: a depth limit instead of a stack overflow.
local deep, cur = {}, nil
cur = deep
for _ = 1, 1000 do cur[1] = {}; cur = cur[1] end
local ok, msg = pcall(json.encode, deep)
assert(not ok and msg == "json: nesting deeper than 1000 levels (a cycle?)", tostring(msg))
local cycle = {}
cycle.self = cycle
ok, msg = pcall(json.encode, { a = cycle })
assert(not ok and msg == "json: nesting deeper than 1000 levels (a cycle?)", tostring(msg))
-- Errors carry no position, as error(msg, 0) did in the Lua encoder.
ok, msg = pcall(json.encode, { print })
assert(not ok and msg == "json: cannot encode a function", tostring(msg))
ok, msg = pcall(json.encode, json.object({ 1 }))
assert(not ok and msg == "json: object keys must be strings", tostring(msg))

if #failures > 0 then
  for i = 1, math.min(#failures, 10) do io.stderr:write(failures[i], "\n") end
  error(("%d of %d encodings differ"):format(#failures, checked), 0)
end
io.write(("ok %d encodings identical\n"):format(checked))
