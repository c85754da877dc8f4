/*
 * lmd_ahead.c — md.parse_ahead: read and parse files on another thread
 * while the caller works on the ones before them.
 *
 *     local ahead <close> = md.parse_ahead(paths)
 *     for _, path in ipairs(paths) do
 *       local d = ahead:take(path)        -- a Doc, or nil: read it yourself
 *       ...
 *     end
 *
 * status summarises a thousand logs one after another in Lua; reading and
 * indexing them (md_index_build_opts, as md.parse does) is half its work
 * and needs no Lua, so a worker does it for the next files meanwhile. The
 * files are read as fs.read reads them (beneath the root, held open for
 * the whole list as search's pool holds it) and
 * indexed as md.parse indexes: a Doc from take is the one md.parse would
 * give. Anything that did not go plainly (a file that cannot be read, a
 * text too big for an index, no memory) makes take return nil, and the
 * caller's ordinary path (fs.read, md.parse) meets the failure and reports
 * it in its own words, so messages and codes are those of that path.
 *
 * Jobs are taken in the order given. Workers run at most WINDOW files, and
 * about BUDGET bytes, ahead of the caller, so memory stays flat however
 * many files there are; the caller does the next file itself when no
 * worker has started it. With one thread (SESSLUA_THREADS=1, one CPU) no
 * worker starts and take does each file itself.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "fs.h"
#include "lfsys.h"
#include "lmd_doc.h"
#include "md.h"
#include "search_pool.h"

#define AHEAD "sesslua.md.ahead"

enum {
    WINDOW = 16,                /* files done or running ahead of the caller */
    BUDGET = 32 * 1024 * 1024,  /* bytes of text held ahead of the caller */
    MAX_WORKERS = 4
};

enum { QUEUED, RUNNING, DONE };

typedef struct job {
    char *path;
    char *text; /* fs_read's buffer, len bytes; NULL when it failed */
    size_t len;
    md_index x;
    int ok;     /* read and indexed */
    int state;
} job;

typedef struct ahead {
    pthread_mutex_t mu;
    pthread_cond_t wake;   /* a worker may start a job, or must stop */
    pthread_cond_t done;   /* a job is done */
    job *jobs;
    size_t n;
    size_t next_work;      /* the first job no one has started */
    size_t next_take;      /* the job take hands out next */
    size_t held;           /* text bytes of the jobs after next_take that are done */
    int rootfd;            /* the root, held open for every file (fs_root_fd), or -1 */
    int stop;
    int idle;              /* workers waiting on wake */
    int taking;            /* the caller waits on done */
    pthread_t workers[MAX_WORKERS];
    int nworkers;
    int open;              /* mutex and conditions initialised */
} ahead;

/* Read and index job j, outside the lock, beneath rootfd (or the root
 * opened anew when it is -1). */
static void run_job(job *j, int rootfd)
{
    j->ok = fs_read_in(rootfd, j->path, &j->text, &j->len) == 0 && j->len < UINT32_MAX &&
            md_index_build_opts(j->text, j->len, MD_INDEX_ALL, &j->x) == 0;
    if (!j->ok) {
        free(j->text);
        j->text = NULL;
        md_index_free(&j->x);
    }
}

/* Under the lock: may a worker start the next job? Always the one the
 * caller waits for; others while the window and the budget allow. */
static int may_start(const ahead *a)
{
    if (a->next_work >= a->n)
        return 0;
    if (a->next_work == a->next_take)
        return 1;
    return a->next_work - a->next_take < WINDOW && a->held < BUDGET;
}

static void *worker(void *arg)
{
    ahead *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!a->stop && !may_start(a)) {
            a->idle++;
            pthread_cond_wait(&a->wake, &a->mu);
            a->idle--;
        }
        if (a->stop)
            break;
        job *j = &a->jobs[a->next_work++];
        j->state = RUNNING;
        pthread_mutex_unlock(&a->mu);
        run_job(j, a->rootfd);
        pthread_mutex_lock(&a->mu);
        j->state = DONE;
        if (j->ok && j - a->jobs > (ptrdiff_t)a->next_take)
            a->held += j->len;
        if (a->taking)
            pthread_cond_broadcast(&a->done);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

static void free_jobs(ahead *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->jobs[i].path);
        free(a->jobs[i].text);
        md_index_free(&a->jobs[i].x);
    }
    free(a->jobs);
    a->jobs = NULL;
    a->n = 0;
}

/* Stop the workers (each finishes its file first) and free everything;
 * safe twice: __gc and __close. */
static int ahead_close(lua_State *L)
{
    ahead *a = luaL_checkudata(L, 1, AHEAD);
    if (a->open) {
        pthread_mutex_lock(&a->mu);
        a->stop = 1;
        pthread_cond_broadcast(&a->wake);
        pthread_mutex_unlock(&a->mu);
        for (int i = 0; i < a->nworkers; i++)
            pthread_join(a->workers[i], NULL);
        a->nworkers = 0;
        pthread_cond_destroy(&a->wake);
        pthread_cond_destroy(&a->done);
        pthread_mutex_destroy(&a->mu);
        a->open = 0;
    }
    if (a->rootfd >= 0)
        close(a->rootfd);
    a->rootfd = -1;
    free_jobs(a);
    return 0;
}

/* md.parse_ahead(paths) -> ahead */
static int parse_ahead(lua_State *L)
{
    ahead *a;
    lua_Integer n;
    luaL_checktype(L, 1, LUA_TTABLE);
    n = luaL_len(L, 1);
    a = lua_newuserdatauv(L, sizeof *a, 0);
    memset(a, 0, sizeof *a);
    a->rootfd = -1;
    luaL_setmetatable(L, AHEAD);
    if (n > 0 && !(a->jobs = calloc((size_t)n, sizeof *a->jobs)))
        return lmd_memory_error(L);
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len;
        lua_geti(L, 1, i);
        const char *p = luaL_checklstring(L, -1, &len);
        if (!(a->jobs[a->n].path = malloc(len + 1)))
            return lmd_memory_error(L);
        memcpy(a->jobs[a->n++].path, p, len + 1);
        lua_pop(L, 1);
    }
    sesslua_fs_sync_root(L); /* the workers resolve paths as fs.read does */
    if ((a->rootfd = fs_root_fd()) < 0)
        a->rootfd = -1; /* no root, or none to open: each file as fs.read opens it */
    if (pthread_mutex_init(&a->mu, NULL) != 0)
        return lmd_memory_error(L);
    if (pthread_cond_init(&a->wake, NULL) != 0) {
        pthread_mutex_destroy(&a->mu);
        return lmd_memory_error(L);
    }
    if (pthread_cond_init(&a->done, NULL) != 0) {
        pthread_cond_destroy(&a->wake);
        pthread_mutex_destroy(&a->mu);
        return lmd_memory_error(L);
    }
    a->open = 1;
    /* the caller is one of the threads: it works on what no worker took */
    int want = search_default_threads() - 1;
    if (want > MAX_WORKERS)
        want = MAX_WORKERS;
    if ((size_t)want > a->n)
        want = (int)a->n;
    while (a->nworkers < want &&
           pthread_create(&a->workers[a->nworkers], NULL, worker, a) == 0)
        a->nworkers++; /* a thread that cannot start leaves the work to the rest */
    return 1;
}

/* ahead:take(path) -> Doc | nil: the next file's parse when path is the
 * next file and it went plainly; else nil (the caller reads it itself). */
static int ahead_take(lua_State *L)
{
    ahead *a = luaL_checkudata(L, 1, AHEAD);
    const char *path = luaL_checkstring(L, 2);
    job *j;
    if (!a->open || a->next_take >= a->n || strcmp(a->jobs[a->next_take].path, path) != 0)
        return 0;
    pthread_mutex_lock(&a->mu);
    j = &a->jobs[a->next_take];
    if (j->state == QUEUED) { /* no worker has it: do it here */
        a->next_work++;
        j->state = RUNNING;
        pthread_mutex_unlock(&a->mu);
        run_job(j, a->rootfd);
        pthread_mutex_lock(&a->mu);
        j->state = DONE;
    }
    while (j->state != DONE) {
        a->taking = 1;
        pthread_cond_wait(&a->done, &a->mu);
        a->taking = 0;
    }
    a->next_take++;
    if (a->next_take < a->n) { /* the next job's bytes no longer count as ahead */
        job *next = &a->jobs[a->next_take];
        if (next->state == DONE && next->ok)
            a->held -= next->len;
    }
    /* idle workers wait for room: give it in batches (half the window)
     * rather than one file at a time, so each wake-up starts several */
    if (a->idle && (a->next_work - a->next_take <= WINDOW / 2 || a->next_work == a->next_take))
        pthread_cond_broadcast(&a->wake);
    pthread_mutex_unlock(&a->mu);
    if (!j->ok)
        return 0;
    lmd_push_doc_owned(L, j->text, j->len, &j->x); /* takes both */
    j->text = NULL;
    return 1;
}

void lmd_ahead_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"take", ahead_take}, {"close", ahead_close}, {NULL, NULL},
    };
    static const luaL_Reg meta[] = {
        {"__gc", ahead_close}, {"__close", ahead_close}, {NULL, NULL},
    };
    if (luaL_newmetatable(L, AHEAD)) {                /* md mt */
        luaL_setfuncs(L, meta, 0);
        luaL_newlib(L, methods);                      /* md mt methods */
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);                                    /* md */
    lua_pushcfunction(L, parse_ahead);
    lua_setfield(L, -2, "parse_ahead");
}
