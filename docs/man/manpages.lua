--- Writes the man pages at build time: sesslua-NAME(1) for each built-in
--- workflow, from the workflow's own command-line declaration (what
--- `sesslua --describe NAME` prints), and sesslua(1) from sesslua.1.in with
--- its WORKFLOWS section filled in. The pages cannot drift from the options
--- the workflows accept, as they are read from them.
---
---   sesslua docs/man/manpages.lua OUTDIR TEMPLATE VERSION DATE
local runner = require("sesslua.runner")
local ctx = require("sesslua.context")

local outdir, template, version, date = arg[1], arg[2], arg[3], arg[4]
if not (outdir and template and version and date) then
  io.stderr:write("usage: sesslua manpages.lua OUTDIR TEMPLATE VERSION DATE\n")
  return 2
end

---Text as roff: backslashes and minus signs escaped, a line never starting
---with a control character.
---@param s string|nil
---@return string
local function esc(s)
  s = tostring(s or ""):gsub("\\", "\\e"):gsub("%-", "\\-")
  return (s:gsub("\n([.'])", "\n\\&%1"):gsub("^([.'])", "\\&%1"))
end

local function bold(s) return "\\fB" .. esc(s) .. "\\fR" end
local function ital(s) return "\\fI" .. esc(s) .. "\\fR" end

---An option's value names as written in the help (`<working_on>` → working_on).
local function argnames(o)
  local out = {}
  for _, n in ipairs(o.argnames or {}) do
    out[#out + 1] = ital((n:gsub("^<(.*)>$", "%1")))
  end
  return table.concat(out, " ")
end

---`--learning TOPIC TEXT`, `-y, --yes`: every alias, then the value names.
local function option_head(o)
  local names = {}
  for _, a in ipairs(o.aliases) do names[#names + 1] = bold(a) end
  local head = table.concat(names, ", ")
  if (o.args or 0) > 0 then head = head .. " " .. argnames(o) end
  return head
end

local function option_text(o)
  local t = esc(o.description or "")
  if o.choices then t = t .. " One of: " .. esc(table.concat(o.choices, ", ")) .. "." end
  if o.repeatable then t = t .. " May be given more than once." end
  return t
end

local function argument_word(a)
  local w = ital(a.name) .. (a.variadic and "..." or "")
  return a.optional and "[" .. w .. "]" or w
end

---The synopsis line: `sesslua update [options] [id]`.
local function synopsis(prog, d)
  local words = { bold(prog) }
  if #d.options > 0 then words[#words + 1] = "[\\fIoptions\\fR]" end
  if #(d.commands or {}) > 0 then words[#words + 1] = ital("command") .. " [" .. ital("args") .. "]" end
  for _, a in ipairs(d.arguments) do words[#words + 1] = argument_word(a) end
  return table.concat(words, " ")
end

---Arguments and options of one declaration, as .TP paragraphs.
local function body(out, d, heading)
  if #d.arguments > 0 then
    out[#out + 1] = heading("ARGUMENTS")
    for _, a in ipairs(d.arguments) do
      out[#out + 1] = ".TP\n" .. argument_word(a) .. "\n" .. esc(a.description)
        .. (a.choices and " One of: " .. esc(table.concat(a.choices, ", ")) .. "." or "")
    end
  end
  if #d.options > 0 then
    out[#out + 1] = heading("OPTIONS")
    for _, o in ipairs(d.options) do
      out[#out + 1] = ".TP\n" .. option_head(o) .. "\n" .. option_text(o)
    end
  end
end

local function short(name) return (name:gsub("%.lua$", "")) end

---The page of one workflow: NAME from its one-line description (what
---`sesslua --list` shows), the rest from its declaration.
local function page(name, summary, d)
  local prog = "sesslua " .. name
  local out = {
    ('.TH "SESSLUA\\-%s" 1 "%s" "sesslua %s" "User Commands"'):format(esc(name:upper()), date, version),
    ".nh", ".ad l",
    ".SH NAME", ("sesslua\\-%s \\- %s"):format(esc(name), esc((summary or d.description):gsub("%.$", ""))),
    ".SH SYNOPSIS", synopsis(prog, d),
  }
  for _, c in ipairs(d.commands or {}) do
    out[#out + 1] = ".br\n" .. synopsis(prog .. " " .. c.name, c)
  end
  out[#out + 1] = ".SH DESCRIPTION\n" .. esc(d.description)
  if d.epilog then out[#out + 1] = ".PP\n" .. esc(d.epilog) end
  out[#out + 1] = ".PP\nThe workflow may be named " .. bold(name) .. " or " .. bold(name .. ".lua")
    .. "; the host options of " .. bold("sesslua") .. "(1) (" .. bold("--root") .. ", "
    .. bold("--session") .. ", " .. bold("--debug") .. ") come before it."
  body(out, d, function(h) return ".SH " .. h end)
  for _, c in ipairs(d.commands or {}) do
    out[#out + 1] = ".SH COMMAND " .. esc(c.name:upper())
    out[#out + 1] = synopsis(prog .. " " .. c.name, c) .. "\n.PP\n" .. esc(c.description)
    if c.epilog then out[#out + 1] = ".PP\n" .. esc(c.epilog) end
    body(out, c, function(h) return ".SS " .. h end)
  end
  out[#out + 1] = ".SH EXIT STATUS\n0 on success; 1 when a check failed; 2 for a usage error or"
    .. " invalid input; 3 when a workflow, session or file is not found; 4 on a conflict;"
    .. " 5 on an I/O or permission error. See " .. bold("sesslua") .. "(1)."
  out[#out + 1] = ".SH SEE ALSO\n" .. bold("sesslua") .. "(1), " .. ital("/usr/share/doc/sesslua/user-guide.md")
  return table.concat(out, "\n") .. "\n"
end

local function write(path, text)
  local f = assert(io.open(path, "wb"))
  assert(f:write(text))
  assert(f:close())
end

local rows = {}
for _, w in ipairs(runner.workflows(ctx)) do
  if w.source == "built-in" then
    -- a workflow that declares no command line still gets its page, from
    -- its one-line description
    local d = runner.declaration(ctx, w.name)
      or { description = w.description or "", arguments = {}, options = {}, commands = {} }
    local name = short(w.name)
    write(outdir .. "/sesslua-" .. name .. ".1", page(name, w.description, d))
    rows[#rows + 1] = ".TP\n" .. bold(name) .. "\n" .. esc(w.description or d.description)
      .. " See " .. bold("sesslua-" .. name) .. "(1)."
  end
end

local f = assert(io.open(template, "rb"))
local main = f:read("a")
f:close()
main = main:gsub("@VERSION@", version):gsub("@DATE@", date)
local n
main, n = main:gsub("%.\\\" @WORKFLOWS@\n", function() return table.concat(rows, "\n") .. "\n" end)
assert(n == 1, "the template lacks its @WORKFLOWS@ line")
write(outdir .. "/sesslua.1", main)
return 0
