/*
 * lmd_doc.c — the Markdown document object of "sesslua.md".
 *
 *     local d <close> = md.parse(text)
 *     for _, it in ipairs(d:items(sec.heading_end, sec.body_end)) do ... end
 *
 * A Doc is a full userdata holding md_index_build_opts's index of the text
 * (sections, code runs, list items, document-level blocks: one pass) and
 * the text itself (user value 1), so no query scans the text again. Its
 * methods come through __index; one close function serves __gc and
 * __close and is safe twice. Edits are splices that return a new Doc.
 *
 * Positions are 1-based and ranges half-open [a, b), a and b defaulting to
 * the whole text, as everywhere in sesslua.md (lmd.c). Misuse raises
 * (luaL_check*); out of memory raises "not enough memory". The C arrays
 * belong to the userdata, made before anything is allocated, so an error
 * raised while they are copied into Lua leaks nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lmd.h"
#include "lmd_doc.h"
#include "md.h"

enum {
    UV_TEXT = 1,     /* the text: keeps doc.text alive */
    UV_SECTIONS = 2, /* d:sections(), built on first use */
    LINE_CHUNK = 4096
};

static void free_keys(doc *d)
{
    if (d->keys != NULL)
        for (size_t i = 0; i < d->x.count; i++)
            free(d->keys[i]);
    free(d->keys);
    free(d->key_lens);
    d->keys = NULL;
    d->key_lens = NULL;
}

static int doc_close(lua_State *L)
{
    doc *d = luaL_checkudata(L, 1, DOC);
    free_keys(d);
    md_index_free(&d->x);
    free(d->marks);
    d->marks = NULL;
    free(d->owned);
    d->owned = NULL;
    d->text = NULL;
    /* Let go of the text now: a userdata with __gc lives one collection
     * past its last use, and its text with it (a 200 MB text's old copy
     * beside the new one, when an edit closes the old Doc to free it). */
    lua_pushnil(L);
    lua_setiuservalue(L, 1, UV_TEXT);
    lua_pushnil(L);
    lua_setiuservalue(L, 1, UV_SECTIONS);
    return 0;
}

doc *lmd_check_doc(lua_State *L)
{
    doc *d = luaL_checkudata(L, 1, DOC);
    if (d->text == NULL)
        luaL_error(L, "attempt to use a closed document");
    return d;
}

int lmd_memory_error(lua_State *L)
{
    lua_pushliteral(L, "not enough memory");
    return lua_error(L);
}

/* Push a new empty Doc for a text of len bytes, closed until its index is
 * in and d->text set. */
static doc *alloc_doc(lua_State *L, size_t len)
{
    doc *d;
    if (len >= UINT32_MAX) /* md_item and md_block hold 32-bit offsets */
        luaL_error(L, "text of 4 GiB or more");
    d = lua_newuserdatauv(L, sizeof *d, 2);           /* ... doc */
    memset(d, 0, sizeof *d);
    luaL_setmetatable(L, DOC);
    return d;
}

/* Push a new Doc over the string at stack index arg (alloc_doc's). */
static doc *new_doc(lua_State *L, int arg, const char **text, size_t *len)
{
    doc *d;
    arg = lua_absindex(L, arg);
    *text = lua_tolstring(L, arg, len);
    d = alloc_doc(L, *len);
    lua_pushvalue(L, arg);
    lua_setiuservalue(L, -2, UV_TEXT);
    return d;
}

/* Push a new Doc over the string at stack index arg. */
static void push_doc(lua_State *L, int arg)
{
    size_t len;
    const char *text;
    doc *d = new_doc(L, arg, &text, &len);
    if (md_index_build_opts(text, len, MD_INDEX_ALL, &d->x) != 0)
        lmd_memory_error(L);
    d->text = text;
    d->len = len;
}

void lmd_push_doc_owned(lua_State *L, char *text, size_t len, md_index *x)
{
    doc *d = alloc_doc(L, len); /* nothing raises from here on */
    d->x = *x;
    memset(x, 0, sizeof *x);
    d->owned = text;
    d->text = text;
    d->len = len;
}

/* md.parse(text) -> Doc */
static int doc_parse(lua_State *L)
{
    luaL_checkstring(L, 1);
    push_doc(L, 1);
    return 1;
}

/* d:text() -> the text (the same string every time) */
static int doc_text(lua_State *L)
{
    doc *d = lmd_check_doc(L);
    if (d->owned != NULL) { /* the first call: the string, then the buffer goes */
        lua_pushlstring(L, d->owned, d->len);         /* doc text */
        lua_pushvalue(L, -1);
        lua_setiuservalue(L, 1, UV_TEXT);
        d->text = lua_tostring(L, -1);
        free(d->owned);
        d->owned = NULL;
        return 1;
    }
    lua_getiuservalue(L, 1, UV_TEXT);
    return 1;
}

/* d:eol() -> "\r\n" or "\n" */
static int doc_eol(lua_State *L)
{
    doc *d = lmd_check_doc(L);
    lua_pushstring(L, md_eol(d->text, d->len));
    return 1;
}

/* d:len() -> #text */
static int doc_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lmd_check_doc(L)->len);
    return 1;
}

/* ---- sections -------------------------------------------------------- */

/* Push d's sections, built once and kept (the same table every time). */
static void push_sections(lua_State *L, const doc *d)
{
    if (lua_getiuservalue(L, 1, UV_SECTIONS) == LUA_TTABLE) /* ... secs */
        return;
    lua_pop(L, 1);
    lmd_push_sections(L, d->text, &d->x);              /* ... secs */
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, 1, UV_SECTIONS);
}

/* d:sections() -> array of sections (md.sections' shape) */
static int doc_sections(lua_State *L)
{
    push_sections(L, lmd_check_doc(L));
    return 1;
}

/* d:find(query [, "prefix" | "exact"]) -> section | nil */
static int doc_find(lua_State *L)
{
    static const char *const hows[] = {"prefix", "exact", NULL};
    const doc *d = lmd_check_doc(L);
    size_t qlen;
    const char *query = luaL_checklstring(L, 2, &qlen);
    int exact = luaL_checkoption(L, 3, "prefix", hows);
    push_sections(L, d);                              /* ... secs */
    return lmd_find(L, lua_gettop(L), query, qlen,
                    exact ? MD_FIND_EXACT : MD_FIND_PREFIX);
}

/* The key of section i, made on first use (only the sections before the
 * one looked for are ever keyed); NULL out of memory. */
const char *lmd_section_key(doc *d, size_t i, size_t *len)
{
    if (d->keys == NULL) {
        d->keys = calloc(d->x.count, sizeof *d->keys);
        d->key_lens = calloc(d->x.count, sizeof *d->key_lens);
        if (d->keys == NULL || d->key_lens == NULL)
            return NULL;
    }
    if (d->keys[i] == NULL) {
        const md_section *s = &d->x.sections[i];
        d->keys[i] = lmd_title_key(d->text + s->title_start, s->title_len, &d->key_lens[i]);
        if (d->keys[i] == NULL)
            return NULL;
    }
    *len = d->key_lens[i];
    return d->keys[i];
}

/* The index of the first section whose key equals one of the strings at
 * stack 2.. (section_keyed's rule); 0 when none does. Raises on misuse or
 * when memory runs out. */
static int keyed_index(lua_State *L, doc *d, size_t *found)
{
    int nkeys = lua_gettop(L) - 1;
    for (int k = 2; k <= nkeys + 1; k++)
        luaL_checkstring(L, k);
    for (size_t i = 0; i < d->x.count; i++) {
        size_t tlen;
        const char *title = lmd_section_key(d, i, &tlen);
        if (title == NULL)
            return lmd_memory_error(L);
        for (int k = 2; k <= nkeys + 1; k++) {
            size_t klen;
            const char *key = lua_tolstring(L, k, &klen);
            if (klen > 0 && klen == tlen && memcmp(key, title, klen) == 0) {
                *found = i;
                return 1;
            }
        }
    }
    return 0;
}

/* d:section_keyed(key, ...) -> the first section, in document order, whose
 * normalised title (md.normalize of its plain title) equals one of the
 * keys; a table of its own, not d:sections()'s, so a reader that needs
 * one section by name never builds the table of them all. An empty key
 * matches nothing. */
static int doc_section_keyed(lua_State *L)
{
    doc *d = (doc *)lmd_check_doc(L);
    size_t i;
    if (!keyed_index(L, d, &i))
        return 0;
    lmd_push_section(L, d->text, &d->x, i);
    return 1;
}

/* d:section_index(key, ...) -> the index of the section d:section_keyed
 * finds, or nil; d:section_span(i) -> level, start, heading_end, body_end,
 * stop of the i-th section, or nil past the last: positions without the
 * section's table (its title made plain is most of a table's cost). */
static int doc_section_index(lua_State *L)
{
    doc *d = (doc *)lmd_check_doc(L);
    size_t i;
    if (!keyed_index(L, d, &i))
        return 0;
    lua_pushinteger(L, (lua_Integer)i + 1);
    return 1;
}

static int doc_section_span(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    lua_Integer i = luaL_checkinteger(L, 2);
    const md_section *s;
    if (i < 1 || (size_t)i > d->x.count)
        return 0;
    s = &d->x.sections[i - 1];
    lua_pushinteger(L, s->level);
    lua_pushinteger(L, (lua_Integer)s->heading_start + 1);
    lua_pushinteger(L, (lua_Integer)s->heading_end + 1);
    lua_pushinteger(L, (lua_Integer)s->body_end + 1);
    lua_pushinteger(L, (lua_Integer)s->end + 1);
    return 5;
}

/* d:section_at(i) -> the table of the i-th section (1-based), a table of
 * its own, or nil past the last; d:section_count() -> how many there are */
static int doc_section_at(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 1 || (size_t)i > d->x.count)
        return 0;
    lmd_push_section(L, d->text, &d->x, (size_t)i - 1);
    return 1;
}

static int doc_section_count(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lmd_check_doc(L)->x.count);
    return 1;
}

/* d:find_all(query) -> array of the sections whose title query starts
 * (md_title_has_prefix), in document order */
static int doc_find_all(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    size_t qlen, tlen;
    const char *query = luaL_checklstring(L, 2, &qlen), *title;
    lua_Integer n, k = 0;
    push_sections(L, d);                              /* ... secs */
    n = (lua_Integer)lua_rawlen(L, -1);
    lua_newtable(L);                                  /* ... secs found */
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -2, i);                        /* ... secs found sec */
        lua_getfield(L, -1, "title");                 /* ... sec title */
        title = lua_tolstring(L, -1, &tlen);
        lua_pop(L, 1);                                /* ... secs found sec */
        if (title && md_title_has_prefix(title, tlen, query, qlen))
            lua_rawseti(L, -2, ++k);                  /* ... secs found */
        else
            lua_pop(L, 1);
    }
    return 1;
}

/* ---- list items and blocks --------------------------------------------- */

static void push_item(lua_State *L, const doc *d, const md_item *it, size_t index)
{
    lua_createtable(L, 0, 11);                        /* ... item */
    lmd_set_pos(L, "start", it->start);
    lmd_set_pos(L, "stop", it->end);
    lmd_set_pos(L, "text_start", it->text_start);
    lmd_set_pos(L, "text_end", it->text_end);
    lua_pushlstring(L, d->text + it->text_start, it->text_end - it->text_start);
    lua_setfield(L, -2, "text");
    lua_pushlstring(L, &it->marker, 1);
    lua_setfield(L, -2, "marker");
    if (it->marker == '.' || it->marker == ')') {
        lua_pushinteger(L, it->number);
        lua_setfield(L, -2, "number");
    }
    if (it->task >= 0) {
        lua_pushboolean(L, it->task);
        lua_setfield(L, -2, "done");
    }
    lua_pushinteger(L, it->line);
    lua_setfield(L, -2, "line");
    lua_pushinteger(L, it->depth);
    lua_setfield(L, -2, "depth");
    lua_pushinteger(L, (lua_Integer)index + 1);
    lua_setfield(L, -2, "index");
}

/* d:items([a, b [, depth]]) -> array of the items starting in [a, b) at
 * the shallowest depth found there, or at `depth` */
static int doc_items(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    const md_item *items = d->x.items;
    size_t a, b, first, i;
    lua_Integer want = luaL_optinteger(L, 4, -1), n = 0;
    lmd_check_range(L, 2, d->len, &a, &b);
    luaL_argcheck(L, lua_isnoneornil(L, 4) || want >= 0, 4, "depth below 0");
    first = md_first_item(&d->x, a);
    for (i = first; want < 0 && i < d->x.item_count && items[i].start < b; i++)
        if (i == first || items[i].depth < (uint32_t)n)
            n = items[i].depth;
    if (want < 0)
        want = n;
    lua_newtable(L);                                  /* ... items */
    n = 0;
    for (i = first; i < d->x.item_count && items[i].start < b; i++) {
        if (items[i].depth != (lua_Unsigned)want)
            continue;
        push_item(L, d, &items[i], i);                /* ... items item */
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* d:item_texts([a, b [, which]]) -> array of the texts of the items
 * d:items(a, b) gives, without a table per item: `which` "all" (the
 * default), "todo" (tasks not done: `- [ ]`) or "open" (all but done
 * tasks). For readers that want the words only, of a few lists of every
 * document they read. */
void lmd_push_item_texts(lua_State *L, const doc *d, size_t a, size_t b, int which,
                         const luapat_set *skip, int count)
{
    const md_item *items = d->x.items;
    size_t first = md_first_item(&d->x, a), i;
    uint32_t depth = 0;
    lua_Integer n = 0;
    for (i = first; i < d->x.item_count && items[i].start < b; i++)
        if (i == first || items[i].depth < depth)
            depth = items[i].depth;
    if (!count)
        lua_newtable(L);                              /* ... texts */
    for (i = first; i < d->x.item_count && items[i].start < b; i++) {
        const md_item *it = &items[i];
        const char *t = d->text + it->text_start;
        size_t len = it->text_end - it->text_start;
        if (it->depth != depth || (which == LMD_ITEMS_TODO && it->task != 0) ||
            (which == LMD_ITEMS_OPEN && it->task == 1) ||
            (skip != NULL && lmd_is_sample(skip, t, len)))
            continue;
        n++;
        if (!count) {
            lua_pushlstring(L, t, len);
            lua_rawseti(L, -2, n);
        }
    }
    if (count)
        lua_pushinteger(L, n);                        /* ... n */
}

static int doc_item_texts(lua_State *L)
{
    static const char *const whiches[] = {"all", "todo", "open", NULL};
    const doc *d = lmd_check_doc(L);
    size_t a, b;
    lmd_check_range(L, 2, d->len, &a, &b);
    lmd_push_item_texts(L, d, a, b, luaL_checkoption(L, 4, "all", whiches), NULL, 0);
    return 1;
}

static void push_block(lua_State *L, const md_block *blk)
{
    static const char *const kinds[] = {
        [MD_BLOCK_PARAGRAPH] = "paragraph", [MD_BLOCK_HEADING] = "heading",
        [MD_BLOCK_LIST] = "list",           [MD_BLOCK_QUOTE] = "quote",
        [MD_BLOCK_CODE] = "code",           [MD_BLOCK_HTML] = "html",
        [MD_BLOCK_BREAK] = "break",
    };
    lua_createtable(L, 0, 4);                         /* ... block */
    lua_pushstring(L, kinds[blk->kind]);
    lua_setfield(L, -2, "kind");
    lmd_set_pos(L, "start", blk->start);
    lmd_set_pos(L, "stop", blk->end);
    lua_pushinteger(L, blk->line);
    lua_setfield(L, -2, "line");
}

/* d:blocks([a, b]) -> array of {kind, start, stop, line}: the
 * document-level blocks starting in [a, b) */
static int doc_blocks(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    const md_block *blocks = d->x.blocks;
    size_t a, b, i;
    lua_Integer n = 0;
    lmd_check_range(L, 2, d->len, &a, &b);
    lua_newtable(L);                                  /* ... blocks */
    i = md_first_block(&d->x, a);
    for (; i < d->x.block_count && blocks[i].start < b; i++) {
        push_block(L, &blocks[i]);                    /* ... blocks block */
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* d:block_before(pos [, floor]) -> the last document-level block that
 * starts before pos (and at or after floor), or nil: walking back from a
 * section's end costs one binary search per block looked at, not a table
 * per block of the section (a 200 MB section of notes holds millions). */
static int doc_block_before(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    lua_Integer pos = luaL_checkinteger(L, 2), floor = luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, pos >= 1 && (size_t)pos <= d->len + 1, 2, "position out of range");
    luaL_argcheck(L, floor >= 1 && floor <= pos, 3, "position out of range");
    size_t i = md_first_block(&d->x, (size_t)pos - 1);
    if (i == 0 || d->x.blocks[i - 1].start < (size_t)floor - 1)
        return 0;
    push_block(L, &d->x.blocks[i - 1]);
    return 1;
}

/* ---- fields ------------------------------------------------------------ */

static void push_doc_field(lua_State *L, const doc *d, const md_field *f)
{
    lmd_push_field(L, d->text, &f->key, &f->value, &f->line); /* ... field */
    lua_pushboolean(L, f->bullet);
    lua_setfield(L, -2, "bullet");
    if (!f->bullet)
        lmd_set_pos(L, "block_end", f->block_end);
}

/* d:fields([a, b]) -> array of {key, value, value_start, value_end,
 * line_start, line_end, bullet, block_end}, both forms, code skipped */
static int doc_fields(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    size_t a, b, pos;
    md_field f;
    lua_Integer n = 0;
    lmd_check_range(L, 2, d->len, &a, &b);
    lua_newtable(L);                                  /* ... fields */
    for (pos = a; md_fields_next(d->text, d->len, b, &d->x, &pos, &f);) {
        push_doc_field(L, d, &f);                     /* ... fields field */
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* d:field(key [, a, b]) and d:last_field(...) -> field | nil */
static int find_field(lua_State *L, int last)
{
    const doc *d = lmd_check_doc(L);
    size_t klen, a, b;
    const char *key = luaL_checklstring(L, 2, &klen);
    md_field f;
    lmd_check_range(L, 3, d->len, &a, &b);
    if (md_fields_find(d->text, d->len, a, b, &d->x, key, klen, last, &f) != 0)
        return 0;
    push_doc_field(L, d, &f);
    return 1;
}

static int doc_field(lua_State *L) { return find_field(L, 0); }

static int doc_last_field(lua_State *L) { return find_field(L, MD_FIELD_LAST); }

/* d:field_value(key [, a, b]) -> value, bullet | nil: the value of the
 * first field with that key, as d:field finds it, without a table (a
 * reader that wants the text only, as status does for a dozen fields of
 * every log). */
static int doc_field_value(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    size_t klen, a, b;
    const char *key = luaL_checklstring(L, 2, &klen);
    md_field f;
    lmd_check_range(L, 3, d->len, &a, &b);
    if (md_fields_find(d->text, d->len, a, b, &d->x, key, klen, 0, &f) != 0)
        return 0;
    lua_pushlstring(L, d->text + f.value.start, f.value.end - f.value.start);
    lua_pushboolean(L, f.bullet);
    return 2;
}

/* d:field_values(a, b, key1 [, key2 ...]) -> value1, value2, ...: each
 * what d:field_value(key, a, b) gives (nil when the range has no such
 * field), in one call: a reader of half a dozen fields of the same few
 * lines crosses into C once. */
static int doc_field_values(lua_State *L)
{
    enum { CHUNK = 16 }; /* keys compared in one walk of the range */
    const doc *d = lmd_check_doc(L);
    size_t a, b;
    int nkeys = lua_gettop(L) - 3;
    luaL_argcheck(L, nkeys >= 1, 4, "a key expected");
    lmd_check_range(L, 2, d->len, &a, &b);
    luaL_checkstack(L, nkeys, "too many keys");
    for (int first = 0; first < nkeys; first += CHUNK) {
        const char *keys[CHUNK];
        size_t lens[CHUNK];
        md_span values[CHUNK];
        int n = nkeys - first < CHUNK ? nkeys - first : CHUNK;
        for (int k = 0; k < n; k++)
            keys[k] = luaL_checklstring(L, 4 + first + k, &lens[k]);
        md_fields_find_each(d->text, a, b, &d->x, keys, lens, (size_t)n, values);
        for (int k = 0; k < n; k++) {
            if (values[k].start == SIZE_MAX)
                lua_pushnil(L);
            else
                lua_pushlstring(L, d->text + values[k].start, values[k].end - values[k].start);
        }
    }
    return nkeys;
}

/* d:last_field_value(key [, a, b]) -> value, bullet | nil: d:last_field's
 * value without a table (a footer read from every log). */
static int doc_last_field_value(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    size_t klen, a, b;
    const char *key = luaL_checklstring(L, 2, &klen);
    md_field f;
    lmd_check_range(L, 3, d->len, &a, &b);
    if (md_fields_find(d->text, d->len, a, b, &d->x, key, klen, MD_FIELD_LAST, &f) != 0)
        return 0;
    lua_pushlstring(L, d->text + f.value.start, f.value.end - f.value.start);
    lua_pushboolean(L, f.bullet);
    return 2;
}

/* d:label_block(label, a, b) -> label_start, label_end, stop | nil: the
 * first `**Label:**` line (not the list-item form) in [a, b) and where the
 * block it leads ends, cut to b but never before the line's end: the
 * labelled list of a section, without a table. */
int lmd_label_block(const doc *d, size_t a, size_t b, const char *key, size_t klen,
                    md_field *f, size_t *stop)
{
    if (md_fields_find(d->text, d->len, a, b, &d->x, key, klen, MD_FIELD_PLAIN, f) != 0)
        return 0;
    *stop = f->block_end < b ? f->block_end : b;
    if (*stop < f->line.end)
        *stop = f->line.end;
    return 1;
}

static int doc_label_block(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    size_t klen, a, b, stop;
    const char *key = luaL_checklstring(L, 2, &klen);
    md_field f;
    lmd_check_range(L, 3, d->len, &a, &b);
    if (!lmd_label_block(d, a, b, key, klen, &f, &stop))
        return 0;
    lua_pushinteger(L, (lua_Integer)f.line.start + 1);
    lua_pushinteger(L, (lua_Integer)f.line.end + 1);
    lua_pushinteger(L, (lua_Integer)stop + 1);
    return 3;
}

/* ---- code, lines, splices ---------------------------------------------- */

/* d:in_code(pos) -> boolean */
static int doc_in_code(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    lua_Integer pos = luaL_checkinteger(L, 2);
    luaL_argcheck(L, pos >= 1 && (size_t)pos <= d->len + 1, 2, "position out of range");
    lua_pushboolean(L, md_in_code(&d->x, (size_t)pos - 1));
    return 1;
}

/* d:code([a, b]) -> array of {start, stop}: the code runs meeting [a, b) */
static int doc_code(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    const md_span *code = d->x.code;
    size_t a, b, lo = 0, hi = d->x.code_count;
    lua_Integer n = 0;
    lmd_check_range(L, 2, d->len, &a, &b);
    while (lo < hi) { /* the first run ending after a */
        size_t mid = lo + (hi - lo) / 2;
        if (code[mid].end <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    lua_newtable(L);                                  /* ... runs */
    for (; lo < d->x.code_count && code[lo].start < b; lo++) {
        lua_createtable(L, 0, 2);                     /* ... runs run */
        lmd_set_pos(L, "start", code[lo].start);
        lmd_set_pos(L, "stop", code[lo].end);
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

/* Line endings (LF, CRLF, lone CR) that end before byte `to`, from `from`
 * (a CR whose LF is at `to` has not ended its line yet). */
static size_t endings(const char *t, size_t len, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t j = from; j < to; j++)
        n += t[j] == '\n' || (t[j] == '\r' && (j + 1 >= len || t[j + 1] != '\n'));
    return n;
}

/* d:line(pos) -> 1-based line number of byte pos. The first call counts
 * the whole text once, keeping the line number at every LINE_CHUNK-th
 * byte; each call then counts at most LINE_CHUNK bytes. */
static int doc_line(lua_State *L)
{
    doc *d = lmd_check_doc(L);
    lua_Integer pos = luaL_checkinteger(L, 2);
    size_t p, k, chunks = d->len / LINE_CHUNK + 1;
    luaL_argcheck(L, pos >= 1 && (size_t)pos <= d->len + 1, 2, "position out of range");
    if (d->marks == NULL) {
        if ((d->marks = malloc(chunks * sizeof *d->marks)) == NULL)
            return lmd_memory_error(L);
        d->marks[0] = 1;
        for (k = 1; k < chunks; k++)
            d->marks[k] = d->marks[k - 1] +
                          endings(d->text, d->len, (k - 1) * LINE_CHUNK, k * LINE_CHUNK);
    }
    p = (size_t)pos - 1;
    k = p / LINE_CHUNK;
    lua_pushinteger(L, (lua_Integer)(d->marks[k] +
                                     endings(d->text, d->len, k * LINE_CHUNK, p)));
    return 1;
}

/* d:splice(a, b, s) -> a new Doc over text[1, a) .. s .. text[b, end];
 * d is unchanged */
static int doc_splice(lua_State *L)
{
    const doc *d = lmd_check_doc(L);
    size_t a, b, slen;
    const char *s;
    lmd_check_range(L, 2, d->len, &a, &b);
    s = luaL_checklstring(L, 4, &slen);
    lmd_push_spliced(L, d->text, d->len, a, b, s, slen); /* ... new */
    push_doc(L, -1);                                  /* ... new doc */
    return 1;
}

void lmd_doc_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"text", doc_text},         {"eol", doc_eol},
        {"len", doc_len},           {"sections", doc_sections},
        {"find", doc_find},         {"find_all", doc_find_all},
        {"section_keyed", doc_section_keyed},
        {"section_at", doc_section_at}, {"section_count", doc_section_count},
        {"items", doc_items},       {"blocks", doc_blocks},
        {"block_before", doc_block_before},
        {"fields", doc_fields},     {"field", doc_field},
        {"last_field", doc_last_field}, {"in_code", doc_in_code},
        {"field_value", doc_field_value}, {"field_values", doc_field_values},
        {"last_field_value", doc_last_field_value}, {"label_block", doc_label_block},
        {"section_index", doc_section_index}, {"section_span", doc_section_span},
        {"item_texts", doc_item_texts}, {"read", lmd_doc_read},
        {"code", doc_code},         {"line", doc_line},
        {"splice", doc_splice},     {"close", doc_close},
        {NULL, NULL},
    };
    static const luaL_Reg meta[] = {
        {"__gc", doc_close}, {"__close", doc_close}, {NULL, NULL},
    };
    if (luaL_newmetatable(L, DOC)) {                  /* md mt */
        luaL_setfuncs(L, meta, 0);
        luaL_newlib(L, methods);                      /* md mt methods */
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);                                    /* md */
    lua_pushcfunction(L, doc_parse);
    lua_setfield(L, -2, "parse");
    lmd_plan_open(L);
    lmd_ahead_open(L);
}
