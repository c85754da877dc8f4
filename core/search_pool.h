/*
 * search_pool.h — read and search files on several threads, hand the
 * results back in the order the files were given.
 *
 * Calling sequence (one thread, the caller's, drives the pool):
 *
 *     search_pool *p = search_pool_new(&pat, &opts, threads, &err);
 *     while (more paths or search_pool_pending(p)) {
 *         while (search_pool_room(p) && a next path exists)
 *             search_pool_submit(p, path);        // copied; never blocks
 *         search_job *j = search_pool_next(p);    // the oldest, finished
 *         ... use j (j->err, j->count, j->hits, j->text, j->out) ...
 *         search_pool_done(p, j);                 // its slot is reused
 *     }
 *     search_pool_free(p);
 *
 * At most `window` files are in flight, and a slot keeps at most 64 KiB
 * of buffers for the next file (more is freed when it is done), so memory
 * stays flat whatever the corpus size. With threads <= 1 no thread is started:
 * search_pool_next does the work itself. With more, threads - 1 workers
 * run beside the caller, and the caller works too while it waits.
 * Results do not depend on the number of threads.
 *
 * The pattern and options must outlive the pool; they are only read.
 * Files are opened beneath the root (fs.h) that is set when the pool is
 * made, held open until it is freed: set no other root meanwhile.
 */
#ifndef SESSLUA_SEARCH_POOL_H
#define SESSLUA_SEARCH_POOL_H

#include <stddef.h>

#include "search.h"
#include "search_print.h"

/* What each file's job does. */
typedef struct search_job_opts {
    int stop_first;     /* stop at a file's first hit (files_only) */
    int keep_hits;      /* keep each hit (else only count) */
    size_t max_hits;    /* per file; 0: no limit */
    search_format_opts print; /* format != NONE: fill job->out */
} search_job_opts;

/* One file. Everything is owned by the pool and valid until
 * search_pool_done. */
typedef struct search_job {
    char *path;         /* NUL-terminated copy */
    size_t pathcap;     /* bytes allocated for it, kept for the next file */
    int err;            /* errno value when the file could not be read, else 0 */
    int binary;         /* skipped: looks binary */
    size_t count;       /* matching lines */
    char *text;         /* the file's bytes (len of them) */
    size_t len;
    search_hit *hits;   /* nhits of them, when keep_hits */
    size_t nhits;
    search_out out;     /* formatted output, when print.format is set */
    /* private */
    search_titles titles; /* plain titles seen by this slot's files */
    size_t cap, hcap;
    size_t opts_after;
    int state;
} search_job;

typedef struct search_pool search_pool;

/* A pool, or NULL when out of memory or a thread cannot start (*err set
 * to the errno value). window = 4 files per thread, at least 8. */
search_pool *search_pool_new(const search_pattern *pat, const search_job_opts *opts,
                             int threads, int *err);
/* Whether another file may be submitted now. */
int search_pool_room(const search_pool *p);
/* Files submitted and not yet returned by search_pool_next. */
size_t search_pool_pending(const search_pool *p);
/* Queue path (copied); 0, or -1 when out of memory (nothing queued). */
int search_pool_submit(search_pool *p, const char *path);
/* The oldest submitted file, searched; NULL when none is pending. */
search_job *search_pool_next(search_pool *p);
void search_pool_done(search_pool *p, search_job *job);
/* Stops the workers and frees everything; NULL is fine. */
void search_pool_free(search_pool *p);

/* The number of threads to use by default: $SESSLUA_THREADS when it is 1
 * to 64 (tests compare runs on 1 and 4), else the online CPUs, 1 to 8. */
int search_default_threads(void);

/* Search one file into job (what a worker runs); exposed for tests. */
void search_job_run(search_job *job, const search_pattern *pat, const search_job_opts *o);

#endif
