-- test_html.lua — sesslua.html: escaping, elements, tables, progress bars,
-- the bar chart, SHA-256 and the page's Content-Security-Policy.
local html = require("sesslua.html")

local n = 0
local function eq(got, want, what)
  n = n + 1
  if got ~= want then
    error(("%s:\n  got      %s\n  expected %s"):format(what, tostring(got), tostring(want)), 2)
  end
end
local function raises(f, pattern, what)
  n = n + 1
  local ok, err = pcall(f)
  if ok then error(what .. ": did not raise", 2) end
  if not tostring(err):find(pattern) then error(what .. ": raised " .. tostring(err), 2) end
end
local function count(s, pattern)
  local c = 0
  for _ in s:gmatch(pattern) do c = c + 1 end
  return c
end

-- escape
eq(html.escape("plain text é 🎉"), "plain text é 🎉", "text without markup is returned as it is")
eq(html.escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;", "script tag")
eq(html.escape('"><img src=x onerror=alert(1)>'), "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
  "attribute break-out")
eq(html.escape("it's a & b"), "it&#39;s a &amp; b", "quote and ampersand")
eq(html.escape("&lt;"), "&amp;lt;", "a reference is escaped again, not kept")
eq(html.escape("a\0b\27[31mc\127d\te\nf\r"), "a\u{FFFD}b\u{FFFD}[31mc\u{FFFD}d\te\nf\r",
  "controls other than tab, LF and CR become U+FFFD")
eq(html.escape(42), "42", "numbers become text")
raises(function() html.escape(nil) end, "expected a string", "nil is misuse")
raises(function() html.escape({}) end, "expected a string", "a table is misuse")

-- attrs, el, text
eq(html.attrs({ title = 'a"b', id = "x", hidden = true, open = false }),
  ' hidden id="x" title="a&quot;b"', "attributes sorted, booleans, values escaped")
eq(html.attrs(nil), "", "no attributes")
raises(function() html.attrs({ ["x onload"] = "1" }) end, "not a valid name", "a bad attribute name")
eq(html.el("meta", { charset = "utf-8" }), '<meta charset="utf-8">', "a void element has no end tag")
eq(html.el("p", nil, "<b>x</b>"), "<p><b>x</b></p>", "inner is HTML")
eq(html.text("p", { class = "c" }, "<b>x</b>"), '<p class="c">&lt;b&gt;x&lt;/b&gt;</p>', "text is escaped")
raises(function() html.el("p><script", nil, "") end, "not a valid name", "a bad tag name")

-- table
local t = html.table({ "Id", "<Note>" }, { { "a", "<i>1</i>", class = "blocked" }, { "b", "2" } },
  { caption = "Rows & more", class = "t", row_headers = true })
eq(count(t, '<th scope="col">'), 2, "a column header per title")
eq(count(t, '<th scope="row">'), 2, "a row header per row")
eq(t:find("&lt;Note&gt;", 1, true) ~= nil, true, "titles are text")
eq(t:find("<i>1</i>", 1, true) ~= nil, true, "cells are HTML")
eq(t:find('<tr class="blocked">', 1, true) ~= nil, true, "a row's class")
eq(t:find("<caption>Rows &amp; more</caption>", 1, true) ~= nil, true, "the caption is text")
eq(t:find('<table class="t">', 1, true) == 1, true, "the table's class")

-- progress
eq(html.progress(59.6, "P"), '<progress aria-label="P" max="100" value="60">60%</progress>', "rounded")
eq(html.progress(150, "P"):find('value="100"', 1, true) ~= nil, true, "clamped to 100")
eq(html.progress(nil, "x<y"), '<progress aria-label="x&lt;y" max="100">—</progress>', "unknown")

-- sha256 and hash_source (FIPS 180-4 test vectors)
local function hex(s) return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end)) end
eq(hex(html.sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of ''")
eq(hex(html.sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc")
eq(hex(html.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "two blocks")
eq(hex(html.sha256(("a"):rep(1000))),
  "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3", "many blocks")
eq(#html.sha256(("x"):rep(55)) + #html.sha256(("x"):rep(56)) + #html.sha256(("x"):rep(64)), 96,
  "padding edges")
eq(html.hash_source("abc"), "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='", "CSP source, base64")

-- page
local page = html.page({ title = "T <1>", body = "<p>hi</p>", refresh = 30 })
eq(page:sub(1, 16), "<!DOCTYPE html>\n", "a doctype")
local csp = page:match('<meta http%-equiv="Content%-Security%-Policy" content="([^"]*)">')
eq(csp ~= nil, true, "a CSP meta")
eq(csp:find("default-src 'none'", 1, true) ~= nil, true, "nothing allowed by default (no script)")
eq(csp:find("style-src " .. html.hash_source(html.CSS), 1, true) ~= nil,
  true, "the stylesheet by its hash")
eq(csp:find("unsafe", 1, true), nil, "nothing unsafe")
eq(page:find("<style>" .. html.CSS .. "</style>", 1, true) ~= nil, true, "the stylesheet inline")
eq(page:find('<meta content="30" http-equiv="refresh">', 1, true) ~= nil, true, "refresh")
eq(page:find("<title>T &lt;1&gt;</title>", 1, true) ~= nil, true, "the title is text")
eq(page:find("<body>\n<p>hi</p>\n</body>", 1, true) ~= nil, true, "the body")
eq(page:find("<script", 1, true), nil, "no script")
eq(page:find("http", 1, true) ~= nil and page:find("https?://") == nil, true, "no URL")
eq(html.page({ title = "x", body = "" }):find("refresh", 1, true), nil, "no refresh unless asked")
local own = html.page({ title = "x", body = "", css = "h1 { color: teal }" })
eq(own:find(html.hash_source("h1 { color: teal }"), 1, true) ~= nil, true,
  "a team's own CSS gets its own hash")
raises(function() html.page({ title = "x", body = "", css = "a{}</STYLE><script>" }) end,
  "</style", "CSS that ends the style element")
raises(function() html.page({ title = "x", body = "", refresh = 0 }) end, "refresh", "refresh 0")
raises(function() html.page({ title = "x", body = "", refresh = 1.5 }) end, "refresh", "refresh 1.5")

-- bar_chart
local svg = html.bar_chart({ "12-01", "12-02", "12-03" }, {
  { name = "<script>s1</script>", values = { 1, 0, 2 } },
  { name = "s2", values = { 3, 5 } },
}, "Done & dusted")
eq(svg:find('<svg class="chart" viewBox="0 0 720 240" role="img" aria-label="Done &amp; dusted">', 1, true)
  ~= nil, true, "an image with its accessible name")
eq(count(svg, "<rect class=\"series%-%d\" x="), 4, "one part per value above 0")
eq(count(svg, '<li><svg class="swatch"'), 2, "a legend entry per series")
eq(svg:find("<script", 1, true), nil, "series names are text")
eq(svg:find("&lt;script&gt;s1&lt;/script&gt;, 12-03: 2", 1, true) ~= nil, true, "a part's tooltip")
eq(svg:find('<text class="tick" x="[%d.]+" y="[%d.]+" text%-anchor="end">6</text>') ~= nil, true,
  "the axis rounds the top (5) up to an even number")
local empty = html.bar_chart({ "a" }, {}, "Nothing")
eq(empty:find("<ul", 1, true), nil, "no legend without series")
eq(count(empty, "<rect"), 0, "no bars")

io.write(("ok %d checks\n"):format(n))
