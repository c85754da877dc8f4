/*
 * lmd.c — the Lua binding of md.h: module "sesslua.md".
 *
 * Positions given to and returned from Lua are 1-based byte positions and
 * ranges are half-open, [a, b): `text:sub(a, b - 1)` is the range's text
 * and splicing is `text:sub(1, a - 1) .. new .. text:sub(b)`. So every
 * number here can be fed straight to string.sub.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "host.h"
#include "lmd.h"
#include "md.h"

void lmd_check_range(lua_State *L, int arg, size_t len, size_t *start, size_t *end)
{
    lua_Integer a = luaL_optinteger(L, arg, 1);
    lua_Integer b = luaL_optinteger(L, arg + 1, (lua_Integer)len + 1);
    luaL_argcheck(L, a >= 1 && (size_t)a <= len + 1, arg, "position out of range");
    luaL_argcheck(L, b >= a && (size_t)b <= len + 1, arg + 1, "position out of range");
    *start = (size_t)a - 1;
    *end = (size_t)b - 1;
}

void lmd_set_pos(lua_State *L, const char *key, size_t offset)
{
    lua_pushinteger(L, (lua_Integer)offset + 1);
    lua_setfield(L, -2, key);
}

/* Whether the '&' at s[i] may start an entity (`&amp;`, `&#38;`): a
 * letter or '#' follows. "Fish & Chips" holds none. */
static int starts_entity(const char *s, size_t len, size_t i)
{
    unsigned char c = i + 1 < len ? (unsigned char)s[i + 1] : 0;
    return c == '#' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* True when a raw title has no character that could start inline markup,
 * so its plain text is the raw bytes: spares a cmark parse per heading. */
static int title_is_plain(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '&':
            if (starts_entity(s, len, i))
                return 0;
            break;
        case '*': case '_': case '`': case '[': case ']': case '!':
        case '<': case '\\': case '\r': case '\n': case '~':
            return 0;
        default:
            break;
        }
    }
    return 1;
}

/* A malloc'd string owned by a userdata, so a memory error raised while it
 * is copied into Lua cannot leak it. */
typedef struct owned_str {
    char *p;
} owned_str;

static int owned_str_gc(lua_State *L)
{
    owned_str *o = luaL_checkudata(L, 1, "sesslua.md.str");
    free(o->p);
    o->p = NULL;
    return 0;
}

/* Push the plain title of a raw heading range. */
static void push_plain_title(lua_State *L, const char *raw, size_t len)
{
    if (title_is_plain(raw, len)) {
        lua_pushlstring(L, raw, len);
        return;
    }
    owned_str *o = lua_newuserdatauv(L, sizeof *o, 0); /* box */
    o->p = NULL;
    if (luaL_newmetatable(L, "sesslua.md.str")) {
        lua_pushcfunction(L, owned_str_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    size_t plain_len = 0;
    o->p = md_plain_title(raw, len, &plain_len);
    if (o->p == NULL)
        luaL_error(L, "out of memory");
    lua_pushlstring(L, o->p, plain_len);               /* box title */
    free(o->p);
    o->p = NULL;
    lua_remove(L, -2);                                 /* title */
}

void lmd_push_plain(lua_State *L, const char *raw, size_t len)
{
    push_plain_title(L, raw, len);
}

static int index_gc(lua_State *L)
{
    md_index_free(luaL_checkudata(L, 1, "sesslua.md.index"));
    return 0;
}

/* The index of a text, kept for the last few texts seen, so that
 * md.sections and every md.field / md.tasks call on the same string scan it
 * once (status reads a dozen fields per log). A slot is keyed by the
 * string's address: the cache holds a reference to the string (a user value
 * of the cache userdata, the functions' upvalue), so while the slot lives
 * no other string can have that address, and Lua strings never change.
 * Each index is a userdata of its own, pushed onto the caller's stack while
 * used: a finalizer that runs md functions and evicts the slot meanwhile
 * cannot free it under the caller. */
enum { CACHE_SLOTS = 4 };

typedef struct index_cache {
    struct {
        const char *text; /* NULL: empty */
        size_t len;
        const md_index *index;
    } slot[CACHE_SLOTS];
    unsigned next; /* the slot to replace next */
} index_cache;

#define CACHE lua_upvalueindex(1)

/* Push the index of the string at arg (its text and len given) and return
 * it: from the cache, or built now (always when fresh) and cached. */
static const md_index *push_index(lua_State *L, int arg, const char *text,
                                  size_t len, int fresh)
{
    index_cache *c = lua_touserdata(L, CACHE);
    md_index *x;
    unsigned i, slot = c->next;
    for (i = 0; i < CACHE_SLOTS; i++) {
        if (c->slot[i].text == text && c->slot[i].len == len) {
            if (!fresh) {
                lua_getiuservalue(L, CACHE, (int)(2 * i + 2));
                return c->slot[i].index;
            }
            slot = i; /* replace it: one slot per text */
            break;
        }
    }
    x = lua_newuserdatauv(L, sizeof *x, 0);
    memset(x, 0, sizeof *x);
    if (luaL_newmetatable(L, "sesslua.md.index")) {
        lua_pushcfunction(L, index_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    if (md_index_build(text, len, x) != 0)
        luaL_error(L, "out of memory");
    i = slot;
    if (slot == c->next)
        c->next = (i + 1) % CACHE_SLOTS;
    c->slot[i].text = NULL; /* nothing below raises: no allocation */
    lua_pushvalue(L, arg);
    lua_setiuservalue(L, CACHE, (int)(2 * i + 1));
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, CACHE, (int)(2 * i + 2));
    c->slot[i].text = text;
    c->slot[i].len = len;
    c->slot[i].index = x;
    return x;
}

/* md.sections(text) -> array of sections, each
 *   {index, level, title, raw_title, line, start, heading_end, body_end,
 *    stop, parent}
 * where [start, heading_end) is the heading, [heading_end, body_end) its own
 * body, [start, stop) the subtree, and parent the enclosing section's index
 * (absent for top-level sections). */
static int md_sections(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    /* The index is a userdata (on the stack while used) whose __gc frees
     * it, so a memory error raised while copying it out cannot leak it. */
    /* Always scanned, so its cost is what a benchmark measures; the
     * fields and tasks read next reuse this scan. */
    const md_index *index = push_index(L, 1, text, len, 1); /* text box */
    lmd_push_sections(L, text, index);                /* text box sections */
    return 1;
}

void lmd_push_section(lua_State *L, const char *text, const md_index *index, size_t i)
{
    const md_section *s = &index->sections[i];
    lua_createtable(L, 0, 11);                        /* sec */
    lua_pushinteger(L, (lua_Integer)i + 1);
    lua_setfield(L, -2, "index");
    lua_pushinteger(L, s->level);
    lua_setfield(L, -2, "level");
    lua_pushinteger(L, (lua_Integer)s->line);
    lua_setfield(L, -2, "line");
    lua_pushlstring(L, text + s->title_start, s->title_len);
    lua_setfield(L, -2, "raw_title");
    push_plain_title(L, text + s->title_start, s->title_len);
    lua_setfield(L, -2, "title");
    lmd_set_pos(L, "start", s->heading_start);
    lmd_set_pos(L, "heading_end", s->heading_end);
    lmd_set_pos(L, "body_end", s->body_end);
    lmd_set_pos(L, "stop", s->end);
    if (s->parent >= 0) {
        lua_pushinteger(L, (lua_Integer)s->parent + 1);
        lua_setfield(L, -2, "parent");
    }
}

void lmd_push_sections(lua_State *L, const char *text, const md_index *index)
{
    lua_createtable(L, (int)index->count, 0);         /* sections */
    for (size_t i = 0; i < index->count; i++) {
        lmd_push_section(L, text, index, i);          /* sections sec */
        lua_rawseti(L, -2, (lua_Integer)i + 1);       /* sections */
    }
}

/* Whether normalising the raw title gives what normalising its plain text
 * would: emphasis and code marks are punctuation, dropped either way; only
 * links, images, raw HTML, entities and line breaks change the letters. */
static int key_is_raw(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '[' || s[i] == '<' || s[i] == '\r' || s[i] == '\n' ||
            (s[i] == '&' && starts_entity(s, len, i)))
            return 0;
    return 1;
}

char *lmd_title_key(const char *raw, size_t len, size_t *key_len)
{
    char *plain = NULL, *key;
    if (!key_is_raw(raw, len)) {
        if ((plain = md_plain_title(raw, len, &len)) == NULL)
            return NULL;
        raw = plain;
    }
    if ((key = malloc(len + 1)) != NULL)
        *key_len = md_normalize_title(raw, len, key);
    free(plain);
    return key;
}

/* md.find(sections, query) -> section | nil  (exact, then case-insensitive,
 * then normalised prefix; first in document order within a tier) */
static int md_find(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t qlen;
    const char *query = luaL_checklstring(L, 2, &qlen);
    return lmd_find(L, 1, query, qlen, -1);
}

int lmd_find(lua_State *L, int sections, const char *query, size_t qlen, int mode)
{
    size_t n = lua_rawlen(L, sections);
    if (n == 0)
        return 0;
    /* Titles stay referenced by the sections table for the whole call. */
    const char **titles = lua_newuserdatauv(L, n * sizeof *titles, 0);
    size_t *lens = lua_newuserdatauv(L, n * sizeof *lens, 0);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, sections, (lua_Integer)i + 1); /* ... sec */
        luaL_argcheck(L, lua_istable(L, -1), sections, "array of sections expected");
        lua_pushliteral(L, "title");
        lua_rawget(L, -2);                            /* ... sec title */
        /* Only a string stored in the section keeps its bytes alive after
         * the pop (no metamethod, no number converted on the fly). */
        if (lua_type(L, -1) == LUA_TSTRING) {
            titles[i] = lua_tolstring(L, -1, &lens[i]);
        } else {
            titles[i] = "";
            lens[i] = 0;
        }
        lua_pop(L, 2);
    }
    long found = mode < 0 ? md_find_title(titles, lens, n, query, qlen)
                          : md_find_title_mode(titles, lens, n, query, qlen, mode);
    if (found < 0)
        return 0;
    lua_rawgeti(L, sections, (lua_Integer)found + 1);
    return 1;
}

/* md.normalize(s) -> string, as title lookup's third tier sees it */
static int md_normalize(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    char *out = lua_newuserdatauv(L, len + 1, 0);
    size_t n = md_normalize_title(s, len, out);
    lua_pushlstring(L, out, n);
    return 1;
}

/* md.plain(raw) -> plain text of inline Markdown */
static int md_plain(lua_State *L)
{
    size_t len;
    const char *raw = luaL_checklstring(L, 1, &len);
    push_plain_title(L, raw, len);
    return 1;
}

/* md.eol(text) -> "\r\n" or "\n" */
static int md_eol_l(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    lua_pushstring(L, md_eol(text, len));
    return 1;
}

void lmd_push_field(lua_State *L, const char *text, const md_span *key,
                    const md_span *value, const md_span *line)
{
    lua_createtable(L, 0, 7);
    if (key != NULL) {
        lua_pushlstring(L, text + key->start, key->end - key->start);
        lua_setfield(L, -2, "key");
    }
    lua_pushlstring(L, text + value->start, value->end - value->start);
    lua_setfield(L, -2, "value");
    lmd_set_pos(L, "value_start", value->start);
    lmd_set_pos(L, "value_end", value->end);
    lmd_set_pos(L, "line_start", line->start);
    lmd_set_pos(L, "line_end", line->end);
}

/* md.field(text, key [, a, b]) -> field | nil
 * field = {value, value_start, value_end, line_start, line_end} */
static int md_field_l(lua_State *L)
{
    size_t len, klen, start, end;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *key = luaL_checklstring(L, 2, &klen);
    lmd_check_range(L, 3, len, &start, &end);
    const md_index *index = push_index(L, 1, text, len, 0);
    md_span value, line;
    if (md_field_find(text, start, end, index, key, klen, &value, &line) != 0)
        return 0;
    lmd_push_field(L, text, NULL, &value, &line);
    return 1;
}

/* md.fields(text [, a, b]) -> array of {key, value, value_start, ...} */
static int md_fields(lua_State *L)
{
    size_t len, start, end;
    const char *text = luaL_checklstring(L, 1, &len);
    lmd_check_range(L, 2, len, &start, &end);
    const md_index *index = push_index(L, 1, text, len, 0);
    lua_newtable(L);                                  /* fields */
    size_t pos = start;
    md_span key, value, line;
    lua_Integer n = 0;
    while (md_field_next(text, end, index, &pos, &key, &value, &line)) {
        lmd_push_field(L, text, &key, &value, &line);     /* fields field */
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* md.tasks(text [, a, b]) -> array of
 *   {done, text, text_start, text_end, line_start, line_end} */
static int md_tasks(lua_State *L)
{
    size_t len, start, end;
    const char *text = luaL_checklstring(L, 1, &len);
    lmd_check_range(L, 2, len, &start, &end);
    const md_index *index = push_index(L, 1, text, len, 0);
    lua_newtable(L);                                  /* tasks */
    size_t pos = start;
    int done;
    md_span task, line;
    lua_Integer n = 0;
    while (md_task_next(text, end, index, &pos, &done, &task, &line)) {
        lua_createtable(L, 0, 6);                     /* tasks task */
        lua_pushboolean(L, done);
        lua_setfield(L, -2, "done");
        lua_pushlstring(L, text + task.start, task.end - task.start);
        lua_setfield(L, -2, "text");
        lmd_set_pos(L, "text_start", task.start);
        lmd_set_pos(L, "text_end", task.end);
        lmd_set_pos(L, "line_start", line.start);
        lmd_set_pos(L, "line_end", line.end);
        lua_rawseti(L, -2, ++n);                      /* tasks */
    }
    return 1;
}

/* md.splice(text, a, b, new) -> text with [a, b) replaced by new */
static int md_splice(lua_State *L)
{
    size_t len, nlen, start, end;
    const char *text = luaL_checklstring(L, 1, &len);
    lmd_check_range(L, 2, len, &start, &end);
    const char *repl = luaL_checklstring(L, 4, &nlen);
    lmd_push_spliced(L, text, len, start, end, repl, nlen);
    return 1;
}

void lmd_push_spliced(lua_State *L, const char *text, size_t len, size_t a,
                      size_t b, const char *repl, size_t rlen)
{
    luaL_Buffer buf;
    luaL_buffinitsize(L, &buf, len - (b - a) + rlen);
    luaL_addlstring(&buf, text, a);
    luaL_addlstring(&buf, repl, rlen);
    luaL_addlstring(&buf, text + b, len - b);
    luaL_pushresult(&buf);
}

/* md.set_field(text, key, value [, a, b]) -> new text | nil
 * Replaces the value of the first `**key:**` line in [a, b). */
static int md_set_field(lua_State *L)
{
    size_t len, klen, start, end;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *key = luaL_checklstring(L, 2, &klen);
    luaL_checkstring(L, 3);
    lmd_check_range(L, 4, len, &start, &end);
    const md_index *index = push_index(L, 1, text, len, 0);
    md_span value, line;
    if (md_field_find(text, start, end, index, key, klen, &value, &line) != 0)
        return 0;
    lua_settop(L, 3);                                 /* text key value */
    lua_pushcfunction(L, md_splice);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, (lua_Integer)value.start + 1);
    lua_pushinteger(L, (lua_Integer)value.end + 1);
    lua_pushvalue(L, 3);
    lua_call(L, 4, 1);
    return 1;
}

/* md.in_code(text, pos) -> boolean: is the line holding byte pos inside
 * fenced or indented code or an HTML block? */
static int md_in_code_l(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    lua_Integer pos = luaL_checkinteger(L, 2);
    luaL_argcheck(L, pos >= 1 && (size_t)pos <= len + 1, 2, "position out of range");
    const md_index *index = push_index(L, 1, text, len, 0);
    lua_pushboolean(L, md_in_code(index, (size_t)pos - 1));
    return 1;
}

int luaopen_sesslua_md(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"sections", md_sections},
        {"find", md_find},
        {"normalize", md_normalize},
        {"plain", md_plain},
        {"eol", md_eol_l},
        {"field", md_field_l},
        {"fields", md_fields},
        {"tasks", md_tasks},
        {"splice", md_splice},
        {"set_field", md_set_field},
        {"in_code", md_in_code_l},
        {NULL, NULL},
    };
    luaL_newlibtable(L, funcs);
    index_cache *c = lua_newuserdatauv(L, sizeof *c, 2 * CACHE_SLOTS);
    memset(c, 0, sizeof *c);
    luaL_setfuncs(L, funcs, 1); /* the cache is every function's upvalue */
    lmd_doc_open(L);            /* md.parse and the Doc's metatable */
    return 1;
}
