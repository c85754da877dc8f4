/*
 * lmd_doc.h — the document object's insides, shared by lmd_doc.c (md.parse
 * and the Doc's methods) and lmd_plan.c (md.plan and d:read). Not a public
 * header.
 */
#ifndef SESSLUA_LMD_DOC_H
#define SESSLUA_LMD_DOC_H

#include <stddef.h>

#include <lua.h>

#include "luapat.h"
#include "md.h"

#define DOC "sesslua.md.doc"

typedef struct doc {
    md_index x;
    const char *text; /* the bytes of user value UV_TEXT, or owned; NULL once closed */
    char *owned;      /* the text while no Lua string holds it (md.parse_ahead's
                       * Docs): d:text() makes the string on first use */
    size_t len;
    size_t *marks;    /* line number at every LINE_CHUNK-th byte (d:line) */
    char **keys;      /* each section's normalised title (d:section_keyed), */
    size_t *key_lens; /* made on first use; x.count of each */
} doc;

/* Which items d:item_texts gives. */
enum { LMD_ITEMS_ALL = 0, LMD_ITEMS_TODO = 1, LMD_ITEMS_OPEN = 2 };

/* The Doc at argument 1 (raises when it is none or closed). */
doc *lmd_check_doc(lua_State *L);

/* Raise "not enough memory". */
int lmd_memory_error(lua_State *L);

/* Push a new Doc that takes text[0, len) (malloc'd) and its index x, made
 * as md.parse makes it (md_index_build_opts, MD_INDEX_ALL). No Lua string
 * is made for the text until d:text() asks for one: a reader that only
 * queries the Doc (status over a thousand logs) never copies it. Both are
 * still the caller's if this raises. */
void lmd_push_doc_owned(lua_State *L, char *text, size_t len, md_index *x);

/* lmd_ahead.c: md.parse_ahead and its object's metatable. */
void lmd_ahead_open(lua_State *L);

/* Section i's normalised title, made on first use and kept; NULL when
 * memory runs out. */
const char *lmd_section_key(doc *d, size_t i, size_t *len);

/* Push the array of the texts of the shallowest items starting in [a, b)
 * (0-based), filtered by which (LMD_ITEMS_*) and, when skip is not NULL,
 * without those lmd_is_sample finds in it; with count, their number
 * instead of the array. */
void lmd_push_item_texts(lua_State *L, const doc *d, size_t a, size_t b, int which,
                         const luapat_set *skip, int count);

/* lmd_plan.c: whether text is one of set's samples: one of its patterns
 * finds it, surrounding blanks aside (trimmed when the first or the last
 * byte is a blank or a control character, as the placeholder check in Lua
 * does). */
int lmd_is_sample(const luapat_set *set, const char *s, size_t len);

/* The first `**Label:**` line (not the list-item form) with key in [a, b)
 * (0-based) into *f, and where the block it leads ends, cut to b but never
 * before the line's end, into *stop: d:label_block's rule. 0 when none. */
int lmd_label_block(const doc *d, size_t a, size_t b, const char *key, size_t klen,
                    md_field *f, size_t *stop);

/* lmd_plan.c: d:read(plan) and md.plan. */
int lmd_doc_read(lua_State *L);
void lmd_plan_open(lua_State *L);

#endif
