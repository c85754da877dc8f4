# Shared helpers for the end-to-end tests: each test file sources this,
# runs `check` assertions in a fresh temporary folder, and ends with `finish`,
# which prints "N passed, N failed" and sets the exit status.
set -u
: "${SESSLUA:?set SESSLUA to the built binary}"
PASSED=0
FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sesslua-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
export HOME="$WORK/home" XDG_CONFIG_HOME="" NO_COLOR=1
unset SESSLUA_ROOT SESSLUA_PATH SESSLUA_SESSION SESSLUA_TRUST XDG_DATA_HOME XDG_CACHE_HOME
mkdir -p "$HOME"

ok() { PASSED=$((PASSED + 1)); }
bad() { FAILED=$((FAILED + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR, status in $RC.
run() {
  OUT=$("$@" 2>"$WORK/.stderr"); RC=$?
  ERR=$(cat "$WORK/.stderr")
}

# sl ARGS...: run sesslua.
sl() { run "$SESSLUA" "$@"; }

expect_rc() { # expect_rc N description
  if [ "$RC" -eq "$1" ]; then ok; else bad "$2: exit $RC, expected $1 (stderr: $ERR)"; fi
}
expect_out() { # expect_out FIXED-STRING description
  if printf '%s' "$OUT" | grep -qF -- "$1"; then ok; else bad "$2: stdout lacks '$1': $OUT"; fi
}
expect_err() {
  if printf '%s' "$ERR" | grep -qF -- "$1"; then ok; else bad "$2: stderr lacks '$1': $ERR"; fi
}
expect_err_lines() { # expect_err_lines N description
  local n; n=$(printf '%s' "$ERR" | grep -c '' || true)
  if [ "$n" -le "$1" ]; then ok; else bad "$2: stderr has $n lines: $ERR"; fi
}
expect_file_has() { # expect_file_has FILE FIXED-LINE description  (whole line)
  if grep -qxF -- "$2" "$1" 2>/dev/null; then ok; else bad "$3: $1 lacks line '$2'"; fi
}
expect_file_lacks() {
  if ! grep -qF -- "$2" "$1" 2>/dev/null; then ok; else bad "$3: $1 contains '$2'"; fi
}
expect_exists() { if [ -e "$1" ]; then ok; else bad "$2: $1 missing"; fi; }
expect_absent() { if [ ! -e "$1" ]; then ok; else bad "$2: $1 exists"; fi; }
expect_same() { # expect_same FILE-A FILE-B description
  if cmp -s "$1" "$2"; then ok; else bad "$3: $1 and $2 differ"; diff "$1" "$2" | head -20 >&2; fi
}
expect_eq() { # expect_eq ACTUAL EXPECTED description
  if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', expected '$2'"; fi
}
# A listing of every file under a folder with its checksum, to prove that
# nothing changed.
snapshot() { (cd "$1" 2>/dev/null && find . -type f -print0 | sort -z | xargs -0 -r sha1sum) ; }

# wellformed FILE LABEL: "good bad" — entries in the exact format (heading,
# blank, **LABEL:**, Impact, Timestamp, Category matching the heading,
# Shared By matching the heading, blank, ---) and headings that are not.
wellformed() {
  tr -d '\r' < "$1" | awk -v label="$2" '
    function close_entry() { if (state != "") { if (state == 9) good++; else bad++ } state = "" }
    /^### [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] - / {
      close_entry(); state = 1
      split($0, p, " - "); sess = p[2]; cat = substr($0, length(p[1]) + length(sess) + 7)
      next }
    state == 1 { state = ($0 == "") ? 2 : -1; next }
    state == 2 { state = (index($0, "**" label ":** ") == 1) ? 3 : -1; next }
    state == 3 { if ($0 ~ /^\*\*Impact:\*\* (Low|Medium|High|Critical)$/) state = 4; next } # text may span lines
    state == 4 { state = ($0 ~ /^\*\*Timestamp:\*\* [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC$/) ? 5 : -1; next }
    state == 5 { state = ($0 == "**Category:** " cat) ? 6 : -1; next }
    state == 6 { state = ($0 == "**Shared By:** " sess) ? 7 : -1; next }
    state == 7 { state = ($0 == "") ? 8 : -1; next }
    state == 8 { state = ($0 == "---") ? 9 : -1; next }
    END { close_entry(); printf "%d %d", good+0, bad+0 }'
}
# total FILE: the value of its **Total ...:** line.
total() { tr -d '\r' < "$1" | sed -n 's/^\*\*Total [A-Za-z]*:\*\* \([0-9]*\)$/\1/p'; }

# npm_client DIR PACKAGE: install an npm package (an MCP SDK client) into
# DIR once, under the build folder; a missing one is a failure, never a
# skip: a test without its client would prove nothing. Returns 1 (after
# `bad`) when it cannot be installed.
npm_client() {
  local dir=$1 pkg=$2 name=${2%@*}
  [ -f "$dir/node_modules/$name/package.json" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    bad "npm is not installed (Debian: apt-get install npm)"; return 1
  fi
  if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$pkg" >"$WORK/npm.log" 2>&1; then
    bad "npm install $name failed (is the npm registry reachable?): $(tail -3 "$WORK/npm.log")"
    return 1
  fi
}

finish() {
  printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
  [ "$FAILED" -eq 0 ]
}
