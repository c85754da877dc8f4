--- The I/O floor under status.lua, run as
---   sesslua tests/bench/read_all.lua DIR
--- Lists DIR's *.md and reads each whole file; no parsing.
local fs = require("sesslua.fs")
local dir = arg[1]
local n, bytes = 0, 0
for _, name in ipairs(fs.list(dir, ".md") or {}) do
  local t = fs.read(dir .. "/" .. name)
  n, bytes = n + 1, bytes + #t
end
io.write(("%d %d\n"):format(n, bytes))
return 0
