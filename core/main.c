/*
 * main.c — the sesslua host, shaped like Lua's own lua.c.
 *
 * It opens a Lua state with the standard libraries and sesslua's C modules,
 * installs the built-in searcher (last, so files on disk win), and hands the
 * command line to the built-in `sesslua.runner`, which resolves options, the
 * coordination root and the script. Every error ends here: one line on
 * stderr and a documented exit code (docs/errors.md).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "builtin.h"
#include "host.h"

#define EXIT_USAGE 2

static int debug_mode;

/* The running script's name as typed (runner.lua sets it in the context
 * table), for messages about errors that carry no text; NULL before a
 * script is chosen. Raw reads only: nothing here may raise. */
static const char *script_name(lua_State *L)
{
    const char *name = NULL;
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE); /* loaded */
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_pushliteral(L, "sesslua.context");
        if (lua_rawget(L, -2) == LUA_TTABLE) {        /* loaded ctx */
            lua_pushliteral(L, "script_name");
            if (lua_rawget(L, -2) == LUA_TSTRING)     /* loaded ctx name */
                name = lua_tostring(L, -1);          /* kept alive by ctx */
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return name;
}

/* Pushes the text of error object idx: a string or number as it is, or
 * what its __tostring metamethod returns (called protected). Returns it, or
 * NULL with nothing pushed when the object has no text. */
static const char *push_error_text(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TSTRING || lua_type(L, idx) == LUA_TNUMBER) {
        lua_pushvalue(L, idx);
        return lua_tostring(L, -1);
    }
    if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) { /* meta */
        lua_pushvalue(L, idx);                       /* meta obj */
        if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING)
            return lua_tostring(L, -1);
        lua_pop(L, 1);
    }
    return NULL;
}

/* An error line longer than this is cut: a 131 KB argument echoed whole
 * buries the message. The head and the tail stay (the tail usually says
 * why), with the number of bytes left out between them. */
#define LINE_MAX_BYTES 400
#define LINE_HEAD 200
#define LINE_TAIL 100

/* Adds line (len bytes) to b, cut in the middle when too long; cuts fall
 * between UTF-8 characters. */
static void add_cut_line(luaL_Buffer *b, const char *line, size_t len)
{
    if (len <= LINE_MAX_BYTES) {
        luaL_addlstring(b, line, len);
        return;
    }
    size_t head = LINE_HEAD, tail = len - LINE_TAIL;
    while (head > 0 && ((unsigned char)line[head] & 0xc0) == 0x80)
        head--;
    while (tail < len && ((unsigned char)line[tail] & 0xc0) == 0x80)
        tail++;
    char note[64];
    int n = snprintf(note, sizeof note, "\xe2\x80\xa6 (%zu bytes cut) \xe2\x80\xa6", tail - head);
    luaL_addlstring(b, line, head);
    luaL_addlstring(b, note, (size_t)n);
    luaL_addlstring(b, line + tail, len - tail);
}

/* Pushes msg as the error's lines: the first stays the one `sesslua:` line;
 * each later line that is not a `hint:` or `usage:` line (or already
 * indented) is indented by two spaces, so the first line is the only one
 * that reads as an error of its own. Empty lines are dropped. */
static const char *push_error_lines(lua_State *L, const char *msg)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    const char *line = msg;
    for (int first = 1; line != NULL; first = 0) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (first) {
            add_cut_line(&b, line, len);
        } else if (len > 0) {
            luaL_addchar(&b, '\n');
            if (strncmp(line, "hint:", 5) != 0 && strncmp(line, "usage:", 6) != 0 &&
                line[0] != ' ' && line[0] != '\t')
                luaL_addstring(&b, "  ");
            add_cut_line(&b, line, len);
        }
        line = nl ? nl + 1 : NULL;
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* Pushes msg with what a terminal would act on made visible, by the one
 * function that does it (sys.escape_controls: C0, DEL, C1 and bidi
 * controls): messages quote user input and text from files. */
static const char *push_printable(lua_State *L, const char *msg)
{
    luaL_requiref(L, "sesslua.sys", luaopen_sesslua_sys, 0); /* sys */
    lua_getfield(L, -1, "escape_controls");          /* sys fn */
    lua_remove(L, -2);                               /* fn */
    lua_pushstring(L, msg);                          /* fn msg */
    lua_call(L, 1, 1);                               /* printable */
    return lua_tostring(L, -1);
}

/* Message handler: turn any error object into a table {message=, code=}
 * for report(). The message is the object's text (a string, a number,
 * __tostring), else a table's `message` field, else "<script>: error
 * object (<type>)"; the code is a table's `code` field. --debug adds a
 * traceback to every error but the structured ones workflows raise on
 * purpose ({code=, message=} without __tostring). */
static int message_handler(lua_State *L)
{
    lua_createtable(L, 0, 2);                        /* err report */
    int structured = 0;
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_pushliteral(L, "code");
        lua_rawget(L, 1);                            /* err report code */
        lua_setfield(L, 2, "code");                  /* err report */
    }
    const char *msg = push_error_text(L, 1);         /* err report msg? */
    if (msg == NULL && lua_type(L, 1) == LUA_TTABLE) {
        lua_pushliteral(L, "message");
        lua_rawget(L, 1);                            /* err report field */
        int t = lua_type(L, -1);
        if (t == LUA_TSTRING || t == LUA_TNUMBER) {
            msg = lua_tostring(L, -1);
            structured = 1;
        } else {
            lua_pop(L, 1);
        }
    }
    size_t len = msg ? strlen(msg) : 0;
    if (len >= 2 && msg[len - 2] == ':' && msg[len - 1] == ' ') /* error("") */
        msg = lua_pushfstring(L, "%serror with an empty message", msg);
    if (msg == NULL || msg[0] == '\0') {
        const char *name = script_name(L);
        msg = lua_pushfstring(L, "%s%s%s%s%s", name ? name : "", name ? ": " : "",
                              msg ? "error with an empty message" : "error object (",
                              msg ? "" : luaL_typename(L, 1), msg ? "" : ")");
    }
    msg = push_error_lines(L, msg);                  /* err report msg lines */
    msg = push_printable(L, msg);                    /* ... lines printable */
    if (debug_mode && !structured)
        luaL_traceback(L, L, msg, 1);                /* ... lines traceback */
    lua_setfield(L, 2, "message");
    lua_settop(L, 2);                                /* err report */
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

/* Print the error on top of the stack, the message handler's table (or a
 * bare string when the handler could not run: out of memory), and return
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
    write_error_line(msg != NULL ? msg : "error object (not a string)");
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
    for (int i = 0; i < argc; i++) {                 /* [0]: the program */
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i);
    }
    lua_call(L, 1, 1);                               /* runner code */
    return 1;
}

/* Runs protected after the script: prints the warnings of writes that
 * were done but may not be durable (fs.h's commit point) which the script
 * did not print itself (cli.check does), so none is ever lost. */
static int print_fs_warnings(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE); /* loaded */
    if (lua_getfield(L, -1, "sesslua.fs") != LUA_TTABLE)  /* loaded fs */
        return 0;                                        /* never loaded: no write */
    if (lua_getfield(L, -1, "warnings") != LUA_TFUNCTION) /* loaded fs fn */
        return 0;
    lua_call(L, 0, 1);                                   /* loaded fs list */
    if (lua_type(L, -1) != LUA_TTABLE)
        return 0;
    for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) { /* ... list msg */
        write_error_line(lua_pushfstring(L, "warning: %s", lua_tostring(L, -1)));
        lua_pop(L, 2);                                   /* ... list */
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* A write past the file size limit (ulimit -f) must fail with EFBIG,
     * reported and cleaned up like any full disk, not kill the process
     * with its temp file left behind. */
    signal(SIGXFSZ, SIG_IGN);
#ifdef __GLIBC__
    /* Big blocks (a log's text, its index) always come from mmap and go
     * back to the system when freed: glibc's default raises the threshold
     * after the first big free, and an edit of a 200 MB log then keeps the
     * arrays of every parse it made in the heap. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    /* Into a file or a pipe, stdout is written in blocks anyway; the
     * default block (the file's st_blksize, 4 KiB) made a search with
     * 20 MB of hits 4,800 writes. A terminal keeps its line buffering.
     * The buffer is given: glibc ignores the size of one it allocates. */
    static char stdout_buffer[1 << 16];
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
    /* --debug is needed before runner.lua parses the options: a failure
     * while it loads gets the traceback too */
    for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--debug") == 0)
            debug_mode = 1;
        if (strcmp(argv[i], "--root") == 0 || strcmp(argv[i], "--session") == 0 ||
            strcmp(argv[i], "--which") == 0)
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
    int status = lua_pcall(L, 2, 1, 1);
    lua_pushcfunction(L, print_fs_warnings);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK)
        lua_pop(L, 1);                               /* nothing more to say */
    if (status != LUA_OK)
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
