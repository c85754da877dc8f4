/*
 * lsearch.c — Lua binding of search.h: module "sesslua.search".
 *
 *   search.files(paths, needle [, opts]) -> results (per-file failures in results.errors)
 *     paths: an array of strings, or an iterator function returning the next
 *     path (nil at the end); opts.each: a function called with each file's
 *     { path, count, hits } instead of collecting them in results
 *   search.buffer(text, needle [, opts]) -> hits
 *
 * opts: icase (default true), max_hits (total, across files), files_only
 * (stop at a file's first hit; no hits list), count_only (counts, no hits
 * list), sections (default true; the enclosing section titles of each hit),
 * labels (default false; with sections, each hit's nearest `**Label:**`
 * line above it within its section, as hit.label).
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
 *
 * Everything malloc'd during a call (read buffer, compiled needle, hit list,
 * section index, one title in flight) is owned by one userdata with __gc,
 * so any Lua error, ours or a memory error, frees it all.
 */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"
#include "lsupport.h"
#include "md.h"
#include "search.h"

#define STATE_MT "sesslua.search.state"

typedef struct state {
    search_pattern pat;
    char *buf;           /* reusable read buffer, grown to the largest file */
    size_t cap;
    search_hit *hits;    /* hits of the current file */
    size_t nhits, hcap;
    md_index idx;        /* sections of the current file */
    char *title;         /* a plain title between malloc and lua_pushlstring */
} state;

typedef struct options {
    int icase, files_only, count_only, sections, labels;
    size_t max_hits; /* 0: no limit */
} options;

/* What the scan callback needs. */
typedef struct scan {
    state *st;
    size_t budget; /* hits still allowed; (size_t)-1 for no limit */
    size_t count;
    int keep;      /* store hits (not files_only / count_only) */
    int stop_first;
    int oom;
} scan;

/* ---- state userdata ---------------------------------------------------- */

/* Free everything the state owns; safe twice. */
static void state_free(state *st)
{
    search_pattern_free(&st->pat);
    free(st->buf);
    free(st->hits);
    free(st->title);
    md_index_free(&st->idx);
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

static options check_options(lua_State *L, int arg)
{
    options o = {1, 0, 0, 1, 0, 0};
    if (lua_isnoneornil(L, arg))
        return o;
    luaL_checktype(L, arg, LUA_TTABLE);
    o.icase = opt_bool(L, arg, "icase", 1);
    o.files_only = opt_bool(L, arg, "files_only", 0);
    o.count_only = opt_bool(L, arg, "count_only", 0);
    o.sections = opt_bool(L, arg, "sections", 1);
    o.labels = opt_bool(L, arg, "labels", 0) && o.sections;
    if (lua_getfield(L, arg, "max_hits") != LUA_TNIL) { /* ... max_hits */
        lua_Integer n = lua_tointeger(L, -1);
        luaL_argcheck(L, lua_isinteger(L, -1) && n > 0, arg,
                      "max_hits must be a positive integer");
        o.max_hits = (size_t)n;
    }
    lua_pop(L, 1);
    return o;
}

static void compile_needle(lua_State *L, state *st, int arg, int icase)
{
    size_t len;
    const char *needle = luaL_checklstring(L, arg, &len);
    int rc = search_compile(&st->pat, needle, len, icase ? SEARCH_ICASE : 0);
    luaL_argcheck(L, rc != -2, arg, "needle must not be empty");
    if (rc != 0)
        luaL_error(L, "not enough memory");
}

/* ---- errors ------------------------------------------------------------- */

/* Append { path=, message="<path>: <reason>", code= } to the table at errs. */
static void add_error(lua_State *L, int errs, const char *path, int e)
{
    lua_createtable(L, 0, 3); /* err */
    lua_pushstring(L, path);
    lua_setfield(L, -2, "path");
    lua_pushfstring(L, "%s: %s", path, strerror(e));
    lua_setfield(L, -2, "message");
    sesslua_push_errname(L, e); /* err code */
    lua_setfield(L, -2, "code");
    lua_rawseti(L, errs, (lua_Integer)lua_rawlen(L, errs) + 1);
}

/* ---- reading ------------------------------------------------------------ */

static int grow(state *st, size_t need)
{
    if (need <= st->cap)
        return 0;
    char *p = realloc(st->buf, need);
    if (!p)
        return ENOMEM;
    st->buf = p;
    st->cap = need;
    return 0;
}

static int read_fd(state *st, int fd, size_t *len)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return errno;
    if (S_ISDIR(sb.st_mode))
        return EISDIR;
    if (!S_ISREG(sb.st_mode))
        return EINVAL; /* a FIFO or a device: never waited on */
    /* +1 so a file that did not grow is seen at EOF without a regrow. */
    int rc = grow(st, (size_t)sb.st_size + 1);
    *len = 0;
    while (rc == 0) {
        if (*len == st->cap && (rc = grow(st, st->cap * 2)) != 0)
            break;
        ssize_t n = read(fd, st->buf + *len, st->cap - *len);
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR)
            rc = errno;
        else if (n > 0)
            *len += (size_t)n;
    }
    return rc;
}

/* Read path into st->buf; returns 0 or an errno value. */
static int read_file(state *st, const char *path, size_t *len)
{
    /* O_NONBLOCK: opening a FIFO must not hang a search (read_fd refuses
     * anything that is not a regular file). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno;
    int rc = read_fd(st, fd, len);
    close(fd);
    return rc;
}

/* ---- scanning ----------------------------------------------------------- */

static int on_hit(void *ud, const char *text, const search_hit *hit)
{
    scan *sc = ud;
    state *st = sc->st;
    (void)text;
    if (sc->keep && st->nhits == st->hcap) {
        size_t cap = st->hcap ? st->hcap * 2 : 64;
        search_hit *h = realloc(st->hits, cap * sizeof *h);
        if (!h)
            return sc->oom = 1;
        st->hits = h;
        st->hcap = cap;
    }
    if (sc->keep)
        st->hits[st->nhits++] = *hit;
    sc->count++;
    if (sc->budget != (size_t)-1 && --sc->budget == 0)
        return 1;
    return sc->stop_first;
}

/* Scan text into st->hits (when kept); returns the number of hit lines. */
static size_t scan_text(lua_State *L, scan *sc, const char *text, size_t len)
{
    sc->st->nhits = 0;
    sc->count = 0;
    search_buffer(&sc->st->pat, text, len, on_hit, sc);
    if (sc->oom)
        luaL_error(L, "not enough memory");
    return sc->count;
}

/* ---- sections ----------------------------------------------------------- */

/* Index of the last section starting at or before off, or -1. */
static long section_at(const md_index *idx, size_t off)
{
    size_t lo = 0, hi = idx->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx->sections[mid].heading_start <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

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
    lua_pushlstring(L, text + h->line_start, h->line_end - h->line_start);
    lua_setfield(L, -2, "text");
}

/* Whether text[s, e) is a `**Label:**` line (trailing blanks and CR
 * allowed); sets the label's span. */
static int is_label_line(const char *text, size_t s, size_t e, size_t *ls, size_t *le)
{
    while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
        e--;
    if (e - s < 6 || memcmp(text + s, "**", 2) != 0 || memcmp(text + e - 3, ":**", 3) != 0)
        return 0;
    for (size_t i = s + 2; i < e - 3; i++)
        if (text[i] == '*' || text[i] == '\n')
            return 0;
    *ls = s + 2;
    *le = e - 3;
    return 1;
}

/* Push the `**Label:**` sub-heading a hit is under within its section
 * (documents use them as a third heading level: "**Open Questions:**"),
 * or nil: the hit's own line when it is one, else the nearest above, never
 * a line of code (a quoted label is text). Scans back with memrchr from the
 * hit's line to floor. */
static void push_label(lua_State *L, const md_index *idx, const char *text, size_t floor,
                       size_t line_start, size_t line_end)
{
    size_t ls, le;
    if (!md_in_code(idx, line_start) && is_label_line(text, line_start, line_end, &ls, &le)) {
        lua_pushlstring(L, text + ls, le - ls);
        return;
    }
    size_t end = line_start;
    while (end > floor) {
        size_t e = end - 1; /* the previous line's '\n' */
        const char *nl = e > floor ? memrchr(text + floor, '\n', e - floor) : NULL;
        size_t s = nl ? (size_t)(nl - text) + 1 : floor;
        /* a label quoted in code is text, not the label of what follows */
        if (!md_in_code(idx, s) && is_label_line(text, s, e, &ls, &le)) {
            lua_pushlstring(L, text + ls, le - ls);
            return;
        }
        if (s == floor)
            break;
        end = s;
    }
    lua_pushnil(L);
}

/* Append this file's kept hits to the table at hits; path at index path. */
static void add_file_hits(lua_State *L, state *st, const options *o, int hits,
                          int path, const char *text, size_t len)
{
    int cache = 0;
    if (o->sections) {
        md_index_free(&st->idx);
        if (md_index_build(text, len, &st->idx) != 0)
            luaL_error(L, "not enough memory");
        lua_newtable(L); /* ... cache */
        cache = lua_gettop(L);
    }
    for (size_t i = 0; i < st->nhits; i++) {
        push_hit(L, text, &st->hits[i]); /* ... hit */
        lua_pushvalue(L, path);
        lua_setfield(L, -2, "path");
        if (o->sections) {
            long sec = section_at(&st->idx, st->hits[i].offset);
            push_path(L, st, cache, sec, text);
            lua_setfield(L, -2, "sections");
            if (o->labels) {
                size_t floor = sec >= 0 ? st->idx.sections[sec].heading_end : 0;
                if (st->hits[i].line_start >= floor)
                    push_label(L, &st->idx, text, floor, st->hits[i].line_start,
                               st->hits[i].line_end);
                else
                    lua_pushnil(L);
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

/* Search one file; path is the string at index path. Without a callback
 * (each == 0) its hits and file entry go to the tables at hits and files;
 * with one, they are handed to each(file) and dropped, so memory does not
 * grow with the corpus. Returns the hit lines counted. */
static size_t search_one(lua_State *L, scan *sc, const options *o, int path,
                         int hits, int files, int errs, int each)
{
    state *st = sc->st;
    size_t len = 0;
    int rc = read_file(st, lua_tostring(L, path), &len);
    if (rc != 0) {
        add_error(L, errs, lua_tostring(L, path), rc);
        return 0;
    }
    if (search_is_binary(st->buf, len))
        return 0;
    size_t n = scan_text(L, sc, st->buf, len);
    if (n == 0)
        return 0;
    if (!each) {
        add_file(L, files, path, n);
        if (sc->keep)
            add_file_hits(L, st, o, hits, path, st->buf, len);
        return n;
    }
    lua_pushvalue(L, each);                              /* ... each */
    lua_createtable(L, 0, 3);                            /* ... each file */
    lua_pushvalue(L, path);
    lua_setfield(L, -2, "path");
    set_int(L, "count", n);
    if (sc->keep) {
        lua_createtable(L, (int)(st->nhits < 1024 ? st->nhits : 1024), 0);
        add_file_hits(L, st, o, lua_gettop(L), path, st->buf, len);
        lua_setfield(L, -2, "hits");
    }
    lua_call(L, 1, 0);
    return n;
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

/* Stack slots of search.files, fixed once its tables are made. */
enum { S_PATHS = 1, S_NEEDLE, S_OPTS, S_STATE, S_EACH, S_RESULTS, S_HITS,
       S_FILES, S_ERRORS, S_PATH };

static int l_files(lua_State *L)
{
    luaL_argexpected(L, lua_istable(L, S_PATHS) || lua_isfunction(L, S_PATHS), S_PATHS,
                     "array of paths or iterator");
    options o = check_options(L, S_OPTS);
    lua_settop(L, S_OPTS);
    state *st = state_new(L);                          /* paths needle opts st */
    compile_needle(L, st, S_NEEDLE, o.icase);
    if (lua_istable(L, S_OPTS))
        lua_getfield(L, S_OPTS, "each");               /* ... st each */
    else
        lua_pushnil(L);
    luaL_argcheck(L, lua_isnil(L, S_EACH) || lua_isfunction(L, S_EACH), S_OPTS,
                  "each must be a function");
    int each = lua_isfunction(L, S_EACH) ? S_EACH : 0;
    scan sc = {st, o.max_hits ? o.max_hits : (size_t)-1, 0,
               !(o.files_only || o.count_only), o.files_only, 0};
    lua_createtable(L, 0, 5);                          /* ... each results */
    lua_newtable(L);                                   /* ... results hits */
    lua_newtable(L);                                   /* ... results hits files */
    lua_newtable(L);                                   /* ... hits files errors */
    lua_Integer i = 0, lines = 0, matched = 0;
    while (sc.budget != 0 && next_path(L, S_PATHS, &i)) { /* ... errors path */
        size_t n = search_one(L, &sc, &o, S_PATH, S_HITS, S_FILES, S_ERRORS, each);
        lines += (lua_Integer)n;
        matched += n > 0;
        lua_pop(L, 1);
    }
    lua_setfield(L, S_RESULTS, "errors");
    lua_setfield(L, S_RESULTS, "files");
    lua_setfield(L, S_RESULTS, "hits");                /* ... each results */
    lua_pushinteger(L, lines);
    lua_setfield(L, S_RESULTS, "count");
    lua_pushinteger(L, matched);
    lua_setfield(L, S_RESULTS, "matched_files");
    state_free(st); /* the buffer goes now, not at the next GC cycle */
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
    compile_needle(L, st, 2, o.icase);
    scan sc = {st, o.max_hits ? o.max_hits : (size_t)-1, 0, 1, 0, 0};
    size_t n = scan_text(L, &sc, text, len);
    lua_createtable(L, (int)n, 0);                     /* ... st hits */
    for (size_t i = 0; i < n; i++) {
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
