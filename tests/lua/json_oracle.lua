-- json_oracle.lua — the Lua JSON encoder sesslua.json used before the
-- encoder moved to C (core/ljson.c), kept unchanged as the reference of
-- test_json_diff.lua. Two lines differ from that json.lua: object_mt is
-- json.object's, so a json.object table means an object to both encoders,
-- and M.null is json.null. Not shipped: tests only.
--
--- JSON output with a stable shape: keys sorted (`schema` and `kind`
--- first), empty tables as `[]`, `json.null` for absent values, and no
--- escaped slashes. Decoding goes to lua-cjson, which is strict and fast;
--- Debian's cjson 2.1 cannot encode `[]` or a stable key order, which the
--- `--json` contract needs, hence this encoder.
local cjson = require("cjson")

local M = {}

---The value that encodes as `null` (cjson's own, so decode round-trips).
M.null = require("sesslua.json").null

local object_mt = getmetatable(require("sesslua.json").object())

---Mark a table as a JSON object, so that an empty one encodes as `{}`.
---@param t? table default: a new table
---@return table t
function M.object(t)
  return setmetatable(t or {}, object_mt)
end

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

---Replace bytes that are not UTF-8 by U+FFFD, so the output is always
---valid JSON whatever a log holds.
local function valid_utf8(s)
  if utf8.len(s) then return s end
  local out, pos = {}, 1
  while pos <= #s do
    local ok, bad = utf8.len(s, pos)
    if ok then
      out[#out + 1] = s:sub(pos)
      break
    end
    out[#out + 1] = s:sub(pos, bad - 1)
    out[#out + 1] = "\u{FFFD}"
    pos = bad + 1
  end
  return table.concat(out)
end

-- Characters a terminal acts on beyond C0: C1 controls (CSI, OSC...) and
-- the bidi controls that reorder what is shown. Written as \uXXXX, so JSON
-- printed on a terminal is as safe as text (the value decodes the same).
local TERMINAL_CONTROLS = { "\xC2[\x80-\x9F]", "\xD8\x9C", "\xE2\x80[\x8E\x8F\xAA-\xAE]",
                            "\xE2\x81[\xA6-\xA9]" }

local function as_u(c)
  return ("\\u%04x"):format(utf8.codepoint(c))
end

local function encode_string(s)
  s = valid_utf8(s)
  s = s:gsub('[%c"\\]', function(c)
    return escapes[c] or ("\\u%04x"):format(c:byte())
  end)
  if s:find("[\xC2\xD8\xE2]") then
    for _, p in ipairs(TERMINAL_CONTROLS) do s = s:gsub(p, as_u) end
  end
  return '"' .. s .. '"'
end

local first_keys = { schema = 1, kind = 2 }

local function key_less(a, b)
  local fa, fb = first_keys[a], first_keys[b]
  if fa or fb then return (fa or 99) < (fb or 99) end
  return a < b
end

local function is_array(t)
  if getmetatable(t) == object_mt then return false end
  local n = #t
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
  end
  return true
end

local encode_value

local function encode_table(t, indent, depth)
  local nl, pad, inner = "", "", ""
  if indent then
    nl = "\n"
    pad = indent:rep(depth)
    inner = indent:rep(depth + 1)
  end
  local parts = {}
  if is_array(t) then
    if #t == 0 then return "[]" end
    for i = 1, #t do parts[i] = inner .. encode_value(t[i], indent, depth + 1) end
    return "[" .. nl .. table.concat(parts, "," .. nl) .. nl .. pad .. "]"
  end
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" then error("json: object keys must be strings", 0) end
    keys[#keys + 1] = k
  end
  if #keys == 0 then return "{}" end
  table.sort(keys, key_less)
  local sep = indent and ": " or ":"
  for i, k in ipairs(keys) do
    parts[i] = inner .. encode_string(k) .. sep .. encode_value(t[k], indent, depth + 1)
  end
  return "{" .. nl .. table.concat(parts, "," .. nl) .. nl .. pad .. "}"
end

encode_value = function(v, indent, depth)
  local ty = type(v)
  if v == nil or v == M.null then return "null" end
  if ty == "boolean" then return tostring(v) end
  if ty == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if math.type(v) == "integer" then return tostring(v) end
    if v == math.floor(v) and math.abs(v) < 2^53 then return ("%d"):format(v) end
    return ("%.14g"):format(v)
  end
  if ty == "string" then return encode_string(v) end
  if ty == "table" then return encode_table(v, indent, depth) end
  error("json: cannot encode a " .. ty, 0)
end

---Encode a value. `opts.indent` (a string) pretty-prints; `opts.depth`
---(default 0) is the nesting level the value sits at, for writing one
---element of a larger document at a time.
---@param value any nil, a boolean, number, string, table or json.null
---@param opts? {indent: string|nil, depth: integer|nil}
---@return string json raises on a function, another userdata or a non-string key
function M.encode(value, opts)
  return encode_value(value, opts and opts.indent, opts and opts.depth or 0)
end

---Decode JSON text.
---@param text string
---@return any|nil value json.null for null
---@return string|nil message cjson's, when text is not JSON (no code)
function M.decode(text)
  local ok, value = pcall(cjson.decode, text)
  if not ok then return nil, tostring(value) end
  return value
end

return M
