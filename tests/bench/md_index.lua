--- Section-index throughput of sesslua.md: run by the sesslua binary as
---   sesslua tests/bench/md_index.lua FILE N
--- Prints "<bytes> <cpu seconds for N indexings> <sections>" on stdout.
local md = require("sesslua.md")
local path, n = arg[1], tonumber(arg[2] or "10")
local f = assert(io.open(path, "rb"))
local t = f:read("a")
f:close()
local count = 0
local c = os.clock()
for _ = 1, n do count = #md.sections(t) end
local secs = os.clock() - c
io.write(("%d %.6f %d\n"):format(#t, secs, count))
return 0
