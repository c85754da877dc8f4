/*
 * test_lfsys.c — the Lua binding of fs (lfsys.c, lfsys_list.c) under
 * memory errors: a lua_State whose allocator fails after n allocations,
 * for every n up to a whole listing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "host.h"

/* An allocator that fails every allocation or growth once `left` is 0. */
typedef struct budget {
    long left;
} budget;

static void *limited_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
    budget *b = ud;
    if (nsize == 0) {
        free(p);
        return NULL;
    }
    if (nsize > osize || p == NULL) {
        if (b->left == 0)
            return NULL;
        if (b->left > 0)
            b->left--;
    }
    return realloc(p, nsize);
}

static char dir[64];

static void make_folder(int files)
{
    snprintf(dir, sizeof dir, "/tmp/test_lfsys.XXXXXX");
    assert_non_null(mkdtemp(dir));
    for (int i = 1; i <= files; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/session-%d.md", dir, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
    }
}

static void remove_folder(int files)
{
    for (int i = 1; i <= files; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/session-%d.md", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

/* fs.list_portable pauses the collector while it pushes the names: a
 * memory error at any allocation of a listing leaves it running again,
 * and a listing that succeeds gives every name in order. */
static void listing_under_memory_errors_restarts_the_collector(void **state)
{
    enum { FILES = 300 };
    (void)state;
    make_folder(FILES);
    int failed = 0, passed = 0;
    for (long n = 0; passed == 0; n++) {
        budget b = {-1};
        lua_State *L = lua_newstate(limited_alloc, &b);
        assert_non_null(L);
        luaL_openlibs(L);
        luaL_requiref(L, "sesslua.fs", luaopen_sesslua_fs, 0);
        lua_getfield(L, -1, "list_portable");
        lua_pushstring(L, dir);
        lua_pushstring(L, ".md");
        b.left = n; /* from here on, n allocations succeed */
        int rc = lua_pcall(L, 2, 1, 0);
        b.left = -1;
        assert_int_equal(lua_gc(L, LUA_GCISRUNNING), 1);
        if (rc == LUA_OK && lua_istable(L, -1)) {
            assert_int_equal(lua_rawlen(L, -1), FILES);
            lua_rawgeti(L, -1, 10);
            assert_string_equal(lua_tostring(L, -1), "session-10.md");
            passed = 1;
        } else {
            failed++;
        }
        lua_close(L);
    }
    assert_true(failed > FILES); /* the pushes were among the failures */
    remove_folder(FILES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(listing_under_memory_errors_restarts_the_collector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
