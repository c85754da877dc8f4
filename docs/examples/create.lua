--- Create a session log, then announce it to the team (wraps the built-in).
-- Overrides the built-in create.lua while calling it: install as
-- docs/coordination/scripts/create.lua. Same arguments as the built-in.
require("sesslua.api").require(1)
local builtin = require("sesslua.builtin")
local cli = require("sesslua.cli")
local ctx = require("sesslua.context")
local tree = require("sesslua.tree")
local messages = require("sesslua.messages")

-- The built-in's arguments, declared as it declares them, so `args.id` is
-- the id wherever it stands (`create.lua --force 12 Dev X`): never read
-- arg[1], which may be an option. --help shows this, a bad line exits 2.
local parser = cli.parser("create.lua", "Create a session log, then announce it to the team.")
parser:argument("id", "Session id: session-12, or just 12.")
parser:argument("role", "The session's role."):args("?")
parser:argument("goal", "The session's goal."):args("?")
parser:flag("--force", "Replace an existing log.")
parser:flag("--json", "Print the result as JSON.")
local args = cli.parse(parser)

-- Run the shipped create.lua with the same command line; it checks the
-- values and prints its own errors.
local code = assert(load(builtin.get("scripts/create.lua"), "@builtin:scripts/create.lua"))(...)
if code ~= 0 then return code end

-- Then tell everyone a new session has started.
local id = tree.normalize_id(args.id)
local sent, err = messages.deliver(ctx, { from = id, to = "broadcast",
  subject = ("%s has started: %s"):format(id, args.goal or args.role or "a new session") })
if not sent then cli.warn("announcement not sent: " .. err) end
return 0
