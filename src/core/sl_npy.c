/*
** sl_npy.c — NumPy .npy files (format spec: numpy/lib/format.py, NEP 1).
** Layout: "\x93NUMPY", major, minor, header length (uint16 LE for 1.x,
** uint32 LE for 2.x/3.x), an ASCII Python dict literal
** {'descr': '<f8', 'fortran_order': False, 'shape': (r, c), } padded with
** spaces and ending in '\n', then the raw elements. Errors give the byte offset.
*/
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sl_data.h"
#include "sl_data_priv.h"

#define MAX_HEADER (1u << 20) /* numpy itself refuses headers over 10 kB by default */

void sl_npy_close(sl_npy *h) {
  if (h->f) fclose(h->f);
  h->f = NULL;
}

/* ---- a tiny parser for the header dict ------------------------------------ */

typedef struct hparse {
  const char *s;
  size_t n, p;
} hparse;

static void skip_ws(hparse *h) {
  while (h->p < h->n &&
         (h->s[h->p] == ' ' || h->s[h->p] == '\t' || h->s[h->p] == '\n' || h->s[h->p] == '\r'))
    h->p++;
}

static int accept(hparse *h, char c) {
  skip_ws(h);
  if (h->p < h->n && h->s[h->p] == c) {
    h->p++;
    return 1;
  }
  return 0;
}

/* A quoted Python string without escapes, copied into buf (cap bytes). */
static int parse_str(hparse *h, char *buf, size_t cap) {
  skip_ws(h);
  if (h->p >= h->n || (h->s[h->p] != '\'' && h->s[h->p] != '"')) return 0;
  char qc = h->s[h->p++];
  size_t k = 0;
  while (h->p < h->n && h->s[h->p] != qc) {
    if (h->s[h->p] == '\\' || k + 1 >= cap) return 0;
    buf[k++] = h->s[h->p++];
  }
  if (h->p >= h->n) return 0;
  h->p++;
  buf[k] = '\0';
  return 1;
}

static int parse_word(hparse *h, const char *w) {
  skip_ws(h);
  size_t m = strlen(w);
  if (h->n - h->p >= m && memcmp(h->s + h->p, w, m) == 0) {
    h->p += m;
    return 1;
  }
  return 0;
}

/* (a, b, ...) of non-negative integers (an L suffix from Python 2 is accepted). */
static int parse_shape(hparse *h, size_t *shape, int *ndim) {
  if (!accept(h, '(')) return 0;
  *ndim = 0;
  for (;;) {
    if (accept(h, ')')) return 1;
    skip_ws(h);
    if (h->p >= h->n || h->s[h->p] < '0' || h->s[h->p] > '9') return 0;
    unsigned long long v = 0;
    while (h->p < h->n && h->s[h->p] >= '0' && h->s[h->p] <= '9') {
      v = v * 10 + (unsigned long long)(h->s[h->p++] - '0');
      if (v > SL_MAX_ENTRIES) return -1;
    }
    if (h->p < h->n && h->s[h->p] == 'L') h->p++;
    if (*ndim < 3) shape[*ndim] = (size_t)v;
    (*ndim)++;
    if (*ndim > 32) return 0;
    if (!accept(h, ',')) {
      if (!accept(h, ')')) return 0;
      return 1;
    }
  }
}

static sl_status parse_descr(sl_npy *o, const char *d) {
  size_t n = strlen(d);
  if (n < 3 || n > 4) return SL_EINVAL;
  char bo = d[0], kind = d[1];
  if (bo != '<' && bo != '>' && bo != '|' && bo != '=') return SL_EINVAL;
  int size = atoi(d + 2);
  if ((d[2] < '1' || d[2] > '9') || (n == 4 && (d[3] < '0' || d[3] > '9'))) return SL_EINVAL;
  int ok = (kind == 'f' && (size == 4 || size == 8)) ||
           ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
           (kind == 'b' && size == 1);
  if (!ok) return SL_EINVAL;
  if (size > 1 && bo == '|') return SL_EINVAL;
  o->kind = kind;
  o->itemsize = size;
  o->big_endian = bo == '>';
  return SL_OK;
}

#define FAILB(off, ...)                                                                            \
  do {                                                                                             \
    char m_[400];                                                                                  \
    snprintf(m_, sizeof m_, __VA_ARGS__);                                                          \
    sl_npy_close(h);                                                                               \
    return sl_data_fail(msg, msglen, SL_EIO, "%s: byte %ld: %s", path, (long)(off), m_);           \
  } while (0)

/* What the header dict said. */
typedef struct npy_dict {
  char descr[16];
  int have_descr, have_fo, have_shape, fortran;
} npy_dict;

/* One 'key': value entry of the header dict; NULL, or what is wrong (at hp->p). */
static const char *parse_entry(hparse *hp, sl_npy *h, npy_dict *d) {
  char key[32];
  if (!parse_str(hp, key, sizeof key) || !accept(hp, ':'))
    return "header dict: expected a quoted key and ':'";
  if (strcmp(key, "descr") == 0) {
    d->have_descr = 1;
    if (!parse_str(hp, d->descr, sizeof d->descr))
      return "header: 'descr' is not a simple dtype string";
  } else if (strcmp(key, "fortran_order") == 0) {
    d->have_fo = 1;
    if (parse_word(hp, "True"))
      d->fortran = 1;
    else if (!parse_word(hp, "False"))
      return "header: 'fortran_order' is not True or False";
  } else if (strcmp(key, "shape") == 0) {
    size_t shp[3] = {0, 0, 0};
    int r = parse_shape(hp, shp, &h->ndim);
    if (r < 0) return "header: a dimension in 'shape' is too large";
    if (r == 0) return "header: 'shape' is not a tuple of integers";
    memcpy(h->shape, shp, sizeof h->shape);
    d->have_shape = 1;
  } else {
    return "header dict has an unknown key";
  }
  return NULL;
}

/* The header dict {'key': value, ...}; NULL, or what is wrong (at hp->p). */
static const char *parse_dict(hparse *hp, sl_npy *h, npy_dict *d) {
  if (!accept(hp, '{')) return "header is not a dict";
  for (;;) {
    if (accept(hp, '}')) return NULL;
    const char *err = parse_entry(hp, h, d);
    if (err) return err;
    if (!accept(hp, ',')) return accept(hp, '}') ? NULL : "header dict: expected ',' or '}'";
  }
}

/* Magic, version and header length; the header starts at *hstart. */
static sl_status read_preamble(const char *path, sl_npy *h, size_t *hlen, size_t *hstart, char *msg,
                               size_t msglen) {
  unsigned char pre[12];
  size_t got = fread(pre, 1, 10, h->f);
  if (got < 6 || memcmp(pre, "\x93NUMPY", 6) != 0)
    FAILB(0, "bad magic: not a .npy file (expected \\x93NUMPY)");
  if (got < 8) FAILB(got, "truncated header: no version");
  h->major = pre[6];
  h->minor = pre[7];
  if (h->major < 1 || h->major > 3)
    FAILB(6, "unsupported format version %d.%d", h->major, h->minor);
  if (h->major == 1) {
    if (got < 10) FAILB(got, "truncated header: no header length");
    *hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    *hstart = 10;
  } else {
    got += fread(pre + 10, 1, 2, h->f);
    if (got < 12) FAILB(got, "truncated header: no header length");
    *hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    *hstart = 12;
  }
  if (*hlen > MAX_HEADER) FAILB(8, "header length %zu is too large", *hlen);
  return SL_OK;
}

/* The header dict into h and d. */
static sl_status read_header(const char *path, sl_npy *h, size_t hlen, size_t hstart, npy_dict *d,
                             char *msg, size_t msglen) {
  char *hdr = malloc(hlen + 1);
  if (!hdr) FAILB(hstart, "out of memory");
  size_t hgot = fread(hdr, 1, hlen, h->f);
  if (hgot < hlen) {
    free(hdr);
    FAILB(hstart + hgot, "truncated header: %zu of %zu header bytes", hgot, hlen);
  }
  hdr[hlen] = '\0';
  hparse hp = {hdr, hlen, 0};
  const char *err = parse_dict(&hp, h, d);
  size_t errpos = hstart + hp.p;
  free(hdr);
  if (err) FAILB(errpos, "%s", err);
  if (!d->have_descr || !d->have_fo || !d->have_shape)
    FAILB(hstart, "header dict lacks '%s'",
          !d->have_descr ? "descr"
          : !d->have_fo  ? "fortran_order"
                         : "shape");
  return SL_OK;
}

/* What slope reads: a supported dtype, C order, 1-D or 2-D. */
static sl_status check_header(const char *path, sl_npy *h, const npy_dict *d, size_t hstart,
                              char *msg, size_t msglen) {
  snprintf(h->descr, sizeof h->descr, "%s", d->descr);
  if (parse_descr(h, d->descr) != SL_OK)
    FAILB(hstart, "unsupported dtype '%s' (supported: f8, f4, i8, i4, i2, i1, u8, u4, u2, u1, b1)",
          d->descr);
  if (d->fortran)
    FAILB(hstart,
          "fortran_order True is not supported (save a C-ordered array: np.ascontiguousarray)");
  if (h->ndim < 1 || h->ndim > 2)
    FAILB(hstart, "%d-D arrays are not supported (1-D or 2-D only)", h->ndim);
  if (h->ndim == 1) h->shape[1] = 1;
  if (sl_size_product(h->shape[0], h->shape[1], &h->count) != SL_OK)
    FAILB(hstart, "shape is too large");
  return SL_OK;
}

/* The data after the header must be exactly count * itemsize bytes; leaves
   the file at the first element. */
static sl_status check_length(const char *path, sl_npy *h, char *msg, size_t msglen) {
  if (fseek(h->f, 0, SEEK_END) != 0) FAILB(h->data_offset, "cannot seek: %s", strerror(errno));
  long end = ftell(h->f);
  if (end < 0) FAILB(h->data_offset, "cannot tell the file size");
  unsigned long long need = (unsigned long long)h->count * (unsigned long long)h->itemsize;
  unsigned long long have = (unsigned long long)(end - h->data_offset);
  if (have < need)
    FAILB(end, "truncated data: shape needs %llu bytes of %s, the file has %llu", need, h->descr,
          have);
  if (have > need)
    FAILB(h->data_offset + (long)need,
          "size mismatch: shape needs %llu bytes of %s, the file has %llu", need, h->descr, have);
  if (fseek(h->f, h->data_offset, SEEK_SET) != 0)
    FAILB(h->data_offset, "cannot seek: %s", strerror(errno));
  return SL_OK;
}

sl_status sl_npy_open(const char *path, sl_npy *h, char *msg, size_t msglen) {
  memset(h, 0, sizeof *h);
  snprintf(h->path, sizeof h->path, "%s", path);
  h->f = fopen(path, "rb");
  if (h->f == NULL)
    return sl_data_fail(msg, msglen, SL_EIO, "%s: cannot open: %s", path, strerror(errno));
  size_t hlen, hstart;
  npy_dict d = {.descr = ""};
  sl_status st = read_preamble(path, h, &hlen, &hstart, msg, msglen);
  if (st == SL_OK) st = read_header(path, h, hlen, hstart, &d, msg, msglen);
  if (st == SL_OK) st = check_header(path, h, &d, hstart, msg, msglen);
  if (st != SL_OK) return st;
  h->data_offset = (long)(hstart + hlen);
  return check_length(path, h, msg, msglen);
}

static uint64_t load_bytes(const unsigned char *b, int size, int big) {
  uint64_t u = 0;
  for (int k = 0; k < size; k++) u |= (uint64_t)b[big ? size - 1 - k : k] << (8 * k);
  return u;
}

static double convert(const sl_npy *h, const unsigned char *b) {
  uint64_t u = load_bytes(b, h->itemsize, h->big_endian);
  switch (h->kind) {
  case 'f':
    if (h->itemsize == 8) {
      double d;
      memcpy(&d, &u, 8);
      return d;
    } else {
      uint32_t w = (uint32_t)u;
      float f;
      memcpy(&f, &w, 4);
      return (double)f;
    }
  case 'i': {
    int sh = 64 - 8 * h->itemsize; /* sign-extend */
    int64_t s = (int64_t)(u << sh) >> sh;
    return (double)s;
  }
  case 'b': return u != 0;
  default: return (double)u; /* 'u' */
  }
}

static int host_little_endian(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

/* count elements from the current position, the first being element first */
static sl_status read_elems(sl_npy *h, size_t first, size_t count, double *out, char *msg,
                            size_t msglen) {
  unsigned long long at =
      (unsigned long long)h->data_offset + (unsigned long long)first * (unsigned)h->itemsize;
  if (h->kind == 'f' && h->itemsize == 8 && !h->big_endian && host_little_endian()) {
    size_t got = fread(out, 8, count, h->f); /* the bytes are the doubles */
    if (got < count)
      return sl_data_fail(msg, msglen, SL_EIO, "%s: byte %llu: truncated data", h->path,
                          at + (unsigned long long)got * 8u);
    return SL_OK;
  }
  unsigned char buf[8192];
  size_t per = sizeof buf / (size_t)h->itemsize, done = 0;
  while (done < count) {
    size_t want = count - done < per ? count - done : per;
    size_t got = fread(buf, (size_t)h->itemsize, want, h->f);
    if (got < want)
      return sl_data_fail(msg, msglen, SL_EIO, "%s: byte %llu: truncated data", h->path,
                          at + (unsigned long long)(done + got) * (unsigned)h->itemsize);
    for (size_t k = 0; k < got; k++) out[done + k] = convert(h, buf + k * (size_t)h->itemsize);
    done += got;
  }
  return SL_OK;
}

sl_status sl_npy_read_data(sl_npy *h, double *out, char *msg, size_t msglen) {
  return read_elems(h, 0, h->count, out, msg, msglen);
}

sl_status sl_npy_read_rows(sl_npy *h, size_t lo, size_t n, double *out, char *msg, size_t msglen) {
  size_t rows = h->shape[0], cols = h->ndim == 2 ? h->shape[1] : 1;
  if (lo > rows || n > rows - lo)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: rows %zu..%zu of %zu", h->path, lo + 1, lo + n,
                        rows);
  size_t first = lo * cols; /* <= count: no overflow */
  off_t at = (off_t)h->data_offset + (off_t)first * h->itemsize;
  if (fseeko(h->f, at, SEEK_SET) != 0)
    return sl_data_fail(msg, msglen, SL_EIO, "%s: cannot seek: %s", h->path, strerror(errno));
  return read_elems(h, first, n * cols, out, msg, msglen);
}

const char *sl_npy_why_copy(const sl_npy *h) {
  if (h->kind != 'f' || h->itemsize != 8) return "its dtype is converted to float64";
  if (h->big_endian != !host_little_endian()) return "its bytes are swapped";
  if (h->count == 0) return "it is empty";
  if (h->data_offset % 8 != 0) return "its data is not aligned to 8 bytes";
  return NULL;
}

sl_status sl_npy_map(const sl_npy *h, sl_npy_mapping *m, char *msg, size_t msglen) {
  memset(m, 0, sizeof *m);
  const char *why = sl_npy_why_copy(h);
  if (why)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: cannot map (%s): %s", h->path, h->descr, why);
  if (h->f == NULL) return sl_data_fail(msg, msglen, SL_EINVAL, "%s: not open", h->path);
  size_t len = (size_t)h->data_offset + h->count * 8; /* sl_npy_open checked the file's length */
  void *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fileno(h->f), 0);
  if (b == MAP_FAILED)
    return sl_data_fail(msg, msglen, SL_EIO, "%s: cannot map: %s", h->path, strerror(errno));
  m->base = b;
  m->len = len;
  m->data = (double *)((char *)b + h->data_offset);
  return SL_OK;
}

void sl_npy_unmap(sl_npy_mapping *m) {
  if (m->base) munmap(m->base, m->len);
  memset(m, 0, sizeof *m);
}

static void store_le(unsigned char *b, uint64_t u) {
  for (int k = 0; k < 8; k++) b[k] = (unsigned char)(u >> (8 * k));
}

sl_status sl_npy_write(const char *path, int ndim, size_t rows, size_t cols, const double *data,
                       char *msg, size_t msglen) {
  size_t count;
  if ((ndim != 1 && ndim != 2) || (ndim == 1 && cols != 1) ||
      sl_size_product(rows, cols, &count) != SL_OK)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: invalid shape", path);
  char dict[128];
  int dl =
      ndim == 2
          ? snprintf(dict, sizeof dict,
                     "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, %zu), }", rows, cols)
          : snprintf(dict, sizeof dict,
                     "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu,), }", rows);
  size_t total = 10 + (size_t)dl + 1; /* magic..len, dict, '\n' */
  size_t pad = (64 - total % 64) % 64;
  size_t hlen = (size_t)dl + pad + 1;
  char tmp[4096 + 8];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
    return sl_data_fail(msg, msglen, SL_EINVAL, "%s: path too long", path);
  FILE *f = fopen(tmp, "wb");
  if (!f) return sl_data_fail(msg, msglen, SL_EIO, "%s: cannot write: %s", tmp, strerror(errno));
  unsigned char head[10] = {
      0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 255), (unsigned char)(hlen >> 8)};
  errno = 0;
  int ok = fwrite(head, 1, 10, f) == 10 && fwrite(dict, 1, (size_t)dl, f) == (size_t)dl;
  for (size_t k = 0; ok && k < pad; k++) ok = fputc(' ', f) != EOF;
  ok = ok && fputc('\n', f) != EOF;
  unsigned char buf[8 * 1024];
  if (host_little_endian()) {
    ok = ok && fwrite(data, 8, count, f) == count;
    count = 0; /* skip the portable loop */
  }
  for (size_t done = 0; ok && done < count;) {
    size_t m = count - done < 1024 ? count - done : 1024;
    for (size_t k = 0; k < m; k++) {
      uint64_t u;
      memcpy(&u, data + done + k, 8);
      store_le(buf + 8 * k, u);
    }
    ok = fwrite(buf, 8, m, f) == m;
    done += m;
  }
  /* a full disk shows in fwrite, fflush or fclose, whichever reaches the disk first:
     keep the errno of the first failure */
  int werr = ok ? 0 : errno;
  if (ok && fflush(f) != 0) ok = 0, werr = errno;
  if (fclose(f) != 0 && ok) ok = 0, werr = errno;
  if (!ok) {
    remove(tmp);
    return sl_data_fail(msg, msglen, SL_EIO, "%s: writing %s failed: %s", path, tmp,
                        strerror(werr ? werr : EIO));
  }
  if (rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    return sl_data_fail(msg, msglen, SL_EIO, "%s: cannot rename into place: %s", path, strerror(e));
  }
  return SL_OK;
}
