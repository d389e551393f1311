/*
** sl_parse_num.cc — sl_parse_num: fast_float::from_chars (Debian's
** libfast-float-dev, header-only) for plain decimals, strtod for the rest.
** fast_float rounds to nearest-even exactly, as glibc's strtod does, so the
** two paths agree bit for bit; the split only decides speed. Built without
** exceptions or RTTI and needs nothing from libstdc++ at link time.
*/
#include <cstdlib>
#include <cstring>
#include <system_error>

#include <fast_float/fast_float.h>

#include "sl_parse_num.h"

static inline bool digit_or_dot(char c) { return (c >= '0' && c <= '9') || c == '.'; }

/* strtod on a NUL-terminated copy: the exact reference, for rare spellings. */
static int slow(const char *s, size_t n, double *v) {
  char buf[SL_PARSE_NUM_MAX + 1];
  if (n == 0 || n > SL_PARSE_NUM_MAX) return 0;
  std::memcpy(buf, s, n);
  buf[n] = '\0';
  char *end;
  *v = std::strtod(buf, &end);
  return end == buf + n;
}

extern "C" const char *sl_parse_num_prefix(const char *s, const char *e, double *v) {
  const char *p = s;
  if (p < e && *p == '+') p++;
  const char *q = (p < e && *p == '-' && p == s) ? p + 1 : p;
  if (q >= e || !digit_or_dot(*q)) return NULL;
  fast_float::from_chars_result r = fast_float::from_chars(p, e, *v);
  return r.ec == std::errc() ? r.ptr : NULL;
}

extern "C" int sl_parse_num(const char *s, size_t n, double *v) {
  if (n == 0) return 0;
  double x;
  if (sl_parse_num_prefix(s, s + n, &x) == s + n) {
    *v = x;
    return 1;
  }
  return slow(s, n, v);
}
