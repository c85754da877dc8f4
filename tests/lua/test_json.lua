-- test_json.lua — sesslua.json's encoder: what a terminal would act on is
-- written as \uXXXX, and the value decodes back to the same string.
local json = require("sesslua.json")

local cases = {
  { "a\u{202E}b", '"a\\u202eb"' },            -- RIGHT-TO-LEFT OVERRIDE
  { "x\u{9B}31m", '"x\\u009b31m"' },          -- C1 CSI
  { "\u{9D}0;title\a", '"\\u009d0;title\\u0007"' }, -- C1 OSC, then BEL
  { "\u{2066}\u{2069}\u{200F}\u{61C}", '"\\u2066\\u2069\\u200f\\u061c"' },
  { "日本語 🎉 é", '"日本語 🎉 é"' },          -- ordinary text stays as it is
  { "\u{2014} \u{20AC}", '"\u{2014} \u{20AC}"' }, -- E2 80 94, E2 82 AC: not controls
}
for i, c in ipairs(cases) do
  local got = json.encode(c[1])
  assert(got == c[2], ("case %d: got %s, expected %s"):format(i, got, c[2]))
  assert(json.decode(got) == c[1], ("case %d: does not decode back"):format(i))
end
io.write(("ok %d cases\n"):format(#cases))
