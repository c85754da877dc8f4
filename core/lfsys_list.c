/*
 * lfsys_list.c — fs.list and fs.list_portable, the folder listings of
 * module "sesslua.fs" (lfsys.c). A listing in progress is owned by a
 * userdata (a dirbox) with __gc, so a raising Lua call in the middle of one
 * leaks no DIR nor names.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "fs.h"
#include "fs_internal.h"
#include "lfsys.h"
#include "lsupport.h"
#include "natsort.h"

#define DIRBOX_MT "sesslua.fs.dirbox"

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
int sesslua_fs_list(lua_State *L)
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

typedef struct push_args {
    dirbox *db;
    size_t files, slen;
    const marks *m;
} push_args;

/* push_files as a Lua function of one light userdata, its push_args. */
static int push_files_call(lua_State *L)
{
    push_args *a = lua_touserdata(L, 1);
    lua_settop(L, 0);
    push_files(L, a->db, a->files, a->slen, a->m);
    return a->m->on ? 2 : 1;
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
int sesslua_fs_list_portable(lua_State *L)
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
    /* The names are all kept: a collection step among their pushes would
     * only walk what is live (search.lua's collector runs at every 10%
     * of growth, so ten thousand names cost it a dozen cycles). Paused
     * around a protected call, so that a memory error still restarts it. */
    push_args args = {db, files, slen, &m};
    int collecting = lua_gc(L, LUA_GCISRUNNING);
    if (collecting)
        lua_gc(L, LUA_GCSTOP);
    lua_pushcfunction(L, push_files_call);
    lua_pushlightuserdata(L, &args);
    int rc = lua_pcall(L, 1, m.on ? 2 : 1, 0);         /* path suffix dirbox names [marked] */
    if (collecting)
        lua_gc(L, LUA_GCRESTART);
    if (rc != LUA_OK)
        return lua_error(L);
    if (push_others(L, db) != 0)
        return luaL_error(L, "not enough memory");
    if (m.on)
        lua_rotate(L, -2, 1);                          /* ... names others marked */
    dirbox_clear(db);
    return m.on ? 3 : 2;
}

void sesslua_fs_list_open(lua_State *L)
{
    sesslua_fs_owner_mt(L, DIRBOX_MT, dirbox_gc);
}
