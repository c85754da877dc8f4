-- test_fs.lua — sesslua.fs and sesslua.sys from Lua, against the real C
-- modules. Plain Lua: assert on every expectation, "ok N tests" at the end,
-- an error (non-zero exit in the host) on the first failure. Works in a
-- fresh folder under $TMPDIR (or /tmp) and removes it whatever happens.
-- Set SESSLUA_TEST_STDIN=1 and pipe "hello" in to also test sys.read_stdin.

local fs = require("sesslua.fs")
local sys = require("sesslua.sys")

local tmp = os.getenv("TMPDIR") or "/tmp"
local root = string.format("%s/sesslua-test-fs-%d-%d", tmp, sys.getpid(),
                           math.random(1, 1 << 30))
assert(fs.mkdir(root))

local tests = {}
local function test(name, fn)
  tests[#tests + 1] = { name = name, fn = fn }
end

local function p(name)
  return root .. "/" .. name
end

-- Expect a world failure: nil, a message naming `path`, the errno name.
local function fails(code, path, ok, msg, got)
  assert(ok == nil, "expected failure " .. code .. ", got success")
  assert(got == code, "expected " .. code .. ", got " .. tostring(got) .. " (" .. tostring(msg) .. ")")
  assert(type(msg) == "string")
  if path then
    assert(msg:sub(1, #path + 2) == path .. ": ", "message should name the path: " .. msg)
  end
end

local function raises(pattern, fn, ...)
  local ok, err = pcall(fn, ...)
  assert(not ok, "expected an error")
  assert(tostring(err):find(pattern), "unexpected error: " .. tostring(err))
end

---------------------------------------------------------------------------
-- read / write

test("write_then_read_roundtrips_binary", function()
  local data = "line 1\r\nemoji \u{1F680}\0nul\tand tab\n"
  assert(fs.write(p("a.md"), data) == true)
  assert(fs.read(p("a.md")) == data)
  assert(fs.write(p("empty"), "") == true)
  assert(fs.read(p("empty")) == "")
end)

test("read_missing_is_enoent", function()
  fails("ENOENT", p("missing.md"), fs.read(p("missing.md")))
  fails("EISDIR", root, fs.read(root))
end)

test("atomic_write_leaves_no_temp_file", function()
  fs.mkdir(p("clean"))
  for i = 1, 5 do
    assert(fs.write(p("clean/x.md"), "v" .. i))
  end
  local names = assert(fs.list(p("clean")))
  assert(#names == 1 and names[1] == "x.md")
end)

test("exclusive_write_refuses_existing", function()
  assert(fs.write(p("once.md"), "1", { exclusive = true }))
  fails("EEXIST", p("once.md"), fs.write(p("once.md"), "2", { exclusive = true }))
  assert(fs.read(p("once.md")) == "1")
end)

test("write_mode_is_octal_string_or_integer", function()
  assert(fs.write(p("m1"), "x", { mode = "0600" }))
  assert(fs.stat(p("m1")).mode == 384)
  assert(fs.write(p("m2"), "x", { mode = 416 })) -- 0640
  assert(fs.stat(p("m2")).mode == 416)
  -- Lua has no octal literals: 0644 is decimal 644, refused, not misread.
  raises("octal", fs.write, p("m3"), "x", { mode = 0644 })
  raises("octal", fs.write, p("m3"), "x", { mode = "rw" })
  assert(not fs.exists(p("m3")))
end)

test("write_keeps_existing_mode", function()
  assert(fs.write(p("keep"), "x", { mode = "0640" }))
  assert(fs.write(p("keep"), "y", { mode = "0600" }))
  assert(fs.stat(p("keep")).mode == 416)
end)

test("write_into_missing_folder_fails_cleanly", function()
  fails("ENOENT", p("no/dir/x.md"), fs.write(p("no/dir/x.md"), "x"))
  assert(not fs.exists(p("no")))
end)

test("write_misuse_raises", function()
  raises("bad argument #2", fs.write, p("x"))
  raises("bad argument #1", fs.write, nil, "x")
  raises("bad argument #3", fs.write, p("x"), "x", 5)
end)

---------------------------------------------------------------------------
-- update

test("update_missing_without_create_is_enoent", function()
  local called = false
  fails("ENOENT", p("u0.md"), fs.update(p("u0.md"), function() called = true end))
  assert(not called)
  assert(not fs.exists(p("u0.md.lock")))
end)

test("update_creates_when_asked", function()
  local seen = "unset"
  local ok, changed = fs.update(p("u1.md"), function(text)
    seen = text
    return "# new\n"
  end, { create = true, mode = "0600" })
  assert(ok == true and changed == true)
  assert(seen == nil)
  assert(fs.read(p("u1.md")) == "# new\n")
  assert(fs.stat(p("u1.md")).mode == 384)
  assert(not fs.exists(p("u1.md.lock")))
end)

test("update_returns_changed_and_extra_values", function()
  assert(fs.write(p("u2.md"), "a\n"))
  local r = table.pack(fs.update(p("u2.md"), function(text)
    return text .. "b\n", "extra", nil, 3
  end))
  assert(r.n == 5 and r[1] == true and r[2] == true)
  assert(r[3] == "extra" and r[4] == nil and r[5] == 3)
  assert(fs.read(p("u2.md")) == "a\nb\n")

  local before = fs.stat(p("u2.md"))
  r = table.pack(fs.update(p("u2.md"), function(text) return text end))
  assert(r.n == 2 and r[1] == true and r[2] == false)
  r = table.pack(fs.update(p("u2.md"), function() end))
  assert(r.n == 2 and r[1] == true and r[2] == false)
  r = table.pack(fs.update(p("u2.md"), function() return nil, "why" end))
  assert(r.n == 3 and r[2] == false and r[3] == "why")
  assert(fs.stat(p("u2.md")).mtime == before.mtime)
end)

test("update_error_in_fn_releases_lock_and_propagates", function()
  assert(fs.write(p("u3.md"), "keep"))
  local ok, err = pcall(fs.update, p("u3.md"), function() error("boom") end)
  assert(not ok and tostring(err):find("boom"))
  assert(not fs.exists(p("u3.md.lock")))
  -- A non-string error value comes back as the very same value.
  local obj = {}
  ok, err = pcall(fs.update, p("u3.md"), function() error(obj) end)
  assert(not ok and err == obj)
  assert(fs.read(p("u3.md")) == "keep")
  -- And the lock is free again at once.
  assert(fs.update(p("u3.md"), function(t) return t .. "!" end, { timeout_ms = 0 }))
  assert(fs.read(p("u3.md")) == "keep!")
end)

test("update_bad_return_raises_and_releases", function()
  assert(fs.write(p("u4.md"), "keep"))
  raises("string or nil", fs.update, p("u4.md"), function() return 42 end)
  assert(not fs.exists(p("u4.md.lock")))
  assert(fs.read(p("u4.md")) == "keep")
end)

test("update_held_lock_times_out", function()
  assert(fs.write(p("u5.md"), "x"))
  local inner = {}
  assert(fs.update(p("u5.md"), function()
    -- A second lock on the same file conflicts even within one process.
    inner = table.pack(fs.update(p("u5.md"), function() return "never" end,
                                 { timeout_ms = 0 }))
    local t0 = sys.time()
    inner.b = table.pack(fs.update(p("u5.md"), function() return "never" end,
                                   { timeout_ms = 50 }))
    inner.waited = sys.time() - t0
  end))
  fails("ETIMEDOUT", p("u5.md"), table.unpack(inner, 1, 3))
  assert(inner[2] == p("u5.md") .. ": locked by another process (waited 0s)", inner[2])
  assert(inner.b[2]:find("(waited 50ms)", 1, true))
  assert(inner.waited >= 0.045)
  assert(fs.read(p("u5.md")) == "x")
end)

test("update_misuse_raises", function()
  raises("bad argument #2", fs.update, p("u6.md"), "not a function")
  raises("timeout_ms", fs.update, p("u6.md"), function() end, { timeout_ms = -1 })
  raises("timeout_ms", fs.update, p("u6.md"), function() end, { timeout_ms = "x" })
end)

---------------------------------------------------------------------------
-- move, mkdir, list, stat, exists, remove, realpath

test("move_refuses_to_overwrite", function()
  assert(fs.write(p("mv-a"), "A"))
  assert(fs.write(p("mv-b"), "B"))
  fails("EEXIST", p("mv-b"), fs.move(p("mv-a"), p("mv-b")))
  assert(fs.read(p("mv-a")) == "A" and fs.read(p("mv-b")) == "B")
end)

test("move_overwrites_when_asked", function()
  assert(fs.move(p("mv-a"), p("mv-b"), true) == true)
  assert(fs.read(p("mv-b")) == "A")
  assert(not fs.exists(p("mv-a")))
end)

test("move_missing_source_is_enoent", function()
  fails("ENOENT", p("mv-none"), fs.move(p("mv-none"), p("mv-c")))
  fails("ENOENT", nil, fs.move(p("mv-b"), p("no/dir/c")))
  assert(fs.exists(p("mv-b")))
end)

test("mkdir_p_nested_and_existing", function()
  assert(fs.mkdir(p("d1/d2/d3")) == true)
  assert(fs.stat(p("d1/d2/d3")).type == "dir")
  assert(fs.mkdir(p("d1/d2/d3")) == true)
  assert(fs.write(p("d1/file"), "x"))
  fails("EEXIST", p("d1/file"), fs.mkdir(p("d1/file")))
  fails("ENOTDIR", p("d1/file/sub"), fs.mkdir(p("d1/file/sub")))
end)

test("list_sorted_visible_with_suffix", function()
  fs.mkdir(p("ls"))
  for _, n in ipairs({ "b.md", "a.md", "B.md", ".hidden.md", "c.txt", "a.md.lock" }) do
    assert(fs.write(p("ls/" .. n), n))
  end
  fs.mkdir(p("ls/sub.md"))
  local all = fs.list(p("ls"))
  assert(table.concat(all, ",") == "B.md,a.md,a.md.lock,b.md,c.txt,sub.md", table.concat(all, ","))
  local md, types = fs.list(p("ls"), ".md")
  assert(table.concat(md, ",") == "B.md,a.md,b.md,sub.md")
  assert(types == nil, "no types unless asked for")
  local _, asked = fs.list(p("ls"), ".md", true)
  assert(asked and asked["sub.md"] == "dir" and asked["a.md"] == "file", "types when asked for")
  assert(#fs.list(p("ls"), ".none") == 0)
  fails("ENOENT", p("nols"), fs.list(p("nols")))
  fails("ENOTDIR", p("ls/c.txt"), fs.list(p("ls/c.txt")))
  assert(fs.remove(p("ls/.hidden.md"))) -- the cleanup cannot see it
end)

test("stat_and_exists", function()
  assert(fs.write(p("st"), "12345"))
  local st = fs.stat(p("st"))
  assert(st.type == "file" and st.size == 5 and math.type(st.size) == "integer")
  assert(math.abs(st.mtime - sys.time()) < 60)
  assert(fs.stat(root).type == "dir")
  fails("ENOENT", p("nost"), fs.stat(p("nost")))
  assert(fs.exists(p("st")) == true and fs.exists(p("nost")) == false)
  local dev = fs.stat("/dev/null")
  assert(dev and dev.type == "other")
end)

test("remove_file_and_empty_folder", function()
  assert(fs.write(p("rm"), "x"))
  assert(fs.remove(p("rm")) == true and not fs.exists(p("rm")))
  fails("ENOENT", p("rm"), fs.remove(p("rm")))
  assert(fs.mkdir(p("rmdir/sub")))
  fails("ENOTEMPTY", p("rmdir"), fs.remove(p("rmdir")))
  assert(fs.remove(p("rmdir/sub")) and fs.remove(p("rmdir")))
end)

test("realpath_resolves", function()
  assert(fs.mkdir(p("rp")))
  assert(fs.write(p("rp/f"), "x"))
  local real = assert(fs.realpath(p("rp/../rp/./f")))
  assert(real:sub(1, 1) == "/" and real:sub(-5) == "/rp/f")
  assert(real == fs.realpath(p("rp/f")))
  fails("ENOENT", p("rp/none"), fs.realpath(p("rp/none")))
end)

test("dirname_and_basename", function()
  local cases = {
    -- path, dirname, basename
    { "a/b/c.md", "a/b", "c.md" }, { "c.md", ".", "c.md" }, { "/c.md", "/", "c.md" },
    { "/", "/", "/" }, { "a/b/", "a", "b" }, { "a//b", "a", "b" }, { "", ".", "" },
    { "//x//", "/", "x" }, { ".", ".", "." },
  }
  for _, c in ipairs(cases) do
    assert(fs.dirname(c[1]) == c[2], "dirname(" .. c[1] .. ") = " .. fs.dirname(c[1]))
    assert(fs.basename(c[1]) == c[3], "basename(" .. c[1] .. ") = " .. fs.basename(c[1]))
  end
end)

---------------------------------------------------------------------------
-- sesslua.sys

test("sys_basics", function()
  assert(type(sys.isatty(0)) == "boolean" and type(sys.isatty(1)) == "boolean")
  raises("bad argument", sys.isatty, 3)
  local w = sys.term_width()
  assert(math.type(w) == "integer" and w > 0)
  assert(math.abs(sys.time() - os.time()) <= 1.5)
  assert(type(sys.getenv("PATH")) == "string")
  assert(sys.getenv("SESSLUA_SURELY_UNSET_VARIABLE") == nil)
  assert(math.type(sys.getpid()) == "integer" and sys.getpid() > 0)
  assert(type(sys.hostname()) == "string" and #sys.hostname() > 0)
  assert(sys.cwd():sub(1, 1) == "/")
end)

test("sys_time_parsing", function()
  assert(sys.parse_time("1970-01-01 00:00:00", true) == 0)
  assert(sys.parse_time("2025-11-15 12:30:00", true) == 1763209800)
  assert(sys.parse_time("2025-11-15T12:30:00", true) == 1763209800)
  assert(sys.parse_time("2025-11-15 12:30", true) == 1763209800)
  assert(sys.parse_time("2024-02-29 23:59:59", true) == 1709251199)
  assert(sys.parse_time("2025-11-15", true) == 1763164800)
  local t = 1763209800
  local off = sys.localtime_offset(t)
  assert(math.type(off) == "integer")
  assert(sys.parse_time(os.date("%Y-%m-%d %H:%M:%S", t)) == t)
  -- The local wall clock at t, read as UTC, is off seconds later.
  assert(sys.parse_time(os.date("%Y-%m-%d %H:%M:%S", t), true) == t + off)
  for _, bad in ipairs({ "2025-02-30 00:00:00", "2025-13-01", "2025-11-15 24:00:00",
                         "2025-11-15 12:30:00Z", "15/11/2025", "", "2025-1-5" }) do
    fails("EINVAL", bad, sys.parse_time(bad, true))
  end
end)

test("sys_sleep", function()
  local t0 = sys.time()
  sys.sleep(0.02)
  assert(sys.time() - t0 >= 0.019)
  raises("bad argument", sys.sleep, -1)
end)

if os.getenv("SESSLUA_TEST_STDIN") then
  test("sys_read_stdin", function()
    assert(sys.read_stdin() == "hello\n")
  end)
end

---------------------------------------------------------------------------

local function remove_tree(path)
  local st = fs.stat(path)
  if st and st.type == "dir" then
    -- fs.list hides dot files; a test may leave none, but be thorough.
    for _, name in ipairs(fs.list(path) or {}) do
      remove_tree(path .. "/" .. name)
    end
  end
  fs.remove(path)
end

local passed, failure = 0, nil
for _, t in ipairs(tests) do
  local ok, err = xpcall(t.fn, debug.traceback)
  if not ok then
    failure = t.name .. ": " .. tostring(err)
    break
  end
  passed = passed + 1
end
remove_tree(root)
if fs.exists(root) then
  failure = failure or ("left files behind in " .. root)
end
if failure then
  error("FAILED " .. failure, 0)
end
print(string.format("ok %d tests", passed))
