#!/usr/bin/env bash
# Bash completion (docs/completion/sesslua.bash), driven as bash drives it:
# COMP_WORDS and COMP_CWORD set, _sesslua called, COMPREPLY checked.
. "$(dirname "$0")/lib.sh"
: "${SESSLUA_SRC:?set SESSLUA_SRC to the source folder}"

mkdir bin
ln -s "$SESSLUA" bin/sesslua
export PATH="$WORK/bin:$PATH"
# shellcheck disable=SC1091
source "$SESSLUA_SRC/docs/completion/sesslua.bash"

# comp WORD...: complete the last word; prints COMPREPLY, sorted, one line.
comp() {
  COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
  _sesslua
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# Two trees: the one found from the working folder, and another.
mkdir -p here other
(cd here && sesslua create.lua 3 R G >/dev/null && sesslua create.lua 7 R G >/dev/null)
sesslua --root "$WORK/other/docs/coordination" create.lua 40 R G >/dev/null
cd here

expect_eq "$(comp sesslua view.lua '')" "session-3 session-7" "ids from the tree found here"

# --root in each form names the tree the ids come from.
expect_eq "$(comp sesslua --root ../other/docs/coordination view.lua '')" "session-40" "--root DIR"
expect_eq "$(comp sesslua --root=../other/docs/coordination view.lua '')" "session-40" "--root=DIR as one word"
expect_eq "$(comp sesslua --root = ../other/docs/coordination view.lua '')" "session-40" "--root=DIR split at '=' by bash"
expect_eq "$(comp sesslua --root=../other/docs/coordination --session '')" "session-40" "--session ids from --root=DIR"
expect_eq "$(comp sesslua --root=../other/docs/coordination --which cr)" "create" "--which after --root=DIR"
# completing the DIR itself
cd "$WORK"
expect_eq "$(comp sesslua --root=oth)" "--root=other" "--root=DIR completes folders, keeping the option"
expect_eq "$(comp sesslua --root = oth)" "other" "split --root = DIR completes only the folder"
expect_eq "$(comp sesslua --root oth)" "other" "--root DIR completes folders"
cd here
expect_eq "$(comp sesslua --session=ses)" "--session=session-3 --session=session-7" "--session=ID completes ids"

# Options that take text complete nothing; --session values are ids.
expect_eq "$(comp sesslua update.lua 12 --working-on '')" "" "update --working-on TEXT: nothing"
expect_eq "$(comp sesslua update.lua 12 --working-on=)" "" "update --working-on=TEXT: nothing"
expect_eq "$(comp sesslua update.lua 12 --learning TOPIC '')" "" "the second value of --learning: nothing"
expect_eq "$(comp sesslua update.lua --learning TOPIC TEXT '')" "session-3 session-7" "after an option's values: ids again"
expect_eq "$(comp sesslua update.lua --dry-run '')" "session-3 session-7" "after a flag: ids"
expect_eq "$(comp sesslua update.lua 12 --status '')" "" "update --status: nothing"
expect_eq "$(comp sesslua message.lua send --priority '')" "" "message send --priority: nothing"
expect_eq "$(comp sesslua search.lua redis --session '')" "session-3 session-7" "search --session ID: ids"
expect_eq "$(comp sesslua search.lua redis --session=s)" "--session=session-3 --session=session-7" "search --session=ID: ids"
expect_eq "$(comp sesslua update.lua -- '')" "session-3 session-7" "after --: arguments"

# create offers the next free id, never a taken one.
expect_eq "$(comp sesslua create.lua '')" "session-8" "create: the next free id"
expect_eq "$(comp sesslua create.lua session-)" "session-8" "create: the next free id, by prefix"
expect_eq "$(comp sesslua create.lua session-3)" "" "create: a taken id is not offered"
expect_eq "$(comp sesslua --root=../other/docs/coordination create.lua '')" "session-41" "create: next id in the --root tree"
expect_eq "$(comp sesslua create.lua 8 '')" "" "create ROLE: nothing"
sesslua archive.lua 7 --force >/dev/null 2>&1
expect_eq "$(comp sesslua view.lua '')" "session-3" "an archived log leaves the active ids"
expect_eq "$(comp sesslua create.lua '')" "session-8" "create: archived ids are taken too"
cd "$WORK"
mkdir empty && cd empty
expect_eq "$(comp sesslua create.lua '')" "session-1" "create in a new folder: session-1"
cd "$WORK/here"

# What worked before still works.
expect_eq "$(comp sesslua up)" "update" "a workflow name"
expect_eq "$(comp sesslua --ro)" "--root" "a host option"
expect_eq "$(comp sesslua update.lua --work)" "--working-on" "a workflow's option"
expect_eq "$(comp sesslua message.lua send --re)" "--reply-to" "a subcommand's option"
expect_eq "$(comp sesslua message.lua in)" "inbox" "a message subcommand"
expect_eq "$(comp sesslua --session 3 message.lua send '')" "broadcast session-3" "recipients"

finish
