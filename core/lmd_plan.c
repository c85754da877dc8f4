/*
 * lmd_plan.c — many document queries in one call: md.plan and d:read.
 *
 *     local plan = md.plan{
 *       header = { "Owner", "State" },
 *       sections = { { keys = { md.normalize("Tasks") },
 *                      fields = { "State" }, label = "Open", items = "todo" } },
 *       footer = "Changed",
 *     }
 *     local r = d:read(plan)
 *
 * With `skip = md.patterns{...}` the plan also leaves out what matches
 * those Lua patterns (luapat.h), so a reader need not call back into Lua
 * for each value and item to ask whether it is a template's sample.
 *
 * A reader that asks every document of a tree the same dozen questions
 * (status over a thousand logs) pays for each crossing into C more than
 * for the answer; a plan is compiled once and answers them all in one
 * crossing. The answers are exactly those of the single queries it stands
 * for (d:field_values, d:section_index, d:label_block, d:item_texts, and
 * a footer's last field); what they mean is the caller's: this file knows
 * Markdown and nothing of what the documents are about.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lmd.h"
#include "lmd_doc.h"
#include "md.h"

#define PLAN "sesslua.md.plan"
#define PATTERNS "sesslua.md.patterns"

enum { MAX_KEYS = 16 }; /* keys of one list: one walk of the range each */

typedef struct text {
    char *s; /* owned; NULL when absent */
    size_t len;
} text;

typedef struct plan_section {
    text keys[MAX_KEYS]; /* normalised titles, any of which names it */
    size_t nkeys;
    text fields[MAX_KEYS];
    size_t nfields;
    unsigned char plain_fields[MAX_KEYS]; /* each field's value as md.plain text */
    text label; /* a **Label:** line whose list is read */
    int items;  /* LMD_ITEMS_* */
    int count;  /* the number of those items instead of their texts */
} plan_section;

/* Raw heading titles the plan has met, with their normalised keys: the
 * documents of a tree repeat their headings, so most titles are looked up
 * here instead of made plain and normalised again for every document. */
enum { TITLE_SLOTS = 512, TITLE_MAX = 256 };

typedef struct seen_title {
    text raw, key;
    unsigned hash;
} seen_title;

typedef struct plan {
    seen_title *titles; /* TITLE_SLOTS, open addressing; NULL until first use */
    size_t ntitles;
    text header[MAX_KEYS];
    size_t nheader;
    unsigned char plain_header[MAX_KEYS];
    plan_section *sections; /* owned */
    size_t nsections;
    text footer;
    const luapat_set *skip; /* the set of user value 1, or NULL */
} plan;

/* md.patterns' userdata. */
typedef struct patterns {
    luapat_set *set; /* NULL once collected */
} patterns;

static int patterns_gc(lua_State *L)
{
    patterns *ps = luaL_checkudata(L, 1, PATTERNS);
    luapat_set_free(ps->set);
    ps->set = NULL;
    return 0;
}

/* md.patterns(list) -> set | nil, i: the Lua patterns of list compiled
 * for C (luapat.h); nil and the index of the first one it cannot take. */
static int md_patterns(lua_State *L)
{
    patterns *ps;
    lua_Integer n;
    luaL_checktype(L, 1, LUA_TTABLE);
    n = (lua_Integer)lua_rawlen(L, 1);
    ps = lua_newuserdatauv(L, sizeof *ps, 0);         /* list set */
    ps->set = NULL;
    luaL_setmetatable(L, PATTERNS);
    if ((ps->set = luapat_set_new()) == NULL)
        return lmd_memory_error(L);
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len;
        const char *p;
        int rc;
        lua_rawgeti(L, 1, i);                         /* list set p */
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "md.patterns: item %d is not a string", (int)i);
        p = lua_tolstring(L, -1, &len);
        rc = luapat_set_add(ps->set, p, len);
        lua_pop(L, 1);                                /* list set */
        if (rc == LUAPAT_NOMEM)
            return lmd_memory_error(L);
        if (rc == LUAPAT_UNSUPPORTED) {
            lua_pushnil(L);
            lua_pushinteger(L, i);
            return 2;
        }
    }
    return 1;
}

/* set:match(s) -> i | nil: the index of the first pattern that
 * string.find(s, pattern) finds, or nil. */
static int patterns_match(lua_State *L)
{
    patterns *ps = luaL_checkudata(L, 1, PATTERNS);
    size_t len;
    const char *s = luaL_checklstring(L, 2, &len);
    long i;
    if (ps->set == NULL) /* only a finaliser can reach a collected set */
        return luaL_error(L, "attempt to use a collected pattern set");
    i = luapat_set_find(ps->set, s, len);
    if (i < 0)
        lua_pushnil(L);
    else
        lua_pushinteger(L, (lua_Integer)i + 1);
    return 1;
}

static int is_blank(unsigned char c)
{
    return isspace(c);
}

int lmd_is_sample(const luapat_set *set, const char *s, size_t len)
{
    size_t a = 0, b = len;
    if (len > 0 && ((unsigned char)s[0] <= 32 || (unsigned char)s[len - 1] <= 32)) {
        while (a < b && is_blank((unsigned char)s[a]))
            a++;
        while (b > a && is_blank((unsigned char)s[b - 1]))
            b--;
    }
    return luapat_set_find(set, s + a, b - a) >= 0;
}

/* Whether a value is no value for a plan with a skip set: blank, or a
 * sample. */
static int unfilled(const luapat_set *set, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && is_blank((unsigned char)s[i]))
        i++;
    return i == len || lmd_is_sample(set, s, len);
}

static void free_text(text *t)
{
    free(t->s);
    t->s = NULL;
}

static int plan_gc(lua_State *L)
{
    plan *p = luaL_checkudata(L, 1, PLAN);
    for (size_t i = 0; i < p->nheader; i++)
        free_text(&p->header[i]);
    for (size_t s = 0; s < p->nsections; s++) {
        plan_section *ps = &p->sections[s];
        for (size_t i = 0; i < ps->nkeys; i++)
            free_text(&ps->keys[i]);
        for (size_t i = 0; i < ps->nfields; i++)
            free_text(&ps->fields[i]);
        free_text(&ps->label);
    }
    free(p->sections);
    p->sections = NULL;
    if (p->titles != NULL)
        for (size_t i = 0; i < TITLE_SLOTS; i++) {
            free_text(&p->titles[i].raw);
            free_text(&p->titles[i].key);
        }
    free(p->titles);
    p->titles = NULL;
    p->nheader = p->nsections = 0;
    free_text(&p->footer);
    return 0;
}

/* Copy the string at stack index idx into *t (raises when it is none). */
static void copy_text(lua_State *L, int idx, const char *what, text *t)
{
    size_t len;
    const char *s;
    if (lua_type(L, idx) != LUA_TSTRING) /* before lua_tolstring turns a number into one */
        luaL_error(L, "md.plan: %s must be a string", what);
    s = lua_tolstring(L, idx, &len);
    if ((t->s = malloc(len + 1)) == NULL)
        lmd_memory_error(L);
    memcpy(t->s, s, len + 1);
    t->len = len;
}

/* Copy the array of strings t[field] (t at idx; absent: none) into out. */
static size_t copy_list(lua_State *L, int idx, const char *field, text *out)
{
    size_t n;
    lua_getfield(L, idx, field);                      /* ... list */
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    luaL_checktype(L, -1, LUA_TTABLE);
    n = (size_t)lua_rawlen(L, -1);
    if (n > MAX_KEYS)
        luaL_error(L, "md.plan: more than %d %s", MAX_KEYS, field);
    for (size_t i = 0; i < n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i + 1);       /* ... list s */
        copy_text(L, -1, field, &out[i]);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return n;
}

/* Whether key is one of the strings of the array at stack index idx. */
static int listed(lua_State *L, int idx, const text *key)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len;
        const char *s;
        lua_rawgeti(L, idx, i);                       /* ... s */
        s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        lua_pop(L, 1);
        if (s == NULL)
            luaL_error(L, "md.plan: plain must be an array of strings");
        if (len == key->len && memcmp(s, key->s, len) == 0)
            return 1;
    }
    return 0;
}

/* spec.plain (spec at 1, plan on top): mark the header's and the sections'
 * fields whose values are wanted as text. */
static void mark_plain(lua_State *L, plan *p)
{
    lua_getfield(L, 1, "plain");                      /* spec plan plain */
    if (!lua_isnil(L, -1)) {
        int at = lua_gettop(L);
        luaL_checktype(L, at, LUA_TTABLE);
        for (size_t i = 0; i < p->nheader; i++)
            p->plain_header[i] = (unsigned char)listed(L, at, &p->header[i]);
        for (size_t s = 0; s < p->nsections; s++)
            for (size_t i = 0; i < p->sections[s].nfields; i++)
                p->sections[s].plain_fields[i] =
                    (unsigned char)listed(L, at, &p->sections[s].fields[i]);
    }
    lua_pop(L, 1);                                    /* spec plan */
}

/* md.plan(spec) -> plan */
static int md_plan(lua_State *L)
{
    static const char *const items[] = {"all", "todo", "open", NULL};
    plan *p;
    luaL_checktype(L, 1, LUA_TTABLE);
    p = lua_newuserdatauv(L, sizeof *p, 1);           /* spec plan */
    memset(p, 0, sizeof *p);
    luaL_setmetatable(L, PLAN); /* from here __gc frees what is copied */
    p->nheader = copy_list(L, 1, "header", p->header);
    lua_getfield(L, 1, "sections");                   /* spec plan sections */
    if (!lua_isnil(L, -1)) {
        luaL_checktype(L, -1, LUA_TTABLE);
        size_t n = (size_t)lua_rawlen(L, -1);
        if (n > 0 && (p->sections = calloc(n, sizeof *p->sections)) == NULL)
            lmd_memory_error(L);
        for (size_t s = 0; s < n; s++) {
            plan_section *ps = &p->sections[s];
            p->nsections = s + 1; /* counted before filling: __gc frees a half one */
            lua_rawgeti(L, -1, (lua_Integer)s + 1);   /* spec plan sections sec */
            luaL_checktype(L, -1, LUA_TTABLE);
            int at = lua_gettop(L);
            ps->nkeys = copy_list(L, at, "keys", ps->keys);
            ps->nfields = copy_list(L, at, "fields", ps->fields);
            lua_getfield(L, at, "label");
            if (!lua_isnil(L, -1))
                copy_text(L, -1, "label", &ps->label);
            lua_pop(L, 1);
            lua_getfield(L, at, "items");
            ps->items = luaL_checkoption(L, -1, "all", items);
            lua_getfield(L, at, "count");
            ps->count = lua_toboolean(L, -1);
            lua_pop(L, 3);                            /* spec plan sections */
        }
    }
    lua_pop(L, 1);                                    /* spec plan */
    lua_getfield(L, 1, "footer");
    if (!lua_isnil(L, -1))
        copy_text(L, -1, "footer", &p->footer);
    lua_pop(L, 1);
    lua_getfield(L, 1, "skip");                       /* spec plan skip */
    if (!lua_isnil(L, -1)) {
        p->skip = ((patterns *)luaL_checkudata(L, -1, PATTERNS))->set;
        lua_setiuservalue(L, -2, 1); /* the plan keeps its set alive */
    } else {
        lua_pop(L, 1);
    }
    mark_plain(L, p);
    return 1;
}

/* Push the values of the fields keys[0, n) in [a, b), one slot each of the
 * array on top, from *slot on (nil when the range has none). */
static void put_values(lua_State *L, const doc *d, size_t a, size_t b, const text *keys,
                       const unsigned char *plain, size_t n, const luapat_set *skip,
                       lua_Integer *slot)
{
    const char *k[MAX_KEYS];
    size_t lens[MAX_KEYS];
    md_span values[MAX_KEYS];
    for (size_t i = 0; i < n; i++) {
        k[i] = keys[i].s;
        lens[i] = keys[i].len;
    }
    md_fields_find_each(d->text, a, b, &d->x, k, lens, n, values);
    for (size_t i = 0; i < n; i++) {
        ++*slot;
        if (values[i].start == SIZE_MAX)
            continue; /* a hole: t[slot] is nil */
        const char *v = d->text + values[i].start;
        size_t len = values[i].end - values[i].start;
        if (skip != NULL && unfilled(skip, v, len))
            lua_pushboolean(L, 0);
        else if (plain[i])
            lmd_push_plain(L, v, len);
        else
            lua_pushlstring(L, v, len);
        lua_rawseti(L, -2, *slot);
    }
}

static unsigned hash_of(const char *s, size_t n)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Section i's normalised key: from the plan's titles when its raw title
 * was met before, else made (lmd_section_key) and remembered. NULL when
 * memory runs out. */
static const char *section_key(plan *p, doc *d, size_t i, size_t *len)
{
    const md_section *sec = &d->x.sections[i];
    const char *raw = d->text + sec->title_start;
    unsigned h = hash_of(raw, sec->title_len);
    size_t slot = h % TITLE_SLOTS;
    const char *key;
    if (p->titles == NULL && (p->titles = calloc(TITLE_SLOTS, sizeof *p->titles)) == NULL)
        return NULL;
    for (seen_title *t = &p->titles[slot]; t->raw.s != NULL; t = &p->titles[slot]) {
        if (t->hash == h && t->raw.len == sec->title_len &&
            memcmp(t->raw.s, raw, sec->title_len) == 0) {
            *len = t->key.len;
            return t->key.s;
        }
        slot = (slot + 1) % TITLE_SLOTS;
    }
    if ((key = lmd_section_key(d, i, len)) == NULL)
        return NULL;
    if (p->ntitles < TITLE_MAX) { /* else: made per document, as d:section_index does */
        seen_title *t = &p->titles[slot];
        t->raw.s = malloc(sec->title_len + 1);
        t->key.s = malloc(*len + 1);
        if (t->raw.s == NULL || t->key.s == NULL) {
            free_text(&t->raw);
            free_text(&t->key);
            return key;
        }
        memcpy(t->raw.s, raw, sec->title_len);
        t->raw.len = sec->title_len;
        memcpy(t->key.s, key, *len);
        t->key.len = *len;
        t->hash = h;
        p->ntitles++;
    }
    return key;
}

/* The first section whose key is one of ps's (d:section_index's rule). */
static int find_section(lua_State *L, plan *p, doc *d, const plan_section *ps, size_t *found)
{
    for (size_t i = 0; i < d->x.count; i++) {
        size_t tlen;
        const char *key = section_key(p, d, i, &tlen);
        if (key == NULL)
            return lmd_memory_error(L);
        for (size_t k = 0; k < ps->nkeys; k++) {
            if (ps->keys[k].len > 0 && ps->keys[k].len == tlen &&
                memcmp(ps->keys[k].s, key, tlen) == 0) {
                *found = i;
                return 1;
            }
        }
    }
    return 0;
}

/* The value of the footer's field: the last one from the last paragraph
 * on (looking back past up to four blocks that are none), else the last
 * one of the text (Doc:last_updated's rule). 0 when there is none. */
static int footer_value(const doc *d, const text *key, md_span *value)
{
    const md_block *blocks = d->x.blocks;
    size_t i = md_first_block(&d->x, d->len);
    const md_block *b = i > 0 ? &blocks[i - 1] : NULL;
    md_field f;
    for (int tries = 4; b != NULL && b->kind != MD_BLOCK_PARAGRAPH && tries > 0; tries--) {
        i = md_first_block(&d->x, b->start);
        b = i > 0 ? &blocks[i - 1] : NULL;
    }
    if ((b != NULL && md_fields_find(d->text, d->len, b->start, d->len, &d->x, key->s,
                                     key->len, MD_FIELD_LAST, &f) == 0) ||
        md_fields_find(d->text, d->len, 0, d->len, &d->x, key->s, key->len,
                       MD_FIELD_LAST, &f) == 0) {
        *value = f.value;
        return 1;
    }
    return 0;
}

/* How many answers d:read gives for p: its array is made that size, so
 * filling it never grows it. */
static size_t answers(const plan *p)
{
    size_t n = p->nheader + (p->footer.s != NULL);
    for (size_t s = 0; s < p->nsections; s++)
        n += 1 + p->sections[s].nfields + (p->sections[s].label.s != NULL);
    return n;
}

/* d:read(plan) -> array: the header's field values (the first level-1
 * heading's own body, else the text before the first heading); for each
 * section of the plan, its index (false when the document has none), its
 * field values, and when it has a label the texts of that labelled list's
 * items (false when the section or the label line is missing); last the
 * footer's value. A value the document lacks is a hole (nil). With a
 * skip set, a value that is blank or a sample is false, the footer's is
 * false when a sample, and items that are samples are left out (with
 * count, their number stands for the array). The values of the fields
 * the plan's `plain` lists come as md.plain text (checked as written). */
int lmd_doc_read(lua_State *L)
{
    doc *d = lmd_check_doc(L);
    plan *p = luaL_checkudata(L, 2, PLAN);
    const md_section *secs = d->x.sections;
    lua_Integer slot = 0;
    size_t ha = 0, hb = d->len;
    if (d->x.count > 0 && secs[0].level == 1) {
        ha = secs[0].heading_end;
        hb = secs[0].body_end;
    } else if (d->x.count > 0) {
        hb = secs[0].heading_start;
    }
    lua_createtable(L, (int)answers(p), 0);          /* ... r */
    put_values(L, d, ha, hb, p->header, p->plain_header, p->nheader, p->skip, &slot);
    for (size_t s = 0; s < p->nsections; s++) {
        const plan_section *ps = &p->sections[s];
        size_t i;
        int found = find_section(L, p, d, ps, &i);
        const md_section *sec = found ? &secs[i] : NULL;
        if (found)
            lua_pushinteger(L, (lua_Integer)i + 1);
        else
            lua_pushboolean(L, 0);
        lua_rawseti(L, -2, ++slot);
        if (sec != NULL)
            put_values(L, d, sec->heading_end, sec->body_end, ps->fields, ps->plain_fields,
                       ps->nfields, p->skip, &slot);
        else
            slot += (lua_Integer)ps->nfields;
        if (ps->label.s != NULL) {
            md_field f;
            size_t stop;
            if (sec != NULL && lmd_label_block(d, sec->heading_end, sec->body_end, ps->label.s,
                                               ps->label.len, &f, &stop)) {
                lmd_push_item_texts(L, d, f.line.end, stop, ps->items, p->skip, ps->count);
            } else {
                lua_pushboolean(L, 0);
            }
            lua_rawseti(L, -2, ++slot);
        }
    }
    if (p->footer.s != NULL) {
        md_span v;
        ++slot;
        if (footer_value(d, &p->footer, &v)) {
            const char *t = d->text + v.start;
            if (p->skip != NULL && lmd_is_sample(p->skip, t, v.end - v.start))
                lua_pushboolean(L, 0);
            else
                lua_pushlstring(L, t, v.end - v.start);
            lua_rawseti(L, -2, slot);
        }
    }
    return 1;
}

void lmd_plan_open(lua_State *L)
{
    static const luaL_Reg meta[] = {{"__gc", plan_gc}, {NULL, NULL}};
    static const luaL_Reg pattern_meta[] = {{"__gc", patterns_gc}, {"match", patterns_match},
                                            {NULL, NULL}};
    if (luaL_newmetatable(L, PLAN))                   /* md mt */
        luaL_setfuncs(L, meta, 0);
    lua_pop(L, 1);                                    /* md */
    if (luaL_newmetatable(L, PATTERNS)) {             /* md mt */
        luaL_setfuncs(L, pattern_meta, 0);
        lua_pushvalue(L, -1);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);                                    /* md */
    lua_pushcfunction(L, md_plan);
    lua_setfield(L, -2, "plan");
    lua_pushcfunction(L, md_patterns);
    lua_setfield(L, -2, "patterns");
}
