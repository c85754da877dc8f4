--- HTML pages a workflow writes: escaping, elements, tables, progress
--- bars, an inline SVG bar chart and a whole self-contained page whose
--- Content-Security-Policy allows no script and only its own stylesheet.
--- Every string from a log, a message or a knowledge file goes through
--- `html.escape` (or `html.text`) before it is part of a page; the builders
--- take their `inner` argument as HTML already made safe.
local M = {}

local ESCAPES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
                  ["'"] = "&#39;" }
-- C0 controls other than tab, LF and CR, and DEL: HTML forbids them as text
local CONTROLS = "[\0-\8\11\12\14-\31\127]"

---Text made safe for an HTML element's content and for a quoted attribute
---value: `& < > " '` become character references, and control characters
---(other than tab, newline and carriage return) become U+FFFD. Numbers are
---turned into text; any other type raises.
---@param s string|number
---@return string
function M.escape(s)
  local t = type(s)
  if t == "number" then return tostring(s) end
  if t ~= "string" then error("html.escape: expected a string, got " .. t, 2) end
  if not s:find("[&<>\"'%c]") then return s end
  s = s:gsub("[&<>\"']", ESCAPES)
  if s:find(CONTROLS) then s = s:gsub(CONTROLS, "\u{FFFD}") end
  return s
end

-- Elements that have no end tag.
local VOID = { area = true, base = true, br = true, col = true, embed = true, hr = true,
  img = true, input = true, link = true, meta = true, source = true, track = true, wbr = true }

local function check_name(what, name)
  if type(name) ~= "string" or not name:find("^[%a_:][%w_:%.%-]*$") then
    error(("html.%s: not a valid name: %s"):format(what, tostring(name)), 3)
  end
end

---Attributes as they follow a tag name: ` a="v" b`, sorted by name so the
---output is the same on every run. A value of `true` gives the bare name,
---`false` or `nil` leaves the attribute out, strings and numbers are
---escaped. A name that is no attribute name raises.
---@param t? table<string, string|number|boolean>
---@return string
function M.attrs(t)
  if not t then return "" end
  local names = {}
  for k, v in pairs(t) do
    check_name("attrs", k)
    if v ~= false then names[#names + 1] = k end
  end
  table.sort(names)
  local out = {}
  for i, k in ipairs(names) do
    local v = t[k]
    out[i] = v == true and (" " .. k) or (" " .. k .. '="' .. M.escape(v) .. '"')
  end
  return table.concat(out)
end

---An element: `<name attrs>inner</name>`, or `<name attrs>` for a void
---element (`meta`, `br`, ...). `inner` is HTML, not text: escape what
---comes from data, or use `html.text`.
---@param name string the tag name
---@param attrs? table<string, string|number|boolean> see html.attrs
---@param inner? string HTML
---@return string
function M.el(name, attrs, inner)
  check_name("el", name)
  local open = "<" .. name .. M.attrs(attrs) .. ">"
  if VOID[name] then return open end
  return open .. (inner or "") .. "</" .. name .. ">"
end

---An element holding text: `html.el(name, attrs, html.escape(text))`.
---@param name string
---@param attrs? table<string, string|number|boolean>
---@param text string|number
---@return string
function M.text(name, attrs, text)
  return M.el(name, attrs, M.escape(text))
end

---A table with a caption, a header row and body rows. `head` holds the
---column titles as text (`<th scope="col">`); each row is an array of cells
---as HTML, and may carry `class` (a string) for its `<tr>`. With
---`opts.row_headers` the first cell of each row is a `<th scope="row">`.
---`opts.class` is the table's class; `opts.caption` is text.
---@param head string[] column titles (text)
---@param rows string[][] cells (HTML), each row optionally with a `class` field
---@param opts? {caption: string|nil, class: string|nil, row_headers: boolean|nil}
---@return string
function M.table(head, rows, opts)
  opts = opts or {}
  local out = { "<table" .. M.attrs({ class = opts.class }) .. ">" }
  if opts.caption then out[#out + 1] = M.text("caption", nil, opts.caption) end
  local th = {}
  for i, h in ipairs(head) do th[i] = '<th scope="col">' .. M.escape(h) .. "</th>" end
  out[#out + 1] = "<thead><tr>" .. table.concat(th) .. "</tr></thead><tbody>"
  for _, r in ipairs(rows) do
    local cells = { "<tr" .. M.attrs({ class = r.class }) .. ">" }
    for i, c in ipairs(r) do
      if i == 1 and opts.row_headers then
        cells[#cells + 1] = '<th scope="row">' .. c .. "</th>"
      else
        cells[#cells + 1] = "<td>" .. c .. "</td>"
      end
    end
    cells[#cells + 1] = "</tr>"
    out[#out + 1] = table.concat(cells)
  end
  out[#out + 1] = "</tbody></table>"
  return table.concat(out, "\n")
end

---A `<progress>` bar out of 100 with the percentage as its text, or, when
---`value` is nil, one with no value (shown as unknown) and `—` as text.
---`label` is its accessible name (text).
---@param value number|nil 0-100
---@param label string
---@return string
function M.progress(value, label)
  if value == nil then
    return M.el("progress", { max = 100, ["aria-label"] = label }, "—")
  end
  local v = math.max(0, math.min(100, math.floor(value + 0.5)))
  return M.el("progress", { max = 100, value = v, ["aria-label"] = label }, v .. "%")
end

-- SHA-256 (FIPS 180-4), for the hash of the page's stylesheet in its
-- Content-Security-Policy: Lua has none built in, and a page is a few KB.
local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
local MASK = 0xffffffff

local function rrot(x, n) return ((x >> n) | (x << (32 - n))) & MASK end

local function sha256_block(H, msg, i, w)
  for j = 1, 16 do w[j] = string.unpack(">I4", msg, i + (j - 1) * 4) end
  for j = 17, 64 do
    local x, y = w[j - 15], w[j - 2]
    local s0 = rrot(x, 7) ~ rrot(x, 18) ~ (x >> 3)
    local s1 = rrot(y, 17) ~ rrot(y, 19) ~ (y >> 10)
    w[j] = (w[j - 16] + s0 + w[j - 7] + s1) & MASK
  end
  local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
  for j = 1, 64 do
    local t1 = (h + (rrot(e, 6) ~ rrot(e, 11) ~ rrot(e, 25)) + ((e & f) ~ (~e & g)) + K[j] + w[j]) & MASK
    local t2 = ((rrot(a, 2) ~ rrot(a, 13) ~ rrot(a, 22)) + ((a & b) ~ (a & c) ~ (b & c))) & MASK
    h, g, f, e, d, c, b, a = g, f, e, (d + t1) & MASK, c, b, a, (t1 + t2) & MASK
  end
  H[1], H[2], H[3], H[4] = (H[1] + a) & MASK, (H[2] + b) & MASK, (H[3] + c) & MASK, (H[4] + d) & MASK
  H[5], H[6], H[7], H[8] = (H[5] + e) & MASK, (H[6] + f) & MASK, (H[7] + g) & MASK, (H[8] + h) & MASK
end

---The SHA-256 digest of `s`, as 32 bytes.
---@param s string
---@return string digest 32 bytes
function M.sha256(s)
  local H = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
              0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
  local msg = s .. "\128" .. ("\0"):rep((55 - #s) % 64) .. string.pack(">I8", #s * 8)
  local w = {}
  for i = 1, #msg, 64 do sha256_block(H, msg, i, w) end
  return string.pack(">I4I4I4I4I4I4I4I4", H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8])
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = (a << 16) | ((b or 0) << 8) | (c or 0)
    local q = {}
    for k = 1, 4 do
      local v = (n >> (6 * (4 - k))) & 63
      q[k] = B64:sub(v + 1, v + 1)
    end
    if not b then q[3] = "=" end
    if not c then q[4] = "=" end
    out[#out + 1] = table.concat(q)
  end
  return table.concat(out)
end

---The Content-Security-Policy source that allows exactly this inline
---text (a `<style>` or `<script>` element's content): `'sha256-<base64>'`.
---@param text string the element's content, byte for byte
---@return string
function M.hash_source(text)
  return "'sha256-" .. base64(M.sha256(text)) .. "'"
end

---The number of colours `html.bar_chart` gives series (classes `series-1`
---to `series-8` in `html.CSS`); further series take them again.
---@type integer
M.SERIES_COLORS = 8

local function fmt(n) return (("%.1f"):format(n):gsub("%.0$", "")) end

-- The chart's frame: the plot area inside the SVG's viewBox.
local CHART = { width = 720, height = 240, left = 36, right = 8, top = 12, bottom = 40 }

local function chart_axes(out, labels, top, step)
  local C = CHART
  local base = C.height - C.bottom
  local plot_h = base - C.top
  for _, v in ipairs(top > 1 and { 0, top // 2, top } or { 0, top }) do
    local y = fmt(base - plot_h * v / top)
    out[#out + 1] = ('<line class="grid" x1="%d" x2="%d" y1="%s" y2="%s"/>'):format(
      C.left, C.width - C.right, y, y)
    out[#out + 1] = ('<text class="tick" x="%d" y="%s" text-anchor="end">%d</text>'):format(
      C.left - 4, y, v)
  end
  for i, l in ipairs(labels) do
    local x = fmt(C.left + step * (i - 0.5))
    out[#out + 1] = ('<text class="tick" x="%s" y="%d" text-anchor="middle">%s</text>'):format(
      x, base + 14, M.escape(l))
  end
end

local function chart_bars(out, labels, series, top, step)
  local C = CHART
  local base = C.height - C.bottom
  local plot_h = base - C.top
  local bar_w = fmt(step * 0.7)
  for i, l in ipairs(labels) do
    local x = fmt(C.left + step * (i - 0.5) - step * 0.35)
    local sum = 0
    for k, s in ipairs(series) do
      local v = s.values[i] or 0
      if v > 0 then
        local y0 = base - plot_h * sum / top
        local y1 = base - plot_h * (sum + v) / top
        sum = sum + v
        out[#out + 1] = ('<rect class="series-%d" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>')
          :format((k - 1) % M.SERIES_COLORS + 1, x, fmt(y1), bar_w, fmt(y0 - y1),
            M.escape(("%s, %s: %s"):format(s.name, l, fmt(v))))
      end
    end
  end
end

---A stacked bar chart as inline SVG followed by its legend (an HTML list):
---one bar per label, one coloured part per series. `labels` are the bars'
---names (text, short: `"12-01"`); each series is `{name = text, values =
---{number per label}}`. The SVG has `role="img"` and `title` as its
---accessible name; every part has a tooltip (`<title>`) with its series,
---label and value. Put the same numbers in a table for readers who cannot
---see it.
---@param labels string[]
---@param series {name: string, values: number[]}[]
---@param title string the chart's accessible name (text)
---@return string
function M.bar_chart(labels, series, title)
  local C = CHART
  local top = 1
  for i = 1, #labels do
    local sum = 0
    for _, s in ipairs(series) do sum = sum + (s.values[i] or 0) end
    top = math.max(top, sum)
  end
  top = math.ceil(top)
  if top % 2 == 1 and top > 1 then top = top + 1 end -- a whole middle tick
  local step = (C.width - C.left - C.right) / math.max(#labels, 1)
  local out = { ('<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">'):format(
    C.width, C.height, M.escape(title)), "<title>" .. M.escape(title) .. "</title>" }
  chart_axes(out, labels, top, step)
  chart_bars(out, labels, series, top, step)
  out[#out + 1] = "</svg>"
  if #series > 0 then
    out[#out + 1] = '<ul class="legend">'
    for k, s in ipairs(series) do
      out[#out + 1] = ('<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect class="series-%d" width="10" height="10"/></svg>%s</li>')
        :format((k - 1) % M.SERIES_COLORS + 1, M.escape(s.name))
    end
    out[#out + 1] = "</ul>"
  end
  return table.concat(out, "\n")
end

---The stylesheet `html.page` uses when given none: system fonts, light and
---dark colours through `prefers-color-scheme`, tables that read when
---printed (no backgrounds, rows kept whole), and the classes the dashboard
---and `html.bar_chart` use (`stale`, `blocked`, `badge`, `muted`, `num`,
---`series-1` … `series-8`). A team's own page may add to it:
---`html.page{css = html.CSS .. "h1 { color: teal }"}`.
---@type string
M.CSS = [[
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #59636e;
  --line: #d1d9e0; --head: #f6f8fa; --red: #c62828; --amber: #9a6700; --bar: #1f6feb; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --head: #161b22;
    --red: #ff7b72; --amber: #d29922; --bar: #58a6ff; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 90rem; padding: 1rem 1.5rem 3rem; background: var(--bg);
  color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid var(--line); }
p.meta, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
caption { text-align: left; color: var(--muted); padding: 0.25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: 0.35rem 0.5rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
/* free text may break anywhere, so a long path or URL cannot widen the page */
table.sessions td:nth-of-type(2), table.sessions td:nth-of-type(3),
table.sessions td:nth-of-type(7), table.learnings td:last-child { overflow-wrap: anywhere; }
thead th { background: var(--head); font-weight: 600; overflow-wrap: normal; }
tbody th { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
progress { width: 7rem; height: 0.9rem; accent-color: var(--bar); vertical-align: middle; }
ul { margin: 0; padding-left: 1.1rem; }
dl.totals { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; margin: 0.75rem 0; }
dl.totals div { min-width: 8rem; }
dl.totals dt { color: var(--muted); font-size: 0.85rem; }
dl.totals dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 0.6rem;
  padding: 0 0.4rem; font-size: 0.75rem; font-weight: 600; text-transform: uppercase; }
.stale { color: var(--amber); }
span.blocked, ul.blockers { color: var(--red); }
tr.blocked th { border-left: 3px solid var(--red); }
svg.chart { width: 100%; max-width: 60rem; height: auto; display: block; }
svg.chart text { fill: var(--muted); font-size: 10px; }
svg.chart line.grid { stroke: var(--line); }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
svg.swatch { width: 0.7rem; height: 0.7rem; margin-right: 0.3rem; }
.series-1 { fill: #1f77b4; } .series-2 { fill: #ff7f0e; } .series-3 { fill: #2ca02c; }
.series-4 { fill: #d62728; } .series-5 { fill: #9467bd; } .series-6 { fill: #8c564b; }
.series-7 { fill: #e377c2; } .series-8 { fill: #7f7f7f; }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #333; --line: #999; --head: #fff; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  tr, li, svg { break-inside: avoid; }
  thead { display: table-header-group; }
  h2 { break-after: avoid; }
}
]]

---A whole page: doctype, `<meta charset="utf-8">`, a Content-Security-Policy
---`<meta>` that allows no script, no network resource, no form and no
---plug-in, and only the page's own stylesheet (by its SHA-256 hash, so even
---a `style` attribute is refused), a viewport, `color-scheme`, an optional
---`<meta http-equiv="refresh">`, the title and the stylesheet, then `body`.
---`opts.css` (default `html.CSS`) is code, not data: one holding `</style`
---raises. `opts.refresh` is a whole number of seconds above 0.
---@param opts {title: string, body: string, css: string|nil, refresh: integer|nil, lang: string|nil}
---@return string
function M.page(opts)
  local css = opts.css or M.CSS
  if css:lower():find("</style", 1, true) then error("html.page: the CSS holds </style", 2) end
  local refresh = opts.refresh
  if refresh ~= nil and (math.type(refresh) ~= "integer" or refresh < 1) then
    error("html.page: refresh must be a whole number of seconds above 0", 2)
  end
  local csp = "default-src 'none'; style-src " .. M.hash_source(css)
    .. "; base-uri 'none'; form-action 'none'"
  local head = {
    "<!DOCTYPE html>",
    "<html" .. M.attrs({ lang = opts.lang or "en" }) .. ">",
    "<head>",
    '<meta charset="utf-8">',
    -- written as it is, quotes and all: made here of keywords and base64
    '<meta http-equiv="Content-Security-Policy" content="' .. csp .. '">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
  }
  if refresh then head[#head + 1] = M.el("meta", { ["http-equiv"] = "refresh", content = refresh }) end
  head[#head + 1] = M.text("title", nil, opts.title)
  head[#head + 1] = "<style>" .. css .. "</style>"
  head[#head + 1] = "</head>"
  head[#head + 1] = "<body>"
  head[#head + 1] = opts.body
  head[#head + 1] = "</body>\n</html>\n"
  return table.concat(head, "\n")
end

return M
