#!/usr/bin/env bash
# Completion for bash, zsh and fish, as generated at build time (docs/
# completion/): bash driven as bash drives it (COMP_WORDS and COMP_CWORD set,
# _sesslua called, COMPREPLY checked); zsh through a real interactive zsh on
# a pseudo-terminal (TAB pressed, the command line read back); fish through
# `complete -C` with the file found on fish_complete_path. zsh and fish are
# skipped when not installed.
. "$(dirname "$0")/lib.sh"
: "${BUILD_DIR:?set BUILD_DIR to the build folder}"

mkdir bin
ln -s "$SESSLUA" bin/sesslua
export PATH="$WORK/bin:$PATH"
# shellcheck disable=SC1091
source "$BUILD_DIR/completion/sesslua.bash"

# comp WORD...: complete the last word; prints COMPREPLY, sorted, one line.
comp() {
  COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
  _sesslua
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# compn WORD...: how many completions.
compn() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _sesslua; echo "${#COMPREPLY[@]}"; }

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
expect_eq "$(comp sesslua update.lua 12 --status '')" "Building Complete Deploying Planning Testing" "update --status: the statuses"
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

# Values by kind: statuses, choices, knowledge types, sections of the log
# at hand, message ids.
expect_eq "$(comp sesslua update.lua 3 --status B)" "Building" "a status by prefix"
expect_eq "$(comp sesslua morning.lua --status=T)" "--status=Testing" "--status=VALUE"
expect_eq "$(comp sesslua status.lua --sort '')" "id progress updated" "status --sort: its choices"
expect_eq "$(comp sesslua status.lua --sort=p)" "--sort=progress" "--sort=VALUE"
expect_eq "$(comp sesslua share.lua '')" "best-practice learning pattern troubleshooting" "share: knowledge types first"
expect_eq "$(comp sesslua share.lua pattern '')" "" "share CATEGORY: nothing"
expect_eq "$(comp sesslua search.lua redis --knowledge t)" "troubleshooting" "search --knowledge TYPE"
expect_eq "$(comp sesslua view.lua 3 --section Ne)" 'Next\ Steps' "view --section: a section of the log named"
expect_eq "$(compn sesslua view.lua 3 --section '')" "$(sesslua view.lua 3 --json | awk '/"sections"/{on=1} on' | grep -c '"title"')" "view --section: every section"
expect_eq "$(comp sesslua search.lua q --session 3 --section Cur)" 'Current\ Work' "search --section: of the --session log"
expect_eq "$(comp sesslua --session 3 search.lua q --section Sess)" 'Session\ 3\ -\ Work\ Log Session\ Notes' "search --section: of the acting session's log"
expect_eq "$(comp sesslua message.lua send --priority '')" "" "message send --priority: nothing"
sesslua --session 3 message.lua send 3 hello >/dev/null
id=$(sesslua --session 3 message.lua inbox --json | sed -n 's/^ *"id": "\(.*\)",$/\1/p')
[ -n "$id" ] && ok || bad "a message id to complete"
expect_eq "$(comp sesslua --session 3 message.lua read '')" "$id" "message read: the message ids"
expect_eq "$(comp sesslua --session 3 message.lua read "${id:0:8}")" "$id" "message read: an id by prefix"
expect_eq "$(comp sesslua --session 3 message.lua send 3 re --reply-to '')" "$id" "message send --reply-to: ids"
expect_eq "$(comp sesslua --session 3 message.lua prune --older-than '')" "" "prune --older-than DAYS: nothing"
expect_eq "$(comp sesslua --describe up)" "update" "--describe NAME: workflows"
expect_eq "$(comp sesslua --des)" "--describe" "--describe is a host option"
expect_eq "$(comp sesslua hel)" "help" "help is offered with the workflows"
expect_eq "$(comp sesslua help up)" "update" "help WORKFLOW: the workflows"
expect_eq "$(comp sesslua help update '')" "" "help WORKFLOW: then nothing"

# A team's own workflow (not built in): its options from its --help.
mkdir -p "$WORK/team"
cat > "$WORK/team/deploy.lua" <<'EOF'
--- Deploy a service.
local cli = require("sesslua.cli")
local p = cli.parser("deploy.lua", "Deploy a service.")
p:argument("service", "The service.")
p:option("--env", "Target environment.")
p:option("--session", "Session.")
p:flag("--dry-run", "Say only.")
print(cli.parse(p).service)
EOF
export SESSLUA_PATH="$WORK/team"
expect_eq "$(comp sesslua dep)" "deploy" "a team workflow's name"
expect_eq "$(comp sesslua deploy --)" "--dry-run --env --help --session" "a team workflow's options, from its --help"
expect_eq "$(comp sesslua deploy web --env '')" "" "a team workflow's option value: nothing"
expect_eq "$(comp sesslua deploy web --session '')" "session-3" "a team workflow's --session: ids"
if command -v fish >/dev/null 2>&1; then
  got=$(fish -N -c 'source $argv[1]; complete -C "sesslua deploy --"' "$BUILD_DIR/completion/sesslua.fish" | cut -f1 | sort | tr '\n' ' ')
  expect_eq "$got" "--dry-run --env --help --session " "fish: a team workflow's options, from its --help"
fi
unset SESSLUA_PATH

# What worked before still works.
expect_eq "$(comp sesslua up)" "update" "a workflow name"
expect_eq "$(comp sesslua --ro)" "--root" "a host option"
expect_eq "$(comp sesslua update.lua --work)" "--working-on" "a workflow's option"
expect_eq "$(comp sesslua message.lua send --re)" "--reply-to" "a subcommand's option"
expect_eq "$(comp sesslua message.lua in)" "inbox" "a message subcommand"
expect_eq "$(comp sesslua --session 3 message.lua send '')" "broadcast session-3" "recipients"
expect_eq "$(comp sesslua --colo)" "--color" "--color is a host option"
expect_eq "$(comp sesslua --color '')" "always auto never" "--color WHEN"
expect_eq "$(comp sesslua --color=al)" "--color=always" "--color=WHEN as one word"
expect_eq "$(comp sesslua --color never --session 3 view.lua '')" "session-3" "--color's value is no workflow"
expect_eq "$(comp sesslua --js)" "--json" "--json (with --list or --version) is a host option"

# The same cases in zsh and fish. Tree: session-3 active (with one
# message), session-7 archived.
cases=(
  "sesslua up|update" "sesslua update --work|--working-on" "sesslua --ro|--root"
  "sesslua update 3 --status Bu|Building" "sesslua status --sort=pr|--sort=progress"
  "sesslua view 3 --section Ne|Next Steps" "sesslua share pat|pattern" "sesslua message se|send"
  "sesslua --session 3 message read ${id:0:12}|$id" "sesslua view ses|session-3"
  "sesslua create sess|session-8" "sesslua search q --knowledge=tr|--knowledge=troubleshooting"
  "sesslua --color al|always" "sesslua --color never up|update"
  "sesslua help upd|update"
)
comp_dir="$BUILD_DIR/completion"
mkdir -p "$WORK/shells" && cd "$WORK/shells"
if command -v zsh >/dev/null 2>&1 && zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
  mkdir -p zfunc && cp "$comp_dir/_sesslua" zfunc/
  # each case: type it, press TAB, then ^X, bound to print the command line
  cat > drive.zsh <<'EOF'
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "PS1='> '; fpath=($ZFUNC \$fpath); autoload -U compinit; compinit -u -D
show() { print -rn -- \"<<\$BUFFER>>\" > /dev/tty }; zle -N show; bindkey '^X' show; print READY"
zpty -r z out '*READY*'
while IFS= read -r line; do
  zpty -w -n z "$line"$'\t\C-x'
  out=""
  zpty -r z out '*<<*>>*' || { print "timeout"; continue }
  print -r -- "${${out##*<<}%%>>*}"
  zpty -w -n z $'\C-u'
done
zpty -d z
EOF
  printf '%s\n' "${cases[@]%%|*}" > zcases
  zout=$(cd ../here && ZFUNC="$WORK/shells/zfunc" timeout 60 zsh -f ../shells/drive.zsh < ../shells/zcases 2>&1)
  i=0
  while IFS= read -r got; do
    c=${cases[i]}; want=${c#*|}; typed=${c%%|*}
    expect_eq "$got" "${typed% *} ${want// /\\ } " "zsh: $typed<TAB>"
    i=$((i + 1))
  done <<<"$zout"
  expect_eq "$i" "${#cases[@]}" "zsh answered every case: $zout"
else
  echo "skipped: zsh (with zpty) missing"
fi
if command -v fish >/dev/null 2>&1; then
  mkdir -p fcomp && cp "$comp_dir/sesslua.fish" fcomp/
  for c in "${cases[@]}"; do
    typed=${c%%|*}; want=${c#*|}
    got=$(fish -N -c 'set -p fish_complete_path $argv[1]; cd ../here; complete -C $argv[2]' "$PWD/fcomp" "$typed" 2>&1 | cut -f1)
    expect_eq "$got" "$want" "fish: $typed<TAB>"
  done
  got=$(fish -N -c 'set -p fish_complete_path $argv[1]; complete -C "sesslua update --st"' "$PWD/fcomp" | grep -- '^--status')
  expect_eq "$got" "--status	Planning, Building, Testing, Deploying or Complete." "fish: an option with its help text"
else
  echo "skipped: fish missing"
fi

finish
