--- JSON output with a stable shape: keys sorted (`schema` and `kind`
--- first), empty tables as `[]`, `json.null` for absent values, and no
--- escaped slashes. Decoding goes to lua-cjson, which is strict and fast;
--- Debian's cjson 2.1 cannot encode `[]` or a stable key order, which the
--- `--json` contract needs, hence this encoder. It is written in C
--- (core/ljson.c: every `--json` document goes through it); its rules are
--- listed there, and tests/lua/json_oracle.lua is the Lua encoder it
--- replaced, byte for byte.
local cjson = require("cjson")
local json_c = require("sesslua.json_c")

local M = {}

---The value that encodes as `null` (cjson's own, so decode round-trips).
M.null = cjson.null

local object_mt = { __name = "json.object" }

---Mark a table as a JSON object, so that an empty one encodes as `{}`.
---@param t? table default: a new table
---@return table t
function M.object(t)
  return setmetatable(t or {}, object_mt)
end

-- The C encoder, given what this module means by null and by an object.
local encode_c = json_c.encoder(M.null, object_mt)

---Encode a value. `opts.indent` (a string) pretty-prints; `opts.depth`
---(default 0) is the nesting level the value sits at, for writing one
---element of a larger document at a time.
---@param value any nil, a boolean, number, string, table or json.null
---@param opts? {indent: string|nil, depth: integer|nil}
---@return string json raises on a function, another userdata, a non-string key or nesting deeper than 1000 levels
function M.encode(value, opts)
  return encode_c(value, opts and opts.indent, opts and opts.depth or 0)
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
