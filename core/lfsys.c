/*
 * lfsys.c — the Lua binding of core/fs.c: module "sesslua.fs".
 *
 * Thin on purpose (as luafilesystem): names match what they wrap, errors
 * carry the path. Misuse raises; failures of the world return
 * nil, "<path>: <reason>", "ECODE" (lsupport.h). Anything malloc'd while
 * Lua may raise (memory errors, a raising update callback) is owned by a
 * userdata with __gc, so nothing leaks and no lock stays held.
 *
 * A write done but not durable (fs.h: past the commit point, the folder's
 * fsync failed) is a success to Lua; its warning is kept in a list that
 * fs.warnings() hands out (cli.check prints them, and the host prints any
 * left when the script ends), so no caller can lose it.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "fs.h"
#include "fs_internal.h"
#include "host.h"
#include "lfsys.h"
#include "lsupport.h"

#define BOX_MT "sesslua.fs.box"
#define LOCK_MT "sesslua.fs.lock"

#define DEFAULT_MODE 0644
#define DEFAULT_TIMEOUT_MS 10000

/* ---- owners for C resources while Lua runs ---------------------------- */

/* A malloc'd buffer that Lua frees if an error unwinds past it. */
typedef struct box {
    char *p;
} box;

static int box_gc(lua_State *L)
{
    box *b = luaL_checkudata(L, 1, BOX_MT);
    free(b->p);
    b->p = NULL;
    return 0;
}

static box *box_new(lua_State *L)
{
    box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->p = NULL;
    luaL_setmetatable(L, BOX_MT);
    return b;
}

/* A lock that is released when its userdata is collected or closed. */
static int lock_gc(lua_State *L)
{
    fs_lock *lk = luaL_checkudata(L, 1, LOCK_MT);
    fs_lock_release(lk); /* safe twice */
    return 0;
}

static fs_lock *lock_new(lua_State *L)
{
    fs_lock *lk = lua_newuserdatauv(L, sizeof *lk, 0);
    lk->fd = -1;
    lk->lock_path = NULL;
    luaL_setmetatable(L, LOCK_MT);
    return lk;
}


/* ---- warnings of writes done but not durable ------------------------- */

static const char WARNINGS_KEY = 'w'; /* registry[&WARNINGS_KEY] = { msg... } */

/* Append "written, but may not survive a power loss: <path>: <why>". May
 * raise (memory): call it with nothing malloc'd held. */
static void note_not_durable(lua_State *L, const char *path, int e)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &WARNINGS_KEY) != LUA_TTABLE) { /* list? */
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &WARNINGS_KEY);              /* list */
    }
    lua_pushfstring(L, "written, but may not survive a power loss: %s: %s", path,
                    strerror(e));                                      /* list msg */
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pop(L, 1);
}

/// fs.warnings() -> {msg...}: the warnings of writes done but not durable
/// since the last call (empty when none), oldest first; the list is emptied.
static int l_warnings(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &WARNINGS_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        return 1;
    }
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &WARNINGS_KEY);
    return 1;
}

/* ---- option parsing (misuse raises) ------------------------------------ */

/* opts.<field> as an integer in [lo, hi], or def when absent. */
static lua_Integer opt_int(lua_State *L, int opts, const char *field,
                           lua_Integer def, lua_Integer lo, lua_Integer hi)
{
    lua_Integer v = def;
    if (lua_isnoneornil(L, opts))
        return def;
    if (lua_getfield(L, opts, field) != LUA_TNIL) { /* opts.field */
        int ok;
        v = lua_tointegerx(L, -1, &ok);
        if (!ok || v < lo || v > hi)
            luaL_error(L, "bad option '%s' (integer in %I..%I expected, got %s)",
                       field, lo, hi, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return v;
}

static int opt_bool(lua_State *L, int opts, const char *field)
{
    int v;
    if (lua_isnoneornil(L, opts))
        return 0;
    lua_getfield(L, opts, field); /* opts.field */
    v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* opts.mode: an integer (420 for rw-r--r--) or an octal string ("0644").
 * Lua has no octal literals, so `mode = 0644` means decimal 644: such
 * values exceed 0777 and are refused instead of silently misread. */
static mode_t opt_mode(lua_State *L, int opts)
{
    lua_Integer v = DEFAULT_MODE;
    if (lua_isnoneornil(L, opts))
        return DEFAULT_MODE;
    int t = lua_getfield(L, opts, "mode"); /* opts.mode */
    if (t == LUA_TSTRING) {
        const char *s = lua_tostring(L, -1);
        char *end;
        v = (lua_Integer)strtol(s, &end, 8);
        if (*s == '\0' || *end != '\0')
            v = -1;
    } else if (t != LUA_TNIL) {
        int ok;
        v = lua_tointegerx(L, -1, &ok);
        if (!ok)
            v = -1;
    }
    if (v < 0 || v > 0777) /* permission bits only: no setuid via Lua */
        luaL_error(L, "bad option 'mode' (octal string like \"0644\" or integer "
                      "like 420 expected; Lua has no octal literals)");
    lua_pop(L, 1);
    return (mode_t)v;
}

static void check_opts(lua_State *L, int idx)
{
    if (!lua_isnoneornil(L, idx))
        luaL_checktype(L, idx, LUA_TTABLE);
}

/* ---- functions ------------------------------------------------------------ */

/// fs.read(path) -> string | nil, msg, code
static int l_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    box *b = box_new(L); /* path box */
    size_t len = 0;
    sesslua_fs_sync_root(L);
    int rc = fs_read(path, &b->p, &len);
    if (rc != 0) {
        free(b->p);
        b->p = NULL;
        return sesslua_fs_fail(L, path, rc, 0);
    }
    lua_pushlstring(L, b->p, len); /* path box text */
    free(b->p);
    b->p = NULL;
    return 1;
}

/// fs.write(path, data [, {mode=, exclusive=}]) -> true | nil, msg, code
static int l_write(lua_State *L)
{
    size_t len;
    const char *path = luaL_checkstring(L, 1);
    const char *data = luaL_checklstring(L, 2, &len);
    check_opts(L, 3);
    mode_t mode = opt_mode(L, 3);
    int exclusive = opt_bool(L, 3, "exclusive");
    sesslua_fs_sync_root(L);
    int rc = fs_write_atomic(path, data, len, mode, exclusive);
    if (rc < 0)
        return sesslua_fs_fail(L, path, rc, 1);
    if (rc > 0)
        note_not_durable(L, path, rc);
    lua_pushboolean(L, 1);
    return 1;
}

static int fail_locked(lua_State *L, const char *path, int timeout_ms)
{
    char reason[80];
    if (timeout_ms % 1000 == 0)
        snprintf(reason, sizeof reason, "locked by another process (waited %ds)",
                 timeout_ms / 1000);
    else
        snprintf(reason, sizeof reason, "locked by another process (waited %dms)",
                 timeout_ms);
    return sesslua_fail_msg(L, path, reason, ETIMEDOUT);
}

/* After fn returned (stack: ... old results...; results start at `first`):
 * write its new text if it differs from old. 1 written, 0 not, <0 -errno;
 * *late is the errno of a write done but not durable (else 0). */
static int update_commit(lua_State *L, const char *path, int existed, size_t olen,
                         int first, mode_t mode, int *late)
{
    size_t nlen;
    const char *ntext;
    if (lua_gettop(L) < first || lua_isnil(L, first))
        return 0;
    ntext = lua_tolstring(L, first, &nlen);
    /* The old text is not kept while fn runs (a 200 MB log would be held
     * twice): when the new one has its length, the file -- unchanged, the
     * lock is held -- is read again to tell "nothing changed". */
    if (existed && olen == nlen) {
        char *cur = NULL;
        size_t clen = 0;
        int same = fs_read(path, &cur, &clen) == 0 && clen == nlen &&
                   memcmp(cur, ntext, nlen) == 0;
        free(cur);
        if (same)
            return 0;
    }
    int rc = fs_write_atomic(path, ntext, nlen, mode, 0);
    if (rc < 0)
        return rc;
    *late = rc;
    return 1;
}

/// fs.update(path, fn [, {timeout_ms=, create=, mode=}])
///   -> true, changed, ...extra values of fn | nil, msg, code
/// fn(text) runs with `<path>.lock` held; it returns the new text (nil or
/// the same text: nothing is written) and any extra values. An error in fn
/// releases the lock and propagates unchanged.
static int l_update(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    check_opts(L, 3);
    int timeout = (int)opt_int(L, 3, "timeout_ms", DEFAULT_TIMEOUT_MS, 0, INT_MAX);
    int create = opt_bool(L, 3, "create");
    mode_t mode = opt_mode(L, 3);
    lua_settop(L, 3);         /* path fn opts */
    fs_lock *lk = lock_new(L); /* path fn opts lock */
    box *b = box_new(L);       /* path fn opts lock box */
    size_t len = 0;
    sesslua_fs_sync_root(L);
    int rc = fs_lock_acquire(lk, path, timeout);
    if (rc == -ETIMEDOUT)
        return fail_locked(L, path, timeout);
    if (rc != 0)
        return sesslua_fs_fail(L, path, rc, 1);

    int existed = 0;
    rc = fs_read(path, &b->p, &len);
    if (rc == -ENOENT && create) {
        lua_pushnil(L); /* path fn opts lock box nil */
    } else if (rc != 0) {
        fs_lock_release(lk);
        return sesslua_fs_fail(L, path, rc, 0);
    } else {
        lua_pushlstring(L, b->p, len); /* path fn opts lock box old */
        free(b->p);
        b->p = NULL;
        existed = 1;
    }
    lua_pushvalue(L, 2);
    lua_insert(L, 6);    /* path fn opts lock box fn old */
    if (lua_pcall(L, 1, LUA_MULTRET, 0) != LUA_OK) {
        fs_lock_release(lk); /* path fn opts lock box old err */
        return lua_error(L);
    }
    lua_pushnil(L);
    lua_insert(L, 6);    /* path fn opts lock box nil new extra... */
    int nres = lua_gettop(L) - 6;
    if (nres > 0 && !lua_isnil(L, 7) && lua_type(L, 7) != LUA_TSTRING) {
        fs_lock_release(lk);
        return luaL_error(L, "fs.update: the function must return a string or nil "
                             "first (got %s)", luaL_typename(L, 7));
    }
    int late = 0;
    sesslua_fs_sync_root(L); /* fn may have run anything */
    rc = update_commit(L, path, existed, len, 7, mode, &late);
    fs_lock_release(lk);
    if (rc < 0)
        return sesslua_fs_fail(L, path, rc, 1);
    if (late)
        note_not_durable(L, path, late);
    if (nres == 0) {
        lua_pushboolean(L, 1);
        lua_pushboolean(L, rc); /* ... old true changed */
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_replace(L, 7);
    lua_pushboolean(L, rc);
    lua_insert(L, 8); /* path fn opts lock box old true changed extra... */
    return nres + 1;
}

/// fs.lock(path [, opts]) -> lock | nil, msg, code
/// The exclusive lock on `<path>.lock` that fs.update takes, held until
/// lock:release(), the end of a `local <close>` scope, or collection. For
/// a change that is more than one write, such as archiving (write, then
/// move), so no update can slip in between. opts.timeout_ms as fs.update.
static int l_lock(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    check_opts(L, 2);
    int timeout = (int)opt_int(L, 2, "timeout_ms", DEFAULT_TIMEOUT_MS, 0, INT_MAX);
    fs_lock *lk = lock_new(L); /* path opts lock */
    sesslua_fs_sync_root(L);
    int rc = fs_lock_acquire(lk, path, timeout);
    if (rc == -ETIMEDOUT)
        return fail_locked(L, path, timeout);
    if (rc != 0)
        return sesslua_fs_fail(L, path, rc, 1);
    return 1;
}

/// lock:release() — drop the lock (safe twice).
static int l_lock_release(lua_State *L)
{
    fs_lock_release(luaL_checkudata(L, 1, LOCK_MT));
    return 0;
}

/// fs.move(from, to [, overwrite]) -> true | nil, msg, code
static int l_move(lua_State *L)
{
    const char *from = luaL_checkstring(L, 1);
    const char *to = luaL_checkstring(L, 2);
    int overwrite = lua_toboolean(L, 3);
    struct stat st;
    sesslua_fs_sync_root(L);
    int rc = fs_move(from, to, overwrite);
    if (rc >= 0) {
        if (rc > 0)
            note_not_durable(L, to, rc);
        lua_pushboolean(L, 1);
        return 1;
    }
    /* Name the path the error is about, where that is clear. */
    if (rc == -EEXIST)
        return sesslua_fail(L, to, rc);
    if (rc == -ENOENT && sesslua_fs_lstat(from, &st) != 0)
        return sesslua_fail(L, from, rc);
    if (rc == -EXDEV || rc == -ENOTDIR || rc == -ELOOP || rc == -EINVAL) {
        fs_escape esc;
        /* the side the refusal is about: from when it leads out */
        int from_side = rc == -EXDEV && fs_explain_escape(from, &esc) == 1;
        return sesslua_fs_fail(L, from_side ? from : to, rc, 1);
    }
    lua_pushfstring(L, "%s -> %s", from, to);
    return sesslua_fail(L, lua_tostring(L, -1), rc);
}

/// fs.sweep(dir) -> count | nil, msg, code
/// Remove what killed writers left in dir now (fs.h, fs_sweep); writes
/// do this by themselves once per folder.
static int l_sweep(lua_State *L)
{
    const char *dir = luaL_checkstring(L, 1);
    sesslua_fs_sync_root(L);
    int n = fs_sweep(dir);
    if (n < 0)
        return sesslua_fs_fail(L, dir, n, 0);
    lua_pushinteger(L, n);
    return 1;
}

/// fs.mkdir(path) -> true | nil, msg, code   (mkdir -p, 0755)
static int l_mkdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    sesslua_fs_sync_root(L);
    int rc = fs_mkdir_p(path, 0755);
    if (rc == -EEXIST) /* something that is no folder stands there */
        return sesslua_fail_msg(L, path, "a file where a folder belongs; remove or rename it", EEXIST);
    if (rc != 0)
        return sesslua_fs_fail(L, path, rc, 1);
    lua_pushboolean(L, 1);
    return 1;
}


static const char *type_name(mode_t m)
{
    if (S_ISREG(m))
        return "file";
    if (S_ISDIR(m))
        return "dir";
    if (S_ISLNK(m))
        return "link";
    return "other";
}

/// fs.stat(path) -> {type=, size=, mtime=, mode=} | nil, msg, code
/// lstat semantics: a symlink is reported as "link", not followed.
static int l_stat(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    sesslua_fs_sync_root(L);
    int rc = sesslua_fs_lstat(path, &st);
    if (rc != 0)
        return sesslua_fs_fail(L, path, rc, 0);
    lua_createtable(L, 0, 4);
    lua_pushstring(L, type_name(st.st_mode));
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, (lua_Integer)st.st_size);
    lua_setfield(L, -2, "size");
    lua_pushnumber(L, (lua_Number)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9);
    lua_setfield(L, -2, "mtime");
    lua_pushinteger(L, (lua_Integer)(st.st_mode & 07777));
    lua_setfield(L, -2, "mode");
    return 1;
}

/// fs.exists(path) -> boolean   (lstat: a dangling symlink exists)
static int l_exists(lua_State *L)
{
    struct stat st;
    const char *path = luaL_checkstring(L, 1);
    sesslua_fs_sync_root(L);
    lua_pushboolean(L, sesslua_fs_lstat(path, &st) == 0);
    return 1;
}

/// fs.held(path) -> boolean | nil, msg, code
/// Whether a process holds an exclusive flock on the file (a writer on its
/// temp file, a holder on its lock file), asked without waiting and
/// without changing anything: a shared lock is tried and dropped at once.
/// Never follows a symlink (ELOOP).
static int l_held(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    sesslua_fs_sync_root(L);
    int fd = fsp_open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
    if (fd < 0)
        return sesslua_fs_fail(L, path, fd, 0);
    int held = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        int e = errno;
        if (e != EWOULDBLOCK) {
            close(fd);
            return sesslua_fail(L, path, e);
        }
        held = 1;
    }
    close(fd); /* drops the shared lock */
    lua_pushboolean(L, held);
    return 1;
}

/// fs.remove(path) -> true | nil, msg, code   (a file or an empty folder)
static int l_remove(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *base;
    struct stat st;
    sesslua_fs_sync_root(L);
    int e = 0, dfd = fsp_dir(path, &base);
    if (dfd < 0)
        return sesslua_fs_fail(L, path, dfd, 1);
    if (unlinkat(dfd, base, 0) != 0) {
        e = errno;
        /* Linux says EISDIR, POSIX allows EPERM, for unlink of a folder. */
        if ((e == EISDIR || e == EPERM) && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0
            && S_ISDIR(st.st_mode))
            e = unlinkat(dfd, base, AT_REMOVEDIR) == 0 ? 0 : errno;
    }
    close(dfd);
    if (e != 0)
        return sesslua_fail(L, path, e);
    lua_pushboolean(L, 1);
    return 1;
}

/// fs.realpath(path) -> string | nil, msg, code
static int l_realpath(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    char buf[PATH_MAX];
    if (!realpath(path, buf))
        return sesslua_fail(L, path, errno);
    lua_pushstring(L, buf);
    return 1;
}

/* Length of path without trailing slashes (keeps a lone "/"). */
static size_t trim_slashes(const char *p, size_t n)
{
    while (n > 1 && p[n - 1] == '/')
        n--;
    return n;
}

/// fs.dirname(path) -> string   (POSIX dirname, pure string operation)
static int l_dirname(lua_State *L)
{
    size_t n;
    const char *p = luaL_checklstring(L, 1, &n);
    n = trim_slashes(p, n);
    while (n > 0 && p[n - 1] != '/')
        n--;
    if (n == 0) {
        lua_pushliteral(L, ".");
        return 1;
    }
    lua_pushlstring(L, p, trim_slashes(p, n));
    return 1;
}

/// fs.basename(path) -> string   (POSIX basename, pure string operation)
static int l_basename(lua_State *L)
{
    size_t n, start;
    const char *p = luaL_checklstring(L, 1, &n);
    n = trim_slashes(p, n);
    start = n;
    while (start > 0 && p[start - 1] != '/')
        start--;
    if (n == 1 && p[0] == '/')
        start = 0; /* basename("/") is "/" */
    lua_pushlstring(L, p + start, n - start);
    return 1;
}

static const luaL_Reg fs_funcs[] = {
    { "read", l_read },         { "write", l_write },     { "update", l_update },
    { "move", l_move },         { "mkdir", l_mkdir },     { "list", sesslua_fs_list },
    { "stat", l_stat },         { "exists", l_exists },   { "remove", l_remove },
    { "realpath", l_realpath }, { "dirname", l_dirname }, { "basename", l_basename },
    { "lock", l_lock },         { "sweep", l_sweep },     { "warnings", l_warnings },
    { "held", l_held },         { "list_portable", sesslua_fs_list_portable },
    { NULL, NULL },
};

void sesslua_fs_owner_mt(lua_State *L, const char *name, lua_CFunction gc)
{
    luaL_newmetatable(L, name); /* mt */
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__close");
    lua_pushliteral(L, "private");
    lua_setfield(L, -2, "__metatable"); /* nothing of libc leaks into Lua */
    lua_pop(L, 1);
}

int luaopen_sesslua_fs(lua_State *L)
{
    sesslua_fs_owner_mt(L, BOX_MT, box_gc);
    sesslua_fs_owner_mt(L, LOCK_MT, lock_gc);
    luaL_getmetatable(L, LOCK_MT);          /* mt */
    lua_newtable(L);                        /* mt methods */
    lua_pushcfunction(L, l_lock_release);
    lua_setfield(L, -2, "release");
    lua_setfield(L, -2, "__index");         /* mt */
    lua_pop(L, 1);
    sesslua_fs_list_open(L);
    luaL_newlib(L, fs_funcs);
    return 1;
}
