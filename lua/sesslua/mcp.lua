--- The MCP server behind `sesslua mcp`: JSON-RPC 2.0 on stdin and stdout,
--- one message per line, the Model Context Protocol's methods for tools
--- (mcp_tools), resources and prompts (mcp_content). Nothing but protocol
--- is written to stdout: the process's stdout is taken over (sesslua.stdio)
--- before anything runs. Internal to `sesslua mcp`.
local json = require("sesslua.json")
local stdio = require("sesslua.stdio")
local sys = require("sesslua.sys")
local builtin = require("sesslua.builtin")
local tools = require("sesslua.mcp_tools")
local content = require("sesslua.mcp_content")

local M = {}

---The handshake revisions this server speaks, newest first: a client's
---`initialize` asking for one of them gets it; any other gets the newest.
---@type string[]
M.PROTOCOL_VERSIONS = { "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05" }

---The stateless revisions, newest first: no handshake, each request names
---its revision in `_meta` (and is answered by itself, whatever came before).
---@type string[]
M.STATELESS_VERSIONS = { "2026-07-28" }

-- The per-request `_meta` keys of a stateless request.
local META_VERSION = "io.modelcontextprotocol/protocolVersion"
local META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"

---The longest message read, in bytes (`--max-message`).
---@type integer
M.MAX_MESSAGE = 16 * 1024 * 1024

-- JSON-RPC's error codes, and MCP's for a resource that is not there.
local PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND = -32700, -32600, -32601
local INVALID_PARAMS, INTERNAL_ERROR, RESOURCE_NOT_FOUND = -32602, -32603, -32002
-- 2026-07-28's error for a request whose revision the server does not speak.
local UNSUPPORTED_VERSION = -32022

local INSTRUCTIONS = "sesslua keeps this team's session logs, shared knowledge and messages. "
  .. "Start with status or morning, record work with update, share what others should know, "
  .. "end with eod. Tools act as the session named by as_session, else the server's."

---A diagnostic line on stderr (never stdout).
local function note(fmt, ...)
  io.stderr:write("sesslua: mcp: ", sys.escape_controls(fmt:format(...)), "\n")
end

---An error to answer a request with: raised by handlers, caught by dispatch.
local ERROR = {}
local function rpc_error(code, message, data)
  error(setmetatable({ code = code, message = message, data = data }, ERROR), 0)
end
M.rpc_error = rpc_error

local function params_table(p)
  if p == nil or p == json.null then return {} end
  if type(p) ~= "table" then rpc_error(INVALID_PARAMS, "params must be an object") end
  return p
end

---The method handlers: each takes (server, params) and returns the result
---table, and optionally a raw JSON text to splice in as structuredContent.
local methods = {}

---The capabilities a revision's client is told of: resources/subscribe is
---gone from 2026-07-28 (its subscriptions/listen is not served).
local function capabilities(stateless)
  return {
    tools = { listChanged = false },
    resources = { subscribe = not stateless or nil, listChanged = false },
    prompts = { listChanged = false },
  }
end

---Every revision served, newest first: the stateless ones, then the
---handshake ones (what server/discover and -32022 name).
---@return string[]
function M.supported_versions()
  return table.move(M.PROTOCOL_VERSIONS, 1, #M.PROTOCOL_VERSIONS, #M.STATELESS_VERSIONS + 1,
    table.move(M.STATELESS_VERSIONS, 1, #M.STATELESS_VERSIONS, 1, {}))
end

methods["initialize"] = function(s, p)
  local asked = type(p.protocolVersion) == "string" and p.protocolVersion or nil
  local version = M.PROTOCOL_VERSIONS[1]
  for _, v in ipairs(M.PROTOCOL_VERSIONS) do
    if v == asked then version = v end
  end
  s.version = version
  local client = type(p.clientInfo) == "table" and p.clientInfo or {}
  note("client %s %s, protocol %s", tostring(client.name or "?"), tostring(client.version or "?"), version)
  return {
    protocolVersion = version,
    capabilities = capabilities(false),
    serverInfo = { name = "sesslua", version = builtin.version },
    instructions = INSTRUCTIONS,
  }
end

methods["ping"] = function() return json.object({}) end

-- 2026-07-28's discovery (no handshake): what initialize told, for a
-- client to pick a revision before its first real request. The server's
-- name is in every stateless result's _meta (SERVER_INFO), not here.
methods["server/discover"] = function()
  return {
    supportedVersions = M.supported_versions(),
    capabilities = capabilities(true),
    instructions = INSTRUCTIONS,
  }
end

-- Where a 2026-07-28 result names the server.
local SERVER_INFO = "io.modelcontextprotocol/serverInfo"

---The methods a stateless (2026-07-28) request may name: ping,
---logging/setLevel, resources/subscribe and unsubscribe and initialize are
---gone from that revision, so they are -32601 there. "cache" marks those
---whose result must carry caching hints.
local STATELESS_METHODS = {
  ["server/discover"] = "cache", ["tools/list"] = "cache", ["tools/call"] = true,
  ["resources/list"] = "cache", ["resources/templates/list"] = "cache", ["resources/read"] = "cache",
  ["prompts/list"] = "cache", ["prompts/get"] = true,
}

-- A list answer's pages: resources grow with the tree (every archived log),
-- so they come 100 at a time; tools, templates and prompts are short
-- (tools/list is held under 12 KB) and come whole. A cursor is "<list>/<offset>": the
-- server issues only multiples of the page size, and refuses any other
-- cursor (-32602). One issued for a list that has since shrunk gives an
-- empty last page.
M.PAGE_SIZE = { tools = math.huge, resources = 100, ["resources/templates"] = math.huge, prompts = math.huge }

local function page(kind, list, p)
  local size, from = M.PAGE_SIZE[kind], 0
  local cursor = p.cursor
  if cursor ~= nil and cursor ~= json.null then
    local n = type(cursor) == "string" and cursor:sub(1, #kind + 1) == kind .. "/"
      and cursor:sub(#kind + 2):match("^[1-9]%d*$")
    from = n and math.tointeger(tonumber(n)) or nil
    if not from or size == math.huge or from % size ~= 0 then
      rpc_error(INVALID_PARAMS, ("%s/list: invalid cursor"):format(kind))
    end
  end
  if from == 0 and #list <= size then return list end
  local out = table.move(list, from + 1, math.min(from + size, #list), 1, {})
  return out, from + size < #list and ("%s/%d"):format(kind, from + size) or nil
end

methods["tools/list"] = function(s, p, version)
  local list, next_cursor = page("tools", s:listing(version), p)
  return { tools = list, nextCursor = next_cursor }
end

methods["tools/call"] = function(s, p)
  if type(p.name) ~= "string" then rpc_error(INVALID_PARAMS, "tools/call: name must be a string") end
  local t = s:tool(p.name)
  if not t then rpc_error(INVALID_PARAMS, ("unknown tool: %s"):format(p.name)) end
  local args = p.arguments
  if args == nil or args == json.null then args = {} end
  if type(args) ~= "table" or (next(args) ~= nil and args[1] ~= nil) then
    rpc_error(INVALID_PARAMS, "tools/call: arguments must be an object")
  end
  return tools.call(s.ctx, t, args)
end

methods["resources/list"] = function(s, p)
  local list, next_cursor = page("resources", content.resources(s.ctx, s:offered()), p)
  return { resources = list, nextCursor = next_cursor }
end

methods["resources/templates/list"] = function(_, p)
  local list, next_cursor = page("resources/templates", content.templates(), p)
  return { resourceTemplates = list, nextCursor = next_cursor }
end

methods["resources/read"] = function(s, p)
  if type(p.uri) ~= "string" then rpc_error(INVALID_PARAMS, "resources/read: uri must be a string") end
  local c, why = content.read(s.ctx, p.uri)
  if not c then rpc_error(RESOURCE_NOT_FOUND, why) end
  return { contents = { c } }
end

-- A subscribed resource is checked after every message and, while the
-- client is quiet, every POLL_MS: a change by this server's calls or by
-- anyone else (a person in a shell, git) is announced with
-- notifications/resources/updated.
local POLL_MS = 1000

methods["resources/subscribe"] = function(s, p)
  if type(p.uri) ~= "string" then rpc_error(INVALID_PARAMS, "resources/subscribe: uri must be a string") end
  local sig = content.signature(s.ctx, p.uri)
  if not sig then rpc_error(RESOURCE_NOT_FOUND, "resource not found: " .. p.uri) end
  s.subs[p.uri] = sig
  return json.object({})
end

methods["resources/unsubscribe"] = function(s, p)
  if type(p.uri) ~= "string" then rpc_error(INVALID_PARAMS, "resources/unsubscribe: uri must be a string") end
  s.subs[p.uri] = nil
  return json.object({})
end

methods["prompts/list"] = function(_, p)
  local list, next_cursor = page("prompts", content.prompts(), p)
  return { prompts = list, nextCursor = next_cursor }
end

methods["prompts/get"] = function(s, p)
  if type(p.name) ~= "string" then rpc_error(INVALID_PARAMS, "prompts/get: name must be a string") end
  local args = type(p.arguments) == "table" and p.arguments or {}
  local r, why = content.prompt(s, p.name, args)
  if not r then rpc_error(INVALID_PARAMS, why) end
  return r
end

-- logging/setLevel is answered (clients send it), though the server logs
-- only on stderr
methods["logging/setLevel"] = function() return json.object({}) end

local Server = {}
Server.__index = Server

---The tools, made once (a workflow's declaration runs its script up to
---cli.parse).
function Server:tools()
  if not self._by_name then
    self._tools = self._tools or tools.catalogue(self.ctx, self.only)
    self._by_name = {}
    for _, t in ipairs(self._tools) do self._by_name[t.name] = t end
  end
  return self._tools
end

---The names of the tools offered, as a set.
function Server:offered()
  self:tools()
  return self._by_name
end

function Server:tool(name)
  self:tools()
  return self._by_name[name]
end

-- The first revision with structuredContent and output schemas.
local STRUCTURED = "2025-06-18"

---The tools/list entries, made once per kind of revision: output schemas
---only for a client that speaks a revision that has them.
---@param version string|nil the request's revision (nil: the handshake's, else the newest)
function Server:listing(version)
  local structured = (version or self.version or M.PROTOCOL_VERSIONS[1]) >= STRUCTURED
  self._listing = self._listing or {}
  if not self._listing[structured] then
    local list = {}
    for i, t in ipairs(self:tools()) do list[i] = tools.listing(t, structured) end
    self._listing[structured] = list
  end
  return self._listing[structured]
end

---Run one in-process workflow for a prompt or resource: what tools.call gives.
function Server:run_tool(name, args)
  local t = self:tool(name)
  if not t then
    self._extra = self._extra or {}
    t = self._extra[name] or tools.catalogue(self.ctx, { name })[1]
    self._extra[name] = t
  end
  if not t then return nil end
  return tools.call(self.ctx, t, args)
end

---Write one message line; false when the client is gone.
function Server:send(text)
  local ok = self.output:write(text, "\n")
  ok = ok and self.output:flush()
  if not ok then self.gone = true end
  return ok
end

local function id_text(id)
  if id == nil then return "null" end
  return json.encode(id)
end

function Server:reply_error(id, code, message, data)
  self:send(('{"jsonrpc":"2.0","id":%s,"error":%s}'):format(id_text(id),
    json.encode({ code = code, message = message, data = data })))
end

function Server:reply(id, result, doc)
  local text = json.encode(result)
  if doc then text = text:sub(1, -2) .. ',"structuredContent":' .. doc .. "}" end
  self:send(('{"jsonrpc":"2.0","id":%s,"result":%s}'):format(id_text(id), text))
end

local function is_stateless(v)
  for _, known in ipairs(M.STATELESS_VERSIONS) do
    if v == known then return true end
  end
  return false
end

---The stateless revision a request is served under, or nil for the
---handshake's. A request whose `_meta` names no revision (every 2025
---client's) is served as it always was, and so is `initialize`; one that
---names a handshake revision is too (those are served without a prior
---initialize as well). server/discover needs `_meta`; a 2026-07-28 request
---needs its client capabilities; a revision not served is -32022 naming
---those that are.
---(A server/discover naming a handshake revision is answered as a stateless
---one: discovery exists only there.)
---@return string|nil stateless the stateless revision, if the request is one
---@return string|nil handshake the handshake revision its `_meta` names, if any
local function stateless_version(method, p)
  if method == "initialize" then return nil end
  local meta = p._meta
  local v = type(meta) == "table" and meta[META_VERSION] or nil
  if v == nil then
    if method ~= "server/discover" then return nil end
    rpc_error(INVALID_PARAMS, ("server/discover: params._meta needs %s"):format(META_VERSION))
  end
  if type(v) ~= "string" then rpc_error(INVALID_PARAMS, META_VERSION .. " must be a string") end
  local legacy = false
  for _, known in ipairs(M.PROTOCOL_VERSIONS) do legacy = legacy or v == known end
  if not legacy and not is_stateless(v) then
    rpc_error(UNSUPPORTED_VERSION, "unsupported protocol version: " .. v,
      { supported = M.supported_versions(), requested = v })
  end
  if legacy then
    if method == "server/discover" then return v end
    return nil, v
  end
  if type(meta[META_CAPABILITIES]) ~= "table" or meta[META_CAPABILITIES][1] ~= nil then
    rpc_error(INVALID_PARAMS, ("%s: params._meta needs %s (an object)"):format(method, META_CAPABILITIES))
  end
  return v
end

local function valid_id(id)
  return type(id) == "string" or (type(id) == "number" and math.tointeger(id) ~= nil)
end

---Run a request's handler under the revision the request names: the
---result table and, optionally, structuredContent's JSON text. Raises
---rpc_error for the refusals.
function Server:dispatch(handler, method, params)
  local p = params_table(params)
  local version, named = stateless_version(method, p)
  if version and not STATELESS_METHODS[method] then
    rpc_error(METHOD_NOT_FOUND, ("method not found in %s: %s"):format(version, method))
  end
  local r, d = handler(self, p, version or named)
  -- a 2026-07-28 result says it is complete (no input asked of the
  -- client) and names the server; a list or a read says how long it may be
  -- cached: not at all and for no one else, as logs change under a client
  -- at any time and the tools offered follow the trust list
  if version and type(r) == "table" then
    r.resultType = "complete"
    r._meta = { [SERVER_INFO] = { name = "sesslua", version = builtin.version } }
    if STATELESS_METHODS[method] == "cache" then r.ttlMs, r.cacheScope = 0, "private" end
  end
  return r, d
end

---Handle one decoded message.
function Server:handle(msg)
  if type(msg) ~= "table" or msg[1] ~= nil or next(msg) == nil then
    return self:reply_error(nil, INVALID_REQUEST,
      type(msg) == "table" and msg[1] ~= nil and "batches are not supported: one message per line"
      or "a message must be a JSON object")
  end
  local id, method = msg.id, msg.method
  if method == nil and (msg.result ~= nil or msg.error ~= nil) then return end -- a response: none asked
  if id == nil then return end -- a notification: never answered (initialized, cancelled, ...)
  if msg.jsonrpc ~= "2.0" or type(method) ~= "string" or not valid_id(id) then
    return self:reply_error(valid_id(id) and id or nil, INVALID_REQUEST,
      "a request needs jsonrpc \"2.0\", a method and a string or integer id")
  end
  local handler = methods[method]
  if not handler then return self:reply_error(id, METHOD_NOT_FOUND, "method not found: " .. method) end
  local ok, result, doc = pcall(self.dispatch, self, handler, method, msg.params)
  if ok then return self:reply(id, result, doc) end
  if getmetatable(result) == ERROR then return self:reply_error(id, result.code, result.message, result.data) end
  note("%s: %s", method, tostring(result))
  self:reply_error(id, INTERNAL_ERROR, "internal error: " .. tostring(result))
end

---Announce each subscribed resource that changed since it was last seen.
function Server:check_subscriptions()
  for uri, seen in pairs(self.subs) do
    local now = content.signature(self.ctx, uri) or "gone"
    if now ~= seen then
      self.subs[uri] = now
      self:send(('{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":%s}}'):format(
        json.encode(uri)))
    end
  end
end

---Handle one line as read from the client.
function Server:line(line, length)
  if line == false then
    return self:reply_error(nil, INVALID_REQUEST,
      ("message of %d bytes is over the limit of %d bytes"):format(length, self.max))
  end
  if not line:find("%S") then return end
  local msg, why = json.decode(line)
  if msg == nil then
    return self:reply_error(nil, PARSE_ERROR, "parse error: " .. tostring(why))
  end
  self:handle(msg)
end

---Serve until the end of input (exit 0) or until the client stops reading.
---@param ctx table the context (sesslua.context)
---@param opts {only: string[]|nil, max_message: integer|nil}
---@return integer exit code
---@return string|nil message why the server could not start
function M.serve(ctx, opts)
  local input, output, code = stdio.take()
  if not input then return 5, output .. " (" .. tostring(code) .. ")" end
  local s = setmetatable({ ctx = ctx, only = opts.only, _tools = opts.tools, input = input, output = output,
    max = opts.max_message or M.MAX_MESSAGE, subs = {} }, Server)
  note("serving %s", ctx.root)
  while not s.gone do
    local line, n, errcode = stdio.read_line(input, s.max, next(s.subs) and POLL_MS or nil)
    if errcode == "ETIMEDOUT" then
      s:check_subscriptions()
    elseif line == nil then
      if math.type(n) == "integer" then
        note("end of input inside a message (%d bytes): dropped", n)
      elseif n then
        note("%s", n); return 5
      end
      break
    else
      s:line(line, n)
      if next(s.subs) then s:check_subscriptions() end
    end
  end
  return 0
end

return M
