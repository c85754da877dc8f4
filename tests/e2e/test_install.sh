#!/usr/bin/env bash
# Installing without root: the binary, man pages, completion and docs;
# the README's commands; .ci/deps and .ci/run without root. (The .deb:
# test_package.sh.)
. "$(dirname "$0")/lib.sh"
: "${BUILD_DIR:?set BUILD_DIR to the build folder}"

# cmake --install into a prefix, as a non-root user would.
run cmake --install "$BUILD_DIR" --prefix "$WORK/prefix"
expect_rc 0 "cmake --install --prefix"
expect_exists "$WORK/prefix/bin/sesslua" "binary installed"
expect_exists "$WORK/prefix/share/man/man1/sesslua.1.gz" "man page installed, gzipped"
expect_exists "$WORK/prefix/share/man/man1/sesslua-create.1.gz" "a workflow's man page installed"
expect_exists "$WORK/prefix/share/doc/sesslua/user-guide.md" "the user guide installed"
expect_exists "$WORK/prefix/share/bash-completion/completions/sesslua" "bash completion installed"
expect_exists "$WORK/prefix/share/zsh/vendor-completions/_sesslua" "zsh completion installed"
expect_exists "$WORK/prefix/share/fish/vendor_completions.d/sesslua.fish" "fish completion installed"
mkdir fresh && cd fresh
run "$WORK/prefix/bin/sesslua" create.lua session-12 "DevOps Engineer" "Deploy and maintain services"
cd "$WORK"
expect_rc 0 "installed binary runs create.lua"
expect_exists "$WORK/fresh/docs/coordination/sessions/ACTIVE/session-12.md" "installed binary wrote the log"
run "$WORK/prefix/bin/sesslua" --version
expect_out "sesslua " "--version names sesslua"
expect_out "Lua 5.4." "--version names Lua's full release"
expect_out "cmark " "--version names cmark"
if command -v man >/dev/null 2>&1; then
  run env MANPATH="$WORK/prefix/share/man" man sesslua-create
  expect_out "EXIT STATUS" "man finds and renders sesslua-create(1) by name"
fi

# The completion function, driven as bash drives it.
cd "$WORK/fresh"
export PATH="$WORK/prefix/bin:$PATH"
# shellcheck disable=SC1091
source "$WORK/prefix/share/bash-completion/completions/sesslua"
comp() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _sesslua; echo "${COMPREPLY[*]}"; }
expect_eq "$(comp sesslua up)" "update" "completes a workflow name"
expect_eq "$(comp sesslua --ro)" "--root" "completes a host option"
expect_eq "$(comp sesslua update.lua --work)" "--working-on" "completes a workflow's option"
expect_eq "$(comp sesslua view.lua sess)" "session-12" "completes a session id"
expect_eq "$(comp sesslua message.lua in)" "inbox" "completes a message subcommand"
expect_eq "$(comp sesslua --session 12 message.lua send br)" "broadcast" "completes a recipient"
cd "$WORK"

# The README's two commands, as written: both start by installing the
# packages and building; the first then runs create.lua into a fresh tree in
# the build folder, the second runs every test.
: "${SESSLUA_SRC:?set SESSLUA_SRC to the source folder}"
build_prefix='bash .ci/deps && cmake -B build && cmake --build build -j && '
mapfile -t setup < <(sed -n 's/^    \(bash \.ci\/deps .*\)$/\1/p' "$SESSLUA_SRC/README.md")
expect_eq "${#setup[@]}" "2" "README: two set-up commands"
first=${setup[0]:-}; second=${setup[1]:-}
case $first in "$build_prefix"*'create.lua session-12 "DevOps Engineer" "Deploy and maintain services"') ok ;;
  *) bad "README: the first command installs, builds, then creates: '$first'" ;; esac
case $second in "${build_prefix}ctest --test-dir build "*) ok ;;
  *) bad "README: the second command builds, then runs ctest: '$second'" ;; esac
mkdir -p readme/build
ln -s "$SESSLUA" readme/build/sesslua
(cd readme && run bash -c "${first#"$build_prefix"}"; printf '%s\n%s\n' "$RC" "$OUT" > "$WORK/readme.out"; printf '%s' "$ERR" > "$WORK/readme.err")
expect_eq "$(head -1 readme.out)" "0" "README's first command (stderr: $(cat readme.err))"
log=$(sed -n 's/^Created \(.*session-12\.md\)$/\1/p' readme.out)
expect_eq "$log" "build/demo/sessions/ACTIVE/session-12.md" "README's first command names the log in build/demo"
expect_exists "$WORK/readme/build/demo/sessions/ACTIVE/session-12.md" "README's first command wrote the log"
expect_eq "$(find readme -mindepth 1 -maxdepth 1 | sort | tr '\n' ' ')" "readme/build " "nothing outside build/ changes in the clone"

# The quick start, every line as written, in a fresh project folder with the
# installed sesslua on PATH.
quick=$(sed -n '/^## Quick start/,/^## /s/^    //p' "$SESSLUA_SRC/README.md")
printf '%s' "$quick" | grep -q '^sesslua init' && ok || bad "README: the quick start begins with init: $quick"
for w in create update status share search; do
  printf '%s' "$quick" | grep -q "^sesslua $w " && ok || printf '%s' "$quick" | grep -q "^sesslua $w\$" && ok \
    || bad "README: the quick start shows $w"
done
mkdir project && cd project && git init -q . 2>/dev/null
run env PATH="$WORK/prefix/bin:$PATH" bash -e -c "$quick"
expect_rc 0 "README's quick start runs as written"
expect_out "Health checks before the traffic switch" "the quick start's search finds what it shared"
expect_out "session-12" "the quick start's status shows the session"
cd "$WORK"

# .ci/deps and .ci/run, on machines without root: stand-ins for id, sudo,
# apt-get and cmake record what they were asked.
mkdir -p fake/nosudo fake/sudo
for d in nosudo sudo; do
  printf '#!/bin/sh\necho "${FAKE_UID:-1000}"\n' > fake/$d/id
  printf '#!/bin/sh\necho "apt-get $*" >> "%s/calls"\n' "$WORK" > fake/$d/apt-get
done
printf '#!/bin/sh\necho "sudo $*" >> "%s/calls"\n' "$WORK" > fake/sudo/sudo
chmod +x fake/*/*
: > calls
FAKE_UID=1000 run env PATH="$WORK/fake/nosudo" /bin/bash "$SESSLUA_SRC/.ci/deps"
[ "$RC" -ne 0 ] && ok || bad ".ci/deps without root or sudo must fail"
expect_err "needs root, and this machine has no sudo" ".ci/deps says why"
expect_err "hint: run it as root" ".ci/deps says what to run"
expect_err "apt-get install" ".ci/deps names the install command"
expect_eq "$(cat calls)" "" ".ci/deps without root or sudo runs nothing"
: > calls
FAKE_UID=1000 run env PATH="$WORK/fake/sudo" /bin/bash "$SESSLUA_SRC/.ci/deps"
expect_eq "$(cat calls)" "sudo bash $SESSLUA_SRC/.ci/deps" ".ci/deps goes through sudo when there is one"
: > calls
# as root with no package lists: apt-get update first, then the packages
mkdir -p lists
FAKE_UID=0 run env PATH="$WORK/fake/sudo:$PATH" SESSLUA_APT_LISTS="$WORK/lists" /bin/bash "$SESSLUA_SRC/.ci/deps"
expect_rc 0 ".ci/deps as root"
expect_eq "$(head -1 calls)" "apt-get update -qq" ".ci/deps as root, no package lists: apt-get update first"
grep -q "^apt-get install .*liblua5.4-dev .*libpcre2-dev .*lintian" calls && ok || bad ".ci/deps as root installs: $(cat calls)"
grep -q "^apt-get install .* valgrind\|^apt-get install .* clang" calls && bad ".ci/deps installs only what building and testing need: $(cat calls)" || ok
grep -q "^sudo" calls && bad ".ci/deps as root never uses sudo" || ok
# lists from today: no update; a day old: update; extra names are installed
: > calls
touch "lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"
FAKE_UID=0 run env PATH="$WORK/fake/sudo:$PATH" SESSLUA_APT_LISTS="$WORK/lists" /bin/bash "$SESSLUA_SRC/.ci/deps" valgrind
grep -q "^apt-get update" calls && bad ".ci/deps with fresh lists does not update: $(cat calls)" || ok
grep -q "^apt-get install .* valgrind" calls && ok || bad ".ci/deps PACKAGE installs it too: $(cat calls)"
: > calls
touch -d '25 hours ago' lists/*
FAKE_UID=0 run env PATH="$WORK/fake/sudo:$PATH" SESSLUA_APT_LISTS="$WORK/lists" /bin/bash "$SESSLUA_SRC/.ci/deps"
expect_eq "$(head -1 calls)" "apt-get update -qq" ".ci/deps with lists older than a day: apt-get update"
# .ci/run as a user: says it installs nothing (a stand-in cmake stops it
# right after).
mkdir -p fake/run
printf '#!/bin/sh\necho 1000\n' > fake/run/id
printf '#!/bin/sh\necho "cmake $*" >> "%s/calls"\nexit 3\n' "$WORK" > fake/run/cmake
chmod +x fake/run/*
: > calls
run env PATH="$WORK/fake/run:$PATH" bash "$SESSLUA_SRC/.ci/run"
expect_err ".ci/run: not root: not installing packages" ".ci/run says it skips the packages"
grep -q "^apt-get\|^sudo" calls && bad ".ci/run as a user installs nothing" || ok

finish
