/*
 * search_pool.c — files read and searched on several threads, see
 * search_pool.h.
 *
 * The jobs form a ring of `window` slots: the caller fills the tail, any
 * thread takes the oldest queued slot, the caller empties the head in
 * order. One mutex guards the slot states and two condition variables say
 * "a slot was queued" (to the workers) and "a slot is done" (to the
 * caller). The work itself (open, read, scan, format) runs unlocked, each
 * job on its own buffers.
 */
#include "search_pool.h"

#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { JOB_FREE, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct search_pool {
    const search_pattern *pat;
    const search_job_opts *opts;
    search_job *jobs;
    size_t window;
    size_t head, tail, count; /* ring: [head, head + count) in use */
    size_t next_run;          /* the oldest queued slot is at or after it */
    pthread_mutex_t mu;
    pthread_cond_t queued, done;
    pthread_t *threads;
    int rootfd;               /* the root, held for every file; -1: none */
    int nthreads;             /* workers started */
    int idle;                 /* workers waiting for a queued slot */
    int waiting;              /* the caller waits for the head slot */
    int stop;
    md_scratch *scratch;      /* the caller's, for the files it searches itself */
};

/* ---- one file ----------------------------------------------------------- */

/* Bytes kept zeroed after a file's text: PCRE2's JIT reads a subject 16
 * bytes at a time and may load past its end (harmless in a page, but out
 * of the allocation without this slack). */
#define SLACK 64

static int grow(search_job *j, size_t need)
{
    if (need <= j->cap)
        return 0;
    if (j->len == 0) { /* the last file's bytes need no copy */
        free(j->text);
        j->text = NULL;
        j->cap = 0;
    }
    char *p = realloc(j->text, need + SLACK);
    if (!p)
        return ENOMEM;
    j->text = p;
    j->cap = need;
    return 0;
}

/* A slot's buffer holds at least this much (and keeps it: KEEP_BYTES), so
 * most logs take one read. */
#define FIRST_READ (64 * 1024)

static int read_fd(search_job *j, int fd)
{
    /* One read into the slot's buffer first. A read of a regular file
     * stops short of what it was asked for only at the file's end, so a
     * short read is the whole file: no fstat and no read to see EOF. A
     * full buffer is a bigger file, or no regular file at all (a device
     * that never ends), and nothing read may be an empty file or a FIFO
     * without a writer: fstat says which, and how big. A FIFO opened
     * O_NONBLOCK is never waited on: EAGAIN when empty (refused as the
     * others are); only one a writer is filling right then is read. */
    int rc = grow(j, FIRST_READ);
    if (rc != 0)
        return rc;
    ssize_t n;
    do {
        n = read(fd, j->text, j->cap);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EAGAIN ? EINVAL : errno; /* a folder: EISDIR */
    j->len = (size_t)n;
    if (n > 0 && j->len < j->cap)
        return 0;
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return errno;
    if (S_ISDIR(sb.st_mode))
        return EISDIR;
    if (!S_ISREG(sb.st_mode))
        return EINVAL;
    /* +1 so a file that grew is seen to have grown without a regrow. */
    size_t size = (size_t)sb.st_size;
    if ((rc = grow(j, size + 1)) != 0)
        return rc;
    while (rc == 0) {
        /* All fstat said, and not a byte more in the same read: the file
         * as it was then, without a read to see EOF (a file that grew is
         * read to its end; a size of 0 may be a file system that does not
         * know it). */
        if (j->len == size && size > 0)
            break;
        if (j->len == j->cap && (rc = grow(j, j->cap * 2)) != 0)
            break;
        n = read(fd, j->text + j->len, j->cap - j->len);
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR)
            rc = errno;
        else if (n > 0)
            j->len += (size_t)n;
    }
    return rc;
}

static int read_path(search_job *j, int rootfd)
{
    /* Beneath the root as the rest of the host opens (fs.h): a file that
     * is a link out of the tree is never read, even one swapped in after
     * its folder was listed. The pool holds the root open (rootfd) rather
     * than opening it again for each file. O_NONBLOCK: opening a FIFO
     * must not hang a search. */
    int fd = fs_open_in(rootfd, j->path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return -fd;
    int rc = read_fd(j, fd);
    close(fd);
    if (j->text)
        memset(j->text + j->len, 0, SLACK);
    return rc;
}

typedef struct scan {
    search_job *job;
    const search_job_opts *o;
    int oom;
} scan;

static int on_hit(void *ud, const char *text, const search_hit *hit)
{
    scan *sc = ud;
    search_job *j = sc->job;
    (void)text;
    /* Only a file with a hit needs telling binary or not (its first 8 KiB
     * looked at for a NUL): most files of a search have none */
    if (j->count == 0 && search_is_binary(j->text, j->len)) {
        j->binary = 1;
        return 1;
    }
    if (sc->o->keep_hits) {
        if (j->nhits == j->hcap) {
            size_t cap = j->hcap ? j->hcap * 2 : 64;
            search_hit *h = realloc(j->hits, cap * sizeof *h);
            if (!h)
                return sc->oom = 1;
            j->hits = h;
            j->hcap = cap;
        }
        j->hits[j->nhits++] = *hit;
    }
    j->count++;
    if (sc->o->max_hits && j->count >= sc->o->max_hits)
        return 1;
    return sc->o->stop_first;
}

/* How much of the file the section index needs: up to the first blank
 * line after the last hit and its context (nothing after a blank line can
 * change what the blocks before it are: a setext underline follows its
 * paragraph at once, and an unclosed fence or HTML block still holds the
 * lines it held), or all of it. */
static size_t index_end(const search_job *j)
{
    const search_hit *h = &j->hits[j->nhits - 1];
    size_t at = h->line_end, skip = j->opts_after;
    while (at < j->len) {
        const char *nl = memchr(j->text + at, '\n', j->len - at);
        if (!nl)
            return j->len;
        size_t s = (size_t)(nl - j->text) + 1, e = s;
        while (e < j->len && (j->text[e] == ' ' || j->text[e] == '\t' || j->text[e] == '\r'))
            e++;
        if (skip == 0 && (e == j->len || j->text[e] == '\n'))
            return e == j->len ? j->len : e + 1;
        if (skip)
            skip--;
        at = s;
    }
    return j->len;
}

static void job_run(search_job *j, const search_pattern *pat, const search_job_opts *o,
                    int rootfd, md_scratch *scratch)
{
    j->err = 0;
    j->binary = 0;
    j->count = 0;
    j->nhits = 0;
    j->len = 0;
    search_out_reset(&j->out);
    if ((j->err = read_path(j, rootfd)) != 0)
        return;
    j->opts_after = o->print.after;
    scan sc = {j, o, 0};
    search_buffer(pat, j->text, j->len, on_hit, &sc);
    if (sc.oom) {
        j->err = ENOMEM;
        return;
    }
    if (j->binary)
        return;
    if (j->count == 0 || o->print.format == SEARCH_PRINT_NONE)
        return;
    md_index idx = {0};
    int fmt = o->print.format;
    if ((fmt == SEARCH_PRINT_TEXT || fmt == SEARCH_PRINT_JSON) &&
        md_index_build_in(scratch, j->text, index_end(j), MD_INDEX_STRONG, &idx) != 0) {
        j->err = ENOMEM;
        return;
    }
    if (search_format(&j->out, &o->print, j->path, j->text, j->len, &idx, j->hits, j->nhits,
                      j->count, &j->titles) != 0)
        j->err = ENOMEM;
    md_index_free(&idx);
}

void search_job_run(search_job *j, const search_pattern *pat, const search_job_opts *o)
{
    job_run(j, pat, o, -1, NULL);
}

static void job_free(search_job *j)
{
    free(j->path);
    free(j->text);
    free(j->hits);
    search_out_free(&j->out);
    search_titles_free(&j->titles);
    memset(j, 0, sizeof *j);
}

/* ---- the ring ----------------------------------------------------------- */

/* The oldest queued slot, marked running; NULL when none. Locked. */
static search_job *claim(search_pool *p)
{
    for (size_t k = p->next_run; k < p->count; k++) {
        search_job *j = &p->jobs[(p->head + k) % p->window];
        if (j->state == JOB_QUEUED) {
            j->state = JOB_RUNNING;
            p->next_run = k + 1;
            return j;
        }
    }
    p->next_run = p->count;
    return NULL;
}

static void *worker(void *arg)
{
    search_pool *p = arg;
    md_scratch *scratch = md_scratch_new(); /* NULL: each index allocates its own */
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        search_job *j = claim(p);
        if (!j) {
            p->idle++;
            pthread_cond_wait(&p->queued, &p->mu);
            p->idle--;
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        job_run(j, p->pat, p->opts, p->rootfd, scratch);
        pthread_mutex_lock(&p->mu);
        j->state = JOB_DONE;
        if (p->waiting) /* a wake-up costs a system call: only when needed */
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    md_scratch_free(scratch);
    return NULL;
}

int search_default_threads(void)
{
    const char *env = getenv("SESSLUA_THREADS");
    char *end = NULL;
    long n = env ? strtol(env, &end, 10) : 0;
    if (env && end != env && *end == '\0' && n >= 1 && n <= 64)
        return (int)n;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

search_pool *search_pool_new(const search_pattern *pat, const search_job_opts *opts,
                             int threads, int *err)
{
    search_pool *p = calloc(1, sizeof *p);
    if (threads < 1)
        threads = 1;
    *err = ENOMEM;
    if (!p)
        return NULL;
    p->pat = pat;
    p->opts = opts;
    /* Once for the whole search (two system calls a file fewer); when it
     * cannot be opened, each file's open says why, as before. */
    int rootfd = fs_root_fd();
    p->rootfd = rootfd < 0 ? -1 : rootfd;
    p->window = (size_t)threads * 4 < 8 ? 8 : (size_t)threads * 4;
    p->jobs = calloc(p->window, sizeof *p->jobs);
    p->threads = calloc((size_t)threads, sizeof *p->threads);
    if (!p->jobs || !p->threads) {
        if (p->rootfd >= 0)
            close(p->rootfd);
        free(p->jobs);
        free(p->threads);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->queued, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 0; i < threads - 1; i++) {
        int rc = pthread_create(&p->threads[i], NULL, worker, p);
        if (rc != 0) {
            *err = rc;
            search_pool_free(p);
            return NULL;
        }
        p->nthreads++;
    }
    *err = 0;
    return p;
}

int search_pool_room(const search_pool *p)
{
    return p->count < p->window;
}

size_t search_pool_pending(const search_pool *p)
{
    return p->count;
}

int search_pool_submit(search_pool *p, const char *path)
{
    /* The tail slot is free: only the caller touches it until it is
     * queued, so its path buffer is filled before the lock. */
    search_job *j = &p->jobs[p->tail];
    size_t n = strlen(path) + 1;
    if (n > j->pathcap) {
        char *grown = realloc(j->path, n);
        if (!grown)
            return -1;
        j->path = grown;
        j->pathcap = n;
    }
    memcpy(j->path, path, n);
    pthread_mutex_lock(&p->mu);
    j->state = JOB_QUEUED;
    p->tail = (p->tail + 1) % p->window;
    p->count++;
    if (p->idle)
        pthread_cond_signal(&p->queued);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

search_job *search_pool_next(search_pool *p)
{
    if (p->count == 0)
        return NULL;
    search_job *head = &p->jobs[p->head];
    pthread_mutex_lock(&p->mu);
    while (head->state != JOB_DONE) {
        /* Work while waiting: the head first, then any queued file. */
        search_job *j = head->state == JOB_QUEUED ? head : claim(p);
        if (j == head)
            j->state = JOB_RUNNING;
        if (!j) {
            p->waiting = 1;
            pthread_cond_wait(&p->done, &p->mu);
            p->waiting = 0;
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        if (p->scratch == NULL)
            p->scratch = md_scratch_new();
        job_run(j, p->pat, p->opts, p->rootfd, p->scratch);
        pthread_mutex_lock(&p->mu);
        j->state = JOB_DONE;
    }
    pthread_mutex_unlock(&p->mu);
    return head;
}

/* A slot keeps its buffers for the next file, up to this size: more is
 * given back, so that memory follows the window, not the largest files. */
#define KEEP_BYTES (64 * 1024)

void search_pool_done(search_pool *p, search_job *job)
{
    if (job->cap > KEEP_BYTES) {
        free(job->text);
        job->text = NULL, job->cap = 0, job->len = 0;
    }
    if (job->hcap * sizeof *job->hits > KEEP_BYTES) {
        free(job->hits);
        job->hits = NULL, job->hcap = 0, job->nhits = 0;
    }
    if (job->out.cap > KEEP_BYTES)
        search_out_free(&job->out);
    pthread_mutex_lock(&p->mu);
    job->state = JOB_FREE;
    p->head = (p->head + 1) % p->window;
    p->count--;
    p->next_run = p->next_run ? p->next_run - 1 : 0;
    pthread_mutex_unlock(&p->mu);
}

void search_pool_free(search_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->queued);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    for (size_t i = 0; i < p->window; i++)
        job_free(&p->jobs[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->queued);
    pthread_cond_destroy(&p->done);
    if (p->rootfd >= 0)
        close(p->rootfd);
    md_scratch_free(p->scratch);
    free(p->jobs);
    free(p->threads);
    free(p);
}
