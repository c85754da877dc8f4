--- Share a learning, pattern, fix or practice with every session.
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local fs = require("sesslua.fs")
local tree = require("sesslua.tree")
local knowledge = require("sesslua.knowledge")
local log = require("sesslua.log")
local edit = require("sesslua.logedit")
local clock = require("sesslua.clock")
local messages = require("sesslua.messages")
local routine = require("sesslua.routine")

local USAGE_HINT = 'sesslua share.lua [TYPE] CATEGORY TEXT [IMPACT], e.g.\n'
  .. '  sesslua share.lua Performance "asyncio.gather() speeds up parallel calls 10x" High\n'
  .. '  sesslua share.lua pattern Testing "Fixtures per service" Medium\n'
  .. 'TYPE: learning, pattern, troubleshooting, best-practice; IMPACT: '
  .. table.concat(knowledge.impacts(), ", ")

local parser = cli.parser("share.lua", "Add an entry to shared-knowledge/ (TEXT may be '-' for stdin).")
parser:argument("words", "[TYPE] CATEGORY TEXT [IMPACT]; TYPE: learning, pattern, troubleshooting, "
  .. "best-practice; IMPACT: " .. table.concat(knowledge.impacts(), ", ")):args("2-4")
parser:flag("--broadcast", "Also send every session a KNOWLEDGE message (the team's share_broadcast does it always).")
parser:flag("--json", "Print the entry as JSON.")
-- the two forms in one line, not argparse's "WORDS WORDS [WORDS]"
parser:usage("Usage: sesslua share.lua [--broadcast] [--json] [TYPE] CATEGORY TEXT [IMPACT]")
local args = cli.parse(parser)

local function refuse(why, hint) cli.usage_error("share: " .. why, hint or USAGE_HINT) end

---`s` as one shell word: bare when it is plain, else in single quotes.
local function quote(s)
  if s:match("^[%w%._/:=+,@%-]+$") then return s end
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

---Why `s` reads as a sentence rather than a category, or nil. A category
---is a short topic (Performance, Docker Networking): one of two words or
---more that ends in `.`, `!` or `?` reads as a sentence anywhere; with
---`min_words`, so does one of that many words or more.
---@param s string
---@param min_words integer|nil
---@return string|nil why "ends in '.'", "6 words", "longer than 60 ..."
local function sentence_like(s, min_words)
  local _, words = s:gsub("%S+", "")
  local long = routine.topic_problem(s)
  if long then return long end
  local stop = s:match("([.!?])%s*$")
  if words >= 2 and stop then return ("ends in '%s'"):format(stop) end
  if min_words and words >= min_words then return ("%d words"):format(words) end
  return nil
end

---TYPE followed by a sentence and no category (`pattern "<sentence>" high`):
---the real trees' wrong-order form, which would otherwise become a learning
---in category 'pattern'. Refused with both right spellings, words in place.
---@param w string[] the arguments: TYPE SENTENCE [IMPACT]
local function refuse_type_then_sentence(w)
  local tail = quote(w[2]) .. (w[3] and " " .. quote(w[3]) or "")
  refuse(("'%s' is a knowledge type, and what follows it reads as a sentence (%s),"
    .. " not a category: the category is missing"):format(w[1], sentence_like(w[2], 3)),
    ("name the category: sesslua share.lua %s CATEGORY %s\n"
      .. "  or, for a learning in category '%s': sesslua share.lua learning %s %s"):format(
      quote(w[1]), tail, w[1], quote(w[1]), tail))
end

---Both argument forms: CATEGORY TEXT [IMPACT] and TYPE CATEGORY TEXT [IMPACT].
local function read_words(w)
  local kind = knowledge.kind(w[1])
  if #w == 4 or (#w == 3 and kind and not knowledge.impact(w[3])) then
    if not kind then refuse(("'%s' is not a knowledge type"):format(w[1])) end
    return kind, w[2], w[3], w[4], w[1]
  end
  -- A type word then one argument before the impact: a sentence there is
  -- the wrong-order form (TYPE SENTENCE); a short topic is the text of a
  -- learning whose category is the type word (`Issue "Redis timeouts" High`).
  if kind and sentence_like(w[2], 3) then refuse_type_then_sentence(w) end
  if #w == 3 and kind and knowledge.impact(w[3]) then
    -- TYPE CATEGORY with an impact for text, or CATEGORY TEXT IMPACT with a
    -- category that is also a type word: only the latter has a valid text,
    -- and a text of several words says that is what was meant
    if not w[2]:find("%s") then
      refuse(("'%s %s %s' is ambiguous: TYPE CATEGORY without a text, or category '%s' with the text '%s'"):format(
        w[1], w[2], w[3], w[1], w[2]),
        ("give the text (sesslua share.lua %s %s TEXT %s), or name the type first"
          .. " (sesslua share.lua learning %s %s %s)"):format(w[1], w[2], w[3], w[1], w[2], w[3]))
    end
    return knowledge.kind("learning"), w[1], w[2], w[3]
  end
  if #w == 3 and w[3]:find("%s") and not w[1]:find("%s") and not knowledge.impact(w[3]) then
    -- a sentence last reads as TYPE CATEGORY TEXT: the type is the trouble
    refuse(("'%s' is not a knowledge type"):format(w[1]))
  end
  return knowledge.kind("learning"), w[1], w[2], w[3]
end

local kind, category, text, impact_word, type_word = read_words(args.words)
text = cli.text(text, "TEXT")
cli.text(category, "CATEGORY")
if knowledge.impact(category) then
  refuse(("'%s' is an impact level where the category belongs; arguments in the wrong order?"):format(category))
end
if knowledge.impact(text) then
  refuse(("'%s' is an impact level where the text belongs; arguments in the wrong order?"):format(text))
end
if category:match("^%s*$") then refuse("empty category") end
local too_long = routine.topic_problem(category)
if too_long then refuse(("the category is %s; arguments in the wrong order?"):format(too_long)) end
local not_topic = sentence_like(category)
if not_topic then
  refuse(("the category '%s' reads as a sentence (%s); arguments in the wrong order?"):format(
    category, not_topic),
    "a category is a short topic (Performance, Docker Networking), the sentence is the TEXT: "
      .. "sesslua share.lua [TYPE] CATEGORY TEXT [IMPACT]")
end
if text:match("^%s*$") then refuse("empty text") end
-- The wrong-order signature within the topic limit: a sentence where the
-- category belongs and one short word where the text belongs (a long
-- single word, such as a URL, is a text).
local _, category_words = category:gsub("%S+", "")
if category_words >= 4 and not text:find("%s") and #text <= 24 then
  local swapped = { "sesslua share.lua" }
  for _, w in ipairs({ type_word or false, quote(text), quote(category), impact_word or false }) do
    if w then swapped[#swapped + 1] = w end
  end
  refuse(("the category '%s' reads like the text and the text '%s' like a category;"
    .. " arguments in the wrong order?"):format(category, text),
    "category first, then the text: " .. table.concat(swapped, " "))
end
local impact = knowledge.default_impact()
if impact_word then
  impact = knowledge.impact(impact_word)
  if not impact then
    refuse(("impact '%s' is not one of %s"):format(impact_word, table.concat(knowledge.impacts(), ", ")))
  end
end

local session = tree.current_session(ctx)
if not session then
  session = "unknown"
  cli.warn("no acting session (--session, SESSLUA_SESSION or .current_session); sharing as 'unknown'")
else
  -- validated: an id like `../x` must not reach the heading or a log path
  session = cli.check(tree.session_arg(ctx, session))
end

local entry = { kind = kind, session = session, category = category, text = text, impact = impact }
local _, total = cli.check(knowledge.add(ctx, entry))
local path = knowledge.path(ctx.root, kind)

require("sesslua.hooks").run(ctx, "after_share", { path = knowledge.path(ctx.root, kind), total = total,
  entry = { type = kind.type, category = category, text = text, impact = impact, session = session } })

-- Tell the other sessions (the old script's KNOWLEDGE broadcast), only
-- when asked: a message in every inbox is not a side effect to hide.
local sent
if args.broadcast or require("sesslua.config").get(ctx).values.share_broadcast then
  local serr
  sent, serr = messages.knowledge_broadcast(ctx, entry)
  if not sent then cli.warn("shared, but the KNOWLEDGE broadcast failed: " .. serr) end
end

-- Note it in the sharer's own log, when there is one.
local log_path = tree.log_path(ctx.root, session)
local noted = false
if fs.exists(log_path) then
  local ok, err = fs.update(log_path, function(t)
    local doc = log.new(t)
    noted = edit.add_learning(doc, clock.today(), category, text)
    if not noted then return nil end -- already in the log: leave it as it is
    edit.touch(doc, clock.now(), session)
    return doc.text
  end)
  if not ok then
    noted = false
    cli.warn("shared, but not noted in " .. log_path .. ": " .. tostring(err))
  end
end
cli.written_warnings() -- the broadcast's and the note's, if not durable

if args.json then
  cli.print_json({ schema = 1, kind = "share", path = path, total = total, noted_in_log = noted,
    broadcast = sent and sent.id or require("sesslua.json").null,
    entry = { date = entry.date, session = session, category = category, type = kind.type,
              impact = impact, text = text, timestamp = entry.timestamp } })
  return 0
end
io.write(("Shared %s '%s' (%s) in %s — %d %s\n"):format(kind.type, category, impact, path,
  total, total == 1 and "entry" or "entries"))
if noted then io.write("Noted in ", log_path, "\n") end
if sent then io.write("Broadcast to every session: KNOWLEDGE message ", sent.id, "\n") end
return 0
