/* sys.natural_sort: names in the order people count (core/natsort.c). */
#ifndef SESSLUA_NATSORT_H
#define SESSLUA_NATSORT_H

#include <lua.h>

/* sys.natural_sort(names [, suffix_len]) -> names, sorted in place. */
int sesslua_natural_sort(lua_State *L);

#endif
