--- The C search kernel alone (no workflow post-processing), run as
---   sesslua tests/bench/search_kernel.lua DIR WORD
--- Searches every *.md in DIR with sesslua.search and prints "<files> <hits>".
local fs = require("sesslua.fs")
local search = require("sesslua.search")
local dir, word = arg[1], arg[2]
local paths = {}
for _, name in ipairs(fs.list(dir, ".md") or {}) do paths[#paths + 1] = dir .. "/" .. name end
local r = assert(search.files(paths, word, { icase = true }))
io.write(("%d %d\n"):format(#paths, #r.hits))
return 0
