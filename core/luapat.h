/*
 * luapat.h — a set of Lua patterns, matched in C.
 *
 * A reader that checks every value of a thousand documents against the
 * same few dozen Lua patterns (the template's sample lines) pays more for
 * each call into Lua's string.find than for the match. A set compiles the
 * patterns once and answers "does one of them find a match in this text"
 * exactly as string.find(text, pattern) would, for the part of the
 * pattern language that needs no captures:
 *
 *   - anchors: a leading `^`, a trailing `$`;
 *   - single characters: a literal, `.`, `%a %c %d %g %l %p %s %u %w %x`
 *     and their upper-case complements, `%` before any other character;
 *   - each optionally followed by `*`, `+`, `-` or `?`.
 *
 * Sets (`[...]`), captures, `%b`, `%f` and back references are not taken:
 * luapat_set_add says so and the caller keeps matching that pattern in
 * Lua. Classes use <ctype.h> in the current locale, as Lua's do.
 *
 * Calling sequence:
 *
 *     luapat_set *set = luapat_set_new();
 *     if (luapat_set_add(set, "^Task %d+$", 10) != 0) ... keep it in Lua
 *     long i = luapat_set_find(set, text, len);   (-1: none finds one)
 *     luapat_set_free(set);
 *
 * Plain C: no lua.h.
 */
#ifndef SESSLUA_LUAPAT_H
#define SESSLUA_LUAPAT_H

#include <stddef.h>

typedef struct luapat_set luapat_set;

/* A new empty set, or NULL when memory runs out. Free with luapat_set_free. */
luapat_set *luapat_set_new(void);

/* Free a set and its patterns; NULL is fine. */
void luapat_set_free(luapat_set *set);

/* What luapat_set_add gives besides 0. */
enum { LUAPAT_UNSUPPORTED = 1, LUAPAT_NOMEM = -1 };

/* Compile the pattern p[0, len) and append it. 0 when added;
 * LUAPAT_UNSUPPORTED when it uses what this matcher does not (or is
 * malformed: Lua would raise), the set unchanged; LUAPAT_NOMEM when memory
 * runs out, the set unchanged. */
int luapat_set_add(luapat_set *set, const char *p, size_t len);

/* The number of patterns in the set. */
size_t luapat_set_count(const luapat_set *set);

/* The index (0-based, in the order added) of the first pattern that
 * string.find(s, pattern) would find in s[0, len), or -1 when none does. */
long luapat_set_find(const luapat_set *set, const char *s, size_t len);

#endif
