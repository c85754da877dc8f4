#!/usr/bin/env bash
# Installing without root, the man page, bash completion and the .deb.
. "$(dirname "$0")/lib.sh"
: "${BUILD_DIR:?set BUILD_DIR to the build folder}"

# cmake --install into a prefix, as a non-root user would.
run cmake --install "$BUILD_DIR" --prefix "$WORK/prefix"
expect_rc 0 "cmake --install --prefix"
expect_exists "$WORK/prefix/bin/sesslua" "binary installed"
expect_exists "$WORK/prefix/share/man/man1/sesslua.1" "man page installed"
expect_exists "$WORK/prefix/share/bash-completion/completions/sesslua" "completion installed"
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
  run man -l "$WORK/prefix/share/man/man1/sesslua.1"
  expect_out "EXIT STATUS" "man page renders"
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
# packages and building; the first then runs create.lua in a fresh folder,
# and can be run again (a second run must not meet the first one's log).
: "${SESSLUA_SRC:?set SESSLUA_SRC to the source folder}"
build_prefix='bash .ci/deps && cmake -S . -B build && cmake --build build -j && '
first=$(grep -F 'create.lua session-12 "DevOps Engineer" "Deploy and maintain services"' "$SESSLUA_SRC/README.md" \
  | grep -F "$build_prefix" | sed 's/^    //')
second=$(grep -F "${build_prefix}ctest --test-dir build --output-on-failure" "$SESSLUA_SRC/README.md" | sed 's/^    //')
case $first in "$build_prefix"*) ok ;; *) bad "README: the first command installs, builds, then creates: '$first'" ;; esac
expect_eq "$second" "${build_prefix}ctest --test-dir build --output-on-failure" "README: the second command runs ctest"
mkdir -p readme/build
ln -s "$SESSLUA" readme/build/sesslua
made=()
for n in 1 2; do
  (cd readme && run bash -c "${first#"$build_prefix"}"; printf '%s\n%s\n' "$RC" "$OUT" > "$WORK/readme.out"; printf '%s' "$ERR" > "$WORK/readme.err")
  expect_eq "$(head -1 readme.out)" "0" "README's first command, run $n (stderr: $(cat readme.err))"
  log=$(sed -n 's/^Created \(.*session-12\.md\)$/\1/p' readme.out)
  expect_exists "${log:-none}" "README's first command, run $n, wrote the log"
  case $log in "$WORK"/readme/*) bad "README's first command wrote into the clone: $log" ;; *) ok ;; esac
  [ -n "$log" ] && made+=("${log%/docs/coordination/*}")
done
for d in "${made[@]}"; do [ "$d" != / ] && rm -rf "$d"; done
expect_eq "$(find readme -mindepth 1 | sort | tr '\n' ' ')" "readme/build readme/build/sesslua " "the clone stays as it was"

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
FAKE_UID=0 run env PATH="$WORK/fake/sudo" /bin/bash "$SESSLUA_SRC/.ci/deps"
expect_rc 0 ".ci/deps as root"
expect_eq "$(head -1 calls)" "apt-get update -qq" ".ci/deps as root: apt-get update first"
grep -q "^apt-get install .*liblua5.4-dev" calls && ok || bad ".ci/deps as root installs: $(cat calls)"
grep -q "^sudo" calls && bad ".ci/deps as root never uses sudo" || ok
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

# A .deb whose dependencies are the Debian runtime packages.
if command -v cpack >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 && command -v dpkg-shlibdeps >/dev/null 2>&1; then
  run cpack --config "$BUILD_DIR/CPackConfig.cmake" -G DEB -B "$WORK/pkg"
  expect_rc 0 "cpack builds a .deb"
  deb=$(ls "$WORK"/pkg/*.deb 2>/dev/null | head -1)
  expect_exists "$deb" ".deb produced"
  run dpkg-deb -f "$deb" Depends
  expect_out "liblua5.4-0" "depends on the Lua runtime package"
  expect_out "libcmark" "depends on the cmark runtime package"
  run dpkg-deb -c "$deb"
  expect_out "./usr/bin/sesslua" ".deb holds the binary"
  expect_out "sesslua.1" ".deb holds the man page"
else
  echo "skipped: cpack, dpkg-deb or dpkg-shlibdeps missing"
fi

finish
