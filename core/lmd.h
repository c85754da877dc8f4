/*
 * lmd.h — what the two files of the "sesslua.md" binding share: lmd.c (the
 * module's functions over plain strings) and lmd_doc.c (the document
 * object, md.parse). Not a public header; positions are 1-based and ranges
 * half-open, as lmd.c describes.
 */
#ifndef SESSLUA_LMD_H
#define SESSLUA_LMD_H

#include <stddef.h>

#include <lua.h>

#include "md.h"

/* Check the optional range [a, b) at arguments arg, arg + 1 over a text of
 * len bytes (default: all of it); raises on misuse. Sets 0-based offsets. */
void lmd_check_range(lua_State *L, int arg, size_t len, size_t *start, size_t *end);

/* t[key] = offset + 1, t on top of the stack. */
void lmd_set_pos(lua_State *L, const char *key, size_t offset);

/* Push the array of section tables of text (md.sections' shape). May raise
 * (memory) while index stays owned by the caller's userdata. */
void lmd_push_sections(lua_State *L, const char *text, const md_index *index);

/* Push the table of section i alone (the shape of one element above). */
void lmd_push_section(lua_State *L, const char *text, const md_index *index, size_t i);

/* The normalised plain title (md_normalize_title of md_plain_title) of a
 * raw heading: a malloc'd string the caller frees (*key_len set; not
 * NUL-terminated), or NULL when memory runs out. Never raises. */
char *lmd_title_key(const char *raw, size_t len, size_t *key_len);

/* Push md.plain's text of raw[0, len): raw itself when it holds no markup
 * character. Raises only when memory runs out. */
void lmd_push_plain(lua_State *L, const char *raw, size_t len);

/* Push the section of the array at stack index `sections` that query finds
 * and return 1, or return 0. mode: MD_FIND_PREFIX or MD_FIND_EXACT
 * (md_find_title_mode), or -1 for md.find's three tiers. */
int lmd_find(lua_State *L, int sections, const char *query, size_t qlen, int mode);

/* Push a field table {key (when key is not NULL), value, value_start,
 * value_end, line_start, line_end}. */
void lmd_push_field(lua_State *L, const char *text, const md_span *key,
                    const md_span *value, const md_span *line);

/* Push text[0, a) .. repl .. text[b, len) as a new string. */
void lmd_push_spliced(lua_State *L, const char *text, size_t len, size_t a,
                      size_t b, const char *repl, size_t rlen);

/* lmd_doc.c: add md.parse to the module table on top of the stack. */
void lmd_doc_open(lua_State *L);

#endif
