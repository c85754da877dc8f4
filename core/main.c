/*
 * main.c — the sesslua host, shaped like Lua's own lua.c.
 *
 * It opens a Lua state with the standard libraries and sesslua's C modules,
 * installs the built-in searcher (last, so files on disk win), and hands the
 * command line to the built-in `sesslua.runner`, which resolves options, the
 * coordination root and the script. Every error ends here: one line on
 * stderr and a documented exit code (docs/errors.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "builtin.h"
#include "host.h"

#define EXIT_USAGE 2

static int debug_mode;

/* Message handler: keep structured errors ({code=, message=}) as they are;
 * give string errors a traceback when --debug is on. */
static int message_handler(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TTABLE)
        return 1;
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    if (debug_mode)
        luaL_traceback(L, L, msg, 1);
    else
        lua_pushstring(L, msg);
    return 1;
}

/* Write "sesslua: <msg>\n" to stderr in one write, with control characters
 * (but newline and tab) shown as \xNN: messages quote user input, which
 * must not drive the terminal, and processes erroring at once on a shared
 * stderr must not interleave their lines. */
static void write_error_line(const char *msg)
{
    static const char prefix[] = "sesslua: ";
    size_t n = strlen(msg);
    char *line = malloc(sizeof prefix + 4 * n + 1);
    if (line == NULL) {
        fprintf(stderr, "%s%s\n", prefix, msg);
        return;
    }
    size_t len = sizeof prefix - 1;
    memcpy(line, prefix, len);
    for (const unsigned char *p = (const unsigned char *)msg; *p != '\0'; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            len += (size_t)snprintf(line + len, 5, "\\x%02x", *p);
        else
            line[len++] = (char)*p;
    }
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
    free(line);
}

/* Print the error on top of the stack as one `sesslua: ...` line and return
 * the exit code it asks for. */
static int report(lua_State *L)
{
    int code = EXIT_USAGE;
    const char *msg;
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_getfield(L, -1, "code");                 /* err code */
        /* an error never exits 0, and a status is one byte */
        if (lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0 && lua_tointeger(L, -1) < 256)
            code = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);                               /* err */
        lua_getfield(L, -1, "message");              /* err msg */
        msg = lua_tostring(L, -1);
    } else {
        msg = lua_tostring(L, -1);
    }
    if (msg != NULL && msg[0] != '\0')
        write_error_line(msg);
    return code;
}

/* Runs inside lua_pcall so that allocation failures while setting up are
 * reported like any other error. */
static int run(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = (char **)lua_touserdata(L, 2);
    luaL_openlibs(L);
    sesslua_open_host(L);
    lua_getglobal(L, "require");                     /* require */
    lua_pushliteral(L, "sesslua.runner");
    lua_call(L, 1, 1);                               /* runner */
    lua_getfield(L, -1, "main");                     /* runner main */
    lua_createtable(L, argc, 0);                     /* runner main args */
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i);
    }
    lua_call(L, 1, 1);                               /* runner code */
    return 1;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--debug") == 0)
            debug_mode = 1;
        if (strcmp(argv[i], "--root") == 0 || strcmp(argv[i], "--session") == 0)
            i++;
    }
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        fprintf(stderr, "sesslua: cannot create Lua state: out of memory\n");
        return 5;
    }
    lua_pushcfunction(L, message_handler);
    lua_pushcfunction(L, run);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int code;
    if (lua_pcall(L, 2, 1, 1) != LUA_OK)
        code = report(L);
    else
        code = !lua_isinteger(L, -1) ? 0
               : (lua_tointeger(L, -1) >= 0 && lua_tointeger(L, -1) < 256)
                     ? (int)lua_tointeger(L, -1)
                     : EXIT_USAGE; /* a status out of 0-255 would wrap, 256 to success */
    fflush(stdout);
    lua_close(L);
    if (ferror(stdout)) {
        fprintf(stderr, "sesslua: standard output: write error\n");
        return 5;
    }
    return code;
}
