--- Create a session log, then announce it to the team (wraps the built-in).
-- Overrides the built-in create.lua while calling it: install as
-- docs/coordination/scripts/create.lua. Same arguments as the built-in.
require("sesslua.api").require(1)
local builtin = require("sesslua.builtin")
local ctx = require("sesslua.context")
local tree = require("sesslua.tree")
local messages = require("sesslua.messages")

-- Run the shipped create.lua with our own arguments.
local code = assert(load(builtin.get("scripts/create.lua"), "@builtin:scripts/create.lua"))(...)
if code ~= 0 then return code end

-- Then tell everyone a new session has started.
local id = tree.normalize_id(arg[1])
local sent, err = messages.deliver(ctx, { from = id, to = "broadcast",
  subject = ("%s has started: %s"):format(id, arg[3] or "") })
if not sent then io.stderr:write("sesslua: warning: announcement not sent: ", err, "\n") end
return 0
