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
expect_out "Lua 5.4" "--version names Lua"
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
