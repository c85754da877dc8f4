#!/usr/bin/env bash
# search's **Label:** of a hit is the nearest one above it in its section
# that is not in code: a label line inside fenced or indented code is text,
# on one thread and on four, in text and in JSON.
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
A="$R/sessions/ACTIVE"
mkdir -p "$A" "$R/shared-knowledge"
cat > "$A/session-7.md" <<'EOF'
# Session 7 - Work Log

## Blockers & Issues

**Current Blockers:**
- [ ] kafka lag on deploy

```text
**Fake Label:**
kafka inside the fence
```

kafka after the fence

**Other:**
text

    **Indented Label:**
    kafka in indented code

kafka after indented code
EOF
group() { printf '%s\n' "$OUT" | awk -v h="$1" '$0 == h {on = 1; next} on && /^  [0-9]+: / {printf "%s|", $0; next} {on = 0}'; }
for t in 1 4; do
  SESSLUA_THREADS=$t run "$SESSLUA" --root "$R" search.lua kafka
  expect_rc 0 "found ($t threads)"
  expect_eq "$(group 'session-7 › Blockers & Issues › Current Blockers')" \
    "  6: - [ ] kafka lag on deploy|  10: kafka inside the fence|  13: kafka after the fence|" \
    "a label line in a fence labels nothing ($t threads)"
  expect_eq "$(group 'session-7 › Blockers & Issues › Other')" \
    "  19:     kafka in indented code|  21: kafka after indented code|" \
    "nor one in indented code ($t threads)"
  printf '%s' "$OUT" | grep -q "Fake Label\|Indented Label" && bad "a label in code heads a group: $OUT" || ok
  SESSLUA_THREADS=$t run "$SESSLUA" --root "$R" search.lua kafka --json
  labels=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join("%d:%s" % (h["line"], h.get("label")) for h in d["hits"]))')
  expect_eq "$labels" "6:Current Blockers 10:Current Blockers 13:Current Blockers 19:Other 21:Other" \
    "JSON labels ($t threads)"
done
finish
