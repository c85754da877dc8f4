---@meta sesslua.builtin
-- LuaCATS definitions of the C module sesslua.builtin (core/host.c): the
-- files compiled into the binary. For editors; never loaded by sesslua.
-- tests/lua/test_api_docs.lua checks them against the module and
-- docs/lua-api.md.

local builtin = {}

---sesslua's version string ("0.1.0").
---@type string
builtin.version = ""

---The linked cmark's version string.
---@type string
builtin.cmark_version = ""

---The Lua release built against ("Lua 5.4.4").
---@type string
builtin.lua_release = ""

---The content of a built-in file by its name in the binary
---("scripts/create.lua", "templates/session-log.md"); nil when there is none.
---@param name string
---@return string|nil text
function builtin.get(name) end

---The built-in file name compiled as a Lua chunk (chunk name
---`@builtin:<name>`), not yet called.
---@param name string
---@return function|nil chunk
---@return string|nil message "builtin:<name>: no such built-in", or Lua's syntax error
---@return string|nil code "ENOENT" for a missing name; nil for a syntax error
function builtin.load(name) end

---The sorted names of the built-in files starting with prefix (default: all).
---@param prefix? string
---@return string[] names
function builtin.names(prefix) end

return builtin
