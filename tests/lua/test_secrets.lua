-- Unit tests of sesslua.secrets inside the real host: what is a credential,
-- what only looks like one, masking, the config's extra rules, and scans
-- that stay linear on hostile lines.
local secrets = require("sesslua.secrets")

local harness = dofile(debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") .. "harness.lua")
local test, eq = harness.test, harness.eq

---The kinds found in one line, joined.
local function kinds(line, extra)
  local out = {}
  for _, h in ipairs(secrets.scan(line, extra)) do out[#out + 1] = h.kind end
  return table.concat(out, ", ")
end

test("found", function()
  for _, c in ipairs({
    { '{"password": "hunter2xyz"}', "password" },
    { "{'passwd': 'hunter2xyz'}", "password" },
    { "DB_PASSWORD=hunter2xyz ./run.sh", "password" },
    { "**Password:** FAKEboldPW77", "password" },
    { "password: `hunter2xyz`", "password" },
    { "password: hunter2 for staging", "password" },
    { "redis://:S3cretRedisPw@cache:6379", "connection string with a password" },
    { "DATABASE_URL=postgres://admin:FAKEdbPASS55@db:5432/app", "connection string with a password" },
    { "secret: abc123def456", "secret" },
    { "SECRET_KEY=FAKEsecretVALUE", "secret" },
    { "client_secret: 9f8e7d6c5b4a3f2e1d0c", "secret" },
    { "aws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret" },
    { "api_key: Zq8vK2mP9xL4tR7wN3bY", "API key" },
    { "api-key=Hf83kdLq02mZxPq7Ww", "API key" },
    { "X-API-Key: Hf83kdLq02mZxPq7Ww", "API key" },
    { "token xapp-1-A0FAKE00TEST-0000000000000-fakeFAKEtest", "Slack token" },
    { "xoxb-0000000000-0000000000000-FAKEtest", "Slack token" },
    { "https://hooks.slack.com/services/T0FAKE000/B0FAKE000/FAKEtestNOTrealHOOK0000", "Slack webhook" },
    { "AKIAFAKE00TEST00KEY1", "AWS access key" },
    { "-----BEGIN EC PRIVATE KEY-----", "private key" },
    { "ghp_FAKEtestTOKENnotREAL0000000000000000", "GitHub token" },
    { "sk-ant-api03-FAKE_test-NOT_real_0000000000", "Anthropic API key" },
    { "(sk-FAKEtestNOTrealKEY000000000000)", "OpenAI API key" },
  }) do
    eq(kinds(c[1]), c[2], c[1])
  end
end)

test("near_misses_not_found", function()
  for _, line in ipairs({
    "Password: rotated weekly by ops",
    "The password: must be 12 characters",
    "password: <redacted>",
    "password=${DB_PASSWORD}",
    "password: $DB_PASSWORD and %DB_PASSWORD%",
    "password: ***",
    "password: changeme",
    '{"password": "<from vault>"}',
    "passwords: 12 characters minimum",
    "password_policy: strict",
    "secret: see vault path kv/app",
    "The secret: patience",
    "client_secret: $CLIENT_SECRET",
    "api_key: ask the platform team",
    "api_key: localdev",
    "api-key=changeme",
    "redis://cache:6379 and redis://:@cache:6379 and https://user@host/x",
    "https://example.com:8443/docs?q=1",
    "postgres://app:${DB_PASSWORD}@db.internal/app",
    "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "-----BEGIN PUBLIC KEY-----",
    "AKIAFAKE00TEST00KEY12 one long",
    "sk-proj-short ghp_short xapp-1-short",
    "ask-anthropic-about-rate-limits-and-quotas",
  }) do
    eq(kinds(line), "", line)
  end
end)

test("masked_at_their_lines", function()
  local hits = secrets.scan("clean\r\nsecret: abc123def456\r\n\npassword: hunter2xyz\n")
  eq(#hits, 2, "hits")
  eq(hits[1].line, 2, "line of the first")
  eq(hits[1].masked, "abc1********", "masked")
  eq(hits[2].line, 4, "line of the second")
  eq(hits[2].masked, "hunt******", "masked")
  eq(secrets.mask("abc"), "***", "short value")
end)

test("one_hit_per_value_per_line", function()
  eq(kinds("password=FAKEpw0rd99 again password=FAKEpw0rd99"), "password", "same value")
end)

test("config_rules_and_exceptions", function()
  local extra = { { kind = "ACME token", pattern = "(ACME%-TOKEN%-%w+)" }, { allow = "EXAMPLE$" } }
  eq(secrets.check_rules(extra), true, "valid")
  eq(kinds("ACME-TOKEN-FAKE0000deadbeef and AKIAIOSFODNN7EXAMPLE", extra), "ACME token", "extra + allow")
  eq(kinds("AKIAIOSFODNN7EXAMPLE"), "AWS access key", "no exception by default")
  local ok, msg = secrets.check_rules({ { kind = "broken", pattern = "(%" } })
  eq(ok, nil, "bad pattern refused")
  eq(msg:match("^entry 1: bad Lua pattern") ~= nil, true, "message: " .. tostring(msg))
end)

-- Every built-in rule on a 2 MB line repeating its anchor or what its
-- pattern reads: a quadratic rule takes hours here, past the test timeout.
test("linear_on_hostile_lines", function()
  for _, unit in ipairs({ "a.a.a.", "a-a-", "xoxb-", "sk-", "secret", "secret=", "password: ",
      'password: "', "passw", "apiapi", "a://", "x://a:", "x://:b", "-----BEGIN PRIVATE KEY ",
      "hooks.slack.com/services/T", "AKIA", "gh", "xapp-1-", " ", "password: word " }) do
    local line = unit:rep(2 * 1024 * 1024 // #unit)
    secrets.scan(line)
  end
  local many = ("note a.a.a\npassword: hunter2xyz\n"):rep(50000)
  eq(#secrets.scan(many), 50000, "100,000 lines, every password")
end)

harness.done("test_secrets")
