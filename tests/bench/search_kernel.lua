--- The C search kernel alone (no workflow post-processing), run as
---   sesslua tests/bench/search_kernel.lua DIR WORD
--- Searches every *.md in DIR with sesslua.search, streaming (a path
--- iterator, hits handed over per file and dropped), and prints
--- "<files> <hits>".
local fs = require("sesslua.fs")
local search = require("sesslua.search")
local dir, word = arg[1], arg[2]
local names = fs.list(dir, ".md") or {}
local i = 0
local function next_path()
  i = i + 1
  return names[i] and dir .. "/" .. names[i]
end
local r = assert(search.files(next_path, word, { icase = true, each = function() end }))
io.write(("%d %d\n"):format(#names, r.count))
return 0
