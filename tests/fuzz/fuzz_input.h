/*
** fuzz_input.h — what every libFuzzer harness shares. The readers and the
** checkpoint parser take a path, so each input's bytes go into one file made
** once per process (a memfd, reached as /proc/self/fd/N; a file under $TMPDIR
** where memfd_create is missing), truncated and rewritten per input. Plus the
** checks of sl_data.h's promises that hold for any input: every file a call
** opened is closed, and a refusal carries a message naming the file.
** Header-only: every harness is one translation unit.
*/
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* libFuzzer's entry points, declared for -Wmissing-prototypes */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int fuzz_fd = -1;
static char fuzz_path[4096];

static inline void fuzz_unlink(void) {
  if (strncmp(fuzz_path, "/proc/", 6) != 0) unlink(fuzz_path);
}

/* The input file, created on first use; aborts (a harness bug, not a finding) on failure. */
static inline void fuzz_open(void) {
  if (fuzz_fd >= 0) return;
#ifdef SYS_memfd_create
  fuzz_fd = (int)syscall(SYS_memfd_create, "slope-fuzz", 0u);
  if (fuzz_fd >= 0 && snprintf(fuzz_path, sizeof fuzz_path, "/proc/self/fd/%d", fuzz_fd) > 0 &&
      access(fuzz_path, R_OK) == 0)
    return;
  if (fuzz_fd >= 0) close(fuzz_fd);
#endif
  const char *dir = getenv("TMPDIR");
  snprintf(fuzz_path, sizeof fuzz_path, "%s/slope-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
  fuzz_fd = mkstemp(fuzz_path);
  if (fuzz_fd < 0) {
    perror("fuzz: no input file");
    abort();
  }
  atexit(fuzz_unlink);
}

/* Replace the file's contents with a[0..na) followed by b[0..nb); returns its path. */
static inline const char *fuzz_write2(const void *a, size_t na, const void *b, size_t nb) {
  fuzz_open();
  if (ftruncate(fuzz_fd, 0) != 0 || (na && pwrite(fuzz_fd, a, na, 0) != (ssize_t)na) ||
      (nb && pwrite(fuzz_fd, b, nb, (off_t)na) != (ssize_t)nb)) {
    perror("fuzz: writing the input file");
    abort();
  }
  return fuzz_path;
}

static inline const char *fuzz_write(const void *a, size_t na) {
  return fuzz_write2(a, na, NULL, 0);
}

/* The lowest free descriptor: the same before and after a call that closed what it opened. */
static inline int fuzz_fds(void) {
  int fd = open("/dev/null", O_RDONLY);
  if (fd >= 0) close(fd);
  return fd;
}

static inline void fuzz_check_fds(int before) {
  int after = fuzz_fds();
  if (after != before) {
    fprintf(stderr, "fuzz: a descriptor was left open (lowest free %d before, %d after)\n", before,
            after);
    abort();
  }
}

/* A reader's refusal as sl_data.h promises it: a failure status and a message
   that starts with the file's path. */
static inline void fuzz_check_refusal(int st, const char *msg, size_t msglen, const char *path) {
  if (st >= 0 || memchr(msg, '\0', msglen) == NULL || strncmp(msg, path, strlen(path)) != 0) {
    fprintf(stderr, "fuzz: refusal %d without a message naming %s: '%.200s'\n", st, path, msg);
    abort();
  }
}

#endif
