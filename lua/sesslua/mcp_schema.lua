--- The JSON contract's schemas (docs/json/*.schema.json, compiled into the
--- binary) as the MCP server uses them: a compact output schema per tool,
--- and the whole schema as a resource. Internal to `sesslua mcp`.
local builtin = require("sesslua.builtin")
local json = require("sesslua.json")

local M = {}

local PREFIX, SUFFIX = "docs/json/", ".schema.json"

---Every schema of the contract: `{kind, name, tool, title, text}` by kind,
---sorted by kind. `tool` is the tool whose workflow prints that kind, read
---from the schema's title ("message.lua send --json: ..." is message_send),
---so a schema added to the contract reaches its tool with no code here.
---@return table[] schemas
function M.all()
  if M._all then return M._all end
  local out = {}
  for _, name in ipairs(builtin.names(PREFIX)) do
    local text = builtin.get(name)
    local doc = text and json.decode(text)
    local kind = name:sub(#PREFIX + 1, -#SUFFIX - 1)
    if type(doc) == "table" and name:sub(-#SUFFIX) == SUFFIX then
      local title = type(doc.title) == "string" and doc.title or ""
      local workflow, command = title:match("^([%w_-]+)%.lua ([%w_-]*) ?%-%-json")
      local tool = workflow and (command ~= "" and workflow .. "_" .. command or workflow)
      out[#out + 1] = { kind = kind, name = name, tool = tool, title = title, text = text, doc = doc }
    end
  end
  M._all = out
  return out
end

---The schema of one kind, or nil.
---@param kind string "update", "log", ...
---@return table|nil schema from M.all
function M.kind(kind)
  for _, s in ipairs(M.all()) do
    if s.kind == kind then return s end
  end
  return nil
end

---The compact output schema of a built-in tool, or nil when the contract
---has none for it: an object whose `kind` is the contract's constant.
---Compact because tools/list must stay under 12 KB (the whole schemas are
---8.5 KB more, and even the list of every required key 1.6 KB, where the
---room left is under 1 KB): the kind is what a client's check of a result
---needs (another document, such as an error's, fails it); the whole schema
---is the resource `sesslua://schema/<kind>`.
---@param tool string the tool's name (update, message_send, ...)
---@return table|nil schema
function M.output(tool)
  for _, s in ipairs(M.all()) do
    if s.tool == tool then
      local props = type(s.doc.properties) == "table" and s.doc.properties or {}
      return { type = "object", properties = { kind = props.kind or { const = s.kind } }, required = { "kind" } }
    end
  end
  return nil
end

return M
