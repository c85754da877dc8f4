/* Columns a terminal gives text: East Asian Wide and Fullwidth code points
 * and emoji shown as pictures take two, combining marks, joiners,
 * variation selectors and skin tones none, the rest one. A compact table,
 * not the whole of Unicode: what logs hold (CJK text, emoji in headings and
 * notes) comes out right. */
#ifndef SESSLUA_WIDTH_H
#define SESSLUA_WIDTH_H

#include <stddef.h>
#include <stdint.h>

/* Columns of one code point: 0, 1 or 2. */
int text_cp_width(uint32_t cp);

/* Columns of text[0, len): the sum over its code points when it is valid
 * UTF-8 (as Lua's utf8.len checks: no overlong forms, no surrogates,
 * nothing past U+10FFFF), else one column a byte. */
size_t text_width(const char *text, size_t len);

#endif
