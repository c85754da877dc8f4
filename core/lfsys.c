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
#include "natsort.h"

#define BOX_MT "sesslua.fs.box"
#define LOCK_MT "sesslua.fs.lock"
#define DIRBOX_MT "sesslua.fs.dirbox"

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

/* A folder being listed: the open DIR and the names read so far. Each name
 * is stored after one byte saying its type as readdir knew it: 'f' file,
 * 'l' link, 'd' folder, 'o' other, '?' unknown (some filesystems). */
typedef struct dirbox {
    DIR *dir;
    char **names;
    size_t n, cap;
    /* fs.list_portable: the entries one after another in buf (type byte,
     * length byte: NAME_MAX is 255, name, NUL), then the files' sort keys
     * and entries in one block */
    char *buf;
    size_t used, bcap;
    natsort_entry *ents;
} dirbox;

static void dirbox_clear(dirbox *db)
{
    if (db->dir)
        closedir(db->dir);
    for (size_t i = 0; i < db->n; i++)
        free(db->names[i]);
    free(db->names);
    free(db->buf);
    free(db->ents);
    memset(db, 0, sizeof *db);
}

static int dirbox_gc(lua_State *L)
{
    dirbox_clear(luaL_checkudata(L, 1, DIRBOX_MT));
    return 0;
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

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1); /* bytewise, after the type */
}

static int has_suffix(const char *name, const char *suffix, size_t slen)
{
    size_t n = strlen(name);
    return n >= slen && memcmp(name + n - slen, suffix, slen) == 0;
}

/* Read the names of db->dir matching suffix into db->names: the visible
 * ones, or with hidden also those starting with '.' (never "." and "..").
 * Returns 0 or an errno value. */
static int dirbox_fill(dirbox *db, const char *suffix, int hidden)
{
    size_t slen = suffix ? strlen(suffix) : 0;
    struct dirent *e;
    for (;;) {
        errno = 0;
        if (!(e = readdir(db->dir)))
            return errno;
        if ((e->d_name[0] == '.' && (!hidden || strcmp(e->d_name, ".") == 0
                                     || strcmp(e->d_name, "..") == 0))
            || (suffix && !has_suffix(e->d_name, suffix, slen)))
            continue;
        if (db->n == db->cap) {
            size_t ncap = db->cap ? db->cap * 2 : 16;
            char **nn = realloc(db->names, ncap * sizeof *nn);
            if (!nn)
                return ENOMEM;
            db->names = nn;
            db->cap = ncap;
        }
        size_t len = strlen(e->d_name);
        char *entry = malloc(len + 2);
        if (!entry)
            return ENOMEM;
        entry[0] = e->d_type == DT_REG ? 'f' : e->d_type == DT_LNK ? 'l'
                 : e->d_type == DT_DIR ? 'd' : e->d_type == DT_UNKNOWN ? '?' : 'o';
        memcpy(entry + 1, e->d_name, len + 1);
        db->names[db->n++] = entry;
    }
}

static const char *type_word(char t)
{
    return t == 'f' ? "file" : t == 'l' ? "link" : t == 'd' ? "dir" : "other";
}

/* A dirbox with path open, on the stack; or NULL with nil, msg, code
 * pushed. */
static dirbox *dirbox_open(lua_State *L, const char *path)
{
    dirbox *db = lua_newuserdatauv(L, sizeof *db, 0);
    memset(db, 0, sizeof *db);
    luaL_setmetatable(L, DIRBOX_MT); /* ... dirbox */
    sesslua_fs_sync_root(L);
    int fd = fsp_open(path, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
        sesslua_fs_fail(L, path, fd, 0);
        return NULL;
    }
    if (!(db->dir = fdopendir(fd))) {
        int e = errno;
        close(fd);
        sesslua_fail(L, path, e);
        return NULL;
    }
    return db;
}

/* The type letter of name in the folder, asked of the folder (for a
 * filesystem whose readdir does not say). */
static char type_at(dirbox *db, const char *name)
{
    struct stat st;
    return fstatat(dirfd(db->dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0 ? 'o'
           : S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l'
           : S_ISDIR(st.st_mode) ? 'd' : 'o';
}

/// fs.list(dir [, suffix [, with_types [, hidden]]]) -> {names...} [, {name = type}] | nil, msg, code
/// Sorted bytewise; "." entries and hidden files are left out (hidden
/// files are kept with hidden, for what writers leave: doctor). With
/// with_types, a second table gives each name's type as fs.stat words it
/// ("file", "link", "dir", "other"), from the directory itself where the
/// filesystem says (no stat per name).
static int l_list(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *suffix = luaL_optstring(L, 2, NULL);
    /* read before the box is pushed: with two arguments, index 3 is the box */
    int with_types = lua_toboolean(L, 3), hidden = lua_toboolean(L, 4);
    lua_settop(L, 2);
    dirbox *db = dirbox_open(L, path);
    if (!db)
        return 3; /* nil, msg, code */
    int e = dirbox_fill(db, suffix, hidden);
    if (e != 0) {
        dirbox_clear(db);
        return sesslua_fail(L, path, e);
    }
    if (db->n > 1)
        qsort(db->names, db->n, sizeof *db->names, cmp_names);
    lua_createtable(L, (int)db->n, 0); /* path suffix dirbox names */
    for (size_t i = 0; i < db->n; i++) {
        lua_pushstring(L, db->names[i] + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    if (with_types) {
        lua_createtable(L, 0, (int)db->n); /* ... names types */
        for (size_t i = 0; i < db->n; i++) {
            char t = db->names[i][0];
            if (t == '?')
                t = type_at(db, db->names[i] + 1);
            lua_pushstring(L, type_word(t));
            lua_setfield(L, -2, db->names[i] + 1);
        }
    }
    dirbox_clear(db);
    return with_types ? 2 : 1;
}

/* Whether stem (n bytes) is a portable name: POSIX's portable file name
 * characters (letters, digits, '.', '_', '-'), starting with a letter or
 * digit, with no "..". */
static int portable(const char *stem, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)stem[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return 0;
        if (c == '.' && stem[i - 1] == '.')
            return 0;
    }
    return 1;
}

static size_t entry_len(const dirbox *db, size_t at)
{
    return (unsigned char)db->buf[at + 1];
}

/* Append t, len, name and a NUL to db->buf; 0 or ENOMEM. */
static int dirbox_add(dirbox *db, char t, const char *name, size_t len)
{
    if (len > 255)
        return ENAMETOOLONG; /* no file system here names one */
    if (db->bcap - db->used < len + 3) {
        size_t ncap = db->bcap ? db->bcap * 2 : 16384;
        while (ncap - db->used < len + 3)
            ncap *= 2;
        char *nb = realloc(db->buf, ncap);
        if (!nb)
            return ENOMEM;
        db->buf = nb;
        db->bcap = ncap;
    }
    db->buf[db->used] = t;
    db->buf[db->used + 1] = (char)len;
    memcpy(db->buf + db->used + 2, name, len + 1);
    db->used += len + 3;
    return 0;
}

/* Read the entries of db->dir whose names are a portable stem and suffix
 * into db->buf; *files counts the regular files. 0 or an errno value. */
static int dirbox_fill_portable(dirbox *db, const char *suffix, size_t slen, size_t *files)
{
    struct dirent *e;
    for (*files = 0;;) {
        errno = 0;
        if (!(e = readdir(db->dir)))
            return errno;
        size_t len = strlen(e->d_name);
        if (len <= slen || memcmp(e->d_name + len - slen, suffix, slen) != 0
            || !portable(e->d_name, len - slen))
            continue;
        char t = e->d_type == DT_REG ? 'f' : e->d_type == DT_LNK ? 'l'
               : e->d_type == DT_DIR ? 'd' : e->d_type == DT_UNKNOWN ? type_at(db, e->d_name) : 'o';
        if (t == 'f')
            ++*files;
        int rc = dirbox_add(db, t, e->d_name, len);
        if (rc != 0)
            return rc;
    }
}

/* The regular files of db->buf as sort entries in natural order
 * (db->ents); 0 or ENOMEM. */
static int dirbox_sort_files(dirbox *db, size_t files, size_t slen)
{
    size_t bytes = 0;
    for (size_t at = 0; at < db->used; at += entry_len(db, at) + 3)
        if (db->buf[at] == 'f')
            bytes += natsort_key_size(db->buf + at + 2, entry_len(db, at), slen);
    if (!(db->ents = malloc(files * sizeof *db->ents + bytes + 1)))
        return ENOMEM;
    char *key = (char *)(db->ents + files);
    size_t i = 0;
    for (size_t at = 0; at < db->used; at += entry_len(db, at) + 3) {
        if (db->buf[at] != 'f')
            continue;
        natsort_key_make(db->buf + at + 2, entry_len(db, at), slen, key, &db->ents[i]);
        key += db->ents[i++].len;
    }
    natsort_entries(db->ents, files);
    return 0;
}

static int cmp_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 2, *(char *const *)b + 2); /* after type, length */
}

/* Push the array of {name = , type = } of the entries of db->buf that are
 * no regular file, bytewise by name. 0 or ENOMEM (nothing pushed). May
 * raise (memory): db owns the list meanwhile. */
static int push_others(lua_State *L, dirbox *db)
{
    size_t others = 0, n = 0;
    for (size_t at = 0; at < db->used; at += entry_len(db, at) + 3)
        others += db->buf[at] != 'f';
    char **list = others ? malloc(others * sizeof *list) : NULL;
    if (others && !list)
        return ENOMEM;
    for (size_t at = 0; at < db->used; at += entry_len(db, at) + 3)
        if (db->buf[at] != 'f')
            list[n++] = db->buf + at;
    if (n > 1)
        qsort(list, n, sizeof *list, cmp_strings);
    db->names = list; /* freed with the box if a push raises */
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, list[i] + 2);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, type_word(list[i][0]));
        lua_setfield(L, -2, "type");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    db->names = NULL;
    free(list);
    return 0;
}

/* fs.list_portable's third argument: which names to mark. */
typedef struct marks {
    int on;
    char last[64]; /* a stem's last byte among these */
    size_t nlast;
    lua_Integer over; /* or a stem longer than this */
} marks;

static marks check_marks(lua_State *L, int arg)
{
    marks m = {0};
    if (lua_isnoneornil(L, arg))
        return m;
    luaL_checktype(L, arg, LUA_TTABLE);
    m.on = 1;
    lua_getfield(L, arg, "last");
    const char *last = luaL_optlstring(L, -1, "", &m.nlast);
    luaL_argcheck(L, m.nlast <= sizeof m.last, arg, "mark.last: at most 64 bytes");
    memcpy(m.last, last, m.nlast);
    lua_getfield(L, arg, "over");
    m.over = luaL_optinteger(L, -1, LUA_MAXINTEGER);
    lua_pop(L, 2);
    return m;
}

/* Push the names of the regular files in order, and with m->on the
 * indices of those m marks. */
static void push_files(lua_State *L, dirbox *db, size_t files, size_t slen, const marks *m)
{
    lua_createtable(L, (int)files, 0);                 /* ... names */
    if (m->on)
        lua_newtable(L);                               /* ... names marked */
    for (size_t i = 0, k = 0; i < files; i++) {
        natsort_entry *en = &db->ents[i];
        const char *name = en->key + en->len - en->name_len;
        size_t stem = en->name_len - slen;             /* > 0: a portable stem */
        lua_pushlstring(L, name, en->name_len);
        lua_rawseti(L, m->on ? -3 : -2, (lua_Integer)i + 1);
        if (m->on && ((lua_Integer)stem > m->over || memchr(m->last, name[stem - 1], m->nlast))) {
            lua_pushinteger(L, (lua_Integer)i + 1);
            lua_rawseti(L, -2, (lua_Integer)++k);
        }
    }
}

/// fs.list_portable(dir, suffix [, mark]) -> names, others [, marked] | nil, msg, code
/// The entries of dir named a portable stem (POSIX's portable file name
/// characters: letters, digits, '.', '_', '-'; starting with a letter or
/// digit; no "..") followed by suffix: names, the regular files among
/// them in natural order (sys.natural_sort's, with the suffix's length);
/// others, the rest (links, folders, FIFOs...) as {name =, type =} in
/// bytewise order, with types as fs.list words them. One pass over the
/// folder and no table per name for the common case, a folder of logs.
/// With mark = {last = BYTES, over = N}: marked, the indices in names of
/// the names whose stem ends in one of BYTES or is longer than N bytes
/// (what a caller's own check must look at; the rest it may skip).
static int l_list_portable(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    size_t slen, files;
    const char *suffix = luaL_checklstring(L, 2, &slen);
    marks m = check_marks(L, 3);
    lua_settop(L, 2);
    dirbox *db = dirbox_open(L, path);
    if (!db)
        return 3; /* nil, msg, code */
    int e = dirbox_fill_portable(db, suffix, slen, &files);
    if (e == 0)
        e = dirbox_sort_files(db, files, slen);
    if (e != 0) {
        dirbox_clear(db);
        return sesslua_fail(L, path, e);
    }
    push_files(L, db, files, slen, &m);                /* path suffix dirbox names [marked] */
    if (push_others(L, db) != 0)
        return luaL_error(L, "not enough memory");
    if (m.on)
        lua_rotate(L, -2, 1);                          /* ... names others marked */
    dirbox_clear(db);
    return m.on ? 3 : 2;
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
    { "move", l_move },         { "mkdir", l_mkdir },     { "list", l_list },
    { "stat", l_stat },         { "exists", l_exists },   { "remove", l_remove },
    { "realpath", l_realpath }, { "dirname", l_dirname }, { "basename", l_basename },
    { "lock", l_lock },         { "sweep", l_sweep },     { "warnings", l_warnings },
    { "held", l_held },         { "list_portable", l_list_portable },
    { NULL, NULL },
};

static void new_owner_mt(lua_State *L, const char *name, lua_CFunction gc)
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
    new_owner_mt(L, BOX_MT, box_gc);
    new_owner_mt(L, LOCK_MT, lock_gc);
    luaL_getmetatable(L, LOCK_MT);          /* mt */
    lua_newtable(L);                        /* mt methods */
    lua_pushcfunction(L, l_lock_release);
    lua_setfield(L, -2, "release");
    lua_setfield(L, -2, "__index");         /* mt */
    lua_pop(L, 1);
    new_owner_mt(L, DIRBOX_MT, dirbox_gc);
    luaL_newlib(L, fs_funcs);
    return 1;
}
