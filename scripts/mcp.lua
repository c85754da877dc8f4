--- Serve the workflows to AI agents: an MCP server on stdin and stdout.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local mcp = require("sesslua.mcp")
local tools = require("sesslua.mcp_tools")

local parser = cli.parser("mcp.lua", "Serve the workflows to AI agents: an MCP server on stdin and stdout.",
  "Register it with an agent's client as the command `sesslua mcp` (docs/mcp.md). Stdout carries"
  .. " only protocol; diagnostics go to stderr. It ends at the end of its input.")
parser:option("--tools", "Offer only these tools (comma-separated names, e.g. status,update,share).")
parser:option("--session", "The acting session of every call that names none (as sesslua --session).")
parser:option("--max-message", "The longest message read, in bytes (default 16 MiB)."):argname("BYTES")
  :convert(tonumber)
local args = cli.parse(parser)

if args.session then ctx.session = args.session end
local only
if args.tools then
  only = {}
  for name in args.tools:gmatch("[^,%s]+") do only[#only + 1] = name end
  if #only == 0 then cli.usage_error("mcp: --tools: no tool named") end
end
local max = args.max_message
if max and (math.type(max) ~= "integer" and max ~= math.floor(max) or max < 1024) then
  cli.usage_error("mcp: --max-message: a whole number of bytes, at least 1024")
end

local offered, unknown = tools.catalogue(ctx, only)
if #unknown > 0 then
  local names = {}
  for _, t in ipairs(tools.catalogue(ctx)) do names[#names + 1] = t.name end
  cli.usage_error(("mcp: --tools: no tool named %s"):format(table.concat(unknown, ", ")),
    "the tools: " .. table.concat(names, ", "))
end

local code, why = mcp.serve(ctx, { tools = offered, max_message = max and math.tointeger(max) })
if why then cli.fail(code, "mcp: " .. why) end
return code
