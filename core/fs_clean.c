/*
 * fs_clean.c — what killed writers leave behind, swept by the next writer
 * in the same folder (fs.h, fs_sweep). Folders and files are reached
 * beneath the root like every other path (fs_path.c), and every removal
 * is by name in a folder held open, so a link never leads a sweep out.
 */
#include "fs.h"
#include "fs_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A leftover of a live process is removed once it is this old (seconds):
 * pids are reused, and a writer never takes this long. */
#define LEFTOVER_MAX_AGE 3600

enum { LEFT_NONE, LEFT_TEMP, LEFT_PROBE, LEFT_LOCK };

/* What a name in a folder is: a temp file `.<name>.tmp-<pid>-<hex>`, a
 * probe lock `.sesslua-probe-<pid>-...lock`, another `*.lock`, or none;
 * *pid is set for the first two. */
static int leftover_kind(const char *name, long *pid)
{
    static const char probe[] = ".sesslua-probe-";
    size_t len = strlen(name), i = len;
    char *end;
    if (strncmp(name, probe, sizeof probe - 1) == 0 && len > 5
        && strcmp(name + len - 5, ".lock") == 0) {
        *pid = strtol(name + sizeof probe - 1, &end, 10);
        return *end == '-' && *pid > 0 ? LEFT_PROBE : LEFT_LOCK;
    }
    if (len > 5 && strcmp(name + len - 5, ".lock") == 0)
        return LEFT_LOCK;
    if (name[0] != '.')
        return LEFT_NONE;
    while (i > 0 && len - i < 16 && isxdigit((unsigned char)name[i - 1]))
        i--;
    if (i == len || i == 0 || name[--i] != '-')
        return LEFT_NONE;
    size_t digits_end = i;
    while (i > 0 && isdigit((unsigned char)name[i - 1]))
        i--;
    if (i == digits_end || digits_end - i > 10 || i < 7 || memcmp(name + i - 5, ".tmp-", 5) != 0)
        return LEFT_NONE;
    *pid = strtol(name + i, NULL, 10);
    return *pid > 0 ? LEFT_TEMP : LEFT_NONE;
}

/* Remove name in folder dfd if no process holds its flock: take the lock
 * without waiting, check the name still leads to the file locked (a
 * holder unlinks before it lets go, and a new file may stand there),
 * unlink while holding it. Regular files only, never through a symlink;
 * with need_empty, only an empty file. 1 removed, 0 not. */
int fsc_remove_unheld_at(int dfd, const char *name, int need_empty)
{
    struct stat held, now;
    int removed = 0;
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    if (fstat(fd, &held) == 0 && S_ISREG(held.st_mode) && !(need_empty && held.st_size != 0)
        && flock(fd, LOCK_EX | LOCK_NB) == 0
        && fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0
        && now.st_ino == held.st_ino && now.st_dev == held.st_dev)
        removed = unlinkat(dfd, name, 0) == 0;
    close(fd);
    return removed;
}

/* Whether the process that left a temp or probe file is gone: not alive
 * on this host, or the file is older than any writer runs (pid reuse). */
static int leftover_is_stale(int dfd, const char *name, long pid, time_t now)
{
    struct stat st;
    if (pid == (long)getpid())
        return 0; /* ours: removed at exit */
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return 1;
    return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && now - st.st_mtime > LEFTOVER_MAX_AGE;
}

int fs_sweep(const char *dir)
{
    int saved = errno, removed = 0;
    time_t now = time(NULL);
    int dfd = fsp_open(dir, O_RDONLY | O_DIRECTORY, 0), lfd;
    DIR *d;
    struct dirent *e;
    if (dfd < 0)
        return dfd;
    /* readdir gets its own descriptor: closedir closes it, dfd stays */
    if ((lfd = dup(dfd)) < 0 || !(d = fdopendir(lfd))) {
        int err = errno;
        if (lfd >= 0)
            close(lfd);
        close(dfd);
        return fs_fail(err);
    }
    while ((e = readdir(d)) != NULL) {
        long pid = 0;
        int kind = leftover_kind(e->d_name, &pid);
        if (kind == LEFT_NONE || (e->d_type != DT_REG && e->d_type != DT_UNKNOWN))
            continue;
        if (kind == LEFT_LOCK || leftover_is_stale(dfd, e->d_name, pid, now))
            removed += fsc_remove_unheld_at(dfd, e->d_name, kind == LEFT_LOCK);
    }
    closedir(d);
    close(dfd);
    errno = saved;
    return removed;
}

void fsc_sweep_once(const char *dir)
{
    static char **seen;
    static size_t n, cap;
    static pid_t owner;
    if (owner != getpid()) { /* a forked child sweeps for itself */
        while (n > 0)
            free(seen[--n]);
        owner = getpid();
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(seen[i], dir) == 0)
            return;
    if (n == cap) {
        size_t ncap = cap ? cap * 2 : 8;
        char **grown = realloc(seen, ncap * sizeof *grown);
        if (!grown)
            return;
        seen = grown;
        cap = ncap;
    }
    if (!(seen[n] = strdup(dir)))
        return;
    n++;
    fs_sweep(dir);
}
