/*
 * lsearch.c — Lua binding of search.h: module "sesslua.search".
 *
 *   search.files(paths, needle [, opts]) -> results (per-file failures in results.errors)
 *     paths: an array of strings, or an iterator function returning the next
 *     path (nil at the end); with opts.dir, each is a name in that folder
 *     and its path is dir .. "/" .. name, made in C (no Lua string per
 *     file); opts.each: a function called with each file's
 *     { path, count, hits } instead of collecting them in results
 *   search.buffer(text, needle [, opts]) -> hits
 *
 * opts: icase (default true), max_hits (total, across files), files_only
 * (stop at a file's first hit; no hits list), count_only (counts, no hits
 * list), sections (default true; the enclosing section titles of each hit),
 * labels (default false; with sections, each hit's nearest `**Label:**`
 * line above it within its section, as hit.label), threads (files searched
 * at once; results keep the order of paths), print ("text", "json",
 * "files", "count": each file formatted in C and written to stdout, see
 * search_print.h; head(path) gives the header start, or the values of the
 * JSON keys named in fields; printed: what is already out).
 *
 * A hit is { path, line, column, offset, text, sections }: line and column
 * are 1-based (column in bytes); offset is the 1-based byte position of the
 * match in the file, as string.sub and sesslua.md count; text is the
 * whole line without its line ending (and without the '\r' of a CRLF);
 * sections lists the enclosing section titles, outermost first. Hits in
 * the same section share one sections table (so 200k hits do not make 200k
 * tables): treat it as read-only.
 *
 * search.files has no whole-call failure of the world: a file that cannot
 * be read goes into results.errors as { path, message = "<path>: <reason>",
 * code = "ENOENT" } and the search goes on. Binary files are skipped.
 * Files are opened beneath the workflow's root as sesslua.fs opens them
 * (fs_open_in, from a descriptor of the root the pool holds while the
 * call runs): one that is a link out of the root is such an error (EXDEV,
 * "a symlink out of the root (to ...); refused") and is never read.
 *
 * Everything malloc'd during a call (the pool of files in flight and its
 * threads, compiled needle, hit list, section index, one title in flight)
 * is owned by one userdata with __gc, so any Lua error, ours or a memory
 * error, stops the threads and frees it all.
 */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

#include <lauxlib.h>
#include <lua.h>

#include "fs_internal.h"
#include "host.h"
#include "lfsys.h"
#include "lsupport.h"
#include "md.h"
#include "search.h"
#include "search_pool.h"
#include "search_print.h"

#define STATE_MT "sesslua.search.state"

typedef struct state {
    search_pattern pat;
    search_pool *pool;   /* files in flight (search.files) */
    /* What the pool's threads read while they run: kept here, not on the C
     * stack or in Lua strings, since after a Lua error in `each` or `head`
     * they may still be working until the state is collected. */
    search_job_opts jo;
    char fields[SEARCH_FIELDS_MAX][32];
    search_hit *hits;    /* hits of search.buffer */
    size_t nhits, hcap;
    md_index idx;        /* sections of the current file */
    char *title;         /* a plain title between malloc and lua_pushlstring */
    char *pathbuf;       /* opts.dir .. "/" .. name, for search_pool_submit */
    size_t pathcap;
    search_out value[SEARCH_FIELDS_MAX]; /* head(path)'s values, formatted */
} state;

typedef struct options {
    int icase, files_only, count_only, sections, labels, regex, word;
    int print;           /* SEARCH_PRINT_* */
    int context;         /* before or after given */
    int threads;
    size_t before, after;
    size_t max_hits;     /* 0: no limit */
    lua_Integer printed; /* print: hits (JSON) or groups (text) already out */
    const char *fields[SEARCH_FIELDS_MAX]; /* print = "json": the caller's keys */
    int nfields;
    const char *dir;     /* paths are names in it; NULL: paths are paths */
    size_t dirlen;
} options;

/* What head = {...} asks for each value, instead of a call per file. */
enum { HEAD_NONE, HEAD_STEM };

/* ---- state userdata ---------------------------------------------------- */

/* Free everything the state owns; safe twice. The pool goes first: its
 * workers read the pattern. */
static void state_free(state *st)
{
    search_pool_free(st->pool);
    search_pattern_free(&st->pat);
    free(st->hits);
    free(st->title);
    free(st->pathbuf);
    md_index_free(&st->idx);
    for (int i = 0; i < SEARCH_FIELDS_MAX; i++)
        search_out_free(&st->value[i]);
    memset(st, 0, sizeof *st);
}

static int state_gc(lua_State *L)
{
    state_free(luaL_checkudata(L, 1, STATE_MT));
    return 0;
}

/* Made before anything is allocated, so every later allocation has an owner. */
static state *state_new(lua_State *L)
{
    state *st = lua_newuserdatauv(L, sizeof *st, 0); /* st */
    memset(st, 0, sizeof *st);
    luaL_setmetatable(L, STATE_MT);
    return st;
}

/* ---- arguments ---------------------------------------------------------- */

static int opt_bool(lua_State *L, int arg, const char *key, int dflt)
{
    int v = dflt;
    if (lua_getfield(L, arg, key) != LUA_TNIL) /* ... v */
        v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* opts[key] as an integer from lo up; dflt when absent. */
static lua_Integer opt_int(lua_State *L, int arg, const char *key, lua_Integer lo,
                           lua_Integer dflt)
{
    lua_Integer n = dflt;
    if (lua_getfield(L, arg, key) != LUA_TNIL) { /* ... v */
        n = lua_tointeger(L, -1);
        if (!lua_isinteger(L, -1) || n < lo)
            luaL_error(L, "bad argument #%d (%s must be an integer >= %d)", arg, key, (int)lo);
    }
    lua_pop(L, 1);
    return n;
}

static int opt_print(lua_State *L, int arg)
{
    static const char *const names[] = {"none", "text", "json", "files", "count", NULL};
    lua_getfield(L, arg, "print"); /* ... print */
    int v = luaL_checkoption(L, -1, "none", names);
    lua_pop(L, 1);
    return v; /* SEARCH_PRINT_* in the same order */
}

/* opts.fields: the names of the caller's JSON keys (at most 8, each
 * [a-z0-9_]+); the strings stay alive in the opts table. */
static void check_fields(lua_State *L, int arg, options *o)
{
    if (lua_getfield(L, arg, "fields") != LUA_TNIL) { /* ... fields */
        luaL_argcheck(L, lua_istable(L, -1), arg, "fields must be an array of names");
        int n = (int)lua_rawlen(L, -1);
        luaL_argcheck(L, n <= SEARCH_FIELDS_MAX, arg, "at most 8 fields");
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, -1, i + 1);                  /* ... fields name */
            const char *name = lua_tostring(L, -1);
            int good = lua_type(L, -1) == LUA_TSTRING && name[0] != '\0';
            for (const char *c = name; good && *c; c++)
                good = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
            luaL_argcheck(L, good && strlen(name) < 32, arg,
                          "fields must be names of [a-z0-9_], at most 31 bytes");
            o->fields[o->nfields++] = name;
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

static options check_options(lua_State *L, int arg)
{
    options o = {1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, {0}, 0, NULL, 0};
    if (lua_isnoneornil(L, arg))
        return o;
    luaL_checktype(L, arg, LUA_TTABLE);
    o.icase = opt_bool(L, arg, "icase", 1);
    o.files_only = opt_bool(L, arg, "files_only", 0);
    o.count_only = opt_bool(L, arg, "count_only", 0);
    o.sections = opt_bool(L, arg, "sections", 1);
    o.labels = opt_bool(L, arg, "labels", 0) && o.sections;
    o.regex = opt_bool(L, arg, "regex", 0);
    o.word = opt_bool(L, arg, "word", 0);
    if (lua_getfield(L, arg, "max_hits") != LUA_TNIL) { /* ... max_hits */
        lua_Integer n = lua_tointeger(L, -1);
        luaL_argcheck(L, lua_isinteger(L, -1) && n > 0, arg,
                      "max_hits must be a positive integer");
        o.max_hits = (size_t)n;
    }
    lua_pop(L, 1);
    o.print = opt_print(L, arg);
    o.threads = (int)opt_int(L, arg, "threads", 0, 0);
    if (o.threads > 64)
        o.threads = 64;
    o.before = (size_t)opt_int(L, arg, "before", 0, -1);
    o.after = (size_t)opt_int(L, arg, "after", 0, -1);
    o.context = o.before != (size_t)-1 || o.after != (size_t)-1;
    o.before = o.before == (size_t)-1 ? 0 : o.before;
    o.after = o.after == (size_t)-1 ? 0 : o.after;
    o.printed = opt_int(L, arg, "printed", 0, 0);
    if (lua_getfield(L, arg, "dir") != LUA_TNIL) { /* ... dir (alive in opts) */
        luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING, arg, "dir must be a string");
        o.dir = lua_tolstring(L, -1, &o.dirlen);
    }
    lua_pop(L, 1);
    luaL_argcheck(L, !(o.print && o.max_hits), arg, "print does not take max_hits");
    check_fields(L, arg, &o);
    return o;
}

static void compile_needle(lua_State *L, state *st, int arg, const options *o)
{
    size_t len;
    const char *needle = luaL_checklstring(L, arg, &len);
    int flags = (o->icase ? SEARCH_ICASE : 0) | (o->regex ? SEARCH_REGEX : 0) |
                (o->word ? SEARCH_WORD : 0);
    char msg[256];
    int rc = search_compile_ex(&st->pat, needle, len, flags, msg, sizeof msg);
    luaL_argcheck(L, rc != -2, arg, "needle must not be empty");
    if (rc == -3)
        luaL_error(L, "bad pattern: %s", msg);
    if (rc != 0)
        luaL_error(L, "not enough memory");
}

/* ---- errors ------------------------------------------------------------- */

/* Append { path=, message="<path>: <reason>", code= } to the table at
 * errs, worded as sesslua.fs words a failure to read (a link out of the
 * root says where it leads). */
static void add_error(lua_State *L, int errs, const char *path, int e)
{
    lua_createtable(L, 0, 3); /* err */
    lua_pushstring(L, path);
    lua_setfield(L, -2, "path");
    int top = lua_gettop(L);
    sesslua_fs_fail(L, path, e, 0); /* err ... nil message code (its last 3) */
    lua_setfield(L, top, "code");
    lua_setfield(L, top, "message");
    lua_settop(L, top); /* err */
    lua_rawseti(L, errs, (lua_Integer)lua_rawlen(L, errs) + 1);
}

/* ---- search.buffer's scan ------------------------------------------------ */

typedef struct scan {
    state *st;
    size_t budget; /* hits still allowed; (size_t)-1 for no limit */
    int oom;
} scan;

static int on_hit(void *ud, const char *text, const search_hit *hit)
{
    scan *sc = ud;
    state *st = sc->st;
    (void)text;
    if (st->nhits == st->hcap) {
        size_t cap = st->hcap ? st->hcap * 2 : 64;
        search_hit *h = realloc(st->hits, cap * sizeof *h);
        if (!h)
            return sc->oom = 1;
        st->hits = h;
        st->hcap = cap;
    }
    st->hits[st->nhits++] = *hit;
    return sc->budget != (size_t)-1 && --sc->budget == 0;
}

/* ---- sections ----------------------------------------------------------- */

/* Push the plain title of section i. */
static void push_title(lua_State *L, state *st, long i, const char *text)
{
    const md_section *s = &st->idx.sections[i];
    size_t n;
    st->title = md_plain_title(text + s->title_start, s->title_len, &n);
    if (!st->title)
        luaL_error(L, "not enough memory");
    lua_pushlstring(L, st->title, n); /* title */
    free(st->title);
    st->title = NULL;
}

/* Push { outermost title, ..., title of i } (i = -1: the empty path).
 * Built once per section and file, from the parent's path, and cached in
 * the table at cache under i + 1: hits in one section share the table. */
static void push_path(lua_State *L, state *st, int cache, long i, const char *text)
{
    luaL_checkstack(L, 4, NULL); /* recursion depth is at most 6 levels */
    if (lua_rawgeti(L, cache, i + 1) != LUA_TNIL) /* path */
        return;
    lua_pop(L, 1);
    if (i < 0) {
        lua_newtable(L); /* path */
    } else {
        push_path(L, st, cache, st->idx.sections[i].parent, text); /* parent */
        lua_Integer depth = (lua_Integer)lua_rawlen(L, -1);
        lua_createtable(L, (int)depth + 1, 0); /* parent path */
        for (lua_Integer d = 1; d <= depth; d++) {
            lua_rawgeti(L, -2, d);
            lua_rawseti(L, -2, d);
        }
        push_title(L, st, i, text); /* parent path title */
        lua_rawseti(L, -2, depth + 1);
        lua_remove(L, -2); /* path */
    }
    lua_pushvalue(L, -1);
    lua_rawseti(L, cache, i + 1);
}

/* ---- results ------------------------------------------------------------ */

static void set_int(lua_State *L, const char *key, size_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, key);
}

/* Push the hit table for h (without path and sections). */
static void push_hit(lua_State *L, const char *text, const search_hit *h)
{
    lua_createtable(L, 0, 6); /* hit */
    set_int(L, "line", h->line);
    set_int(L, "column", h->column);
    set_int(L, "offset", h->offset + 1);
    set_int(L, "length", h->length);
    lua_pushlstring(L, text + h->line_start, h->line_end - h->line_start);
    lua_setfield(L, -2, "text");
}

/* Append n hits of this file to the table at hits; path at index path. */
static void add_file_hits(lua_State *L, state *st, const options *o, int hits,
                          int path, const char *text, size_t len,
                          const search_hit *h, size_t n)
{
    int cache = 0;
    if (o->sections) {
        md_index_free(&st->idx);
        if (md_index_build_opts(text, len, o->labels ? MD_INDEX_STRONG : 0, &st->idx) != 0)
            luaL_error(L, "not enough memory");
        lua_newtable(L); /* ... cache */
        cache = lua_gettop(L);
    }
    for (size_t i = 0; i < n; i++) {
        push_hit(L, text, &h[i]); /* ... hit */
        lua_pushvalue(L, path);
        lua_setfield(L, -2, "path");
        if (o->sections) {
            long sec = search_section_at(&st->idx, h[i].offset);
            push_path(L, st, cache, sec, text);
            lua_setfield(L, -2, "sections");
            size_t ls, le;
            if (o->labels && search_label_at(&st->idx, text, sec, &h[i], &ls, &le)) {
                lua_pushlstring(L, text + ls, le - ls);
                lua_setfield(L, -2, "label");
            }
        }
        lua_rawseti(L, hits, (lua_Integer)lua_rawlen(L, hits) + 1);
    }
    if (o->sections) {
        lua_pop(L, 1);
        md_index_free(&st->idx);
    }
}

/* Append { path=, count= } to the table at files. */
static void add_file(lua_State *L, int files, int path, size_t count)
{
    lua_createtable(L, 0, 2); /* file */
    lua_pushvalue(L, path);
    lua_setfield(L, -2, "path");
    set_int(L, "count", count);
    lua_rawseti(L, files, (lua_Integer)lua_rawlen(L, files) + 1);
}

/* ---- search.files ------------------------------------------------------- */

/* Stack slots of search.files, fixed once its tables are made. */
enum { S_PATHS = 1, S_NEEDLE, S_OPTS, S_STATE, S_EACH, S_HEAD, S_RESULTS, S_HITS,
       S_FILES, S_ERRORS, S_PATH };

/* Where search.files stands. */
typedef struct run {
    state *st;
    options o;
    size_t budget;       /* hits still allowed; (size_t)-1 for no limit */
    lua_Integer lines, matched;
    lua_Integer printed; /* what print has written so far */
    int head[SEARCH_FIELDS_MAX]; /* head given as a table: HEAD_* per value */
} run;

/* head as a table: one entry per value, false (none) or "stem". */
static void head_spec(lua_State *L, run *r)
{
    if (!lua_istable(L, S_HEAD))
        return;
    lua_Unsigned n = lua_rawlen(L, S_HEAD);
    luaL_argcheck(L, n <= SEARCH_FIELDS_MAX, S_OPTS, "head: at most 8 values");
    for (lua_Unsigned k = 1; k <= n; k++) {
        int t = lua_rawgeti(L, S_HEAD, (lua_Integer)k);
        const char *w = t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (w && strcmp(w, "stem") == 0)
            r->head[k - 1] = HEAD_STEM;
        else
            luaL_argcheck(L, t == LUA_TBOOLEAN && !lua_toboolean(L, -1), S_OPTS,
                          "head: each value must be false or \"stem\"");
        lua_pop(L, 1);
    }
}

/* The file name of path without its last extension. */
static const char *path_stem(const char *path, size_t *len)
{
    const char *base = fs_base_of(path);
    const char *dot = strrchr(base, '.');
    *len = dot && dot > base ? (size_t)(dot - base) : strlen(base);
    return base;
}

/* Write a printed file: the values for its marks come from head(path),
 * called only when the file has marks. */
static void print_job(lua_State *L, run *r, search_job *j)
{
    state *st = r->st;
    int json = r->o.print == SEARCH_PRINT_JSON, nv = json ? r->o.nfields : 1;
    const char *vals[SEARCH_FIELDS_MAX] = {0};
    size_t lens[SEARCH_FIELDS_MAX] = {0};
    if (j->out.nmarks) {
        int top = lua_gettop(L);
        int call = lua_isfunction(L, S_HEAD);
        if (call) {
            lua_pushvalue(L, S_HEAD);
            lua_pushstring(L, j->path);
            lua_call(L, 1, nv);                          /* ... v1 .. vn */
        }
        for (int k = 0; k < nv; k++) {
            size_t n = 0;
            const char *v = call ? lua_tolstring(L, top + 1 + k, &n)
                          : r->head[k] == HEAD_STEM ? path_stem(j->path, &n) : NULL;
            search_out *sv = &st->value[k];
            search_out_reset(sv);
            if (json && v)
                search_out_json(sv, v, n);
            else if (json)
                search_out_put(sv, "null", 4);
            else if (v)
                search_out_printable(sv, v, n);
            if (sv->oom)
                luaL_error(L, "not enough memory");
            vals[k] = sv->data, lens[k] = sv->len;
        }
        lua_settop(L, top);
    }
    /* the first group has no blank line before it, the first hit no comma */
    int first = r->printed == 0 && (r->o.print == SEARCH_PRINT_TEXT || json);
    search_out_write(&j->out, first ? 1 : 0, vals, lens, stdout);
    r->printed += json ? (lua_Integer)j->count : 1;
}

/* Hand one searched file on: printed, given to each, or collected. */
static void take_job(lua_State *L, run *r, search_job *j)
{
    if (j->err) {
        if (j->err == ENOMEM)
            luaL_error(L, "not enough memory");
        add_error(L, S_ERRORS, j->path, j->err);
        return;
    }
    size_t n = j->count;
    if (n == 0 || j->binary)
        return;
    if (r->budget != (size_t)-1) { /* max_hits counts across files, in order */
        n = n < r->budget ? n : r->budget;
        r->budget -= n;
    }
    r->lines += (lua_Integer)n;
    r->matched++;
    if (r->o.print) {
        print_job(L, r, j);
        return;
    }
    size_t keep = j->nhits < n ? j->nhits : n;
    lua_pushstring(L, j->path);                          /* ... path */
    int path = lua_gettop(L);
    if (!lua_isfunction(L, S_EACH)) {
        add_file(L, S_FILES, path, n);
        if (keep)
            add_file_hits(L, r->st, &r->o, S_HITS, path, j->text, j->len, j->hits, keep);
    } else {
        lua_pushvalue(L, S_EACH);                        /* ... path each */
        lua_createtable(L, 0, 3);                        /* ... path each file */
        lua_pushvalue(L, path);
        lua_setfield(L, -2, "path");
        set_int(L, "count", n);
        if (!(r->o.files_only || r->o.count_only)) {
            lua_createtable(L, (int)(keep < 1024 ? keep : 1024), 0);
            add_file_hits(L, r->st, &r->o, lua_gettop(L), path, j->text, j->len, j->hits, keep);
            lua_setfield(L, -2, "hits");
        }
        lua_call(L, 1, 0);
    }
    lua_pop(L, 1);
}

/* The next path: from the array at paths (cursor *i), or by calling the
 * iterator function there. Pushes it and returns 1, or 0 at the end. */
static int next_path(lua_State *L, int paths, lua_Integer *i)
{
    if (lua_type(L, paths) == LUA_TFUNCTION) {
        lua_pushvalue(L, paths);
        lua_call(L, 0, 1);                               /* ... path|nil */
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            return 0;
        }
    } else {
        if ((lua_Unsigned)++*i > lua_rawlen(L, paths))
            return 0;
        lua_rawgeti(L, paths, *i);                       /* ... path */
    }
    if (lua_type(L, -1) != LUA_TSTRING)
        luaL_argerror(L, paths, "paths must be strings");
    return 1;
}

/* Push opts[key]: nil or a function, or with table_too also a table. */
static void get_function(lua_State *L, const char *key, int table_too)
{
    if (lua_istable(L, S_OPTS))
        lua_getfield(L, S_OPTS, key);                  /* ... f */
    else
        lua_pushnil(L);
    luaL_argcheck(L, lua_isnil(L, -1) || lua_isfunction(L, -1) ||
                         (table_too && lua_istable(L, -1)), S_OPTS,
                  lua_pushfstring(L, table_too ? "%s must be a function or a table"
                                               : "%s must be a function", key));
}

/* The path of the name on top of the stack: itself, or opts.dir/name
 * (st->pathbuf). */
static const char *path_of(lua_State *L, run *r)
{
    size_t n;
    const char *name = lua_tolstring(L, -1, &n);
    if (!r->o.dir)
        return name;
    state *st = r->st;
    size_t need = r->o.dirlen + n + 2;
    if (need > st->pathcap) {
        char *p = realloc(st->pathbuf, need);
        if (!p)
            luaL_error(L, "not enough memory");
        st->pathbuf = p;
        st->pathcap = need;
    }
    memcpy(st->pathbuf, r->o.dir, r->o.dirlen);
    st->pathbuf[r->o.dirlen] = '/';
    memcpy(st->pathbuf + r->o.dirlen + 1, name, n + 1);
    return st->pathbuf;
}

/* Feed the pool paths and take its files in order, until the paths end
 * or max_hits is reached. */
static void run_files(lua_State *L, run *r, search_pool *pool)
{
    lua_Integer i = 0;
    int more = 1;
    while (r->budget != 0) {
        while (more && search_pool_room(pool)) {
            if (!(more = next_path(L, S_PATHS, &i)))  /* ... path */
                break;
            int rc = search_pool_submit(pool, path_of(L, r));
            lua_pop(L, 1);
            if (rc != 0)
                luaL_error(L, "not enough memory");
        }
        search_job *j = search_pool_next(pool);
        if (!j)
            break;
        take_job(L, r, j);
        search_pool_done(pool, j);
    }
}

static int l_files(lua_State *L)
{
    luaL_argexpected(L, lua_istable(L, S_PATHS) || lua_isfunction(L, S_PATHS), S_PATHS,
                     "array of paths or iterator");
    options o = check_options(L, S_OPTS);
    lua_settop(L, S_OPTS);
    state *st = state_new(L);                          /* paths needle opts st */
    compile_needle(L, st, S_NEEDLE, &o);
    sesslua_fs_sync_root(L); /* the pool opens files beneath the workflow's root */
    get_function(L, "each", 0);                        /* ... st each */
    get_function(L, "head", 1);                        /* ... st each head */
    lua_createtable(L, 0, 5);                          /* ... head results */
    lua_newtable(L);                                   /* ... results hits */
    lua_newtable(L);                                   /* ... results hits files */
    lua_newtable(L);                                   /* ... hits files errors */
    search_job_opts jo = {o.files_only, !(o.files_only || o.count_only), o.max_hits,
                          {o.print, o.context, o.before, o.after, {0}, o.nfields}};
    for (int k = 0; k < o.nfields; k++) {
        snprintf(st->fields[k], sizeof st->fields[k], "%s", o.fields[k]);
        jo.print.fields[k] = st->fields[k];
    }
    if (o.print == SEARCH_PRINT_FILES)
        jo.stop_first = 1, jo.keep_hits = 0;
    else if (o.print == SEARCH_PRINT_COUNT)
        jo.stop_first = 0, jo.keep_hits = 0;
    else if (o.print)
        jo.stop_first = 0, jo.keep_hits = 1;
    int err;
    st->jo = jo;
#ifdef __GLIBC__
    /* What the caller freed before (a listing of ten thousand names and
     * its garbage) is mostly small holes the pool's buffers cannot use:
     * give those pages back first, so peak memory is the larger of the
     * two phases, not their sum. */
    malloc_trim(0);
#endif
    st->pool = search_pool_new(&st->pat, &st->jo, o.threads ? o.threads : search_default_threads(),
                               &err);
    if (!st->pool)
        luaL_error(L, "search: %s", strerror(err));
    run r = {st, o, o.max_hits ? o.max_hits : (size_t)-1, 0, 0, o.printed, {0}};
    head_spec(L, &r);
    run_files(L, &r, st->pool);
    lua_setfield(L, S_RESULTS, "errors");
    lua_setfield(L, S_RESULTS, "files");
    lua_setfield(L, S_RESULTS, "hits");                /* ... head results */
    lua_pushinteger(L, r.lines);
    lua_setfield(L, S_RESULTS, "count");
    lua_pushinteger(L, r.matched);
    lua_setfield(L, S_RESULTS, "matched_files");
    lua_pushinteger(L, r.printed);
    lua_setfield(L, S_RESULTS, "printed");
    state_free(st); /* buffers and threads go now, not at the next GC cycle */
    return 1;
}

/* ---- search.buffer ------------------------------------------------------ */

static int l_buffer(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    options o = check_options(L, 3);
    lua_settop(L, 3);
    state *st = state_new(L);                          /* text needle opts st */
    compile_needle(L, st, 2, &o);
    scan sc = {st, o.max_hits ? o.max_hits : (size_t)-1, 0};
    search_buffer(&st->pat, text, len, on_hit, &sc);
    if (sc.oom)
        luaL_error(L, "not enough memory");
    lua_createtable(L, (int)st->nhits, 0);             /* ... st hits */
    for (size_t i = 0; i < st->nhits; i++) {
        push_hit(L, text, &st->hits[i]);               /* ... hits hit */
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    state_free(st);
    return 1;
}

/* Whether text[i, len) starts with mask: '9' is any ASCII digit, any
 * other byte is itself. */
static int matches_mask(const char *text, size_t len, size_t i, const char *mask, size_t mlen)
{
    if (len - i < mlen)
        return 0;
    for (size_t k = 0; k < mlen; k++) {
        char c = text[i + k];
        if (mask[k] == '9' ? (c < '0' || c > '9') : c != mask[k])
            return 0;
    }
    return 1;
}

/// search.count_lines(text, prefix [, mask]) -> integer
/// How many lines of text start with prefix, followed (when mask is given)
/// by bytes matching mask ('9' any digit, other bytes themselves). Counts
/// entry headings of a 10,000-entry file without a Lua loop.
static int l_count_lines(lua_State *L)
{
    size_t len, plen, mlen = 0;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *prefix = luaL_checklstring(L, 2, &plen);
    const char *mask = luaL_optlstring(L, 3, NULL, &mlen);
    luaL_argcheck(L, plen > 0, 2, "empty prefix");
    lua_Integer n = 0;
    /* Line by line (memchr for each line ending): a prefix that is common
     * inside lines (a blank) costs what the line starts cost, and there is
     * no per-call set-up as memmem has for each hit. */
    size_t at = 0;
    while (at + plen <= len) {
        if (memcmp(text + at, prefix, plen) == 0 &&
            (mask == NULL || matches_mask(text, len, at + plen, mask, mlen)))
            n++;
        const char *nl = memchr(text + at, '\n', len - at);
        if (nl == NULL)
            break;
        at = (size_t)(nl - text) + 1;
    }
    lua_pushinteger(L, n);
    return 1;
}

/// search.line_starts(text, prefixes [, from]) -> n1, n2, ...
/// How many lines of text[from, end] start with each of the prefixes (an
/// array of non-empty strings, at most 16), all counted in one pass.
static int l_line_starts(lua_State *L)
{
    enum { MAX_PREFIXES = 16 };
    size_t len, plen[MAX_PREFIXES];
    const char *text = luaL_checklstring(L, 1, &len), *pre[MAX_PREFIXES];
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_Integer from = luaL_optinteger(L, 3, 1), count[MAX_PREFIXES] = {0};
    int np = (int)lua_rawlen(L, 2);
    luaL_argcheck(L, np >= 1 && np <= MAX_PREFIXES, 2, "1 to 16 prefixes");
    luaL_argcheck(L, from >= 1 && (size_t)from <= len + 1, 3, "position out of range");
    for (int k = 0; k < np; k++) {
        lua_rawgeti(L, 2, k + 1); /* kept alive by the table */
        pre[k] = lua_tolstring(L, -1, &plen[k]);
        luaL_argcheck(L, pre[k] != NULL && plen[k] > 0, 2, "prefixes must be non-empty strings");
        lua_pop(L, 1);
    }
    size_t at = (size_t)from - 1;
    if (at > 0 && text[at - 1] != '\n') { /* from is mid-line: start at the next line */
        const char *nl = memchr(text + at, '\n', len - at);
        at = nl ? (size_t)(nl - text) + 1 : len;
    }
    while (at < len) {
        for (int k = 0; k < np; k++)
            if (text[at] == pre[k][0] && at + plen[k] <= len &&
                memcmp(text + at, pre[k], plen[k]) == 0)
                count[k]++;
        const char *nl = memchr(text + at, '\n', len - at);
        if (nl == NULL)
            break;
        at = (size_t)(nl - text) + 1;
    }
    for (int k = 0; k < np; k++)
        lua_pushinteger(L, count[k]);
    return np;
}

static const luaL_Reg search_funcs[] = {
    {"line_starts", l_line_starts},
    {"files", l_files},
    {"buffer", l_buffer},
    {"count_lines", l_count_lines},
    {NULL, NULL},
};

static const luaL_Reg state_meta[] = {
    {"__gc", state_gc},
    {"__close", state_gc},
    {NULL, NULL},
};

int luaopen_sesslua_search(lua_State *L)
{
    if (luaL_newmetatable(L, STATE_MT)) {              /* mt */
        luaL_setfuncs(L, state_meta, 0);
        lua_pushliteral(L, "sesslua.search.state");
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
    luaL_newlib(L, search_funcs);                      /* M */
    return 1;
}
