/*
** lfile.c — slope._write_file: the one way slope's Lua library writes a whole
** file (checkpoints, plots): into <path>.tmp, every write and the close checked,
** then renamed over <path>, so a failure (a full disk) or a crash leaves the
** previous file whole. With sync, the data reaches the disk before the rename
** (fsync of the file) and the rename itself after it (fsync of the folder):
** after a power loss <path> is the old file or the new one, never empty.
** Lua's io library cannot fsync, hence C.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "laux.h"

/* The folder holding path ("." for a bare name) into buf; 0 when too long. */
static int folder_of(const char *path, char *buf, size_t len) {
  const char *slash = strrchr(path, '/');
  if (!slash) return snprintf(buf, len, ".") < (int)len;
  size_t n = slash == path ? 1 : (size_t)(slash - path); /* "/x" -> "/" */
  if (n >= len) return 0;
  memcpy(buf, path, n);
  buf[n] = '\0';
  return 1;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* fsync of a folder: makes a rename inside it durable. */
static int sync_folder(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int r = fsync(fd);
  int e = errno;
  close(fd);
  errno = e;
  /* some file systems cannot sync a folder; that is no failure of the write */
  if (r != 0 && (errno == EINVAL || errno == ENOTSUP)) return 0;
  return r;
}

/* nil, "<what> <file>: <strerror>", errno — Lua io's way of reporting failures */
static int fail(lua_State *L, const char *what, const char *file, int e) {
  lua_pushnil(L);
  lua_pushfstring(L, "%s %s: %s", what, file, strerror(e));
  lua_pushinteger(L, e);
  return 3;
}

/* slope._write_file(path, text [, sync]) -> true | nil, msg, errno */
static int l_write_file(lua_State *L) {
  size_t plen, n;
  const char *path = luaL_checklstring(L, 1, &plen);
  const char *text = luaL_checklstring(L, 2, &n);
  int sync = lua_toboolean(L, 3);
  luaL_argcheck(L, plen > 0 && strlen(path) == plen, 1, "a non-empty path without NUL bytes");
  const char *tmp = lua_pushfstring(L, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return fail(L, "cannot write", tmp, errno);
  if (write_all(fd, text, n) != 0 || (sync && fsync(fd) != 0)) {
    int e = errno;
    close(fd);
    unlink(tmp);
    return fail(L, "writing", tmp, e);
  }
  if (close(fd) != 0) { /* NFS and friends report deferred write errors here */
    int e = errno;
    unlink(tmp);
    return fail(L, "writing", tmp, e);
  }
  if (rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    return fail(L, "cannot rename into place", path, e);
  }
  if (sync) {
    char dir[4096];
    if (!folder_of(path, dir, sizeof dir))
      return fail(L, "syncing the folder of", path, ENAMETOOLONG);
    if (sync_folder(dir) != 0) return fail(L, "syncing the folder of", path, errno);
  }
  lua_pushboolean(L, 1);
  return 1;
}

static const sl_reg file_funcs[] = {
    {"_write_file", l_write_file,
     "slope._write_file(path, text [, sync]) -> true | nil, msg, errno",
     "Write text to path.tmp and rename it over path (the old file stays whole on any failure); "
     "with sync, fsync the file before the rename and its folder after. Used by checkpoints "
     "(synced) and plots."},
    {NULL, NULL, NULL, NULL}};

int sl_open_file(lua_State *L, int slope) {
  sl_setfuncs(L, slope, file_funcs, "slope");
  return 0;
}
