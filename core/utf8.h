/* One UTF-8 rule for the C core: what a well-formed character is. */
#ifndef SESSLUA_UTF8_H
#define SESSLUA_UTF8_H

#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at s[i] (i < len), 0 if none:
 * Lua's utf8.len rule, which is also cmark's (no overlong form, no
 * surrogate, nothing past U+10FFFF). An ASCII byte is 1. */
static inline size_t utf8_seq(const unsigned char *s, size_t len, size_t i)
{
    unsigned c = s[i], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4)
        return 0;
    n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
    return n;
}

#endif
