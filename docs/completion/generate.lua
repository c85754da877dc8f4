--- Writes shell completion for bash, zsh and fish at build time, from each
--- built-in workflow's own command-line declaration (what `sesslua
--- --describe NAME` prints). The options, how many values each takes and
--- what kind of value it is become data at the top of each file; the rest of
--- the file is the hand-written driver of that shell (sesslua.bash.in,
--- _sesslua.zsh.in, sesslua.fish.in). Values that live in the tree (session
--- ids, section names, message ids) are asked of sesslua while completing.
---
---   sesslua docs/completion/generate.lua SRCDIR OUTDIR
local runner = require("sesslua.runner")
local ctx = require("sesslua.context")
local log = require("sesslua.log")
local tree = require("sesslua.tree")

local srcdir, outdir = arg[1], arg[2]
if not (srcdir and outdir) then
  io.stderr:write("usage: sesslua generate.lua SRCDIR OUTDIR\n")
  return 2
end

-- The kind of value an option or argument takes, by its name in the
-- declaration (`--session ID` is a session id in every workflow). Kinds:
-- session, newid, recipient, status, section, ktype, msgid, dir, text.
local OPTION_KINDS = {
  session = "session", section = "section", status = "status",
  knowledge = "ktype", reply_to = "msgid",
}
local ARGUMENT_KINDS = { id = "session", ids = "msgid", to = "recipient", dir = "dir" }
-- Where a name alone does not say it: `create ID` takes a new id; share's
-- words are [TYPE] CATEGORY TEXT [IMPACT], the first a knowledge type.
local ARGUMENT_OVERRIDES = {
  create = { "newid", "text", "text" },
  share = { "ktype", "text*" },
}

---The kind of an option's values: its choices, else by its name, else text.
local function option_kind(o)
  if o.choices then return "=" .. table.concat(o.choices, ",") end
  return OPTION_KINDS[o.name] or "text"
end

local function argument_kinds(key, d)
  if ARGUMENT_OVERRIDES[key] then return ARGUMENT_OVERRIDES[key] end
  local kinds = {}
  for _, a in ipairs(d.arguments) do
    local k = a.choices and "=" .. table.concat(a.choices, ",") or ARGUMENT_KINDS[a.name] or "text"
    kinds[#kinds + 1] = k .. (a.variadic and "*" or "")
  end
  return kinds
end

---One flat record per workflow and per command of one (`message send`):
---{key, options = {{aliases, args, kind, description}}, args = {kind...}, cmds}.
local function records(key, d, out)
  local rec = { key = key, options = {}, args = argument_kinds(key, d), cmds = {} }
  for _, o in ipairs(d.options) do
    rec.options[#rec.options + 1] = {
      aliases = o.aliases, args = o.args or 0, kind = option_kind(o),
      description = (o.description or ""):gsub("%s+", " "),
    }
  end
  for _, c in ipairs(d.commands or {}) do
    rec.cmds[#rec.cmds + 1] = { name = c.name, description = c.description or "" }
  end
  out[#out + 1] = rec
  for _, c in ipairs(d.commands or {}) do records(key .. " " .. c.name, c, out) end
end

local all, names = {}, {}
for _, w in ipairs(runner.workflows(ctx)) do
  if w.source == "built-in" then
    local d = runner.declaration(ctx, w.name)
    local name = w.name:gsub("%.lua$", "")
    names[#names + 1] = name
    if d then records(name, d, all) end
  end
end
local ktypes = {}
for _, k in ipairs(tree.KNOWLEDGE) do ktypes[#ktypes + 1] = k.type end

---A word in single quotes for bash and zsh.
local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
---For fish, where a backslash inside single quotes escapes.
local function fq(s)
  return "'" .. tostring(s):gsub("\\", "\\\\"):gsub("'", "\\'") .. "'"
end

---"alias nargs kind" per alias of every option of a record.
local function spec_words(rec)
  local words = {}
  for _, o in ipairs(rec.options) do
    for _, a in ipairs(o.aliases) do words[#words + 1] = a .. " " .. o.args .. " " .. o.kind end
  end
  return words
end

local function cmd_names(rec)
  local t = {}
  for _, c in ipairs(rec.cmds) do t[#t + 1] = c.name end
  return table.concat(t, " ")
end

---Bash and zsh share the data's shape: associative arrays keyed by record
---(the descriptions only for zsh, which shows them). Bash assigns
---`a['k']=v`; zsh would keep the quotes in such a key, so it appends pairs.
local function sh_data(declare, with_descs)
  local form = with_descs and "%s+=(%s %s)" or "%s[%s]=%s"
  local out = {
    "_sesslua_builtins=" .. q(table.concat(names, " ")),
    "_sesslua_statuses=" .. q(table.concat(log.WORK_STATUSES, " ")),
    "_sesslua_ktypes=" .. q(table.concat(ktypes, " ")),
    declare .. " _sesslua_opts _sesslua_args _sesslua_cmds _sesslua_descs",
  }
  for _, rec in ipairs(all) do
    local k = q(rec.key)
    out[#out + 1] = form:format("_sesslua_opts", k, q(table.concat(spec_words(rec), "\n")))
    out[#out + 1] = form:format("_sesslua_args", k, q(table.concat(rec.args, " ")))
    if #rec.cmds > 0 then out[#out + 1] = form:format("_sesslua_cmds", k, q(cmd_names(rec))) end
    for _, o in ipairs(with_descs and rec.options or {}) do
      for _, a in ipairs(o.aliases) do
        out[#out + 1] = form:format("_sesslua_descs", q(rec.key .. " " .. a), q(o.description))
      end
    end
    for _, c in ipairs(with_descs and rec.cmds or {}) do
      out[#out + 1] = form:format("_sesslua_descs", q(rec.key .. " " .. c.name), q(c.description))
    end
  end
  return table.concat(out, "\n") .. "\n"
end

---Fish has no associative arrays: one list variable per record.
local function fish_data()
  local out = {
    "set -g __sesslua_builtins " .. table.concat(names, " "),
    "set -g __sesslua_statuses " .. table.concat(log.WORK_STATUSES, " "),
    "set -g __sesslua_ktypes " .. table.concat(ktypes, " "),
  }
  for _, rec in ipairs(all) do
    local v = rec.key:gsub("[^%w]", "_")
    local opts, descs = {}, {}
    for _, o in ipairs(rec.options) do
      for _, a in ipairs(o.aliases) do
        opts[#opts + 1] = fq(a .. " " .. o.args .. " " .. o.kind)
        descs[#descs + 1] = fq(o.description)
      end
    end
    local args = {}
    for _, a in ipairs(rec.args) do args[#args + 1] = fq(a) end
    out[#out + 1] = "set -g __sesslua_opts_" .. v .. " " .. table.concat(opts, " ")
    out[#out + 1] = "set -g __sesslua_odesc_" .. v .. " " .. table.concat(descs, " ")
    out[#out + 1] = "set -g __sesslua_args_" .. v .. " " .. table.concat(args, " ")
    if #rec.cmds > 0 then
      local cs, cd = {}, {}
      for _, c in ipairs(rec.cmds) do cs[#cs + 1] = fq(c.name); cd[#cd + 1] = fq(c.description) end
      out[#out + 1] = "set -g __sesslua_cmds_" .. v .. " " .. table.concat(cs, " ")
      out[#out + 1] = "set -g __sesslua_cdesc_" .. v .. " " .. table.concat(cd, " ")
    end
  end
  return table.concat(out, "\n") .. "\n"
end

local function fill(template, output, data)
  local f = assert(io.open(srcdir .. "/" .. template, "rb"))
  local text = f:read("a")
  f:close()
  local n
  text, n = text:gsub("[^\n]*@DATA@[^\n]*\n", function() return data end, 1)
  assert(n == 1, template .. " lacks its @DATA@ line")
  f = assert(io.open(outdir .. "/" .. output, "wb"))
  assert(f:write(text))
  assert(f:close())
end

fill("sesslua.bash.in", "sesslua.bash", sh_data("declare -gA", false))
fill("_sesslua.zsh.in", "_sesslua", sh_data("typeset -gA", true))
fill("sesslua.fish.in", "sesslua.fish", fish_data())
return 0
