-- The manual against the code: docs/lua-api.md documents the stable modules
-- it lists (its "Stable and internal modules" tables), and this test fails
-- on any drift between that manual, the modules as loaded and their
-- LuaCATS annotations:
--   * every module file in lua/sesslua/ is listed as stable or internal,
--     and stable sections stand outside "Internal modules";
--   * every value a stable module exports (and every method of the objects
--     log.new, schema.builtin, md.parse and fs.lock make) has a `####`
--     heading in its module's section, and every function a heading names
--     exists;
--   * the parameters a heading lists (brackets of optional ones ignored)
--     are the function's, and so are its `---@param` annotations; a heading
--     shows a result (`→`) exactly when the function has a `---@return`;
--   * a stable C module (md, fs, sys, builtin) has LuaCATS definitions in
--     docs/meta/sesslua/<name>.lua, which stand in for its source: they
--     declare exactly the module's functions and methods;
--   * every `(#anchor)` link of the manual leads to one of its headings.
-- Names come from the modules as loaded, parameters from the functions
-- themselves (debug.getlocal), annotations from the source they were loaded
-- from. Run by hand: sesslua tests/lua/test_api_docs.lua (from the source
-- tree's root, or with the path to this file).
local md = require("sesslua.md")
local builtin = require("sesslua.builtin")

local here = debug.getinfo(1, "S").source:match("^@(.*)$")
local root = here:match("^(.*)/tests/lua/[^/]+$") or "."
local DOCS = "docs/lua-api.md"

local function read(path)
  local f = assert(io.open(root .. "/" .. path, "rb"))
  local text = f:read("a")
  f:close()
  return text
end

local problems = {}
local function problem(fmt, ...) problems[#problems + 1] = fmt:format(...) end

local function lines_of(text)
  local out = {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do out[#out + 1] = line:gsub("\r$", "") end
  return out
end

local function list(t) return "(" .. table.concat(t, ", ") .. ")" end
local function same(a, b) return table.concat(a, ",") == table.concat(b, ",") end
local function sorted_keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- The manual ---------------------------------------------------------------

local doc_text = read(DOCS)
local doc_parse = md.parse(doc_text)
local secs = doc_parse:sections()

---The parameter names of a heading's `(a [, b [, ...]])`, brackets dropped.
local function heading_params(inner, where)
  local out = {}
  for p in inner:gsub("[%[%]]", ""):gmatch("[^,]+") do
    p = p:match("^%s*(.-)%s*$")
    if p ~= "" then
      if not (p == "..." or p:match("^[%a_][%w_]*$")) then
        problem("%s: parameter '%s' is no name (write `f(a [, b])`)", where, p)
      end
      out[#out + 1] = p
    end
  end
  return out
end

---What a `####` heading documents: functions and methods with their
---parameters and whether a result is shown, and constants.
local function heading_refs(raw, where)
  local refs = {}
  local taken = {}
  for s, prefix, sep, name, args, e in raw:gmatch("()([%a_][%w_]*)([.:])([%a_][%w_]*)(%b())()") do
    refs[#refs + 1] = { prefix = prefix, sep = sep, name = name, params = heading_params(args:sub(2, -2), where),
                        returns = raw:find("→", e, true) ~= nil, call = true }
    for i = s, e - 1 do taken[i] = true end
  end
  for s, prefix, name in raw:gmatch("()([%a_][%w_]*)%.([%a_][%w_]*)") do
    if not taken[s] then refs[#refs + 1] = { prefix = prefix, sep = ".", name = name } end
  end
  return refs
end

-- Module sections (### sesslua.x), the part (##) each sits in, and their headings.
local sections = {}
for _, s in ipairs(secs) do
  local mod = s.level == 3 and s.raw_title:match("^sesslua%.([%w_]+)$")
  if mod then
    local part = s.parent and secs[s.parent].raw_title or ""
    sections[mod] = { line = s.line, part = part, headings = {} }
  end
end
for _, s in ipairs(secs) do
  local parent = s.parent and secs[s.parent]
  local mod = s.level == 4 and parent and parent.level == 3 and parent.raw_title:match("^sesslua%.([%w_]+)$")
  if mod then
    local where = ("%s:%d"):format(DOCS, s.line)
    table.insert(sections[mod].headings, { line = s.line, where = where, refs = heading_refs(s.raw_title, where) })
  end
end

-- The stable and internal lists: the tables headed "stable module" and
-- "internal module" in the section "Stable and internal modules".
local classes = { stable = {}, internal = {} }
do
  local statement
  for _, s in ipairs(secs) do
    if s.level == 2 and s.raw_title == "Stable and internal modules" then statement = s end
  end
  if not statement then
    problem("%s: no section \"## Stable and internal modules\" saying which modules are stable", DOCS)
  else
    local class
    for _, line in ipairs(lines_of(doc_text:sub(statement.heading_end, statement.body_end - 1))) do
      local head = line:match("^|%s*(%a+) module%s*|")
      if head then class = classes[head]
      elseif not line:match("^|") then class = nil
      elseif class and not line:match("^|%-") then
        for name in line:match("^|([^|]*)|"):gmatch("`sesslua%.([%w_]+)`") do class[name] = true end
      end
    end
  end
end

-- Checking one module against its headings ------------------------------------

---Names a module section documents: `prefix.name` (functions and
---constants) and `x:name` methods, each with its heading.
local function documented(mod)
  local sec = sections[mod]
  local out = { fields = {}, methods = {} }
  if not sec then return out end
  for _, h in ipairs(sec.headings) do
    for _, r in ipairs(h.refs) do
      if r.sep == ":" then
        out.methods[r.name] = { ref = r, heading = h }
      elseif r.prefix == mod then
        out.fields[r.name] = { ref = r, heading = h }
      elseif r.call then
        problem("%s: heading names %s.%s() inside section sesslua.%s (a heading of another module?)",
          h.where, r.prefix, r.name, mod)
      end
    end
  end
  return out
end

local sources = {} -- chunk name -> lines
local function source_lines(chunk)
  if not sources[chunk] then
    local text
    local name = chunk:match("^@builtin:(.*)$")
    if name then text = builtin.get(name)
    elseif chunk:match("^@") then
      local f = io.open(chunk:sub(2), "rb")
      text = f and f:read("a")
      if f then f:close() end
    end
    sources[chunk] = text and lines_of(text) or {}
  end
  return sources[chunk]
end

local function shown(chunk)
  chunk = chunk:gsub("^@builtin:", ""):gsub("^@", "")
  if chunk:sub(1, #root + 1) == root .. "/" then chunk = chunk:sub(#root + 2) end
  return chunk
end

---The `---@param` names and whether a `---@return` is there, from the
---`---` comment block right above line n.
local function annotations(lines, n, chunk)
  local params, returns = {}, false
  local i = n - 1
  while i >= 1 and lines[i]:match("^%s*%-%-%-") do
    local l = lines[i]
    local p = l:match("^%s*%-%-%-%s*@param%s+([%a_][%w_]*%??)") or l:match("^%s*%-%-%-%s*@param%s+(%.%.%.)")
    if p then
      if not l:match("@param%s+%S+%s+%S") then
        problem("%s:%d: ---@param %s has no type", chunk, i, p)
      end
      table.insert(params, 1, (p:gsub("%?$", "")))
    end
    if l:match("^%s*%-%-%-%s*@return%s+%S") then returns = true end
    i = i - 1
  end
  return params, returns
end

---The parameter names of a Lua function, without `self` for a method.
local function live_params(f, method)
  local info = debug.getinfo(f, "u")
  local out = {}
  for i = 1, info.nparams do out[#out + 1] = debug.getlocal(f, i) end
  if info.isvararg then out[#out + 1] = "..." end
  if method and out[1] == "self" then table.remove(out, 1) end
  return out
end

---Compare one function's heading, parameters and annotations.
---@param label string how to name it (`log.new`, `doc:section`)
---@param def table {params = names|nil, ann = names, returns = boolean, where = "file:line"}
---@param doc table|nil {ref, heading} from documented()
local function check_function(label, def, doc)
  if not doc then
    problem("%s: %s%s is exported but has no heading in %s", def.where, label,
      def.params and list(def.params) or "()", DOCS)
    return
  end
  local r, where = doc.ref, doc.heading.where
  if not r.call then
    problem("%s: %s is a function but its heading shows no parameters: write %s%s", where, label, label,
      def.params and list(def.params) or "(...)")
    return
  end
  local params = def.params or def.ann
  if not same(r.params, params) then
    problem("%s: %s: the heading's parameters %s are not the function's %s (%s)", where, label,
      list(r.params), list(params), def.where)
  end
  if def.params and not same(def.ann, def.params) then
    problem("%s: %s: ---@param annotations %s are not its parameters %s", def.where, label,
      list(def.ann), list(def.params))
  end
  if r.returns and not def.returns then
    problem("%s: %s: the heading shows a result (→) but the function has no ---@return (%s)", where, label, def.where)
  elseif def.returns and not r.returns then
    problem("%s: %s: ---@return annotated (%s) but the heading shows no result (→)", where, label, def.where)
  end
end

---The definition of a Lua function of a module: parameters, annotations.
local function lua_def(f, method, fallback_lines, fallback_chunk, field)
  if debug.getinfo(f, "S").what == "Lua" then
    local info = debug.getinfo(f, "S")
    local lines = source_lines(info.source)
    local ann, returns = annotations(lines, info.linedefined, shown(info.source))
    return { params = live_params(f, method), ann = ann, returns = returns,
             where = ("%s:%d"):format(shown(info.source), info.linedefined) }
  end
  -- a C function stored in a Lua module (`M.printable = sys.escape_controls`):
  -- its `---@type fun(a: t, ...): r` above that line says what it takes
  for n, l in ipairs(fallback_lines) do
    if l:match("^M%." .. field .. "%s*=") then
      local i, params, returns = n - 1, {}, false
      while i >= 1 and fallback_lines[i]:match("^%s*%-%-%-") do
        local args, rest = fallback_lines[i]:match("^%s*%-%-%-%s*@type%s+fun(%b())(.*)$")
        if args then
          for p in args:sub(2, -2):gmatch("([%a_][%w_]*%??)%s*:") do params[#params + 1] = (p:gsub("%?$", "")) end
          if args:find("%.%.%.") then params[#params + 1] = "..." end
          returns = rest:match("^%s*:") ~= nil
        end
        i = i - 1
      end
      return { ann = params, returns = returns, where = ("%s:%d"):format(shown(fallback_chunk), n) }
    end
  end
  return { ann = {}, returns = false, where = shown(fallback_chunk) }
end

---The colon methods a source defines on a local table (`function Doc:x(`).
local function source_methods(lines)
  local out = {}
  for n, l in ipairs(lines) do
    local t, name, args = l:match("^function%s+([%a_][%w_]*):([%a_][%w_]*)%s*(%b())")
    if t and t ~= "M" then out[name] = { line = n, args = args } end
  end
  return out
end

-- The objects whose methods belong to a module's surface: how to make one,
-- and the name the manual gives it in headings (`doc:section(name)`).
local OBJECTS = {
  log = { prefix = "doc", make = function(m) return m.new("") end },
  schema = { prefix = "s", make = function(m) return m.builtin() end },
  md = { prefix = "d", make = function(m) return m.parse("") end },
  fs = { prefix = "lock", make = function(m)
    local path = os.tmpname()
    local lock = assert(m.lock(path))
    return lock, function() lock:release(); os.remove(path) end
  end },
}

---Check the exported values of a module against its headings: `live` is
---the module as loaded, `defs(k)` the definition of function k.
local function check_fields(mod, live, docs, defs, where)
  for _, k in ipairs(sorted_keys(live)) do
    local v, d = live[k], docs.fields[k]
    if type(v) == "function" then
      local def = defs(k)
      if def then check_function(mod .. "." .. k, def, d) end
    elseif not d then
      problem("%s: %s.%s (a %s) is exported but has no heading in %s", where, mod, k, type(v), DOCS)
    elseif d.ref.call then
      problem("%s: %s.%s is a %s, not a function, but its heading calls it", d.heading.where, mod, k, type(v))
    end
  end
  for name, d in pairs(docs.fields) do
    if live[name] == nil then
      problem("%s: heading names %s.%s, which %s does not export", d.heading.where, mod, name, where)
    end
  end
end

---Check the methods of a module's object: `names` those defined (name ->
---true), `def(name)` a method's definition.
local function check_methods(mod, names, docs, def, where)
  local prefix = OBJECTS[mod] and OBJECTS[mod].prefix or "obj"
  for _, name in ipairs(sorted_keys(names)) do
    local d = def(name)
    if d then check_function(prefix .. ":" .. name, d, docs.methods[name]) end
  end
  for name, d in pairs(docs.methods) do
    if not names[name] then
      problem("%s: heading names the method %s:%s, which %s does not define", d.heading.where,
        d.ref.prefix, name, where)
    elseif d.ref.prefix ~= prefix then
      problem("%s: write %s:%s, as every heading of these objects does", d.heading.where, prefix, name)
    end
  end
end

local function check_lua_module(mod)
  local m = require("sesslua." .. mod)
  local chunk = "@builtin:lua/sesslua/" .. mod .. ".lua"
  for _, v in pairs(m) do
    if type(v) == "function" and debug.getinfo(v, "S").what == "Lua" then
      chunk = debug.getinfo(v, "S").source
      break
    end
  end
  local lines, docs = source_lines(chunk), documented(mod)
  check_fields(mod, m, docs, function(k) return lua_def(m[k], false, lines, chunk, k) end, shown(chunk))
  local defined = source_methods(lines)
  local obj = OBJECTS[mod] and OBJECTS[mod].make(m)
  local names = {}
  for name in pairs(defined) do names[name] = true end
  check_methods(mod, names, docs, function(name)
    local f = obj and obj[name]
    if type(f) ~= "function" then
      problem("%s:%d: method %s is defined, but this test cannot reach it (add its object to OBJECTS)",
        shown(chunk), defined[name].line, name)
      return nil
    end
    return lua_def(f, true, lines, chunk, name)
  end, shown(chunk))
end

---A C module: names from the module as loaded, parameters and annotations
---from its LuaCATS definitions (docs/meta/sesslua/<name>.lua, a chunk of
---stubs returning the module's table).
local function check_c_module(mod)
  local path = "docs/meta/sesslua/" .. mod .. ".lua"
  local chunk_name = "@" .. root .. "/" .. path
  local load_meta, err = loadfile(root .. "/" .. path)
  if not load_meta then
    problem("%s: sesslua.%s is a stable C module, but its LuaCATS definitions do not load: %s", DOCS, mod, err)
    return
  end
  local stub = load_meta()
  local live = require("sesslua." .. mod)
  local lines, docs = source_lines(chunk_name), documented(mod)
  check_fields(mod, live, docs, function(k)
    if type(stub[k]) ~= "function" then
      problem("%s: %s.%s is a function of sesslua.%s but is not declared there", path, mod, k, mod)
      return nil
    end
    return lua_def(stub[k], false, lines, chunk_name, k)
  end, "sesslua." .. mod)
  for _, k in ipairs(sorted_keys(stub)) do
    if live[k] == nil then problem("%s: declares %s.%s, which sesslua.%s does not have", path, mod, k, mod) end
  end
  local obj, done
  if OBJECTS[mod] then obj, done = OBJECTS[mod].make(live) end
  local index = obj and debug.getmetatable(obj).__index or {}
  local declared, names = source_methods(lines), {}
  for name, v in pairs(index) do if type(v) == "function" then names[name] = true end end
  check_methods(mod, names, docs, function(name)
    local d = declared[name]
    if not d then
      problem("%s: the method %s:%s of sesslua.%s is not declared there", path,
        OBJECTS[mod].prefix, name, mod)
      return nil
    end
    local ann, returns = annotations(lines, d.line, path)
    return { params = heading_params(d.args:sub(2, -2), path .. ":" .. d.line), ann = ann,
             returns = returns, where = ("%s:%d"):format(path, d.line) }
  end, "sesslua." .. mod)
  for name, d in pairs(declared) do
    if not names[name] then
      problem("%s:%d: declares the method %s, which sesslua.%s's objects do not have", path, d.line, name, mod)
    end
  end
  if done then done() end
end

-- The checks --------------------------------------------------------------------

-- every module file is classified; stable sections are not filed as internal
for _, name in ipairs(builtin.names("lua/sesslua/")) do
  local mod = name:match("^lua/sesslua/([%w_]+)%.lua$")
  if mod and not classes.stable[mod] and not classes.internal[mod] then
    problem("%s: sesslua.%s (lua/sesslua/%s.lua) is listed neither as a stable nor as an internal module",
      DOCS, mod, mod)
  end
end
for mod in pairs(classes.stable) do
  if classes.internal[mod] then problem("%s: sesslua.%s is listed as stable and as internal", DOCS, mod) end
  local sec = sections[mod]
  if not sec then
    problem("%s: sesslua.%s is listed as stable but has no \"### sesslua.%s\" section", DOCS, mod, mod)
  elseif sec.part == "Internal modules" then
    problem("%s:%d: sesslua.%s is stable but its section is under \"Internal modules\"", DOCS, sec.line, mod)
  end
end
for mod in pairs(classes.internal) do
  local sec = sections[mod]
  if sec and sec.part ~= "Internal modules" then
    problem("%s:%d: sesslua.%s is internal but its section is under \"%s\", not \"Internal modules\"",
      DOCS, sec.line, mod, sec.part)
  end
end

local checked = 0
for _, mod in ipairs(sorted_keys(classes.stable)) do
  if sections[mod] then
    if mod == "context" then -- a table of values the host makes; documented as a table
    elseif builtin.get("lua/sesslua/" .. mod .. ".lua") then check_lua_module(mod)
    else check_c_module(mod) end
    checked = checked + 1
  end
end
if checked < 10 then problem("%s: only %d stable modules found to check", DOCS, checked) end

-- every in-page link leads to a heading (GitHub's anchors)
do
  local anchors = {}
  for _, s in ipairs(secs) do
    local a = s.raw_title:lower():gsub("[\128-\255]", ""):gsub("[^%w%s_-]", ""):gsub("%s", "-")
    anchors[a] = true
  end
  local n = 0
  for line in (doc_text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    for a in line:gmatch("%]%(#([^)]+)%)") do
      if not anchors[a] then problem("%s:%d: link to #%s, which no heading has", DOCS, n, a) end
    end
  end
end

if #problems > 0 then
  table.sort(problems)
  error(("%d difference(s) between %s and the code:\n  %s"):format(#problems, DOCS,
    table.concat(problems, "\n  ")), 0)
end
io.write(("%d stable modules match %s\n"):format(checked, DOCS))
