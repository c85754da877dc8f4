---@meta sesslua.md
-- LuaCATS definitions of the C module sesslua.md (core/lmd.c, core/lmd_doc.c)
-- for editors and lua-language-server: add docs/meta to its
-- `workspace.library`. Never loaded by sesslua (it lies outside lua/, so
-- the build does not embed it); tests/lua/test_api_docs.lua reads it to
-- check that it, the module and docs/lua-api.md name the same functions
-- and parameters. Positions are 1-based bytes, ranges half-open [a, b),
-- a and b defaulting to the whole text. Nothing here fails: misuse raises.

local md = {}

---A heading of the document (md.sections, d:sections, d:find...).
---@class sesslua.md.Section
---@field index integer position in the array of sections
---@field level integer 1-6
---@field title string plain title: inline Markdown reduced to text
---@field raw_title string the heading's inline content as written, trimmed
---@field line integer 1-based line number of the heading's first line
---@field start integer first byte of the heading
---@field heading_end integer first byte after the heading line(s)
---@field body_end integer first byte of the next heading of any level, or #text + 1
---@field stop integer first byte of the next heading of the same or a higher level, or #text + 1
---@field parent integer|nil index of the enclosing section; nil at top level

---A `**Key:** value` line (md.field, md.fields).
---@class sesslua.md.Field
---@field key string|nil the key as written (md.fields and Doc fields; not md.field)
---@field value string the value, surrounding blanks and line ending excluded
---@field value_start integer
---@field value_end integer `[value_start, value_end)` is value
---@field line_start integer
---@field line_end integer the whole line, after its line ending

---A field line of a Doc, in either form (`**Key:** v`, `- **Key:** v`).
---@class sesslua.md.DocField: sesslua.md.Field
---@field key string the key as written
---@field bullet boolean true for the list-item form
---@field block_end integer|nil non-bullet fields: where the `**Label:**` block it leads ends

---A task-list line (md.tasks).
---@class sesslua.md.Task
---@field done boolean
---@field text string the text after `] `
---@field text_start integer
---@field text_end integer
---@field line_start integer
---@field line_end integer

---A list item of a Doc (d:items).
---@class sesslua.md.Item
---@field start integer first byte of the item's first line
---@field stop integer after the line ending of its last non-blank line (continuations, nested lists)
---@field text_start integer
---@field text_end integer
---@field text string the first line's text after the marker (and the task box)
---@field marker string "-", "*", "+", or "." / ")" for ordered items
---@field number integer|nil ordered items: the number as written
---@field done boolean|nil nil when not a task
---@field line integer 1-based line number of start
---@field depth integer 0 outside any item, +1 per enclosing item
---@field index integer position in the document's array of all items

---A document-level block (d:blocks, d:block_before).
---@class sesslua.md.Block
---@field kind "paragraph"|"heading"|"list"|"quote"|"code"|"html"|"break"
---@field start integer
---@field stop integer after the line ending of its last non-blank line
---@field line integer 1-based line number of start

---A maximal run of whole code lines (d:code).
---@class sesslua.md.CodeRun
---@field start integer
---@field stop integer

---The document object of md.parse: one scan of a text, queried without
---reading the text again. Closed by the collector, or by `<close>`.
---@class sesslua.md.Doc
local Doc = {}

---The document-level headings of text, in document order.
---@param text string
---@return sesslua.md.Section[] sections
function md.sections(text) end

---A section by title: exact, then ASCII case-insensitive, then a
---normalised prefix; the first in document order within a tier.
---@param sections sesslua.md.Section[] from md.sections
---@param query string
---@return sesslua.md.Section|nil section the table itself, not a copy
function md.find(sections, query) end

---s as title lookup compares it: ASCII lowered; punctuation, spaces, emoji
---and symbols dropped.
---@param s string
---@return string
function md.normalize(s) end

---The plain text of inline Markdown (emphasis, code, links reduced to
---their text; escapes and entities resolved; line endings to one space).
---@param raw string
---@return string
function md.plain(raw) end

---The document's line ending: "\r\n" when its first one is CRLF, else "\n".
---@param text string
---@return string eol
function md.eol(text) end

---The first `**Key:** value` line in text[a, b) outside code.
---@param text string
---@param key string compared ASCII case-insensitively
---@param a? integer
---@param b? integer
---@return sesslua.md.Field|nil field
function md.field(text, key, a, b) end

---Every field line in text[a, b) outside code, in order.
---@param text string
---@param a? integer
---@param b? integer
---@return sesslua.md.Field[] fields
function md.fields(text, a, b) end

---Every task-list line in text[a, b) outside code.
---@param text string
---@param a? integer
---@param b? integer
---@return sesslua.md.Task[] tasks
function md.tasks(text, a, b) end

---text with [a, b) replaced by new.
---@param text string
---@param a integer
---@param b integer
---@param new string
---@return string
function md.splice(text, a, b, new) end

---text with the value of the first `**key:**` line in [a, b) replaced;
---nil when there is no such line outside code (a field is never added).
---@param text string
---@param key string
---@param value string
---@param a? integer
---@param b? integer
---@return string|nil text
function md.set_field(text, key, value, a, b) end

---Whether the line holding byte pos is a code line (fenced, indented, HTML).
---@param text string
---@param pos integer 1 to #text + 1
---@return boolean
function md.in_code(text, pos) end

---The document object over text (under 4 GiB).
---@param text string
---@return sesslua.md.Doc doc
function md.parse(text) end

---Files being read and parsed on other cores ahead of the caller
---(md.parse_ahead). Closed by the collector, or by `<close>`.
---`take(path)`: the document object of path when it is the list's next
---file and it was read and parsed plainly; nil otherwise (read and parse
---it yourself). `close()`: stop the workers and free what they hold; safe
---twice.
---@class sesslua.md.Ahead
---@field take fun(self: sesslua.md.Ahead, path: string): sesslua.md.Doc|nil
---@field close fun(self: sesslua.md.Ahead)

---Read and parse the files of paths (as fs.read and md.parse do) on other
---cores, at most 16 files and about 32 MiB ahead of the caller.
---@param paths string[]
---@return sesslua.md.Ahead ahead
function md.parse_ahead(paths) end

---The text the document was made from.
---@return string
function Doc:text() end

---#text.
---@return integer
function Doc:len() end

---md.eol(text).
---@return string eol
function Doc:eol() end

---md.sections(text)'s array, built on the first call and kept.
---@return sesslua.md.Section[] sections the same table on every call
function Doc:sections() end

---A section by title: "prefix" (default) as md.find, plus leading bytes
---for a query that normalises to nothing; "exact" never takes a prefix.
---@param query string
---@param how? "prefix"|"exact"
---@return sesslua.md.Section|nil section
function Doc:find(query, how) end

---The sections whose title query starts (normalised prefix), in order.
---@param query string
---@return sesslua.md.Section[] sections
function Doc:find_all(query) end

---The first section whose normalised title equals one of the keys.
---@param key string an md.normalize result
---@param ... string more keys
---@return sesslua.md.Section|nil section a table of its own
function Doc:section_keyed(key, ...) end

---The index of the section d:section_keyed finds, or nil.
---@param key string
---@param ... string more keys
---@return integer|nil index
function Doc:section_index(key, ...) end

---Positions of the i-th section without its table, or nil past the last.
---@param i integer 1-based
---@return integer|nil level
---@return integer start
---@return integer heading_end
---@return integer body_end
---@return integer stop
function Doc:section_span(i) end

---The i-th section, a table of its own, or nil past the last.
---@param i integer 1-based
---@return sesslua.md.Section|nil section
function Doc:section_at(i) end

---How many sections the document has.
---@return integer
function Doc:section_count() end

---Many queries answered by one d:read (see docs/lua-api.md): header
---fields, sections found by normalised title with their fields and a
---labelled list's item texts (or their number, `count`), a footer field;
---with `skip` (md.patterns), blank and sample values as false and sample
---items left out; the values of the fields `plain` lists as md.plain text.
---@param spec {header: string[]|nil, sections: {keys: string[], fields: string[]|nil, label: string|nil, items: "all"|"todo"|"open"|nil, count: boolean|nil}[]|nil, footer: string|nil, skip: sesslua.md.Patterns|nil, plain: string[]|nil}
---@return userdata plan
function md.plan(spec) end

---A set's one method, `set:match(s) -> integer|nil`: the index of the
---first pattern that string.find(s, pattern) finds, or nil.
---@class sesslua.md.Patterns

---Lua patterns compiled for C, matched as string.find matches them; nil
---and the index of the first pattern C cannot take (a set, a capture,
---%b, %f, a back reference).
---@param list string[]
---@return sesslua.md.Patterns|nil set
---@return integer|nil at
function md.patterns(list) end

---The answers of a plan (md.plan) for this document, in one array.
---@param plan userdata
---@return table answers
function Doc:read(plan) end

---The texts of the items d:items(a, b) gives, without a table per item.
---@param a? integer
---@param b? integer
---@param which? "all"|"todo"|"open" every item (default), tasks not done, all but done tasks
---@return string[] texts
function Doc:item_texts(a, b, which) end

---List items starting in [a, b), at the shallowest depth found there or
---at exactly depth.
---@param a? integer
---@param b? integer
---@param depth? integer 0 or more
---@return sesslua.md.Item[] items
function Doc:items(a, b, depth) end

---The document-level blocks starting in [a, b).
---@param a? integer
---@param b? integer
---@return sesslua.md.Block[] blocks
function Doc:blocks(a, b) end

---The last document-level block starting before pos and at or after floor.
---@param pos integer 1 to #text + 1
---@param floor? integer default 1
---@return sesslua.md.Block|nil block
function Doc:block_before(pos, floor) end

---Every field line in [a, b), both forms, code skipped.
---@param a? integer
---@param b? integer
---@return sesslua.md.DocField[] fields
function Doc:fields(a, b) end

---The first field line with this key (ASCII case-insensitive) in [a, b).
---@param key string
---@param a? integer
---@param b? integer
---@return sesslua.md.DocField|nil field
function Doc:field(key, a, b) end

---d:last_field's value without a table.
---@param key string
---@param a? integer
---@param b? integer
---@return string|nil value
---@return boolean|nil bullet
function Doc:last_field_value(key, a, b) end

---The first `**Label:**` line (not the list-item form) in [a, b) and the
---end of the block it leads, cut to b but never before the line's end.
---@param label string
---@param a? integer
---@param b? integer
---@return integer|nil label_start
---@return integer label_end
---@return integer stop
function Doc:label_block(label, a, b) end

---The last field line with this key in [a, b).
---@param key string
---@param a? integer
---@param b? integer
---@return sesslua.md.DocField|nil field
function Doc:last_field(key, a, b) end

---The value of the field d:field finds, without a table.
---@param key string
---@param a? integer
---@param b? integer
---@return string|nil value
---@return boolean|nil bullet true for the list-item form
function Doc:field_value(key, a, b) end

---What d:field_value(key, a, b) gives for each key (values only), in one call.
---@param a integer|nil
---@param b integer|nil
---@param ... string the keys
---@return string|nil ... one value per key
function Doc:field_values(a, b, ...) end

---md.in_code(text, pos).
---@param pos integer 1 to #text + 1
---@return boolean
function Doc:in_code(pos) end

---The code runs meeting [a, b).
---@param a? integer
---@param b? integer
---@return sesslua.md.CodeRun[] runs
function Doc:code(a, b) end

---The 1-based line number of byte pos.
---@param pos integer 1 to #text + 1
---@return integer
function Doc:line(pos) end

---A new document over text[1, a) .. s .. text[b, end]; d is unchanged.
---@param a integer
---@param b integer
---@param s string
---@return sesslua.md.Doc doc
function Doc:splice(a, b, s) end

---Free the document's index now (also done by the collector and by
---`<close>`); safe twice. Any later query raises.
function Doc:close() end

return md
