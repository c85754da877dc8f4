--- The MCP server's tools: one per workflow, its input schema made from
--- the workflow's own command line (runner.declaration), its call run in
--- this process (runner.run) with everything it prints captured. Internal
--- to `sesslua mcp`.
local runner = require("sesslua.runner")
local cli = require("sesslua.cli")
local json = require("sesslua.json")
local stdio = require("sesslua.stdio")
local sys = require("sesslua.sys")
local tree = require("sesslua.tree")
local contract = require("sesslua.mcp_schema")

local M = {}

---The workflows a session uses, as tools (a command of a workflow is
---`workflow_command`). sync only when the tree has it; trusted team
---workflows with a description are added to these.
M.DEFAULT = { "create", "update", "view", "list", "status", "share", "search", "handoff",
  "archive", "morning", "eod", "message_send", "message_inbox", "message_read", "doctor", "sync" }

-- Built-ins that are no tool: the tree's set-up, the user's own trust and
-- settings, one-off conversions, a page generator that writes anywhere,
-- the server itself, the merge driver git runs, and edit (it starts a
-- person's editor: no agent's tool).
local NOT_TOOLS = { init = true, trust = true, config = true, migrate = true, dashboard = true,
  mcp = true, ["merge-driver"] = true, edit = true }

-- Built-in tools that change nothing, whatever their arguments: a client
-- may run them without asking (MCP's readOnlyHint). A team's own workflow
-- of the same name gets no such hint.
local READ_ONLY = { view = true, list = true, status = true, search = true, handoff = true }

-- Options a tool never shows: --json is always given when the workflow has
-- it, and there is no terminal to be interactive on or to page for.
local HIDDEN = { help = true, json = true, interactive = true, no_pager = true }

-- Lists a workflow checks itself but does not declare as choices: the
-- message priorities (refused when unknown). Work statuses are not here:
-- update writes another status with a warning.
local function enums()
  local ok, messages = pcall(require, "sesslua.messages")
  return { priority = ok and messages.PRIORITIES or nil }
end

---A description without the offer of '-' for standard input: a call
---refuses '-' (it has no standard input), so the offer would mislead.
local function no_stdin(text)
  if type(text) ~= "string" then return text end
  return (text:gsub("%s*%([^()]-may be '%-' for stdin%)", ""):gsub(";[^;.]-may be '%-' for stdin", ""))
end

---The JSON Schema of one option.
local function option_schema(o, known)
  local s
  local one = { type = o.type == "number" and "number" or "string" }
  if o.choices then one.enum = o.choices end
  if o.flag then
    s = { type = "boolean" }
  elseif o.args > 1 then
    s = { type = "array", items = one, minItems = o.args, maxItems = o.args }
    if o.repeatable then s = { type = "array", items = s } end
  elseif o.repeatable then
    s = { type = "array", items = one }
  else
    s = one
  end
  if not o.choices and known[o.name] then
    local target = s.items or s
    target.enum = known[o.name]
  end
  s.description = no_stdin(o.description)
  if o.default ~= nil and not o.flag then s.default = o.default end
  return s
end

---The JSON Schema of one positional argument.
local function argument_schema(a)
  local one = { type = a.type == "number" and "number" or "string" }
  if a.choices then one.enum = a.choices end
  local s = a.variadic and { type = "array", items = one } or one
  s.description = no_stdin(a.description)
  return s
end

---A tool's input schema, and how to turn its arguments back into argv.
local function tool_of(name, decl, command, known)
  local props, required, order = json.object({}), {}, {}
  local has = {}
  for _, o in ipairs(decl.options) do
    has[o.name] = true
    if not HIDDEN[o.name] then
      props[o.name] = option_schema(o, known)
      order[#order + 1] = { option = o }
    end
  end
  for _, a in ipairs(decl.arguments) do
    props[a.name] = argument_schema(a)
    order[#order + 1] = { argument = a }
    if not a.optional then required[#required + 1] = a.name end
  end
  if not props.as_session then
    -- no description: its name and the server's instructions say it, and
    -- it is in every tool (bytes in every agent's context)
    props.as_session = { type = "string" }
  end
  -- no additionalProperties: false (bytes in every agent's context);
  -- M.argv refuses an unknown argument by name instead
  local schema = { type = "object", properties = props }
  if #required > 0 then schema.required = required end
  -- the contract's schema only for the shipped workflow: a team's own
  -- workflow of the same name prints what it likes
  local output = decl.builtin and has.json and contract.output(name) or nil
  return { name = name, workflow = decl.workflow, command = command, order = order, raw = decl.raw,
    json = has.json or false, description = no_stdin(decl.description) or "", builtin = decl.builtin,
    schema = schema, output = output }
end

---Every tool this server offers, in order: the names asked for (`only`),
---else the default set and the trusted team workflows that describe
---themselves. Returns the tools and the names asked for that are none.
---@param ctx table the context
---@param only? string[] tool names (--tools)
---@return table[] tools
---@return string[] unknown
function M.catalogue(ctx, only)
  local known = enums()
  local by_name, listed, team = {}, {}, {}
  local function add(t) by_name[t.name] = t; listed[#listed + 1] = t.name end
  for _, w in ipairs(runner.workflows(ctx)) do
    if w.source ~= "skipped" and not NOT_TOOLS[w.name] then
      local decl = runner.declaration(ctx, w.name)
      if not decl and w.source ~= "built-in" then
        -- a team workflow that parses no declared command line: its words as they are
        decl = { description = w.description, options = {}, commands = {}, raw = true,
          arguments = { { name = "args", optional = true, variadic = true,
            description = "Its command-line arguments." } } }
      end
      if decl then
        decl.workflow, decl.builtin = w.name, w.source == "built-in"
        for _, c in ipairs(decl.commands) do
          c.workflow = w.name
          c.builtin = decl.builtin
          add(tool_of(w.name .. "_" .. c.name, c, c.name, known))
        end
        if #decl.commands == 0 then add(tool_of(w.name, decl, nil, known)) end
        if w.source ~= "built-in" then team[w.name] = true end
      end
    end
  end
  local names, unknown = {}, {}
  if only then
    for _, n in ipairs(only) do
      if by_name[n] then names[#names + 1] = n else unknown[#unknown + 1] = n end
    end
  else
    local default = {}
    for _, n in ipairs(M.DEFAULT) do default[n] = true end
    for _, n in ipairs(listed) do
      if default[n] or team[by_name[n].workflow] then names[#names + 1] = n end
    end
  end
  local tools = {}
  for _, n in ipairs(names) do tools[#tools + 1] = by_name[n] end
  return tools, unknown
end

---The `tools/list` entry of a tool.
---@param t table from M.catalogue
---@param structured? boolean the protocol revision has output schemas (2025-06-18 on)
---@return table
function M.listing(t, structured)
  return { name = t.name, description = t.description, inputSchema = t.schema,
    outputSchema = structured and t.output or nil,
    annotations = t.builtin and READ_ONLY[t.name] and { readOnlyHint = true } or nil }
end

---A number as a command-line word (60, not 60.0).
local function number_word(v)
  local i = math.tointeger(v)
  return i and tostring(i) or tostring(v)
end

---Check one value against a property's schema; returns the words it gives, or nil and why.
local function words_of(key, v, s)
  -- a number for a string (progress 60) and a numeric string for a
  -- number are taken as typed: the workflow checks the value itself
  local function scalar(x, sch)
    if sch.type == "number" then
      if type(x) == "string" and tonumber(x) then return x end
      if type(x) ~= "number" then return nil, ("'%s' must be a number"):format(key) end
      return number_word(x)
    end
    if type(x) == "number" then return number_word(x) end
    if type(x) ~= "string" then return nil, ("'%s' must be a string"):format(key) end
    if x == "-" then
      return nil, ("'%s': '-' reads standard input, which a tool call has not; give the text"):format(key)
    end
    return x
  end
  if s.type == "boolean" then
    if type(v) ~= "boolean" then return nil, ("'%s' must be true or false"):format(key) end
    return {}
  end
  if s.type ~= "array" then
    local w, why = scalar(v, s)
    return w and { w } or nil, why
  end
  -- one value for a list, one TOPIC TEXT pair for a list of pairs
  if type(v) ~= "table" and s.items.type ~= "array" then v = { v } end
  if s.items.type == "array" and type(v) == "table" and type(v[1]) ~= "table" then v = { v } end
  if type(v) ~= "table" or (next(v) ~= nil and v[1] == nil) then
    return nil, ("'%s' must be an array"):format(key)
  end
  local out = {}
  for _, x in ipairs(v) do
    if s.items.type == "array" then
      local inner, why = words_of(key, x, s.items)
      if not inner then return nil, why end
      out[#out + 1] = inner
    else
      local w, why = scalar(x, s.items)
      if not w then return nil, why end
      out[#out + 1] = w
    end
  end
  if s.minItems and #out ~= s.minItems then
    return nil, ("'%s' must hold %d values"):format(key, s.minItems)
  end
  return out
end

---The command line a call's arguments stand for: options as
---`--name=value` (so a value starting with '-' is never an option), then
---`--` and the positional arguments. nil and a message for an argument
---the tool does not take or a value of the wrong type.
---@param t table the tool
---@param args table the call's arguments (decoded JSON)
---@return string[]|nil argv
---@return string|nil why
function M.argv(t, args)
  local props = t.schema.properties
  for k in pairs(args) do
    if type(k) ~= "string" or not props[k] then
      return nil, ("unknown argument '%s'"):format(tostring(k))
    end
  end
  local as = args.as_session
  if as ~= nil and type(as) ~= "string" and not math.tointeger(as) then
    return nil, "'as_session' must be a session id"
  end
  -- checked here so that the refusal names as_session, not the server's --session
  local ok, why = true, nil
  if as ~= nil then ok, why = tree.normalize_id(tostring(math.tointeger(as) or as)) end
  if not ok then return nil, ("'as_session': %s"):format(why) end
  for _, k in ipairs(t.schema.required or {}) do
    if args[k] == nil or args[k] == json.null then return nil, ("'%s' is required"):format(k) end
  end
  local argv, tail = {}, {}
  if t.command then argv[1] = t.command end
  for _, e in ipairs(t.order) do
    local o, a = e.option, e.argument
    local key = (o or a).name
    local v = args[key]
    if v ~= nil and v ~= json.null and v ~= false then
      local w, why = words_of(key, v, props[key])
      if not w then return nil, why end
      if a then
        table.move(w, 1, #w, #tail + 1, tail)
      else
        local flag = o.aliases[#o.aliases]
        if o.flag then argv[#argv + 1] = flag end
        for _, x in ipairs(o.flag and {} or (props[key].type == "array" and w or { w[1] })) do
          if type(x) == "table" then
            argv[#argv + 1] = flag
            table.move(x, 1, #x, #argv + 1, argv)
          elseif o.args > 1 then
            argv[#argv + 1] = flag; table.move(w, 1, #w, #argv + 1, argv); break
          else
            argv[#argv + 1] = flag .. "=" .. x
          end
        end
      end
    end
  end
  if t.json then argv[#argv + 1] = "--json" end
  if #tail > 0 then
    if not t.raw then argv[#argv + 1] = "--" end
    table.move(tail, 1, #tail, #argv + 1, argv)
  end
  return argv
end

---Run fn with os.exit raising instead of ending the server, and io.stderr
---going to a temporary file; returns fn's results and what went to stderr.
local function captured(fn)
  local err = io.tmpfile()
  local saved_err, saved_exit = io.stderr, os.exit
  io.stderr = err or saved_err
  os.exit = function(code)
    code = code == true and 0 or code == false and 1 or math.tointeger(code) or 0
    error({ code = code }, 0)
  end
  local code, message = fn()
  io.stderr, os.exit = saved_err, saved_exit
  local text = ""
  if err then err:seek("set"); text = err:read("a") or ""; err:close() end
  return code, message, text
end

---The one-line message the command line would print for a refusal.
local function refusal(message)
  local m = sys.escape_controls(message)
  if #m > 400 then m = m:sub(1, 200) .. ("… (%d bytes cut) …"):format(#m - 300) .. m:sub(-100) end
  return "sesslua: " .. m
end

---Run a tool call: the workflow in this process, its stdout and stderr
---captured. Returns the `tools/call` result as a table, the JSON document
---the workflow printed (compact text, spliced in by the caller), or nil.
---@param ctx table the context
---@param t table the tool
---@param args table the call's arguments
---@return table result
---@return string|nil document compact JSON text for structuredContent
function M.call(ctx, t, args)
  local argv, why = M.argv(t, args or {})
  if not argv then
    local line = refusal(("%s: %s"):format(t.name, why))
    return { isError = true, content = { { type = "text", text = line .. " (exit 2)" } } }
  end
  local saved_session = ctx.session
  local as = args.as_session
  if type(as) == "number" then as = math.tointeger(as) and tostring(math.tointeger(as)) end
  if type(as) == "string" then ctx.session = as end
  stdio.collect() -- drop anything written between calls
  local code, message, err = captured(function()
    local c, m = runner.run(ctx, t.workflow, argv)
    cli.written_warnings() -- writes done but maybe not durable: said in this result
    return c, m
  end)
  ctx.session = saved_session
  local out = stdio.collect() or ""
  local content, doc, failed = {}, nil, false
  if t.json and out:match("^%s*{") then
    local compact = out:gsub("\n *", "")
    local d = json.decode(compact)
    -- a failure's document (kind error) is text only: structuredContent
    -- is the tool's own kind, what its output schema promises
    failed = type(d) == "table" and d.kind == "error"
    if type(d) == "table" then doc = compact end
  end
  if doc then
    content[1] = { type = "text", text = doc }
  elseif out ~= "" then
    content[1] = { type = "text", text = out }
  end
  if message and message ~= "" then
    content[#content + 1] = { type = "text", text = refusal(message) .. (" (exit %d)"):format(code) }
  elseif code ~= 0 then
    content[#content + 1] = { type = "text", text = ("exit %d"):format(code) }
  end
  if err ~= "" then content[#content + 1] = { type = "text", text = err } end
  if #content == 0 then content[1] = { type = "text", text = "done" } end
  local is_error = failed or code >= 2 or (message ~= nil and message ~= "")
  return { isError = is_error, content = content }, not failed and doc or nil
end

return M
