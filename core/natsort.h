/* Names in the order people count, session-2 before session-10
 * (core/natsort.c): sys.natural_sort and the C side of it that listings
 * share. */
#ifndef SESSLUA_NATSORT_H
#define SESSLUA_NATSORT_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

/* One name to sort: key is its natural key, NUL, its stem, NUL, the name
 * itself (so the name is the last name_len bytes of the key's len). */
typedef struct natsort_entry {
    uint64_t head; /* natsort_entries: 8 key bytes after those all share */
    const char *key;
    size_t len;
    size_t name_len;
} natsort_entry;

/* Bytes of the key of name (len bytes; the stem is all but its last
 * suffix_len bytes). */
size_t natsort_key_size(const char *name, size_t len, size_t suffix_len);
/* Write that key at out (natsort_key_size bytes) and fill e. */
void natsort_key_make(const char *name, size_t len, size_t suffix_len, char *out,
                      natsort_entry *e);
/* Sort n entries by key (bytewise). */
void natsort_entries(natsort_entry *e, size_t n);

/* sys.natural_sort(names [, suffix_len]) -> names, sorted in place. */
int sesslua_natural_sort(lua_State *L);

#endif
