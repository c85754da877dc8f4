/*
 * luapat.c — a set of Lua patterns, matched in C (see luapat.h).
 *
 * The matcher follows lstrlib.c's do_match for the pieces it takes: the
 * same classes (match_class), the same greedy `*` and `+` that back off
 * one character at a time, the lazy `-` and the optional `?`. Whether a
 * match exists does not depend on the order the matcher tries things in,
 * so the answer is string.find's.
 */
#include "luapat.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* More pieces than this and the pattern stays in Lua: the matcher
 * recurses once per quantified piece, and Lua's own limit (200 nested
 * calls) is then far away. */
enum { MAX_PIECES = 64 };

enum { ANY, LITERAL, CLASS };             /* what one piece matches */
enum { ONE, STAR, PLUS, LAZY, OPTIONAL }; /* how many times */

typedef struct piece {
    unsigned char kind, how, c; /* c: the literal, or the class letter */
} piece;

typedef struct pattern {
    piece *pieces;
    size_t n;
    size_t min_len;    /* the fewest bytes a match takes */
    bool anchored;     /* a leading ^ */
    bool at_end;       /* a trailing $ */
    bool fixed;        /* every piece matches exactly once */
} pattern;

/* A list of pattern indexes, ascending. */
typedef struct ilist {
    size_t *at;
    size_t n, cap;
} ilist;

/* Most sample lines start with a literal (`^Task %d+$`) or end with one
 * (`%- %[Topic%]$`): a text's first or last byte picks the few that can
 * match, so a text no pattern finds is let go after a handful of tries. */
struct luapat_set {
    pattern *patterns;
    size_t n, cap;
    ilist first[256]; /* anchored, starting with this byte */
    ilist last[256];  /* not those, with $ after this byte */
    ilist other;      /* the rest: tried on every text */
};

luapat_set *luapat_set_new(void)
{
    return calloc(1, sizeof(luapat_set));
}

void luapat_set_free(luapat_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        free(set->patterns[i].pieces);
    for (size_t b = 0; b < 256; b++) {
        free(set->first[b].at);
        free(set->last[b].at);
    }
    free(set->other.at);
    free(set->patterns);
    free(set);
}

size_t luapat_set_count(const luapat_set *set)
{
    return set->n;
}

/* lstrlib.c's match_class: c in class cl (a letter names a class, its
 * upper case the complement; any other character stands for itself). */
static bool match_class(int c, int cl)
{
    bool res;
    switch (tolower(cl)) {
    case 'a': res = isalpha(c); break;
    case 'c': res = iscntrl(c); break;
    case 'd': res = isdigit(c); break;
    case 'g': res = isgraph(c); break;
    case 'l': res = islower(c); break;
    case 'p': res = ispunct(c); break;
    case 's': res = isspace(c); break;
    case 'u': res = isupper(c); break;
    case 'w': res = isalnum(c); break;
    case 'x': res = isxdigit(c); break;
    case 'z': res = c == 0; break; /* deprecated in Lua, still there */
    default: return cl == c;
    }
    return isupper(cl) ? !res : res;
}

static bool single(const piece *pc, unsigned char c)
{
    switch (pc->kind) {
    case ANY: return true;
    case LITERAL: return c == pc->c;
    default: return match_class(c, pc->c);
    }
}

/* Compile p[0, len) into *out; false when it is beyond this matcher. */
static bool compile(const char *p, size_t len, pattern *out, piece *pieces)
{
    size_t i = 0, n = 0;
    memset(out, 0, sizeof *out);
    if (len > 0 && p[0] == '^') {
        out->anchored = true;
        i = 1;
    }
    out->fixed = true;
    while (i < len) {
        unsigned char c = (unsigned char)p[i];
        piece pc = {LITERAL, ONE, c};
        if (c == '$' && i + 1 == len) {
            out->at_end = true;
            break;
        }
        if (c == '[' || c == '(' || c == ')')
            return false; /* sets and captures */
        if (c == '%') {
            if (i + 1 >= len)
                return false; /* malformed: Lua raises */
            c = (unsigned char)p[++i];
            if (c == 'b' || c == 'f' || isdigit(c))
                return false; /* balance, frontier, back reference */
            pc.kind = isalnum(c) ? CLASS : LITERAL;
            pc.c = c;
        } else if (c == '.') {
            pc.kind = ANY;
        }
        i++;
        if (i < len && strchr("*+-?", p[i]) != NULL && p[i] != '\0') {
            pc.how = p[i] == '*' ? STAR : p[i] == '+' ? PLUS : p[i] == '-' ? LAZY : OPTIONAL;
            out->fixed = false;
            i++;
        }
        if (n == MAX_PIECES)
            return false;
        if (pc.how == ONE || pc.how == PLUS)
            out->min_len++;
        pieces[n++] = pc;
    }
    out->n = n;
    return true;
}

/* The list of set a pattern belongs in (see luapat_set). */
static ilist *list_for(luapat_set *set, const pattern *pat)
{
    const piece *a = pat->n > 0 ? &pat->pieces[0] : NULL;
    const piece *z = pat->n > 0 ? &pat->pieces[pat->n - 1] : NULL;
    if (pat->anchored && a != NULL && a->kind == LITERAL && (a->how == ONE || a->how == PLUS))
        return &set->first[a->c];
    if (pat->at_end && z != NULL && z->kind == LITERAL && z->how == ONE)
        return &set->last[z->c];
    return &set->other;
}

static int push_index(ilist *l, size_t i)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4;
        size_t *grown = realloc(l->at, cap * sizeof *grown);
        if (grown == NULL)
            return LUAPAT_NOMEM;
        l->at = grown;
        l->cap = cap;
    }
    l->at[l->n++] = i;
    return 0;
}

int luapat_set_add(luapat_set *set, const char *p, size_t len)
{
    piece pieces[MAX_PIECES];
    pattern pat;
    if (!compile(p, len, &pat, pieces))
        return LUAPAT_UNSUPPORTED;
    if (set->n == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 16;
        pattern *grown = realloc(set->patterns, cap * sizeof *grown);
        if (grown == NULL)
            return LUAPAT_NOMEM;
        set->patterns = grown;
        set->cap = cap;
    }
    if ((pat.pieces = malloc((pat.n ? pat.n : 1) * sizeof *pat.pieces)) == NULL)
        return LUAPAT_NOMEM;
    memcpy(pat.pieces, pieces, pat.n * sizeof *pat.pieces);
    if (push_index(list_for(set, &pat), set->n) != 0) {
        free(pat.pieces);
        return LUAPAT_NOMEM;
    }
    set->patterns[set->n++] = pat;
    return 0;
}

/* Whether pattern pieces [k, n) match s[i, len) from i on (and, with a
 * trailing $, up to its end): do_match's loop. */
static bool match(const pattern *pat, size_t k, const unsigned char *s, size_t i, size_t len)
{
    for (; k < pat->n; k++) {
        const piece *pc = &pat->pieces[k];
        switch (pc->how) {
        case ONE:
            if (i >= len || !single(pc, s[i]))
                return false;
            i++;
            break;
        case OPTIONAL:
            if (i < len && single(pc, s[i]) && match(pat, k + 1, s, i + 1, len))
                return true;
            break;
        case LAZY:
            for (;; i++) {
                if (match(pat, k + 1, s, i, len))
                    return true;
                if (i >= len || !single(pc, s[i]))
                    return false;
            }
        default: { /* STAR, PLUS: the longest run first, then shorter */
            size_t run = 0;
            while (i + run < len && single(pc, s[i + run]))
                run++;
            for (size_t least = pc->how == PLUS ? 1 : 0; run + 1 > least; run--) {
                if (match(pat, k + 1, s, i + run, len))
                    return true;
                if (run == 0)
                    break;
            }
            return false;
        }
        }
    }
    return !pat->at_end || i == len;
}

static bool finds(const pattern *pat, const unsigned char *s, size_t len)
{
    if (len < pat->min_len)
        return false;
    if (pat->anchored)
        return match(pat, 0, s, 0, len);
    if (pat->at_end && pat->fixed) /* one place it can start */
        return match(pat, 0, s, len - pat->min_len, len);
    for (size_t i = 0; i + pat->min_len <= len; i++)
        if (match(pat, 0, s, i, len))
            return true;
    return false;
}

long luapat_set_find(const luapat_set *set, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    static const ilist none = {NULL, 0, 0};
    const ilist *lists[3] = {&set->other, len > 0 ? &set->first[u[0]] : &none,
                             len > 0 ? &set->last[u[len - 1]] : &none};
    size_t next[3] = {0, 0, 0};
    for (;;) { /* the three lists merged, lowest index first */
        int k = -1;
        for (int j = 0; j < 3; j++)
            if (next[j] < lists[j]->n &&
                (k < 0 || lists[j]->at[next[j]] < lists[k]->at[next[k]]))
                k = j;
        if (k < 0)
            return -1;
        size_t i = lists[k]->at[next[k]++];
        if (finds(&set->patterns[i], u, len))
            return (long)i;
    }
}
