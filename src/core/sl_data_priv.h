/*
** sl_data_priv.h — helpers shared by the readers in sl_csv.c, sl_libsvm.c and
** sl_npy.c: error messages into the caller's buffer, printable quoting of
** untrusted bytes, and checked growth of arrays. Not part of the public API.
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

#endif
