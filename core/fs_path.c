/*
 * fs_path.c — paths resolved beneath the root (fs.h,
 * fs_set_root).
 *
 * A tree arrives through git from many people, so any folder or file in it
 * may be a symlink to somewhere else (~/.ssh, /etc). Every path under the
 * root is therefore opened from a descriptor of the root with
 * openat2(RESOLVE_BENEATH) (Linux 5.6): the kernel refuses, with EXDEV, a
 * `..` or a link that would leave the root, at every component, with no
 * window between a check and the open. Where the kernel has no openat2
 * (ENOSYS), and for the one case it refuses that stays inside (an
 * absolute link naming a place inside the root), a walk does the same by
 * hand: one component at a time with O_NOFOLLOW from the root's
 * descriptor, reading each link and splicing its target in, `..` popping
 * a folder the walk holds open, never above the root.
 *
 * Built without _GNU_SOURCE (fs.c's rule), so openat2 goes through
 * syscall() and its struct is declared here.
 */
#include "fs.h"
#include "fs_internal.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RESOLVE_BENEATH
#define RESOLVE_BENEATH 0x08 /* linux/openat2.h; not pulled in on purpose */
#endif
/* linux/openat2.h's struct open_how */
struct fsp_how {
    uint64_t flags, mode, resolve;
};

/* How deep a walk may go, and how many links it follows (the kernel's
 * limit is 40 too). */
#define WALK_DEPTH 256
#define WALK_LINKS 40

static char *root;      /* the root as given, trailing slashes cut; owned */
static size_t root_len;
/* The kernel said ENOSYS once: walk from then on. Atomic because fs_open
 * may run on several threads (search reads files on every core); the root
 * is only read there, and changes only between such runs. */
static _Atomic int no_openat2;

char *fs_dir_of(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') /* "a/b/" names b */
        n--;
    while (n > 0 && path[n - 1] != '/')
        n--;
    if (n == 0)
        return strdup(".");
    while (n > 1 && path[n - 1] == '/') /* "a//b" -> "a" */
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

int fs_set_root(const char *dir)
{
    size_t n;
    if (!dir) {
        free(root);
        root = NULL;
        root_len = 0;
        return 0;
    }
    n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0)
        return fs_fail(EINVAL);
    if (root && root_len == n && memcmp(root, dir, n) == 0)
        return 0;
    char *copy = malloc(n + 1);
    if (!copy)
        return fs_fail(ENOMEM);
    memcpy(copy, dir, n);
    copy[n] = '\0';
    free(root);
    root = copy;
    root_len = n;
    return 0;
}

const char *fs_get_root(void)
{
    return root;
}

void fs_use_openat2(int on)
{
    no_openat2 = !on;
}

/* The part of path below the root as spelt ("" for the root itself), or
 * NULL when path is not under it (a user's config, the trust list). */
static const char *below_root(const char *path)
{
    if (!root)
        return NULL;
    if (root_len == 1 && root[0] == '/')
        return path[0] == '/' ? path + 1 : NULL;
    if (strncmp(path, root, root_len) != 0)
        return NULL;
    if (path[root_len] == '\0')
        return path + root_len;
    return path[root_len] == '/' ? path + root_len + 1 : NULL;
}

static int open_root(void)
{
    int fd;
    do {
        fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
}

/* ---- the walk by hand --------------------------------------------------- */

typedef struct walk {
    int fds[WALK_DEPTH + 1];     /* fds[0] the root's (not owned) */
    size_t ends[WALK_DEPTH + 1]; /* where each depth's name ends in at */
    int depth;
    char at[PATH_MAX];           /* the folder reached, below the root */
    char *rest;                  /* what is left to walk; owned */
    int links;
    fs_escape *esc;
} walk;

static void walk_pop(walk *w)
{
    close(w->fds[w->depth--]);
}

/* Note in w->esc which link (at/name, below the root) leads where. */
static void walk_note(walk *w, const char *name, const char *target)
{
    if (!w->esc)
        return;
    /* For a message only: a path too long for the buffer is cut. */
    int n = snprintf(w->esc->link, sizeof w->esc->link, "%s/%s%s%s", root,
                     w->at, w->at[0] ? "/" : "", name);
    if (n < 0)
        w->esc->link[0] = '\0';
    size_t t = strlen(target);
    if (t >= sizeof w->esc->target)
        t = sizeof w->esc->target - 1;
    memcpy(w->esc->target, target, t);
    w->esc->target[t] = '\0';
}

/* Splice the link `name` (in the folder reached) into what is left:
 * 0, or -EXDEV (an absolute target outside the root), -ELOOP, -errno. */
static int walk_link(walk *w, const char *name, const char *more)
{
    char target[PATH_MAX];
    ssize_t n = readlinkat(w->fds[w->depth], name, target, sizeof target - 1);
    if (n < 0)
        return -errno;
    target[n] = '\0';
    if (++w->links > WALK_LINKS)
        return fs_fail(ELOOP);
    walk_note(w, name, target);
    const char *tail = target;
    if (target[0] == '/') {
        /* Absolute: fine only when it names a place under the root's real
         * path; the walk then goes on from the root's descriptor. */
        char real[PATH_MAX];
        size_t rl;
        if (!realpath(root, real))
            return -errno;
        rl = strlen(real);
        if (rl == 1)
            rl = 0; /* the root is / */
        if (strncmp(target, real, rl) != 0 || (target[rl] != '/' && target[rl] != '\0'))
            return fs_fail(EXDEV);
        tail = target + rl;
        while (w->depth > 0)
            walk_pop(w);
        w->at[0] = '\0';
    }
    size_t a = strlen(tail), b = strlen(more);
    char *next = malloc(a + b + 2);
    if (!next)
        return fs_fail(ENOMEM);
    memcpy(next, tail, a);
    next[a] = '/';
    memcpy(next + a + 1, more, b + 1);
    free(w->rest);
    w->rest = next;
    return 0;
}

/* Enter the folder `name`: 0 entered, 1 it was a link (spliced in), or
 * -errno. */
static int walk_enter(walk *w, const char *name, const char *more)
{
    int fd;
    if (w->depth == WALK_DEPTH)
        return fs_fail(ENAMETOOLONG);
    do {
        fd = openat(w->fds[w->depth], name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno, rc;
        if (e != ELOOP && e != ENOTDIR)
            return -e;
        rc = walk_link(w, name, more);
        return rc == -EINVAL ? fs_fail(e) : rc < 0 ? rc : 1; /* EINVAL: no link */
    }
    size_t len = strlen(w->at), nl = strlen(name);
    if (len + nl + 2 > sizeof w->at) {
        close(fd);
        return fs_fail(ENAMETOOLONG);
    }
    if (len)
        w->at[len++] = '/';
    memcpy(w->at + len, name, nl + 1);
    w->fds[++w->depth] = fd;
    w->ends[w->depth] = len + nl;
    return 0;
}

/* Open the last component `name`: the descriptor, 1 it was a link that
 * may be followed (spliced in), or -errno. */
static int walk_last(walk *w, const char *name, int flags, mode_t mode)
{
    int fd;
    do {
        fd = openat(w->fds[w->depth], name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    if (fd >= 0 && (flags & O_PATH) && !(flags & O_NOFOLLOW)) {
        struct stat st; /* O_PATH | O_NOFOLLOW opens a link itself */
        if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
            close(fd);
            fd = -1;
            errno = ELOOP;
        }
    }
    if (fd >= 0)
        return fd + 2; /* never 1: see the caller */
    int e = errno, rc;
    if ((e != ELOOP && e != ENOTDIR) || (flags & O_NOFOLLOW))
        return -e;
    rc = walk_link(w, name, "");
    return rc == -EINVAL ? fs_fail(e) : rc < 0 ? rc : 1;
}

/* One step of the walk over w->rest: 0 go on, fd + 2 done, or -errno. */
static int walk_step(walk *w, int flags, mode_t mode)
{
    char *s = w->rest, *name, *more;
    while (*s == '/')
        s++;
    if (*s == '\0') { /* the folder reached is what was asked for */
        int fd = openat(w->fds[w->depth], ".", flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW), mode);
        return fd < 0 ? -errno : fd + 2;
    }
    name = s;
    while (*s && *s != '/')
        s++;
    more = s;
    if (*s)
        *s++ = '\0', more = s;
    while (*more == '/')
        more++;
    if (strcmp(name, ".") == 0) {
        memmove(w->rest, more, strlen(more) + 1);
        return 0;
    }
    if (strcmp(name, "..") == 0) {
        if (w->depth == 0)
            return fs_fail(EXDEV);
        walk_pop(w);
        w->at[w->depth ? w->ends[w->depth] : 0] = '\0';
        memmove(w->rest, more, strlen(more) + 1);
        return 0;
    }
    /* name and more point into w->rest, which a link replaces: copy */
    char *nm = strdup(name), *mr = strdup(more);
    int rc;
    if (!nm || !mr)
        rc = fs_fail(ENOMEM);
    else if (*mr == '\0')
        rc = walk_last(w, nm, flags, mode);
    else
        rc = walk_enter(w, nm, mr);
    if (rc == 0) {
        memmove(w->rest, w->rest + (more - w->rest), strlen(more) + 1);
    } else if (rc == 1) {
        rc = 0; /* spliced: w->rest is new */
    }
    free(nm);
    free(mr);
    return rc;
}

static int walk_open(int rootfd, const char *rel, int flags, mode_t mode, fs_escape *esc)
{
    walk w;
    int rc = 0;
    w.fds[0] = rootfd;
    w.depth = 0;
    w.at[0] = '\0';
    w.links = 0;
    w.esc = esc;
    if (!(w.rest = strdup(rel)))
        return fs_fail(ENOMEM);
    while ((rc = walk_step(&w, flags, mode)) == 0)
        ;
    while (w.depth > 0)
        walk_pop(&w);
    free(w.rest);
    return rc < 0 ? fs_fail(-rc) : rc - 2;
}

/* ---- opening ------------------------------------------------------------ */

static int open_beneath(int rootfd, const char *rel, int flags, mode_t mode, fs_escape *esc)
{
    if (*rel == '\0')
        rel = ".";
#ifdef SYS_openat2
    if (!no_openat2 && !esc) {
        struct fsp_how how = { (uint64_t)(flags | O_CLOEXEC),
                               (flags & O_CREAT) ? (uint64_t)mode : 0, RESOLVE_BENEATH };
        for (int i = 0; i < 8; i++) {
            long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
            if (fd >= 0)
                return (int)fd;
            if (errno != EINTR && errno != EAGAIN) /* EAGAIN: a rename raced */
                break;
        }
        if (errno == ENOSYS)
            no_openat2 = 1;
        else if (errno != EXDEV && errno != EAGAIN)
            return -errno;
        /* EXDEV: out of the root, or an absolute link that may stay in */
    }
#endif
    return walk_open(rootfd, rel, flags, mode, esc);
}

int fsp_open(const char *path, int flags, mode_t mode)
{
    const char *rel = below_root(path);
    int fd, rootfd;
    if (!rel) {
        do {
            fd = open(path, flags | O_CLOEXEC, mode);
        } while (fd < 0 && errno == EINTR);
        return fd < 0 ? -errno : fd;
    }
    if ((rootfd = open_root()) < 0)
        return fs_fail(-rootfd);
    fd = open_beneath(rootfd, rel, flags, mode, NULL);
    close(rootfd);
    return fd < 0 ? fs_fail(-fd) : fd;
}

int fs_open(const char *path, int flags)
{
    return fsp_open(path, flags & ~O_CREAT, 0);
}

int fs_root_fd(void)
{
    return root ? open_root() : -ENOENT;
}

int fs_open_in(int rootfd, const char *path, int flags)
{
    const char *rel = rootfd >= 0 ? below_root(path) : NULL;
    if (!rel)
        return fs_open(path, flags);
    int fd = open_beneath(rootfd, rel, flags & ~O_CREAT, 0, NULL);
    return fd < 0 ? fs_fail(-fd) : fd;
}

int fsp_dir(const char *path, const char **base)
{
    const char *b = fs_base_of(path);
    if (*b == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
        return fs_fail(EINVAL);
    char *dir = fs_dir_of(path);
    if (!dir)
        return fs_fail(ENOMEM);
    int fd = fsp_open(dir, O_PATH | O_DIRECTORY, 0);
    free(dir);
    *base = b;
    return fd;
}

int fs_explain_escape(const char *path, fs_escape *esc)
{
    const char *rel = below_root(path);
    int rootfd, fd;
    esc->link[0] = esc->target[0] = '\0';
    if (!rel)
        return 0;
    if ((rootfd = open_root()) < 0)
        return fs_fail(-rootfd);
    fd = open_beneath(rootfd, rel, O_PATH, 0, esc);
    close(rootfd);
    if (fd >= 0) {
        close(fd);
        esc->link[0] = esc->target[0] = '\0';
        return 0;
    }
    if (fd != -EXDEV) {
        esc->link[0] = esc->target[0] = '\0';
        return 0;
    }
    return 1;
}
