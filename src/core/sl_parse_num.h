/*
** sl_parse_num.h — exact decimal-to-double conversion for the text readers.
** A C interface to a small C++ unit (sl_parse_num.cc) built on fast_float
** (Lemire's Eisel-Lemire algorithm with an exact big-integer fallback), so
** plain decimal numbers parse at a few ns each and give the same double as
** strtod, bit for bit. Not part of the public API.
*/
#ifndef SL_PARSE_NUM_H
#define SL_PARSE_NUM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
** Parse all of s[0..n) (no NUL needed) as strtod does in the C locale and
** store the double in *v; 1 when strtod would consume exactly those n bytes,
** else 0 (*v unspecified). Plain decimals ([+-] digits [. digits] [e[+-]digits])
** take the fast path; every other spelling strtod accepts (leading white space,
** hex floats, inf, infinity, nan, nan(...), any case) goes to strtod itself,
** so the accepted set and the values are strtod's. A text longer than
** SL_PARSE_NUM_MAX bytes that is not a plain decimal is refused (0).
*/
int sl_parse_num(const char *s, size_t n, double *v);

/*
** The readers' fast path: the plain decimal at the start of [s, e) (an
** optional sign, digits with an optional '.', an optional exponent) parsed
** exactly into *v; returns where it ends, or NULL when [s, e) does not start
** with one. The caller checks what follows (a separator accepts the number,
** anything else sends the whole field to sl_parse_num).
*/
const char *sl_parse_num_prefix(const char *s, const char *e, double *v);

/* The longest non-plain text sl_parse_num hands to strtod (copied on the stack). */
#define SL_PARSE_NUM_MAX 4096

#ifdef __cplusplus
}
#endif

#endif
