---@meta sesslua.context
-- LuaCATS definition of the table require("sesslua.context") returns (the
-- host makes it before the script runs; see docs/lua-api.md). For
-- editors; never loaded by sesslua.

---A search folder: scripts, modules and templates are looked for there.
---@class sesslua.SearchDir
---@field dir string
---@field source "path"|"team"|"user"
---@field skipped true|nil the team's folder of a tree this user has not trusted (all_search_dirs only)

---The script that runs.
---@class sesslua.Script
---@field path string the file, or "builtin:scripts/<name>.lua"
---@field source "path"|"team"|"user"|"built-in"
---@field exists boolean
---@field builtin string|nil "scripts/<name>.lua" for a built-in

---Where the workflow runs; treat it as read-only.
---@class sesslua.Context
---@field root string the coordination root (may not exist yet)
---@field root_source "--root"|"SESSLUA_ROOT"|"found"|"default"
---@field session string|nil the value of --session
---@field debug boolean whether --debug was given
---@field search_dirs sesslua.SearchDir[] in search order, the built-ins not included; the folders in use
---@field all_search_dirs sesslua.SearchDir[] the same with the team's folder of a tree not trusted, marked skipped
---@field trusted boolean whether this user trusts the tree (sesslua trust, SESSLUA_TRUST=1)
---@field script sesslua.Script
local context = {}

return context
