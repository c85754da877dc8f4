/*
 * lsupport.h — the one way a sesslua C binding reports a failure of the
 * world (a missing file, a full disk, a held lock) to Lua:
 *
 *     return sesslua_fail(L, path, errno_value);
 *     -- Lua sees: nil, "<path>: <strerror>", "ENOENT"
 *
 *     return sesslua_fail_msg(L, path, "locked by another process", ETIMEDOUT);
 *     -- Lua sees: nil, "<path>: locked by another process", "ETIMEDOUT"
 *
 * Misuse (wrong argument types) raises through luaL_check* instead; these
 * helpers never raise except on memory exhaustion, so call them only once
 * malloc'd memory has been freed. Header-only (static inline), so every
 * binding can include it without a new source file.
 */
#ifndef SESSLUA_LSUPPORT_H
#define SESSLUA_LSUPPORT_H

#include <errno.h>
#include <string.h>

#include <lua.h>

/* Symbolic name of an errno value ("ENOENT"), or "E<number>" for one not
 * in the table. The result is pushed onto the Lua stack. */
static inline void sesslua_push_errname(lua_State *L, int e)
{
    static const struct { int code; const char *name; } names[] = {
        { ENOENT, "ENOENT" },   { EEXIST, "EEXIST" },   { EACCES, "EACCES" },
        { EPERM, "EPERM" },     { ENOSPC, "ENOSPC" },   { EROFS, "EROFS" },
        { EISDIR, "EISDIR" },   { ENOTDIR, "ENOTDIR" }, { ETIMEDOUT, "ETIMEDOUT" },
        { EXDEV, "EXDEV" },     { ELOOP, "ELOOP" },     { EINVAL, "EINVAL" },
        { EIO, "EIO" },         { ENOMEM, "ENOMEM" },   { EBUSY, "EBUSY" },
        { ENAMETOOLONG, "ENAMETOOLONG" },               { ENOTEMPTY, "ENOTEMPTY" },
        { EMFILE, "EMFILE" },   { ENFILE, "ENFILE" },   { EDQUOT, "EDQUOT" },
        { EFBIG, "EFBIG" },     { EAGAIN, "EAGAIN" },   { EINTR, "EINTR" },
        { EBADF, "EBADF" },     { ENOSYS, "ENOSYS" },   { ENOTSUP, "ENOTSUP" },
        { ESTALE, "ESTALE" },   { ETXTBSY, "ETXTBSY" }, { EMLINK, "EMLINK" },
        { ERANGE, "ERANGE" },   { EPIPE, "EPIPE" },     { ENXIO, "ENXIO" },
        { ENODEV, "ENODEV" },   { EOVERFLOW, "EOVERFLOW" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].code == e) {
            lua_pushstring(L, names[i].name);
            return;
        }
    }
    lua_pushfstring(L, "E%d", e);
}

/* Push nil, "<what>: <reason>", "<ECODE>" and return 3. */
static inline int sesslua_fail_msg(lua_State *L, const char *what,
                                   const char *reason, int e)
{
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", what, reason);
    sesslua_push_errname(L, e);
    return 3;
}

/* Push nil, "<what>: <strerror(e)>", "<ECODE>" and return 3. e may be
 * given negated (core functions return -errno). */
static inline int sesslua_fail(lua_State *L, const char *what, int e)
{
    if (e < 0)
        e = -e;
    return sesslua_fail_msg(L, what, strerror(e), e);
}

#endif
