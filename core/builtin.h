/*
 * builtin.h — the Lua library, workflows and templates compiled into the
 * binary (generated from lua/, scripts/, templates/ and Debian's
 * argparse.lua at build time by sesslua_embedgen, core/embedgen.c).
 * A file of the same name on the search path always wins over these.
 *
 * Every entry keeps the file's bytes (what builtin.get returns). A `.lua`
 * entry also carries its bytecode, precompiled by the same liblua5.4 with
 * chunk name "@builtin:<name>" and debug information kept, so loading a
 * built-in costs no compiling and its errors still name
 * "builtin:<name>:<line>". All of it is static, read-only data.
 */
#ifndef SESSLUA_BUILTIN_H
#define SESSLUA_BUILTIN_H

#include <stddef.h>

typedef struct sesslua_builtin {
    const char *name;     /* "scripts/create.lua", "lua/sesslua/log.lua", ... */
    const char *data;     /* the file's bytes, NUL-terminated; NUL not in size */
    size_t size;
    const char *bytecode; /* lua_dump of data (load with mode "b"), or NULL
                             when the entry is not Lua (templates) */
    size_t bytecode_size;
} sesslua_builtin;

/* Terminated by an entry whose name is NULL. */
extern const sesslua_builtin sesslua_builtins[];

#endif
