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
 * indexing them (as md.parse does, each thread in a scratch it keeps:
 * md_index_build_in) is half its work and needs no Lua, so a worker does
 * it for the next files meanwhile. The
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
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
    WINDOW = 16,                /* files reserved ahead of the caller */
    BUDGET = 32 * 1024 * 1024,  /* bytes of text done and not yet taken */
    MAX_WORKERS = 4,
    SPIN_NS = 1000 * 1000        /* how long a thread spins before it sleeps */
};

enum { QUEUED, RUNNING, DONE };

/* A job is claimed by moving it from QUEUED to RUNNING (a worker, or the
 * caller when it gets there first); its fields are its runner's until
 * the runner stores DONE, and the caller's after it has seen DONE. */
typedef struct job {
    char *path;
    char *text; /* fs_read's buffer, len bytes; NULL when it failed */
    size_t len;
    md_index x;
    int ok;     /* read and indexed */
    int counted; /* a worker's: its len is in held */
    _Atomic int state;
} job;

/* The caller and the workers meet through atomics, not a lock: handing
 * over a file costs no system call while both keep busy. A thread that
 * slept on a condition variable as soon as it had nothing to do woke
 * hundreds of microseconds late on a VM, and by then the caller had done
 * the next file itself (40-60% of a thousand logs). So a thread that has
 * nothing to do spins for SPIN_NS first, then sleeps on a condition;
 * the other wakes it only when it says it sleeps (idle, taking), and
 * each side writes its own flag before it reads the other's (sequentially
 * consistent atomics), so no wake-up is lost. */
typedef struct ahead {
    pthread_mutex_t mu;    /* held only to sleep and to wake */
    pthread_cond_t wake;   /* workers: there is room ahead, or stop */
    pthread_cond_t done;   /* the caller: a job is done */
    job *jobs;
    size_t n;
    _Atomic size_t next_work; /* the next job a worker reserves */
    _Atomic size_t next_take; /* the job take hands out next */
    _Atomic size_t held;   /* text bytes workers have done and take has not handed out */
    int rootfd;            /* the root, held open for every file (fs_root_fd), or -1 */
    md_scratch *scratch;   /* the caller's, for the files it does itself */
    _Atomic int stop;
    _Atomic int idle;      /* workers asleep on wake, or about to be */
    _Atomic int taking;    /* the caller asleep on done, or about to be */
    pthread_t workers[MAX_WORKERS];
    int nworkers;
    int open;              /* mutex and conditions initialised */
} ahead;

/* Read and index job j, beneath rootfd (or the root opened anew when it
 * is -1), with the running thread's scratch (NULL: none). */
static void run_job(job *j, int rootfd, md_scratch *scratch)
{
    j->ok = fs_read_in(rootfd, j->path, &j->text, &j->len) == 0 && j->len < UINT32_MAX &&
            md_index_build_in(scratch, j->text, j->len, MD_INDEX_ALL, &j->x) == 0;
    if (!j->ok) {
        free(j->text);
        j->text = NULL;
        md_index_free(&j->x);
    }
}

/* May a worker start job w? Always the one the caller waits for (or
 * passed); others while the window and the budget allow. `slack` halves
 * both: a worker that sleeps waits for room for several files, so each
 * wake-up starts a batch rather than one file. */
static int room_for(ahead *a, size_t w, int slack)
{
    size_t t = atomic_load(&a->next_take);
    size_t window = slack ? WINDOW / 2 : WINDOW, budget = slack ? BUDGET / 2 : BUDGET;
    return w <= t || (w - t < window && atomic_load(&a->held) < budget);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Spin while ready(a, arg) is false, for SPIN_NS at most; its answer. */
static int spin_until(ahead *a, int (*ready)(ahead *, size_t), size_t arg)
{
    long long until = 0;
    for (unsigned i = 1;; i++) {
        if (ready(a, arg) || atomic_load(&a->stop))
            return 1;
        cpu_relax();
        if (i % 64 == 0) { /* the clock now and then: a pause is 10 to 150 cycles */
            long long t = now_ns();
            if (until == 0)
                until = t + SPIN_NS;
            else if (t >= until)
                return 0;
        }
    }
}

static int has_room(ahead *a, size_t w) { return room_for(a, w, 0); }

/* Wait until job w may start; 0 when the workers must stop. */
static int wait_for_room(ahead *a, size_t w)
{
    if (!spin_until(a, has_room, w)) {
        pthread_mutex_lock(&a->mu);
        atomic_fetch_add(&a->idle, 1);
        while (!atomic_load(&a->stop) && !room_for(a, w, 1))
            pthread_cond_wait(&a->wake, &a->mu);
        atomic_fetch_sub(&a->idle, 1);
        pthread_mutex_unlock(&a->mu);
    }
    return !atomic_load(&a->stop);
}

static void *worker(void *arg)
{
    ahead *a = arg;
    md_scratch *scratch = md_scratch_new(); /* NULL: each build allocates its own */
    for (;;) {
        size_t w = atomic_fetch_add(&a->next_work, 1);
        if (w >= a->n || !wait_for_room(a, w))
            break;
        job *j = &a->jobs[w];
        int queued = QUEUED;
        if (!atomic_compare_exchange_strong(&j->state, &queued, RUNNING))
            continue; /* the caller got there first */
        run_job(j, a->rootfd, scratch);
        if (j->ok) {
            j->counted = 1;
            atomic_fetch_add(&a->held, j->len);
        }
        atomic_store(&j->state, DONE);
        if (atomic_load(&a->taking)) {
            pthread_mutex_lock(&a->mu);
            pthread_cond_broadcast(&a->done);
            pthread_mutex_unlock(&a->mu);
        }
    }
    md_scratch_free(scratch);
    return NULL;
}

static int is_done(ahead *a, size_t i) { return atomic_load(&a->jobs[i].state) == DONE; }

/* The caller's side: job i, run here when no worker has claimed it, else
 * waited for. */
static void finish(ahead *a, size_t i)
{
    job *j = &a->jobs[i];
    int queued = QUEUED;
    if (atomic_compare_exchange_strong(&j->state, &queued, RUNNING)) {
        if (a->scratch == NULL)
            a->scratch = md_scratch_new();
        run_job(j, a->rootfd, a->scratch);
        atomic_store(&j->state, DONE);
        return;
    }
    if (spin_until(a, is_done, i) && is_done(a, i))
        return;
    pthread_mutex_lock(&a->mu);
    atomic_store(&a->taking, 1);
    while (!is_done(a, i))
        pthread_cond_wait(&a->done, &a->mu);
    atomic_store(&a->taking, 0);
    pthread_mutex_unlock(&a->mu);
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
        atomic_store(&a->stop, 1);
        pthread_mutex_lock(&a->mu);
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
    md_scratch_free(a->scratch);
    a->scratch = NULL;
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
    size_t t = a->open ? atomic_load(&a->next_take) : a->n;
    job *j;
    if (t >= a->n || strcmp(a->jobs[t].path, path) != 0)
        return 0;
    j = &a->jobs[t];
    finish(a, t);
    if (j->counted)
        atomic_fetch_sub(&a->held, j->len);
    atomic_store(&a->next_take, t + 1);
    if (atomic_load(&a->idle) > 0) { /* wake sleepers once there is room for a batch */
        size_t last = atomic_load(&a->next_work);
        if (room_for(a, (last < a->n ? last : a->n) - 1, 1)) {
            pthread_mutex_lock(&a->mu);
            pthread_cond_broadcast(&a->wake);
            pthread_mutex_unlock(&a->mu);
        }
    }
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
