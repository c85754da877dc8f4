/*
 * test_fs.c — cmocka tests for core/fs.c.
 *
 * Failure paths are forced with the linker's --wrap: link with
 *   -Wl,--wrap=fsync,--wrap=renameat,--wrap=write,--wrap=syscall,--wrap=unlinkat
 * and the __wrap_* functions below stand in for libc inside fs.c. The
 * __real_* symbols are declared weak, so without those flags the file still
 * links and the wrap-dependent tests skip themselves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"

/* ---- libc stand-ins (active only when linked with --wrap) ------------ */

int __wrap_fsync(int fd);
int __wrap_renameat(int ffd, const char *from, int tfd, const char *to);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
long __wrap_syscall(long nr, ...);
int __wrap_unlinkat(int dfd, const char *path, int flags);
extern int __real_unlinkat(int dfd, const char *path, int flags) __attribute__((weak));
extern int __real_fsync(int fd) __attribute__((weak));
extern int __real_renameat(int ffd, const char *from, int tfd, const char *to)
    __attribute__((weak));
extern ssize_t __real_write(int fd, const void *buf, size_t n) __attribute__((weak));
extern long __real_syscall(long nr, ...) __attribute__((weak));

static int fail_fsync;       /* fsync fails with EIO */
static int rename_exdev;     /* renames of non-temp files say EXDEV */
static int rename_eio;       /* every rename fails with EIO */
static int choppy_write;     /* write is short and sometimes interrupted */
static int no_renameat2;     /* renameat2 is unsupported (ENOSYS) */
static int fail_dir_fsync;   /* fsync of a folder fails with EIO */
static int fail_unlink;      /* the next N unlinks fail with EIO */
static int signal_on_write;  /* write raises this signal first */
static void (*before_write)(void); /* write calls this first (once) */
static int write_calls;

int __wrap_fsync(int fd)
{
    struct stat st;
    if (fail_fsync || (fail_dir_fsync && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))) {
        errno = EIO;
        return -1;
    }
    return __real_fsync(fd);
}

int __wrap_unlinkat(int dfd, const char *path, int flags)
{
    if (fail_unlink > 0) {
        fail_unlink--;
        errno = EIO;
        return -1;
    }
    return __real_unlinkat(dfd, path, flags);
}

/* fs.c's own temp files are `.<name>.tmp-...`: moving one of those into
 * place is the second half of a cross-filesystem move, which must work. */
static int is_temp(const char *path)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    return base[0] == '.' && strstr(base, ".tmp-") != NULL;
}

static int fake_rename_error(const char *from)
{
    if (rename_eio) {
        errno = EIO;
        return -1;
    }
    if (rename_exdev && !is_temp(from)) {
        errno = EXDEV;
        return -1;
    }
    return 0;
}

int __wrap_renameat(int ffd, const char *from, int tfd, const char *to)
{
    if (fake_rename_error(from) != 0)
        return -1;
    return __real_renameat(ffd, from, tfd, to);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    if (before_write) {
        void (*f)(void) = before_write;
        before_write = NULL;
        f();
    }
    if (signal_on_write)
        raise(signal_on_write);
    if (choppy_write) {
        if (write_calls++ % 3 == 0) {
            errno = EINTR;
            return -1;
        }
        if (n > 7)
            n = 7;
    }
    return __real_write(fd, buf, n);
}

/* fs.c calls syscall() for renameat2 (5 arguments) and openat2 (4). */
long __wrap_syscall(long nr, ...)
{
    va_list ap;
    long a[5];
    va_start(ap, nr);
    for (int i = 0; i < 5; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
#ifdef SYS_renameat2
    if (no_renameat2 && nr == SYS_renameat2) {
        errno = ENOSYS;
        return -1;
    }
#endif
#ifdef SYS_renameat2
    if (nr == SYS_renameat2 && fake_rename_error((const char *)a[1]) != 0)
        return -1;
#endif
    return __real_syscall(nr, a[0], a[1], a[2], a[3], a[4]);
}

static int wraps_linked(void)
{
    return __real_fsync && __real_renameat && __real_write && __real_syscall && __real_unlinkat;
}

#define NEED_WRAPS()                                                         \
    do {                                                                     \
        if (!wraps_linked())                                                 \
            skip();                                                          \
    } while (0)

/* ---- fixture: a fresh temp folder per test --------------------------- */

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *child = join(path, e->d_name);
            remove_tree(child);
            free(child);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = join(tmp && *tmp ? tmp : "/tmp", "test_fs.XXXXXX");
    if (!mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    fail_fsync = rename_exdev = rename_eio = choppy_write = no_renameat2 = 0;
    fail_dir_fsync = fail_unlink = signal_on_write = 0;
    before_write = NULL;
    write_calls = 0;
    return 0;
}

static int teardown(void **state)
{
    fail_fsync = rename_exdev = rename_eio = choppy_write = no_renameat2 = 0;
    fail_dir_fsync = fail_unlink = signal_on_write = 0;
    remove_tree(*state);
    free(*state);
    return 0;
}

static void put(const char *path, const char *text)
{
    assert_int_equal(fs_write_atomic(path, text, strlen(text), 0644, 0), 0);
}

static void assert_content(const char *path, const char *want)
{
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(fs_read(path, &data, &len), 0);
    assert_int_equal(len, strlen(want));
    assert_string_equal(data, want);
    free(data);
}

/* Number of entries in dir other than "." and "..". */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* ---- tests ------------------------------------------------------------ */

static void atomic_write_leaves_no_temp_file(void **state)
{
    char *path = join(*state, "log.md");
    put(path, "first\n");
    put(path, "second\n");
    assert_content(path, "second\n");
    assert_int_equal(count_entries(*state), 1);
    free(path);
}

static void atomic_write_keeps_existing_mode(void **state)
{
    char *path = join(*state, "log.md");
    struct stat st;
    put(path, "x");
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(fs_write_atomic(path, "y", 1, 0600, 0), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_content(path, "y");
    free(path);
}

static void atomic_write_new_file_uses_given_mode(void **state)
{
    char *path = join(*state, "new.md");
    struct stat st;
    mode_t old = umask(022);
    assert_int_equal(fs_write_atomic(path, "", 0, 0600, 0), 0);
    umask(old);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, 0);
    free(path);
}

static void exclusive_write_refuses_existing(void **state)
{
    char *path = join(*state, "log.md");
    assert_int_equal(fs_write_atomic(path, "one", 3, 0644, 1), 0);
    assert_int_equal(fs_write_atomic(path, "two", 3, 0644, 1), -EEXIST);
    assert_int_equal(errno, EEXIST);
    assert_content(path, "one");
    assert_int_equal(count_entries(*state), 1);
    free(path);
}

static void write_over_folder_is_eisdir(void **state)
{
    assert_int_equal(fs_write_atomic(*state, "x", 1, 0644, 0), -EISDIR);
}

static void read_missing_is_enoent(void **state)
{
    char *path = join(*state, "nope.md");
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(fs_read(path, &data, &len), -ENOENT);
    assert_int_equal(errno, ENOENT);
    assert_null(data);
    assert_int_equal(fs_read(*state, &data, &len), -EISDIR);
    assert_null(data);
    free(path);
}

static void read_returns_whole_file_with_nul(void **state)
{
    char *path = join(*state, "big.bin");
    size_t n = 300000;
    char *big = malloc(n), *data = NULL;
    size_t len = 0;
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)(i * 7); /* includes NUL bytes */
    assert_int_equal(fs_write_atomic(path, big, n, 0644, 0), 0);
    assert_int_equal(fs_read(path, &data, &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(data, big, n);
    assert_int_equal(data[n], '\0');
    free(data);
    free(big);
    free(path);
}

static void write_into_missing_folder_fails_cleanly(void **state)
{
    char *path = join(*state, "no/such/dir/log.md");
    assert_int_equal(fs_write_atomic(path, "x", 1, 0644, 0), -ENOENT);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(count_entries(*state), 0);
    free(path);
}

/* Child: take the lock, report, wait for the go-ahead, release (or not). */
static pid_t spawn_holder(const char *path, int release, int *to_child, int *from_child)
{
    int up[2], down[2];
    assert_int_equal(pipe(up), 0);
    assert_int_equal(pipe(down), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fs_lock lock = { -1, NULL };
        char c = 'x';
        close(up[0]);
        close(down[1]);
        if (fs_lock_acquire(&lock, path, 5000) != 0)
            _exit(1);
        if (write(up[1], &c, 1) != 1)
            _exit(2);
        if (release) {
            if (read(down[0], &c, 1) != 1)
                _exit(3);
            fs_lock_release(&lock);
        }
        _exit(0); /* without release: the kernel drops the flock */
    }
    close(up[1]);
    close(down[0]);
    char c;
    assert_int_equal(read(up[0], &c, 1), 1); /* child holds the lock now */
    *to_child = down[1];
    *from_child = up[0];
    return pid;
}

static void wait_ok(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void lock_contention_between_two_processes(void **state)
{
    char *path = join(*state, "log.md");
    char *lock_path = join(*state, "log.md.lock");
    fs_lock lock = { -1, NULL };
    int to_child, from_child;
    pid_t pid = spawn_holder(path, 1, &to_child, &from_child);

    assert_int_equal(fs_lock_acquire(&lock, path, 0), -ETIMEDOUT);
    assert_int_equal(errno, ETIMEDOUT);
    assert_null(lock.lock_path);
    int64_t t0 = ms_now();
    assert_int_equal(fs_lock_acquire(&lock, path, 60), -ETIMEDOUT);
    assert_true(ms_now() - t0 >= 55);
    assert_int_equal(access(lock_path, F_OK), 0);

    assert_int_equal(write(to_child, "g", 1), 1); /* let it release */
    assert_int_equal(fs_lock_acquire(&lock, path, 5000), 0);
    wait_ok(pid);
    assert_true(lock.fd >= 0);
    fs_lock_release(&lock);
    fs_lock_release(&lock); /* safe twice */
    assert_int_equal(access(lock_path, F_OK), -1); /* unlinked on release */
    close(to_child);
    close(from_child);
    free(lock_path);
    free(path);
}

static void lock_from_dead_process_is_recovered(void **state)
{
    char *path = join(*state, "log.md");
    char *lock_path = join(*state, "log.md.lock");
    fs_lock lock = { -1, NULL };
    int to_child, from_child;
    pid_t pid = spawn_holder(path, 0, &to_child, &from_child);
    wait_ok(pid);
    assert_int_equal(access(lock_path, F_OK), 0); /* left behind */
    assert_int_equal(fs_lock_acquire(&lock, path, 200), 0);
    fs_lock_release(&lock);
    close(to_child);
    close(from_child);
    free(lock_path);
    free(path);
}

static void zeroed_lock_release_is_harmless(void **state)
{
    fs_lock lock;
    int before = fcntl(0, F_GETFD);
    (void)state;
    memset(&lock, 0, sizeof lock); /* fd 0 must not be closed */
    fs_lock_release(&lock);
    assert_int_equal(fcntl(0, F_GETFD), before);
}

#define WRITERS 20
#define ROUNDS 5

static int append_line(const char *path, const char *line)
{
    fs_lock lock = { -1, NULL };
    char *data = NULL, *next = NULL;
    size_t len = 0, add = strlen(line);
    int rc = fs_lock_acquire(&lock, path, 20000);
    if (rc != 0)
        return rc;
    rc = fs_read(path, &data, &len);
    if (rc == 0 && (next = malloc(len + add)) == NULL)
        rc = -ENOMEM;
    if (rc == 0) {
        memcpy(next, data, len);
        memcpy(next + len, line, add);
        rc = fs_write_atomic(path, next, len + add, 0644, 0);
    }
    fs_lock_release(&lock);
    free(next);
    free(data);
    return rc;
}

static void concurrent_updates_lose_nothing(void **state)
{
    char *path = join(*state, "shared.md");
    pid_t pids[WRITERS];
    put(path, "");
    for (int i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            char line[64];
            for (int r = 0; r < ROUNDS; r++) {
                snprintf(line, sizeof line, "writer-%02d-round-%d\n", i, r);
                if (append_line(path, line) != 0)
                    _exit(1);
            }
            free(path); /* the child's copy: keeps valgrind's count honest */
            _exit(0);
        }
    }
    for (int i = 0; i < WRITERS; i++)
        wait_ok(pids[i]);

    char *data = NULL;
    size_t len = 0;
    int lines = 0;
    assert_int_equal(fs_read(path, &data, &len), 0);
    for (size_t k = 0; k < len; k++)
        lines += data[k] == '\n';
    assert_int_equal(lines, WRITERS * ROUNDS);
    for (int i = 0; i < WRITERS; i++) {
        char line[64];
        snprintf(line, sizeof line, "writer-%02d-round-%d\n", i, ROUNDS - 1);
        assert_non_null(strstr(data, line));
    }
    free(data);
    assert_int_equal(count_entries(*state), 1); /* no lock or temp left */
    free(path);
}

static void move_refuses_to_overwrite(void **state)
{
    char *a = join(*state, "a.md"), *b = join(*state, "b.md");
    put(a, "A");
    put(b, "B");
    assert_int_equal(fs_move(a, b, 0), -EEXIST);
    assert_content(a, "A");
    assert_content(b, "B");
    free(a);
    free(b);
}

static void move_overwrites_when_asked(void **state)
{
    char *a = join(*state, "a.md"), *b = join(*state, "b.md");
    put(a, "A");
    put(b, "B");
    assert_int_equal(fs_move(a, b, 1), 0);
    assert_content(b, "A");
    assert_int_equal(access(a, F_OK), -1);
    free(a);
    free(b);
}

static void move_into_other_folder(void **state)
{
    char *a = join(*state, "a.md"), *sub = join(*state, "ARCHIVE");
    char *b = join(sub, "a-old.md");
    put(a, "A");
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(fs_move(a, b, 0), 0);
    assert_content(b, "A");
    assert_int_equal(access(a, F_OK), -1);
    free(a);
    free(b);
    free(sub);
}

static void move_missing_source_is_enoent(void **state)
{
    char *a = join(*state, "gone.md"), *b = join(*state, "b.md");
    assert_int_equal(fs_move(a, b, 0), -ENOENT);
    assert_int_equal(fs_move(a, b, 1), -ENOENT);
    assert_int_equal(errno, ENOENT);
    free(a);
    free(b);
}

static void mkdir_p_nested_and_existing(void **state)
{
    char *deep = join(*state, "a/b//c/d/");
    char *cd = join(*state, "a/b/c/d");
    char *file = join(*state, "a/file");
    char *under_file = join(*state, "a/file/x");
    struct stat st;
    assert_int_equal(fs_mkdir_p(deep, 0755), 0);
    assert_int_equal(stat(cd, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(fs_mkdir_p(deep, 0755), 0); /* exists: fine */
    assert_int_equal(fs_mkdir_p(*state, 0755), 0);
    put(file, "x");
    assert_int_equal(fs_mkdir_p(file, 0755), -EEXIST);
    assert_int_equal(fs_mkdir_p(under_file, 0755), -ENOTDIR);
    assert_int_equal(fs_mkdir_p("", 0755), -ENOENT);
    free(deep);
    free(cd);
    free(file);
    free(under_file);
}

static void sync_dir_missing_is_enoent(void **state)
{
    char *path = join(*state, "missing");
    assert_int_equal(fs_sync_dir(path), -ENOENT);
    assert_int_equal(fs_sync_dir(*state), 0);
    free(path);
}

/* ---- failure paths forced through --wrap ------------------------------ */

static void failed_fsync_keeps_old_file_and_no_temp(void **state)
{
    NEED_WRAPS();
    char *path = join(*state, "log.md");
    put(path, "old");
    fail_fsync = 1;
    assert_int_equal(fs_write_atomic(path, "new", 3, 0644, 0), -EIO);
    assert_int_equal(errno, EIO);
    fail_fsync = 0;
    assert_content(path, "old");
    assert_int_equal(count_entries(*state), 1);
    free(path);
}

static void failed_rename_leaves_no_temp(void **state)
{
    NEED_WRAPS();
    char *path = join(*state, "log.md");
    put(path, "old");
    rename_eio = 1;
    assert_int_equal(fs_write_atomic(path, "new", 3, 0644, 0), -EIO);
    char *other = join(*state, "other.md");
    assert_int_equal(fs_write_atomic(other, "new", 3, 0644, 1), -EIO);
    free(other);
    rename_eio = 0;
    assert_content(path, "old");
    assert_int_equal(count_entries(*state), 1);
    free(path);
}

static void short_and_interrupted_writes_are_completed(void **state)
{
    NEED_WRAPS();
    char *path = join(*state, "log.md");
    const char *text = "a line longer than seven bytes\nand another one\n";
    choppy_write = 1;
    put(path, text);
    choppy_write = 0;
    assert_true(write_calls > 6);
    assert_content(path, text);
    free(path);
}

static void cross_filesystem_move_copies_then_removes(void **state)
{
    NEED_WRAPS();
    char *a = join(*state, "a.md"), *b = join(*state, "b.md");
    char *c = join(*state, "c.md");
    struct stat st;
    put(a, "payload");
    put(c, "old");
    assert_int_equal(chmod(a, 0604), 0);
    rename_exdev = 1;
    assert_int_equal(fs_move(a, b, 0), 0); /* copy, then no-replace link */
    assert_content(b, "payload");
    assert_int_equal(stat(b, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    assert_int_equal(access(a, F_OK), -1);
    assert_int_equal(fs_move(b, c, 0), -EEXIST);
    assert_content(b, "payload");
    assert_content(c, "old");
    assert_int_equal(fs_move(b, c, 1), 0); /* copy, then rename over */
    assert_content(c, "payload");
    assert_int_equal(access(b, F_OK), -1);
    rename_exdev = 0;
    assert_int_equal(count_entries(*state), 1); /* only c: temps cleaned */
    free(a);
    free(b);
    free(c);
}

static void cross_filesystem_move_failure_keeps_source(void **state)
{
    NEED_WRAPS();
    char *a = join(*state, "a.md"), *b = join(*state, "b.md");
    put(a, "payload");
    rename_exdev = 1;
    fail_fsync = 1;
    assert_int_equal(fs_move(a, b, 1), -EIO);
    fail_fsync = 0;
    rename_exdev = 0;
    assert_content(a, "payload");
    assert_int_equal(count_entries(*state), 1);
    free(a);
    free(b);
}

static void move_without_renameat2_uses_link(void **state)
{
    NEED_WRAPS();
    char *a = join(*state, "a.md"), *b = join(*state, "b.md");
    char *c = join(*state, "c.md");
    put(a, "A");
    put(b, "B");
    no_renameat2 = 1;
    assert_int_equal(fs_move(a, b, 0), -EEXIST);
    assert_content(b, "B");
    assert_int_equal(fs_move(a, c, 0), 0);
    assert_content(c, "A");
    assert_int_equal(access(a, F_OK), -1);
    assert_int_equal(fs_write_atomic(c, "Z", 1, 0644, 1), -EEXIST);
    assert_int_equal(count_entries(*state), 2); /* b, c: no temp left */
    no_renameat2 = 0;
    free(a);
    free(b);
    free(c);
}


/* ---- the commit point -------------------------------------------------- */

static void write_done_but_folder_sync_failed_is_positive(void **state)
{
    NEED_WRAPS();
    char *path = join(*state, "log.md"), *fresh = join(*state, "new.md");
    put(path, "old");
    fail_dir_fsync = 1;
    errno = 0;
    assert_int_equal(fs_write_atomic(path, "new", 3, 0644, 0), EIO); /* done */
    assert_int_equal(errno, EIO);
    assert_int_equal(fs_write_atomic(fresh, "x", 1, 0644, 1), EIO);
    fail_dir_fsync = 0;
    assert_content(path, "new"); /* never undone or written back */
    assert_content(fresh, "x");
    assert_int_equal(count_entries(*state), 2); /* no temp left */
    free(path);
    free(fresh);
}

static void move_done_but_folder_sync_failed_is_positive(void **state)
{
    NEED_WRAPS();
    char *a = join(*state, "a.md"), *sub = join(*state, "ARCHIVE");
    char *b = join(sub, "a.md");
    put(a, "A");
    assert_int_equal(mkdir(sub, 0755), 0);
    fail_dir_fsync = 1;
    assert_int_equal(fs_move(a, b, 0), EIO);
    fail_dir_fsync = 0;
    assert_content(b, "A");
    assert_int_equal(access(a, F_OK), -1); /* in one place only */
    free(a);
    free(b);
    free(sub);
}

static void cross_filesystem_move_undone_before_its_commit_point(void **state)
{
    NEED_WRAPS();
    char *a = join(*state, "a.md"), *b = join(*state, "b.md");
    put(a, "payload");
    rename_exdev = 1;
    fail_dir_fsync = 1; /* the copy's folder cannot be synced: not moved */
    assert_int_equal(fs_move(a, b, 0), -EIO);
    fail_dir_fsync = 0;
    fail_unlink = 1; /* `from` cannot be removed: the copy goes again */
    assert_int_equal(fs_move(a, b, 0), -EIO);
    rename_exdev = 0;
    assert_content(a, "payload");
    assert_int_equal(access(b, F_OK), -1);
    assert_int_equal(count_entries(*state), 1);
    free(a);
    free(b);
}

static void linked_move_whose_source_stays_is_undone(void **state)
{
    NEED_WRAPS();
    char *a = join(*state, "a.md"), *b = join(*state, "b.md");
    put(a, "A");
    no_renameat2 = 1;
    fail_unlink = 1;
    assert_int_equal(fs_move(a, b, 0), -EIO);
    no_renameat2 = 0;
    assert_content(a, "A");
    assert_int_equal(access(b, F_OK), -1); /* never in two places */
    free(a);
    free(b);
}

/* ---- permissions --------------------------------------------------------- */

static void read_only_file_is_refused_not_replaced(void **state)
{
    char *path = join(*state, "log.md");
    put(path, "old");
    assert_int_equal(chmod(path, 0444), 0);
    assert_int_equal(chmod(*state, 0777), 0); /* the folder allows the rename */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* as a user who is not root, whoever runs the test */
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(2);
        int rc = fs_write_atomic(path, "new", 3, 0644, 0);
        free(path);
        _exit(rc == -EACCES ? 0 : 1);
    }
    wait_ok(pid);
    assert_content(path, "old");
    if (geteuid() == 0) { /* root keeps root's rights, and the file its mode */
        struct stat st;
        assert_int_equal(fs_write_atomic(path, "root", 4, 0644, 0), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0444);
        assert_content(path, "root");
    }
    assert_int_equal(count_entries(*state), 1);
    free(path);
}

/* ---- clean-up on signals and at exit -------------------------------------- */

/* Fork; the child runs body(dir) and exits with what it returns. */
static int in_child(void (*body)(const char *), const char *dir)
{
    int status;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        body(dir);
        exit(0); /* exit(), not _exit(): at-exit clean-up runs */
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void write_killed_by_sigterm(const char *dir)
{
    static char *path; /* static: still reachable when the signal ends us */
    path = join(dir, "log.md");
    signal_on_write = SIGTERM;
    fs_write_atomic(path, "new", 3, 0644, 0);
    _exit(3); /* not reached: the signal ends the process */
}

static void temp_file_removed_on_signal(void **state)
{
    NEED_WRAPS();
    char *path = join(*state, "log.md");
    put(path, "old");
    int status = in_child(write_killed_by_sigterm, *state);
    assert_true(WIFSIGNALED(status)); /* re-raised: dies of the signal */
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_content(path, "old");
    assert_int_equal(count_entries(*state), 1); /* no temp file left */
    free(path);
}

static fs_lock child_lock = { -1, NULL }; /* static: reachable at exit */

static void lock_then_signal(const char *dir)
{
    char *path = join(dir, "log.md");
    int rc = fs_lock_acquire(&child_lock, path, 0);
    free(path);
    if (rc != 0)
        _exit(3);
    raise(SIGINT);
    _exit(4);
}

static void lock_then_exit(const char *dir)
{
    char *path = join(dir, "log.md");
    int rc = fs_lock_acquire(&child_lock, path, 0);
    free(path);
    if (rc != 0)
        _exit(3);
    /* exit without releasing */
}

static void held_lock_file_removed_on_signal_and_exit(void **state)
{
    int status = in_child(lock_then_signal, *state);
    char *lock_path = join(*state, "log.md.lock");
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGINT);
    assert_int_equal(access(lock_path, F_OK), -1);
    free(lock_path);
    status = in_child(lock_then_exit, *state);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    lock_path = join(*state, "log.md.lock");
    assert_int_equal(access(lock_path, F_OK), -1);
    free(lock_path);
}

/* Removal through the folder held open: the folder holding a temp or
 * lock file is renamed (as a swap for a symlink would move it), and a
 * decoy of the same name is put at the old path. The clean-up removes the
 * file in the renamed folder and leaves the decoy alone. */
static char *swap_dir;  /* <dir>/sub: renamed to <dir>/moved */
static char *swap_name; /* the name the decoy takes ("" : the temp's) */

static void swap_folder_put_decoy(void)
{
    char *moved = join(swap_dir, "../moved"), name[256] = "";
    if (rename(swap_dir, moved) != 0 || mkdir(swap_dir, 0755) != 0)
        _exit(6);
    snprintf(name, sizeof name, "%s", swap_name);
    if (!name[0]) { /* the temp file's name: the dot file in moved/ */
        DIR *d = opendir(moved);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL)
            if (strstr(e->d_name, ".tmp-"))
                snprintf(name, sizeof name, "%s", e->d_name);
        if (d)
            closedir(d);
    }
    char *decoy = join(swap_dir, name);
    int fd = open(decoy, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (!name[0] || fd < 0 || __real_write(fd, "decoy", 5) != 5)
        _exit(7);
    close(fd);
    free(decoy);
    free(moved);
}

static void write_in_swapped_folder_killed(const char *dir)
{
    static char *path; /* static: still reachable when the signal ends us */
    swap_dir = join(dir, "sub");
    swap_name = "";
    path = join(swap_dir, "log.md");
    before_write = swap_folder_put_decoy;
    signal_on_write = SIGTERM;
    fs_write_atomic(path, "new", 3, 0644, 0);
    _exit(3); /* not reached: the signal ends the process */
}

static void lock_in_swapped_folder(const char *dir, int how)
{
    static fs_lock lock = { -1, NULL }; /* static: reachable at exit */
    swap_dir = join(dir, "sub");
    swap_name = "log.md.lock";
    char *path = join(swap_dir, "log.md");
    int rc = fs_lock_acquire(&lock, path, 0);
    free(path);
    if (rc != 0)
        _exit(3);
    swap_folder_put_decoy();
    if (how == 0)
        raise(SIGTERM);
    else if (how == 2)
        fs_lock_release(&lock);
    /* how 1: exit holding it */
}
static void lock_swapped_then_signal(const char *dir) { lock_in_swapped_folder(dir, 0); }
static void lock_swapped_then_exit(const char *dir) { lock_in_swapped_folder(dir, 1); }
static void lock_swapped_then_release(const char *dir) { lock_in_swapped_folder(dir, 2); }

/* <dir>/moved holds only what it should, and <dir>/sub/<decoy> is whole. */
static void assert_removed_in_moved_folder(const char *dir, const char *decoy_prefix, int left)
{
    char *moved = join(dir, "moved"), *sub = join(dir, "sub");
    assert_int_equal(count_entries(moved), left); /* the file is gone there */
    DIR *d = opendir(sub);
    struct dirent *e;
    int decoys = 0;
    while (d && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, decoy_prefix, strlen(decoy_prefix)) == 0) {
            char *p = join(sub, e->d_name);
            assert_content(p, "decoy"); /* the old path was not touched */
            free(p);
            decoys++;
        }
    if (d)
        closedir(d);
    assert_int_equal(decoys, 1);
    free(moved);
    free(sub);
}

static void temp_removed_in_its_folder_after_a_swap(void **state)
{
    NEED_WRAPS();
    char *sub = join(*state, "sub"), *path = join(sub, "log.md");
    assert_int_equal(mkdir(sub, 0755), 0);
    put(path, "old");
    int status = in_child(write_in_swapped_folder_killed, *state);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_removed_in_moved_folder(*state, ".log.md.tmp-", 1); /* log.md only */
    char *moved_log = join(*state, "moved/log.md");
    assert_content(moved_log, "old");
    free(moved_log);
    free(path);
    free(sub);
}

static void lock_removed_in_its_folder_after_a_swap(void **state)
{
    void (*bodies[])(const char *) = { lock_swapped_then_signal, lock_swapped_then_exit,
                                       lock_swapped_then_release };
    for (int i = 0; i < 3; i++) {
        char *sub = join(*state, "sub"), *moved = join(*state, "moved");
        remove_tree(sub);
        remove_tree(moved);
        assert_int_equal(mkdir(sub, 0755), 0);
        int status = in_child(bodies[i], *state);
        if (i == 0) {
            assert_true(WIFSIGNALED(status));
            assert_int_equal(WTERMSIG(status), SIGTERM);
        } else {
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), 0);
        }
        assert_removed_in_moved_folder(*state, "log.md.lock", 0);
        free(sub);
        free(moved);
    }
}

/* A lock whose unlink on release fails stays behind as a stale lock, removed
 * at exit if nobody holds it: in the folder it was taken in, not at the old
 * path, where a decoy of the same name now stands. */
static void lock_swapped_stale_then_exit(const char *dir)
{
    static fs_lock lock = { -1, NULL };
    swap_dir = join(dir, "sub");
    swap_name = "log.md.lock";
    char *path = join(swap_dir, "log.md");
    int rc = fs_lock_acquire(&lock, path, 0);
    free(path);
    if (rc != 0)
        _exit(3);
    swap_folder_put_decoy();
    fail_unlink = 1; /* the release cannot remove it: a stale lock */
    fs_lock_release(&lock);
    exit(0);
}

static void stale_lock_removed_in_its_folder_after_a_swap(void **state)
{
    NEED_WRAPS();
    char *sub = join(*state, "sub");
    assert_int_equal(mkdir(sub, 0755), 0);
    int status = in_child(lock_swapped_stale_then_exit, *state);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_removed_in_moved_folder(*state, "log.md.lock", 0);
    free(sub);
}

static void lock_then_ignored_hup(const char *dir)
{
    char *path = join(dir, "log.md");
    fs_lock lock = { -1, NULL };
    signal(SIGHUP, SIG_IGN); /* as under nohup */
    int rc = fs_lock_acquire(&lock, path, 0);
    free(path);
    if (rc != 0)
        _exit(3);
    raise(SIGHUP);
    fs_lock_release(&lock);
    _exit(0);
}

static void ignored_signal_stays_ignored(void **state)
{
    int status = in_child(lock_then_ignored_hup, *state);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void create_leaving_temp_link(const char *dir)
{
    char *path = join(dir, "new.md");
    no_renameat2 = 1; /* link, then unlink of the temp fails, twice */
    fail_unlink = 2;
    int rc = fs_write_atomic(path, "x", 1, 0644, 1);
    free(path);
    _exit(rc == 0 && count_entries(dir) == 2 ? 0 : 5); /* _exit: no clean-up */
}

static void create_leaving_temp_link_then_exit(const char *dir)
{
    char *path = join(dir, "new2.md");
    no_renameat2 = 1;
    fail_unlink = 2;
    int rc = fs_write_atomic(path, "x", 1, 0644, 1);
    free(path);
    if (rc != 0)
        _exit(5);
}

static void linked_create_is_done_and_its_temp_removed_at_exit(void **state)
{
    NEED_WRAPS();
    int status = in_child(create_leaving_temp_link, *state);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0); /* done, temp still a 2nd name */
    assert_int_equal(fs_sweep(*state), 1);     /* its process is gone */
    assert_int_equal(count_entries(*state), 1);
    status = in_child(create_leaving_temp_link_then_exit, *state);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(count_entries(*state), 2); /* new.md, new2.md: temp gone at exit */
}

/* ---- sweeping leftovers ------------------------------------------------------ */

static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    wait_ok(pid);
    return pid;
}

static void plant(const char *dir, const char *name, const char *text)
{
    char *p = join(dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static int exists_in(const char *dir, const char *name)
{
    char *p = join(dir, name);
    struct stat st;
    int r = lstat(p, &st) == 0;
    free(p);
    return r;
}

static void sweep_removes_only_what_nobody_uses(void **state)
{
    const char *d = *state;
    char dead_temp[64], live_temp[64], old_temp[64], dead_probe[64], link_temp[64];
    long dead = (long)dead_pid(), live = (long)getppid(); /* alive: it waits for us */
    snprintf(dead_temp, sizeof dead_temp, ".log.md.tmp-%ld-0badf00d", dead);
    snprintf(live_temp, sizeof live_temp, ".log.md.tmp-%ld-00000001", live);
    snprintf(old_temp, sizeof old_temp, ".log.md.tmp-%ld-00000002", live);
    snprintf(dead_probe, sizeof dead_probe, ".sesslua-probe-%ld-1-abcd.lock", dead);
    snprintf(link_temp, sizeof link_temp, ".x.md.tmp-%ld-00000003", dead);
    plant(d, dead_temp, "partial");
    plant(d, live_temp, "in use");
    plant(d, old_temp, "a day old");
    plant(d, dead_probe, "");
    plant(d, "unheld.md.lock", "");
    plant(d, "held.md.lock", "");
    plant(d, "Cargo.lock", "not ours: has content");
    plant(d, "log.md", "the log");
    char *old_path = join(d, old_temp), *target = join(d, "log.md"), *ln = join(d, link_temp);
    struct timeval day_ago[2] = { { time(NULL) - 86400, 0 }, { time(NULL) - 86400, 0 } };
    assert_int_equal(utimes(old_path, day_ago), 0);
    assert_int_equal(symlink(target, ln), 0);
    char *held = join(d, "held.md.lock");
    int fd = open(held, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0); /* a holder: another open file */

    assert_int_equal(fs_sweep(d), 4);
    assert_false(exists_in(d, dead_temp));
    assert_false(exists_in(d, old_temp));  /* live pid, but older than an hour */
    assert_false(exists_in(d, dead_probe));
    assert_false(exists_in(d, "unheld.md.lock"));
    assert_true(exists_in(d, live_temp));  /* its writer runs */
    assert_true(exists_in(d, "held.md.lock"));
    assert_true(exists_in(d, "Cargo.lock"));
    assert_true(exists_in(d, link_temp));  /* links are never touched */
    assert_true(exists_in(d, "log.md"));
    assert_int_equal(fs_sweep("/no/such/folder"), -ENOENT);
    close(fd);
    free(held);
    free(old_path);
    free(target);
    free(ln);
}

static void writer_sweeps_its_folder_once(void **state)
{
    char name[64];
    snprintf(name, sizeof name, ".log.md.tmp-%ld-0badf00d", (long)dead_pid());
    char *path = join(*state, "log.md");
    plant(*state, name, "partial");
    plant(*state, "log.md.lock", "");
    put(path, "one"); /* the first write in this folder sweeps it */
    assert_false(exists_in(*state, name));
    assert_false(exists_in(*state, "log.md.lock"));
    plant(*state, name, "partial");
    put(path, "two"); /* not again in this process: one readdir per folder */
    assert_true(exists_in(*state, name));
    free(path);
}

/* ---- beneath the root ---------------------------------------------------- */

/* A tree <state>/r with a file a, and <state>/out outside it holding a
 * file key and a folder dir; the root set to r. */
static char *beneath_fixture(void **state, char **out)
{
    char *r = join(*state, "r");
    *out = join(*state, "out");
    assert_int_equal(mkdir(r, 0755), 0);
    assert_int_equal(mkdir(*out, 0755), 0);
    char *dir = join(*out, "dir"), *key = join(*out, "key"), *a = join(r, "a");
    assert_int_equal(mkdir(dir, 0755), 0);
    put(key, "secret");
    put(a, "inside");
    assert_int_equal(fs_set_root(r), 0);
    free(dir);
    free(key);
    free(a);
    return r;
}

static void link_at(const char *target, const char *dir, const char *name)
{
    char *p = join(dir, name);
    assert_int_equal(symlink(target, p), 0);
    free(p);
}

/* Every way out is refused, and nothing outside is read or made. */
static void links_out_of_the_root_are_refused(int use_openat2, void **state)
{
    char *out, *r = beneath_fixture(state, &out);
    char *key = join(out, "key"), *dir = join(out, "dir");
    char *lk = join(r, "lk"), *ld_x = join(r, "ld/x"), *ld_sub = join(r, "ld/sub/deeper");
    char *ld = join(r, "ld"), *up = join(r, "up"), *a = join(r, "a"), *dots = join(r, "../out/key");
    char *data = NULL;
    size_t len;
    fs_lock lock = { -1, NULL };
    fs_escape esc;
    fs_use_openat2(use_openat2);
    link_at(key, r, "lk");            /* a file link, absolute */
    link_at(dir, r, "ld");            /* a folder link */
    link_at("../out/key", r, "up");   /* relative, climbing out */
    assert_int_equal(fs_read(lk, &data, &len), -EXDEV);
    assert_int_equal(fs_read(up, &data, &len), -EXDEV);
    assert_int_equal(fs_read(dots, &data, &len), -EXDEV);
    assert_null(data);
    assert_int_equal(fs_write_atomic(lk, "x", 1, 0644, 0), -ELOOP); /* never replaced */
    assert_int_equal(fs_write_atomic(ld_x, "x", 1, 0644, 0), -EXDEV);
    assert_int_equal(fs_write_atomic(ld_x, "x", 1, 0644, 1), -EXDEV);
    assert_int_equal(fs_mkdir_p(ld_sub, 0755), -EXDEV);
    assert_int_equal(fs_lock_acquire(&lock, ld_x, 0), -EXDEV);
    assert_int_equal(fs_move(a, ld_x, 0), -EXDEV);
    assert_int_equal(fs_sweep(ld), -EXDEV);
    assert_int_equal(fs_sync_dir(ld), -EXDEV);
    assert_content(key, "secret");
    assert_int_equal(count_entries(dir), 0);
    assert_int_equal(count_entries(out), 2);
    assert_content(a, "inside");
    assert_int_equal(fs_explain_escape(ld_x, &esc), 1);
    assert_string_equal(esc.link, ld);
    assert_string_equal(esc.target, dir);
    assert_int_equal(fs_explain_escape(up, &esc), 1);
    assert_string_equal(esc.link, up);
    assert_int_equal(fs_explain_escape(a, &esc), 0);
    fs_use_openat2(1);
    fs_set_root(NULL);
    free(key), free(dir), free(lk), free(ld_x), free(ld_sub), free(ld), free(up);
    free(a), free(dots), free(r), free(out);
}

static void links_out_refused_with_openat2(void **state)
{
    links_out_of_the_root_are_refused(1, state);
}

static void links_out_refused_by_the_walk(void **state)
{
    links_out_of_the_root_are_refused(0, state);
}

/* Links that stay inside are followed for reads and through folders. */
static void links_inside_the_root_are_followed(int use_openat2, void **state)
{
    char *out, *r = beneath_fixture(state, &out);
    char *a = join(r, "a"), *sub = join(r, "sub"), *rel = join(r, "rel"), *abs = join(r, "abs");
    char *via = join(r, "sublink/new"), *made = join(r, "sub/new"), *deep = join(r, "sublink/d/e");
    fs_use_openat2(use_openat2);
    assert_int_equal(mkdir(sub, 0755), 0);
    link_at("a", r, "rel");
    link_at(a, r, "abs");          /* absolute, naming a place inside */
    link_at("./sub/../sub", r, "sublink");
    assert_content(rel, "inside");
    assert_content(abs, "inside");
    put(via, "through a folder link");
    assert_content(made, "through a folder link");
    assert_int_equal(fs_mkdir_p(deep, 0755), 0);
    assert_int_equal(fs_write_atomic(rel, "x", 1, 0644, 0), -ELOOP);
    assert_content(a, "inside");
    fs_use_openat2(1);
    fs_set_root(NULL);
    free(a), free(sub), free(rel), free(abs), free(via), free(made), free(deep);
    free(r), free(out);
}

static void links_inside_followed_with_openat2(void **state)
{
    links_inside_the_root_are_followed(1, state);
}

static void links_inside_followed_by_the_walk(void **state)
{
    links_inside_the_root_are_followed(0, state);
}

/* A FIFO where a file belongs is refused at once, never waited on; a file
 * where a folder belongs is EEXIST for mkdir, ENOTDIR on the way. */
static void fifo_and_file_for_folder_are_refused(void **state)
{
    char *out, *r = beneath_fixture(state, &out);
    char *fifo = join(r, "fifo"), *a = join(r, "a"), *under = join(r, "a/x");
    char *data = NULL;
    size_t len;
    assert_int_equal(mkfifo(fifo, 0644), 0);
    assert_int_equal(fs_read(fifo, &data, &len), -EINVAL);
    assert_int_equal(fs_write_atomic(fifo, "x", 1, 0644, 0), -EINVAL);
    assert_int_equal(fs_mkdir_p(a, 0755), -EEXIST);
    assert_int_equal(fs_mkdir_p(under, 0755), -ENOTDIR);
    assert_int_equal(fs_write_atomic(under, "x", 1, 0644, 0), -ENOTDIR);
    fs_set_root(NULL);
    free(fifo), free(a), free(under), free(r), free(out);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(atomic_write_leaves_no_temp_file),
        T(atomic_write_keeps_existing_mode),
        T(atomic_write_new_file_uses_given_mode),
        T(exclusive_write_refuses_existing),
        T(write_over_folder_is_eisdir),
        T(read_missing_is_enoent),
        T(read_returns_whole_file_with_nul),
        T(write_into_missing_folder_fails_cleanly),
        T(lock_contention_between_two_processes),
        T(lock_from_dead_process_is_recovered),
        T(zeroed_lock_release_is_harmless),
        T(concurrent_updates_lose_nothing),
        T(move_refuses_to_overwrite),
        T(move_overwrites_when_asked),
        T(move_into_other_folder),
        T(move_missing_source_is_enoent),
        T(mkdir_p_nested_and_existing),
        T(sync_dir_missing_is_enoent),
        T(failed_fsync_keeps_old_file_and_no_temp),
        T(failed_rename_leaves_no_temp),
        T(short_and_interrupted_writes_are_completed),
        T(cross_filesystem_move_copies_then_removes),
        T(cross_filesystem_move_failure_keeps_source),
        T(move_without_renameat2_uses_link),
        T(write_done_but_folder_sync_failed_is_positive),
        T(move_done_but_folder_sync_failed_is_positive),
        T(cross_filesystem_move_undone_before_its_commit_point),
        T(linked_move_whose_source_stays_is_undone),
        T(read_only_file_is_refused_not_replaced),
        T(temp_file_removed_on_signal),
        T(held_lock_file_removed_on_signal_and_exit),
        T(temp_removed_in_its_folder_after_a_swap),
        T(lock_removed_in_its_folder_after_a_swap),
        T(stale_lock_removed_in_its_folder_after_a_swap),
        T(ignored_signal_stays_ignored),
        T(linked_create_is_done_and_its_temp_removed_at_exit),
        T(sweep_removes_only_what_nobody_uses),
        T(writer_sweeps_its_folder_once),
        T(links_out_refused_with_openat2),
        T(links_out_refused_by_the_walk),
        T(links_inside_followed_with_openat2),
        T(links_inside_followed_by_the_walk),
        T(fifo_and_file_for_folder_are_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
