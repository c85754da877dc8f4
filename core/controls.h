/* What a terminal would act on in text: C0 controls (but tab and newline)
 * and DEL, C1 controls, bidi controls, and stray bytes 0x80-0x9F. One rule
 * for sys.escape_controls and for the lines search prints in C. */
#ifndef SESSLUA_CONTROLS_H
#define SESSLUA_CONTROLS_H

#include <stddef.h>

static inline int is_c0(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

/* The code point of a C1 control or a bidi control encoded at s (len bytes
 * left), else 0. C1 controls (U+0080-U+009F: CSI U+009B, OSC U+009D...)
 * act on a terminal as ESC sequences do; bidi controls (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069) reorder what is shown, so a line
 * can read as something else than its bytes. All are C2, D8 or E2 80/81
 * sequences: anything else (emoji, CJK, combining marks) is left as it is. */
static inline unsigned unicode_control(const unsigned char *s, size_t len)
{
    if (len >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
        return s[1];
    if (len >= 2 && s[0] == 0xd8 && s[1] == 0x9c)
        return 0x061c;
    if (len >= 3 && s[0] == 0xe2 && (s[1] == 0x80 || s[1] == 0x81)) {
        unsigned cp = 0x2000 + ((unsigned)(s[1] & 0x3f) << 6) + (s[2] & 0x3fu);
        if ((s[2] & 0xc0) == 0x80 && (cp == 0x200e || cp == 0x200f
            || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)))
            return cp;
    }
    return 0;
}

/* Whether s[i] belongs to a whole UTF-8 sequence whose lead byte is at
 * most 3 bytes before (then it is part of a character, not a raw C1 byte). */
static inline int continues(const unsigned char *s, size_t i, size_t len)
{
    for (size_t k = 1; k <= 3 && k <= i; k++) {
        unsigned char c = s[i - k];
        if ((c & 0xc0) == 0x80)
            continue;
        size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (c < 0xc2 || c >= 0xf5 || k >= need || i - k + need > len)
            return 0;
        for (size_t j = i + 1; j < i - k + need; j++)
            if ((s[j] & 0xc0) != 0x80)
                return 0;
        return 1;
    }
    return 0;
}

/* Bytes of the unit at s[i] that must be escaped, 0 for none: a C0 byte or
 * DEL (1), a C1 or bidi control (2 or 3, code point in *cp), or a stray
 * byte 0x80-0x9F that is no part of a character (1: a terminal in a
 * single-byte charset reads it as C1). */
static inline size_t control_at(const unsigned char *s, size_t i, size_t len, unsigned *cp)
{
    unsigned char c = s[i];
    *cp = 0;
    if (c < 0x80) /* the common case first */
        return (size_t)is_c0(c);
    if ((*cp = unicode_control(s + i, len - i)) != 0)
        return *cp < 0x100 || *cp == 0x061c ? 2 : 3;
    return (size_t)(c <= 0x9f && !continues(s, i, len));
}

#endif
