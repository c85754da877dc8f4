--- A unified diff of two texts, for --dry-run: Myers' O(ND) line diff, so
--- an update that touches a field near the top and the footer at the end
--- shows two small hunks, not one covering the whole log.
local M = {}

-- A last line without a line ending keeps a "\n" of its own: no other
-- line holds one, so it never equals the same text with an ending (the
-- diff must change it), and the output marks it as patch(1) expects.
local function split(text)
  local out, pos = {}, 1
  while pos <= #text do
    local nl = text:find("\n", pos, true)
    if not nl then
      out[#out + 1] = text:sub(pos) .. "\n"
      break
    end
    out[#out + 1] = text:sub(pos, nl - 1)
    pos = nl + 1
  end
  return out
end

---Edit script from x to y: array of {op = " "|"-"|"+", line}.
local function myers(x, y)
  local n, m = #x, #y
  local max = n + m
  local v = { [1] = 0 }
  local trace = {}
  for d = 0, max do
    local snapshot = {}
    for k, val in pairs(v) do snapshot[k] = val end
    trace[d] = snapshot
    for k = -d, d, 2 do
      local i
      if k == -d or (k ~= d and (v[k - 1] or -1) < (v[k + 1] or -1)) then
        i = v[k + 1] or 0
      else
        i = (v[k - 1] or 0) + 1
      end
      local j = i - k
      while i < n and j < m and x[i + 1] == y[j + 1] do i, j = i + 1, j + 1 end
      v[k] = i
      if i >= n and j >= m then
        -- walk the trace back into an edit script
        local ops = {}
        local ci, cj = n, m
        for dd = d, 1, -1 do
          local vv = trace[dd]
          local kk = ci - cj
          local prev_k
          if kk == -dd or (kk ~= dd and (vv[kk - 1] or -1) < (vv[kk + 1] or -1)) then
            prev_k = kk + 1
          else
            prev_k = kk - 1
          end
          local pi = vv[prev_k] or 0
          local pj = pi - prev_k
          while ci > pi and cj > pj do
            ops[#ops + 1] = { op = " ", line = x[ci] }
            ci, cj = ci - 1, cj - 1
          end
          if ci == pi then
            ops[#ops + 1] = { op = "+", line = y[cj] }
          else
            ops[#ops + 1] = { op = "-", line = x[ci] }
          end
          ci, cj = pi, pj
        end
        while ci > 0 do
          ops[#ops + 1] = { op = " ", line = x[ci] }
          ci, cj = ci - 1, cj - 1
        end
        local out = {}
        for idx = #ops, 1, -1 do out[#out + 1] = ops[idx] end
        return out
      end
    end
  end
  return {}
end

---Unified diff of a -> b labelled with name; "" when equal.
function M.unified(a, b, name, context)
  if a == b then return "" end
  context = context or 3
  local ops = myers(split(a), split(b))
  local out = { "--- " .. name, "+++ " .. name .. " (updated)" }
  local i, n = 1, #ops
  local xi, yi = 1, 1 -- line numbers before ops[i]
  local pos = {}
  for k, op in ipairs(ops) do
    pos[k] = { xi, yi }
    if op.op ~= "+" then xi = xi + 1 end
    if op.op ~= "-" then yi = yi + 1 end
  end
  while i <= n do
    while i <= n and ops[i].op == " " do i = i + 1 end
    if i > n then break end
    local first = math.max(1, i - context)
    local last = i
    -- extend while the next change is within 2 * context equal lines
    local k = i
    while k <= n do
      if ops[k].op ~= " " then last = k; k = k + 1
      elseif k - last <= 2 * context then k = k + 1
      else break end
    end
    last = math.min(n, last + context)
    local xs, ys, xc, yc = pos[first][1], pos[first][2], 0, 0
    local body = {}
    for h = first, last do
      body[#body + 1] = ops[h].op .. ops[h].line
      if ops[h].op ~= "+" then xc = xc + 1 end
      if ops[h].op ~= "-" then yc = yc + 1 end
    end
    out[#out + 1] = ("@@ -%d,%d +%d,%d @@"):format(xs, xc, ys, yc)
    for _, l in ipairs(body) do
      if l:sub(-1) == "\n" then
        out[#out + 1] = l:sub(1, -2)
        out[#out + 1] = "\\ No newline at end of file"
      else
        out[#out + 1] = l
      end
    end
    i = last + 1
  end
  return table.concat(out, "\n") .. "\n"
end

return M
