/*
** sl_data_priv.h — helpers shared by the readers in sl_csv.c, sl_libsvm.c and
** sl_npy.c: error messages into the caller's buffer, printable quoting of
** untrusted bytes, checked growth of arrays, the whole file in memory and its
** split into blocks of lines for threads. Not part of the public API.
*/
#ifndef SL_DATA_PRIV_H
#define SL_DATA_PRIV_H

#include <stddef.h>

#include "sl_status.h"

/* Format into msg (if msg and msglen > 0) and return st. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
sl_status
sl_data_fail(char *msg, size_t msglen, sl_status st, const char *fmt, ...);

/* Copy at most 40 bytes of s[0..n) into dst as printable ASCII ('?' for
   others), adding "..." when cut; dst needs 48 bytes. */
void sl_data_quote(char *dst, const char *s, size_t n);

/* Make *p hold at least need elements of elsize bytes, doubling *cap;
   SL_ENOMEM past SL_MAX_ENTRIES elements or when realloc fails (*p kept). */
sl_status sl_data_grow(void **p, size_t *cap, size_t need, size_t elsize);

/* A text file in memory, read-only: mapped when it is a regular file, else
   read whole (pipes, /proc files). p is never NULL (n may be 0). */
typedef struct sl_textfile {
  const char *p;
  size_t n;
  void *map; /* the mapping, or NULL */
  char *buf; /* the malloc'd copy, or NULL */
} sl_textfile;

/* Open and map (or read) path; "path: cannot open: ..." / "path: read error: ...". */
sl_status sl_data_load(const char *path, sl_textfile *f, char *msg, size_t msglen);
void sl_data_unload(sl_textfile *f);

/* Ask for transparent huge pages on a large malloc'd array the reader is
   about to fill (one fault per 2 MB instead of per 4 kB); a hint only. */
void sl_data_hugepages(void *p, size_t bytes);

/* Blocks of whole lines for threads: [lo, hi) of p[0..n) from `from` on. */
typedef struct sl_block {
  size_t lo, hi;
} sl_block;
/* Split p[from..n) into blocks of about SL_DATA_BLOCK bytes, each ending just
   after a '\n' (or at n); the split depends on the bytes only, never on the
   thread count. Returns the count (at least 1) in a malloc'd *out, or 0 when
   malloc fails. Files under SL_DATA_SERIAL bytes give one block. */
size_t sl_data_blocks(const char *p, size_t n, size_t from, sl_block **out);
#define SL_DATA_BLOCK  ((size_t)2 << 20)
#define SL_DATA_SERIAL ((size_t)1 << 20)

/* The first failure in a block of lines, formatted once line numbers are known:
   "path:line:col: what" (col 0: "path:line: what"). */
typedef struct sl_lineerr {
  sl_status st; /* SL_OK: none */
  size_t line;  /* 0-based within the block */
  size_t col;
  char what[320];
} sl_lineerr;

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
sl_status
sl_lineerr_set(sl_lineerr *e, sl_status st, size_t line, size_t col, const char *fmt, ...);

/* Lowest failing block so far (a shared minimum, so later blocks can stop early). */
void sl_data_note_fail(size_t *first_bad, size_t k);
int sl_data_stop(const size_t *first_bad, size_t k); /* 1: an earlier block failed */

#endif
