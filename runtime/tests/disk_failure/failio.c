// Test shim: once the file named by SOUK_TEST_FAIL_FLAG exists, writes and
// syncs of the store's files whose path contains SOUK_TEST_FAIL_PATH (by
// default ".jnl", the journal) fail with EIO.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int failing(int fd) {
    const char *flag = getenv("SOUK_TEST_FAIL_FLAG");
    if (!flag || access(flag, F_OK) != 0) return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    const char *part = getenv("SOUK_TEST_FAIL_PATH");
    return strstr(path, part ? part : ".jnl") != NULL;
}

#define PASS(name, ret, params, args, fd)                       \
    ret name params {                                           \
        static ret (*real) params;                              \
        if (!real) real = dlsym(RTLD_NEXT, #name);              \
        if (failing(fd)) { errno = EIO; return (ret)-1; }       \
        return real args;                                       \
    }

PASS(write, ssize_t, (int fd, const void *b, size_t n), (fd, b, n), fd)
PASS(writev, ssize_t, (int fd, const struct iovec *v, int c), (fd, v, c), fd)
PASS(pwrite64, ssize_t, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o), fd)
PASS(fsync, int, (int fd), (fd), fd)
PASS(fdatasync, int, (int fd), (fd), fd)
