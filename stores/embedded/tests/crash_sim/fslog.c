// Test shim, loaded with LD_PRELOAD: records every change a process makes
// under one directory, in order, so the crash simulation can rebuild that
// directory as a crash at any point would have left it.
//
// SOUK_FSLOG_DIR   absolute, canonical directory whose files are recorded
// SOUK_FSLOG_MARK  file whose writes are recorded as marks (the workload's
//                  "about to write" and "acknowledged" notes)
// SOUK_FSLOG_OUT   where the record goes
//
// One lock is held across each recorded call and its record, so the record's
// order is the order the calls took effect. A call the simulation cannot
// model (fallocate, mmap for writing, ...) on a recorded file is recorded as
// UNSUPPORTED, which fails the test rather than letting it pass blind.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum {
    OPEN = 1, WRITE = 2, SYNC = 3, TRUNC = 4, CLOSE = 5, RENAME = 6,
    UNLINK = 7, MKDIR = 8, RMDIR = 9, DUP = 10, MARK = 11, UNSUPPORTED = 12,
    LINK = 13,
};

#define MAX_FD 65536
// 0: not recorded, 1: under the directory, 2: the mark file.
static unsigned char tracked[MAX_FD];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int out = -1;
static const char *root, *mark;
static size_t root_len;

#define REAL(name) static __typeof__(name) *real_##name
#define FIND(name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)
REAL(open); REAL(open64); REAL(openat); REAL(openat64); REAL(creat); REAL(creat64);
REAL(close); REAL(write); REAL(writev); REAL(pwrite); REAL(pwrite64);
REAL(pwritev); REAL(pwritev2); REAL(fsync); REAL(fdatasync); REAL(ftruncate);
REAL(ftruncate64); REAL(rename); REAL(renameat); REAL(renameat2);
REAL(unlink); REAL(unlinkat); REAL(rmdir); REAL(mkdir); REAL(mkdirat);
REAL(dup); REAL(dup2); REAL(dup3); REAL(fcntl); REAL(link); REAL(linkat);
REAL(fallocate); REAL(fallocate64); REAL(posix_fallocate);
REAL(posix_fallocate64); REAL(mmap); REAL(mmap64); REAL(truncate);
REAL(copy_file_range); REAL(sendfile);

__attribute__((constructor)) static void init(void) {
    FIND(open); FIND(open64); FIND(openat); FIND(openat64); FIND(creat);
    FIND(creat64); FIND(close); FIND(write); FIND(writev); FIND(pwrite);
    FIND(pwrite64); FIND(pwritev); FIND(pwritev2); FIND(fsync); FIND(fdatasync);
    FIND(ftruncate); FIND(ftruncate64); FIND(rename); FIND(renameat);
    FIND(renameat2); FIND(unlink); FIND(unlinkat); FIND(rmdir); FIND(mkdir);
    FIND(mkdirat); FIND(dup); FIND(dup2); FIND(dup3); FIND(fcntl); FIND(link);
    FIND(linkat); FIND(fallocate); FIND(fallocate64); FIND(posix_fallocate);
    FIND(posix_fallocate64); FIND(mmap); FIND(mmap64); FIND(truncate);
    FIND(copy_file_range); FIND(sendfile);
    root = getenv("SOUK_FSLOG_DIR");
    mark = getenv("SOUK_FSLOG_MARK");
    const char *path = getenv("SOUK_FSLOG_OUT");
    if (!root || !mark || !path) { root = NULL; return; }
    root_len = strlen(root);
    out = real_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) { perror("fslog: cannot open SOUK_FSLOG_OUT"); _exit(97); }
}

static void emit(const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = real_write(out, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { perror("fslog: cannot write the record"); _exit(98); }
        p += n;
        len -= (size_t)n;
    }
}

static void emit_u8(uint8_t v) { emit(&v, 1); }
static void emit_i32(int32_t v) { emit(&v, 4); }
static void emit_u64(uint64_t v) { emit(&v, 8); }
static void emit_bytes(const void *data, size_t len) {
    uint32_t n = (uint32_t)len;
    emit(&n, 4);
    emit(data, len);
}
static void emit_path(const char *p) { emit_bytes(p, strlen(p)); }

// Writes `path` (relative to `dirfd`) as an absolute path into `buf`.
static int resolve(int dirfd, const char *path, char *buf) {
    if (!path) return 0;
    if (path[0] == '/') {
        snprintf(buf, PATH_MAX, "%s", path);
        return 1;
    }
    char base[PATH_MAX];
    if (dirfd == AT_FDCWD) {
        if (!getcwd(base, sizeof base)) return 0;
    } else {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
        ssize_t n = readlink(link, base, sizeof base - 1);
        if (n < 0) return 0;
        base[n] = 0;
    }
    size_t a = strlen(base), b = strlen(path);
    if (a + 1 + b >= PATH_MAX) return 0;
    memcpy(buf, base, a);
    buf[a] = '/';
    memcpy(buf + a + 1, path, b + 1);
    return 1;
}

static int under_root(const char *abs) {
    return root && strncmp(abs, root, root_len) == 0 &&
           (abs[root_len] == 0 || abs[root_len] == '/');
}

static int is_tracked(int fd) { return root && fd >= 0 && fd < MAX_FD && tracked[fd]; }

static void unsupported(const char *what) {
    emit_u8(UNSUPPORTED);
    emit_path(what);
}

// Opens through `call`, recording the open when the path is ours.
#define OPEN_BODY(dirfd, path, flags, mode, expr)                          \
    char abs[PATH_MAX];                                                    \
    int ours = root && resolve(dirfd, path, abs);                          \
    int kind = !ours ? 0 : under_root(abs) ? 1 : strcmp(abs, mark) == 0 ? 2 : 0; \
    if (!kind) {                                                           \
        int fd = expr;                                                     \
        if (root && fd >= 0 && fd < MAX_FD) tracked[fd] = 0;               \
        return fd;                                                         \
    }                                                                      \
    pthread_mutex_lock(&lock);                                             \
    int fd = expr;                                                         \
    if (fd >= 0 && fd < MAX_FD) {                                          \
        tracked[fd] = (unsigned char)kind;                                 \
        if (kind == 1) {                                                   \
            if ((flags) & __O_TMPFILE) unsupported("O_TMPFILE");           \
            emit_u8(OPEN); emit_i32(fd); emit_i32(flags); emit_path(abs);  \
        }                                                                  \
    }                                                                      \
    pthread_mutex_unlock(&lock);                                           \
    return fd;

static mode_t mode_arg(int flags, va_list ap) {
    return (flags & (O_CREAT | __O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
    OPEN_BODY(AT_FDCWD, path, flags, mode, real_open(path, flags, mode))
}
int open64(const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
    OPEN_BODY(AT_FDCWD, path, flags, mode, real_open64(path, flags, mode))
}
int openat(int dirfd, const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
    OPEN_BODY(dirfd, path, flags, mode, real_openat(dirfd, path, flags, mode))
}
int openat64(int dirfd, const char *path, int flags, ...) {
    va_list ap; va_start(ap, flags); mode_t mode = mode_arg(flags, ap); va_end(ap);
    OPEN_BODY(dirfd, path, flags, mode, real_openat64(dirfd, path, flags, mode))
}
int creat(const char *path, mode_t mode) {
    int flags = O_CREAT | O_WRONLY | O_TRUNC;
    OPEN_BODY(AT_FDCWD, path, flags, mode, real_creat(path, mode))
}
int creat64(const char *path, mode_t mode) {
    int flags = O_CREAT | O_WRONLY | O_TRUNC;
    OPEN_BODY(AT_FDCWD, path, flags, mode, real_creat64(path, mode))
}

int close(int fd) {
    if (!is_tracked(fd)) return real_close(fd);
    pthread_mutex_lock(&lock);
    int r = real_close(fd);
    if (r == 0 || errno != EBADF) {
        if (tracked[fd] == 1) { emit_u8(CLOSE); emit_i32(fd); }
        tracked[fd] = 0;
    }
    pthread_mutex_unlock(&lock);
    return r;
}

static void record_write(int fd, uint64_t off, const struct iovec *v, int count, size_t n) {
    if (tracked[fd] == 2) emit_u8(MARK);
    else { emit_u8(WRITE); emit_i32(fd); emit_u64(off); }
    uint32_t len = (uint32_t)n;
    emit(&len, 4);
    for (int i = 0; i < count && n > 0; i++) {
        size_t take = v[i].iov_len < n ? v[i].iov_len : n;
        emit(v[i].iov_base, take);
        n -= take;
    }
}

static uint64_t position_before(int fd, ssize_t written) {
    off_t end = lseek(fd, 0, SEEK_CUR);
    return (uint64_t)(end - written);
}

ssize_t write(int fd, const void *buf, size_t len) {
    if (!is_tracked(fd)) return real_write(fd, buf, len);
    pthread_mutex_lock(&lock);
    ssize_t n = real_write(fd, buf, len);
    if (n > 0) {
        struct iovec v = {(void *)buf, (size_t)n};
        record_write(fd, position_before(fd, n), &v, 1, (size_t)n);
    }
    pthread_mutex_unlock(&lock);
    return n;
}

ssize_t writev(int fd, const struct iovec *v, int count) {
    if (!is_tracked(fd)) return real_writev(fd, v, count);
    pthread_mutex_lock(&lock);
    ssize_t n = real_writev(fd, v, count);
    if (n > 0) record_write(fd, position_before(fd, n), v, count, (size_t)n);
    pthread_mutex_unlock(&lock);
    return n;
}

#define PWRITE(name, type)                                                 \
    ssize_t name(int fd, const void *buf, size_t len, type off) {          \
        if (!is_tracked(fd)) return real_##name(fd, buf, len, off);        \
        pthread_mutex_lock(&lock);                                         \
        ssize_t n = real_##name(fd, buf, len, off);                        \
        if (n > 0) {                                                       \
            struct iovec v = {(void *)buf, (size_t)n};                     \
            record_write(fd, (uint64_t)off, &v, 1, (size_t)n);             \
        }                                                                  \
        pthread_mutex_unlock(&lock);                                       \
        return n;                                                          \
    }
PWRITE(pwrite, off_t)
PWRITE(pwrite64, off64_t)

ssize_t pwritev(int fd, const struct iovec *v, int count, off_t off) {
    if (!is_tracked(fd)) return real_pwritev(fd, v, count, off);
    pthread_mutex_lock(&lock);
    ssize_t n = real_pwritev(fd, v, count, off);
    if (n > 0) record_write(fd, (uint64_t)off, v, count, (size_t)n);
    pthread_mutex_unlock(&lock);
    return n;
}

ssize_t pwritev2(int fd, const struct iovec *v, int count, off_t off, int flags) {
    if (!is_tracked(fd)) return real_pwritev2(fd, v, count, off, flags);
    pthread_mutex_lock(&lock);
    ssize_t n = real_pwritev2(fd, v, count, off, flags);
    if (n > 0) {
        if (off == -1) unsupported("pwritev2 at the file position");
        else record_write(fd, (uint64_t)off, v, count, (size_t)n);
    }
    pthread_mutex_unlock(&lock);
    return n;
}

#define SYNC_CALL(name)                                                    \
    int name(int fd) {                                                     \
        if (!is_tracked(fd) || tracked[fd] != 1) return real_##name(fd);   \
        pthread_mutex_lock(&lock);                                         \
        int r = real_##name(fd);                                           \
        if (r == 0) { emit_u8(SYNC); emit_i32(fd); }                       \
        pthread_mutex_unlock(&lock);                                       \
        return r;                                                          \
    }
SYNC_CALL(fsync)
SYNC_CALL(fdatasync)

#define TRUNCATE(name, type)                                               \
    int name(int fd, type len) {                                           \
        if (!is_tracked(fd) || tracked[fd] != 1) return real_##name(fd, len); \
        pthread_mutex_lock(&lock);                                         \
        int r = real_##name(fd, len);                                      \
        if (r == 0) { emit_u8(TRUNC); emit_i32(fd); emit_u64((uint64_t)len); } \
        pthread_mutex_unlock(&lock);                                       \
        return r;                                                          \
    }
TRUNCATE(ftruncate, off_t)
TRUNCATE(ftruncate64, off64_t)

// Records a call on one or two paths when either is ours.
static int path_call(int kind, int dirfd1, const char *p1, int dirfd2, const char *p2,
                     int (*call)(void *), void *ctx) {
    char a[PATH_MAX], b[PATH_MAX];
    int mine = root && resolve(dirfd1, p1, a) && (p2 ? resolve(dirfd2, p2, b) : 1) &&
               (under_root(a) || (p2 && under_root(b)));
    if (!mine) return call(ctx);
    pthread_mutex_lock(&lock);
    int r = call(ctx);
    if (r == 0) {
        if (p2 && under_root(a) != under_root(b)) unsupported("rename or link across the directory's edge");
        else if (kind) { emit_u8((uint8_t)kind); emit_path(a); if (p2) emit_path(b); }
    }
    pthread_mutex_unlock(&lock);
    return r;
}

struct args { int d1; const char *p1; int d2; const char *p2; int flags; mode_t mode; };

static int call_rename(void *c) { struct args *a = c; return real_rename(a->p1, a->p2); }
static int call_renameat(void *c) { struct args *a = c; return real_renameat(a->d1, a->p1, a->d2, a->p2); }
static int call_renameat2(void *c) { struct args *a = c; return real_renameat2(a->d1, a->p1, a->d2, a->p2, (unsigned)a->flags); }
static int call_link(void *c) { struct args *a = c; return real_link(a->p1, a->p2); }
static int call_linkat(void *c) { struct args *a = c; return real_linkat(a->d1, a->p1, a->d2, a->p2, a->flags); }
static int call_unlink(void *c) { struct args *a = c; return real_unlink(a->p1); }
static int call_unlinkat(void *c) { struct args *a = c; return real_unlinkat(a->d1, a->p1, a->flags); }
static int call_rmdir(void *c) { struct args *a = c; return real_rmdir(a->p1); }
static int call_mkdir(void *c) { struct args *a = c; return real_mkdir(a->p1, a->mode); }
static int call_mkdirat(void *c) { struct args *a = c; return real_mkdirat(a->d1, a->p1, a->mode); }

int rename(const char *o, const char *n) {
    struct args a = {AT_FDCWD, o, AT_FDCWD, n, 0, 0};
    return path_call(RENAME, AT_FDCWD, o, AT_FDCWD, n, call_rename, &a);
}
int renameat(int d1, const char *o, int d2, const char *n) {
    struct args a = {d1, o, d2, n, 0, 0};
    return path_call(RENAME, d1, o, d2, n, call_renameat, &a);
}
int renameat2(int d1, const char *o, int d2, const char *n, unsigned flags) {
    struct args a = {d1, o, d2, n, (int)flags, 0};
    // RENAME_EXCHANGE swaps two names; nothing here uses it.
    return path_call((flags & 2) ? 0 : RENAME, d1, o, d2, n, call_renameat2, &a);
}
int link(const char *o, const char *n) {
    struct args a = {AT_FDCWD, o, AT_FDCWD, n, 0, 0};
    return path_call(LINK, AT_FDCWD, o, AT_FDCWD, n, call_link, &a);
}
int linkat(int d1, const char *o, int d2, const char *n, int flags) {
    struct args a = {d1, o, d2, n, flags, 0};
    return path_call(LINK, d1, o, d2, n, call_linkat, &a);
}
int unlink(const char *p) {
    struct args a = {AT_FDCWD, p, 0, NULL, 0, 0};
    return path_call(UNLINK, AT_FDCWD, p, 0, NULL, call_unlink, &a);
}
int unlinkat(int d, const char *p, int flags) {
    struct args a = {d, p, 0, NULL, flags, 0};
    return path_call((flags & AT_REMOVEDIR) ? RMDIR : UNLINK, d, p, 0, NULL, call_unlinkat, &a);
}
int rmdir(const char *p) {
    struct args a = {AT_FDCWD, p, 0, NULL, 0, 0};
    return path_call(RMDIR, AT_FDCWD, p, 0, NULL, call_rmdir, &a);
}
int mkdir(const char *p, mode_t mode) {
    struct args a = {AT_FDCWD, p, 0, NULL, 0, mode};
    return path_call(MKDIR, AT_FDCWD, p, 0, NULL, call_mkdir, &a);
}
int mkdirat(int d, const char *p, mode_t mode) {
    struct args a = {d, p, 0, NULL, 0, mode};
    return path_call(MKDIR, d, p, 0, NULL, call_mkdirat, &a);
}

static int record_dup(int old, int fd) {
    if (fd >= 0 && fd < MAX_FD) {
        tracked[fd] = tracked[old];
        if (tracked[old] == 1) { emit_u8(DUP); emit_i32(old); emit_i32(fd); }
    }
    return fd;
}

int dup(int old) {
    if (!is_tracked(old)) return real_dup(old);
    pthread_mutex_lock(&lock);
    int fd = record_dup(old, real_dup(old));
    pthread_mutex_unlock(&lock);
    return fd;
}
int dup2(int old, int new) {
    if (!is_tracked(old) && !is_tracked(new)) return real_dup2(old, new);
    pthread_mutex_lock(&lock);
    if (is_tracked(new) && new != old) { emit_u8(CLOSE); emit_i32(new); tracked[new] = 0; }
    int fd = record_dup(old, real_dup2(old, new));
    pthread_mutex_unlock(&lock);
    return fd;
}
int dup3(int old, int new, int flags) {
    if (!is_tracked(old) && !is_tracked(new)) return real_dup3(old, new, flags);
    pthread_mutex_lock(&lock);
    if (is_tracked(new)) { emit_u8(CLOSE); emit_i32(new); tracked[new] = 0; }
    int fd = record_dup(old, real_dup3(old, new, flags));
    pthread_mutex_unlock(&lock);
    return fd;
}

int fcntl(int fd, int cmd, ...) {
    va_list ap; va_start(ap, cmd); long arg = va_arg(ap, long); va_end(ap);
    if (!is_tracked(fd) || (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC))
        return real_fcntl(fd, cmd, arg);
    pthread_mutex_lock(&lock);
    int r = record_dup(fd, real_fcntl(fd, cmd, arg));
    pthread_mutex_unlock(&lock);
    return r;
}
int fcntl64(int fd, int cmd, ...) {
    va_list ap; va_start(ap, cmd); long arg = va_arg(ap, long); va_end(ap);
    return fcntl(fd, cmd, arg);
}

// Calls nothing in the store makes today; recorded so a new use fails the
// test instead of going unseen.
#define REFUSE_FD(decl, fd, call, what)                                   \
    decl {                                                                \
        if (is_tracked(fd) && tracked[fd] == 1) {                         \
            pthread_mutex_lock(&lock); unsupported(what);                 \
            pthread_mutex_unlock(&lock);                                  \
        }                                                                 \
        return call;                                                      \
    }
REFUSE_FD(int fallocate(int fd, int mode, off_t o, off_t l), fd, real_fallocate(fd, mode, o, l), "fallocate")
REFUSE_FD(int fallocate64(int fd, int mode, off64_t o, off64_t l), fd, real_fallocate64(fd, mode, o, l), "fallocate")
REFUSE_FD(int posix_fallocate(int fd, off_t o, off_t l), fd, real_posix_fallocate(fd, o, l), "posix_fallocate")
REFUSE_FD(int posix_fallocate64(int fd, off64_t o, off64_t l), fd, real_posix_fallocate64(fd, o, l), "posix_fallocate")
REFUSE_FD(ssize_t copy_file_range(int i, off64_t *io, int fd, off64_t *oo, size_t l, unsigned f), fd,
          real_copy_file_range(i, io, fd, oo, l, f), "copy_file_range")
REFUSE_FD(ssize_t sendfile(int fd, int i, off_t *o, size_t l), fd, real_sendfile(fd, i, o, l), "sendfile")

#define MMAP(name, type)                                                  \
    void *name(void *a, size_t l, int prot, int flags, int fd, type o) {   \
        if (is_tracked(fd) && tracked[fd] == 1 && (prot & PROT_WRITE) &&   \
            (flags & MAP_SHARED)) {                                       \
            pthread_mutex_lock(&lock); unsupported("mmap for writing");   \
            pthread_mutex_unlock(&lock);                                  \
        }                                                                 \
        return real_##name(a, l, prot, flags, fd, o);                     \
    }
MMAP(mmap, off_t)
MMAP(mmap64, off64_t)

int truncate(const char *p, off_t len) {
    char abs[PATH_MAX];
    if (root && resolve(AT_FDCWD, p, abs) && under_root(abs)) {
        pthread_mutex_lock(&lock); unsupported("truncate by path");
        pthread_mutex_unlock(&lock);
    }
    return real_truncate(p, len);
}
