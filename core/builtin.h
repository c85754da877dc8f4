/*
 * builtin.h — the Lua library, workflows and templates compiled into the
 * binary (generated from lua/, scripts/ and templates/ by cmake/embed.cmake).
 * A file of the same name on the search path always wins over these.
 */
#ifndef SESSLUA_BUILTIN_H
#define SESSLUA_BUILTIN_H

#include <stddef.h>

typedef struct sesslua_builtin {
    const char *name; /* "scripts/create.lua", "lua/sesslua/log.lua", ... */
    const char *data; /* NUL-terminated; not counted in size */
    size_t size;
} sesslua_builtin;

/* Terminated by an entry whose name is NULL. */
extern const sesslua_builtin sesslua_builtins[];

#endif
