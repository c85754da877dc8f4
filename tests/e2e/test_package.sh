#!/usr/bin/env bash
# The .deb as Debian would take it: built with cpack, installed by dpkg into
# a clean root, its sesslua run from there, and lintian with no error and no
# warning.
. "$(dirname "$0")/lib.sh"
: "${BUILD_DIR:?set BUILD_DIR to the build folder}"
# The package is made from a release build: a sanitized or Debug build
# lacks the hardening (and _FORTIFY_SOURCE) that lintian looks for.
cache="$BUILD_DIR/CMakeCache.txt"
if grep -q '^SESSLUA_SANITIZE:BOOL=ON' "$cache" || grep -q '^CMAKE_BUILD_TYPE:STRING=Debug' "$cache"; then
  echo "skipped: $BUILD_DIR is a sanitized or Debug build; the package is made from a release build"
  finish; exit
fi
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null 2>&1 || { echo "skipped: $tool missing"; finish; exit; }
done

# cpack's own install step first builds the "preinstall" target, which
# relinks the binary when a source file changed since the build, under the
# tests running beside this one. So the build is installed (never built) with
# `cmake --install --strip`, as cpack's step would (CPACK_STRIP_FILES), and
# cpack packages that folder with the project's own CPack settings.
run cmake --install "$BUILD_DIR" --prefix "$WORK/stage/usr" --strip
expect_rc 0 "cmake --install --strip into a staging folder"
run cpack --config "$BUILD_DIR/CPackConfig.cmake" -G DEB -B "$WORK/pkg" \
  -D CPACK_INSTALL_CMAKE_PROJECTS= -D "CPACK_INSTALLED_DIRECTORIES=$WORK/stage;/"
expect_rc 0 "cpack builds a .deb"
grep -q '^set(CPACK_STRIP_FILES "ON")' "$BUILD_DIR/CPackConfig.cmake" && ok || bad "cpack strips the files it installs"
deb=$(ls "$WORK"/pkg/*.deb 2>/dev/null | head -1)
expect_exists "${deb:-none}" ".deb produced"
[ -n "$deb" ] || { finish; exit; }

# The control fields a Debian maintainer looks at first.
run dpkg-deb -f "$deb" Depends
expect_out "libc6" "depends on libc6"
expect_out "liblua5.4-0" "depends on the Lua runtime package"
expect_out "libcmark" "depends on the cmark runtime package"
run dpkg-deb -f "$deb" Maintainer
case $OUT in *localhost*|"") bad "a real maintainer: '$OUT'" ;; *'<'*@*.*'>') ok ;; *) bad "maintainer is Name <address>: '$OUT'" ;; esac
run dpkg-deb -f "$deb" Description
[ "$(printf '%s\n' "$OUT" | wc -l)" -ge 4 ] && ok || bad "a long description: $OUT"

# Installed by dpkg into an empty root (dependencies are the host's).
root="$WORK/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
: > "$root/var/lib/dpkg/status"
run dpkg --root="$root" --force-depends --force-not-root --force-script-chrootless -i "$deb"
expect_rc 0 "dpkg installs the .deb into a clean root (stderr: $ERR)"
run dpkg --root="$root" -L sesslua
expect_out "/usr/bin/sesslua" "dpkg lists the binary as the package's"
bin="$root/usr/bin/sesslua"
expect_exists "$bin" "binary installed"
doc="$root/usr/share/doc/sesslua"
for f in copyright changelog.gz README.md user-guide.md lua-api.md custom-workflows.md errors.md; do
  expect_exists "$doc/$f" "/usr/share/doc/sesslua/$f installed"
done
# every document the installed user guide links to is installed beside it
for f in $(grep -o '([a-z-]*\.md[)#]' "$doc/user-guide.md" | tr -d '()#' | sort -u); do
  expect_exists "$doc/$f" "user-guide.md links to $f, installed"
done
expect_file_has "$doc/copyright" "Files: lua/argparse.lua" "copyright covers the embedded argparse"
expect_file_has "$doc/copyright" "Files: lua-cjson/*" "copyright covers the static lua-cjson"
expect_exists "$root/usr/share/man/man1/sesslua.1.gz" "sesslua(1) installed, gzipped"
expect_exists "$root/usr/share/man/man1/sesslua-update.1.gz" "sesslua-update(1) installed, gzipped"
expect_exists "$root/usr/share/bash-completion/completions/sesslua" "bash completion installed"
expect_exists "$root/usr/share/zsh/vendor-completions/_sesslua" "zsh completion installed"
expect_exists "$root/usr/share/fish/vendor_completions.d/sesslua.fish" "fish completion installed"
if command -v file >/dev/null 2>&1; then
  run file -L "$bin"
  case $OUT in *"not stripped"*) bad "binary is stripped: $OUT" ;; *stripped*) ok ;; *) bad "file says: $OUT" ;; esac
fi
if command -v readelf >/dev/null 2>&1; then
  run readelf -d "$bin"
  expect_out "BIND_NOW" "linked with -z now"
  run readelf -l "$bin"
  expect_out "GNU_RELRO" "linked with -z relro"
  run readelf -W --dyn-syms "$bin"
  expect_out "__stack_chk_fail" "built with the stack protector"
  expect_out "_chk" "built with _FORTIFY_SOURCE"
fi

# The installed files do the README's main job in a fresh folder.
mkdir fresh && cd fresh
run "$bin" create.lua session-12 "DevOps Engineer" "Deploy and maintain services"
expect_rc 0 "installed sesslua runs create.lua"
expect_exists "$WORK/fresh/docs/coordination/sessions/ACTIVE/session-12.md" "installed sesslua wrote the log"
cd "$WORK"

# lintian: no error and no warning (information tags are allowed).
if command -v lintian >/dev/null 2>&1; then
  run lintian --no-tag-display-limit "$deb"
  tags=$(printf '%s\n' "$OUT" | grep -E '^[EW]: ' || true)
  expect_eq "$tags" "" "lintian reports no error and no warning"
else
  echo "skipped: lintian missing"
fi

finish
