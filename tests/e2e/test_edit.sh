#!/usr/bin/env bash
# edit: the log opened in $VISUAL/$EDITOR (vi by default) under its lock;
# a good edit is written with Last Updated set, no change writes nothing,
# a broken log is refused (kept as it was, the text saved as .rejected).
. "$(dirname "$0")/lib.sh"
R="$WORK/docs/coordination"
mkdir -p "$R"
sl create.lua 12 "DevOps Engineer" "Deploy services"
L="$R/sessions/ACTIVE/session-12.md"
mkdir -p bin
# Editors as scripts: each edits the file it is given, as a person would.
cat > bin/add-note <<'SH'
#!/bin/sh
# proves the log is locked while the editor runs
[ -e "$LOG.lock" ] && echo locked > "$WORK_DIR/lock-seen"
sed -i 's/^\*\*Last Updated:\*\* .*/**Last Updated:** 2000-01-01 00:00:00/' "$1"
printf '\nA note typed in the editor.\n' >> "$1"
SH
cat > bin/noop <<'SH'
#!/bin/sh
exit 0
SH
cat > bin/break-it <<'SH'
#!/bin/sh
sed -i 's/^## .*Next Steps.*$/Next steps gone/' "$1"
SH
cat > bin/fail <<'SH'
#!/bin/sh
printf 'half done\n' >> "$1"
exit 7
SH
chmod +x bin/*
export WORK_DIR="$WORK" LOG="$L"
unset VISUAL EDITOR

EDITOR="$WORK/bin/add-note" run "$SESSLUA" --session 12 edit.lua 12
expect_rc 0 "an edit that keeps the log whole"
expect_out "Edited $L" "says what it wrote"
expect_file_has "$L" "A note typed in the editor." "the editor's text is written"
expect_eq "$(cat lock-seen 2>/dev/null)" "locked" "the log is locked while the editor runs"
expect_absent "$L.lock" "the lock is released"
grep -q '^\*\*Last Updated:\*\* 2000-01-01' "$L" && bad "Last Updated left as the editor wrote it" || ok
grep -q "^\*\*Last Updated:\*\* $(date +%Y-%m-%d)" "$L" && ok || bad "Last Updated set to now: $(grep 'Last Updated' "$L")"
expect_file_has "$L" "**Updated By:** session-12" "Updated By is the acting session"

# $VISUAL wins over $EDITOR; an unchanged log is not written.
cp -p "$L" before.md
VISUAL="$WORK/bin/noop" EDITOR="$WORK/bin/add-note" run "$SESSLUA" edit.lua 12
expect_rc 0 "no change"
expect_out "No change; nothing written." "says nothing was written"
expect_same "$L" before.md "the log is untouched"
expect_eq "$(stat -c %Y "$L")" "$(stat -c %Y before.md)" "not even rewritten"
ln -sf "$WORK/bin/noop" "$WORK/bin/vi"
out=$(PATH="$WORK/bin:$PATH" script -qec "$SESSLUA edit.lua 12" /dev/null < /dev/null | tr -d '\r')
grep -q "No change" <<<"$out" && ok || bad "vi is the fallback on a terminal: $out"
rm "$WORK/bin/vi"
run "$SESSLUA" edit.lua 12 < /dev/null
expect_rc 2 "no editor set and no terminal"
expect_err "edit: no terminal, and neither \$VISUAL nor \$EDITOR is set" "says why it will not start vi"

# A broken result without a terminal: the original kept, exit 1, the text
# saved next to it as .rejected.
EDITOR="$WORK/bin/break-it" run "$SESSLUA" edit.lua 12 < /dev/null
expect_rc 1 "a log that lost a section"
expect_err "the edited text lacks the section(s) Next Steps; the log is unchanged" "names the lost section"
expect_err "your text is in $L.rejected" "says where the text went"
expect_same "$L" before.md "the original is kept"
expect_file_has "$L.rejected" "Next steps gone" "the edited text is saved"
expect_file_has "$L.rejected" "A note typed in the editor." "the whole edited text"
expect_absent "$L.lock" "the lock is released after a refusal"

# An editor that fails: nothing written.
EDITOR="$WORK/bin/fail" run "$SESSLUA" edit.lua 12
expect_rc 1 "the editor failed"
expect_err "exited with status 7" "names the editor's status"
expect_same "$L" before.md "nothing written when the editor fails"

# A log locked by someone else: edit waits, then says so (exit 4).
( exec 9> "$L.lock"; flock -x 9; exec sleep 15 ) & h=$!
sleep 0.3
EDITOR="$WORK/bin/add-note" run "$SESSLUA" edit.lua 12
kill "$h" 2>/dev/null; wait "$h" 2>/dev/null; rm -f "$L.lock"
expect_rc 4 "a locked log"
expect_err "locked by another process" "says who holds it"
expect_same "$L" before.md "nothing written while locked"

# On a terminal, a broken result asks: edit again (here the second edit
# puts the heading back) or keep the original.
cat > bin/break-then-fix <<'SH'
#!/bin/sh
if [ -e "$WORK_DIR/broke-once" ]; then
  sed -i 's/^Next steps gone$/## Next Steps/; $ a Fixed on the second try.' "$1"
else
  touch "$WORK_DIR/broke-once"
  sed -i 's/^## .*Next Steps.*$/Next steps gone/' "$1"
fi
SH
chmod +x bin/break-then-fix
grep -q '^## Next Steps$' "$L" || bad "the template's Next Steps heading changed; fix this test"
tty_edit() { printf '%s\n' "$1" | EDITOR="$WORK/bin/break-then-fix" script -qec "$SESSLUA edit.lua 12" /dev/null | tr -d '\r'; }
out=$(tty_edit e)
grep -q "Edit again (e) or keep the original (k)?" <<<"$out" && ok || bad "asks on a terminal: $out"
grep -q "Edited $L" <<<"$out" && ok || bad "the second edit is written: $out"
expect_file_has "$L" "Fixed on the second try." "the re-edited text is in the log"
expect_file_has "$L" "## Next Steps" "with its section"
rm -f broke-once "$L.rejected"
cp -p "$L" before.md
out=$(tty_edit k)
grep -q "the log is unchanged" <<<"$out" && ok || bad "keep: says the log is unchanged: $out"
expect_same "$L" before.md "keep: the original is kept"
expect_exists "$L.rejected" "keep: the text is saved"

# No such log: exit 3.
EDITOR="$WORK/bin/add-note" run "$SESSLUA" edit.lua 99
expect_rc 3 "no log"

finish
