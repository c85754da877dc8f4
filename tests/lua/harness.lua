-- harness.lua — what the Lua tests share (not a test: CMake runs
-- test_*.lua only). A test file loads it beside itself:
--
--   local t = dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "harness.lua")
--   t.test("name", function() t.eq(got, want, "what") end)
--   t.done("test_x")                      -- prints "test_x: N passed"
--
-- test runs fn and stops the file at the first failure with the test's
-- name; eq compares with ~= and says both values.
local M = { passed = 0 }

---Run one named check; an error stops the file, prefixed with the name.
---@param name string
---@param fn fun()
function M.test(name, fn)
  local ok, err = pcall(fn)
  if not ok then error(name .. ": " .. tostring(err), 0) end
  M.passed = M.passed + 1
end

---Raise unless a == b, saying what was got and expected.
---@param a any
---@param b any
---@param what? string
function M.eq(a, b, what)
  if a ~= b then error(("%s: got %q, expected %q"):format(what or "value", tostring(a), tostring(b)), 2) end
end

---Print the count of checks passed under the file's name.
---@param name string
function M.done(name)
  io.write(("%s: %d passed\n"):format(name, M.passed))
end

return M
