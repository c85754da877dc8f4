--- git's merge driver for the tree: knowledge, session logs, read state.
-- Set up by `init.lua --git` or the first `sync.lua` as
--   merge.sesslua.driver = sesslua merge-driver %O %A %B %P
-- git passes the ancestor's, ours' and theirs' temp files and the path;
-- the result goes into %A. What cannot be merged without a loss exits 1
-- after git merge-file has written git's usual conflict into %A, so git
-- stops as it would have without the driver.
local cli = require("sesslua.cli")
local fs = require("sesslua.fs")
local sys = require("sesslua.sys")
local merge = require("sesslua.merge")

local parser = cli.parser("merge-driver.lua", "Merge one coordination file for git (%O %A %B %P).",
  "Configured by init.lua --git or sync.lua; git runs it, people rarely do.")
parser:argument("base", "The common ancestor's version (%O).")
parser:argument("ours", "Our version (%A); the result is written here.")
parser:argument("theirs", "Their version (%B).")
parser:argument("path", "The file's path in the repository (%P).")
local args = cli.parse(parser)

local base = fs.read(args.base) or "" -- git gives an empty file when there is no ancestor
local ours = cli.check(fs.read(args.ours))
local theirs = cli.check(fs.read(args.theirs))

local merged, why = merge.merge(args.path, base, ours, theirs)
if merged then
  cli.check(fs.write(args.ours, merged))
  return 0
end
-- git's own conflict, so the person sees what they would have seen
sys.run({ "git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs",
          args.ours, args.base, args.theirs })
io.stderr:write(("sesslua: merge-driver: %s: %s; left git's conflict markers to resolve\n")
  :format(cli.printable(args.path), cli.printable(why or "cannot merge")))
return 1
