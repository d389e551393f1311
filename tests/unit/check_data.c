/*
** check_data.c — the core data readers, writer, transforms and generators,
** used from C alone (no Lua).
*/
#include <check.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_slope.h"
#include "sl_data.h"
#include "sl_data_priv.h" /* SL_DATA_BLOCK */
#include "sl_parse_num.h"

static char tmpdir[64];

static void setup(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/slope-check-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  ck_assert_int_eq(system(cmd), 0);
}

static const char *write_file(const char *name, const char *content, size_t n) {
  static char path[128];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(content, 1, n, f), n);
  fclose(f);
  return path;
}

START_TEST(test_csv_read) {
  const char *txt = "a,b,target\n0.1,2,1\n-3e2,4,0\n\n";
  const char *p = write_file("a.csv", txt, strlen(txt));
  sl_csv_opts o = sl_csv_opts_default();
  sl_csv_result r;
  char msg[SL_DATA_MSGLEN];
  ck_assert_int_eq(sl_csv_read(p, &o, &r, msg, sizeof msg), SL_OK);
  ck_assert_uint_eq(r.rows, 2);
  ck_assert_uint_eq(r.X.cols, 2);
  ck_assert_uint_eq(r.target, 2);
  ck_assert(r.X.data[0] == 0.1 && r.X.data[2] == -300.0);
  ck_assert(r.y[0] == 1.0 && r.y[1] == 0.0);
  ck_assert_str_eq(r.names[1], "b");
  sl_csv_result_free(&r);
  ck_assert_ptr_null(r.names);
}
END_TEST

START_TEST(test_csv_errors) {
  const char *txt = "a,b,target\n1,2,3\n1,x,3\n";
  const char *p = write_file("b.csv", txt, strlen(txt));
  sl_csv_result r;
  char msg[SL_DATA_MSGLEN], want[256];
  ck_assert_int_eq(sl_csv_read(p, NULL, &r, msg, sizeof msg), SL_EIO);
  snprintf(want, sizeof want, "%s:3:3: 'x' is not a number", p);
  ck_assert_str_eq(msg, want);
  ck_assert_ptr_null(r.X.data); /* nothing left allocated */
  txt = "a,b\n1,2\n";
  p = write_file("c.csv", txt, strlen(txt));
  ck_assert_int_eq(sl_csv_read(p, NULL, &r, msg, sizeof msg), SL_EIO);
  ck_assert_ptr_nonnull(strstr(msg, "no target column 'target' (columns: a, b)"));
}
END_TEST

START_TEST(test_libsvm) {
  const char *txt = "1 2:3 5:-1\n0\n-1 1:2\n";
  const char *p = write_file("a.svm", txt, strlen(txt));
  sl_libsvm_result r;
  char msg[SL_DATA_MSGLEN];
  ck_assert_int_eq(sl_libsvm_read(p, 0, &r, msg, sizeof msg), SL_OK);
  ck_assert_uint_eq(r.rows, 3);
  ck_assert_uint_eq(r.X.cols, 5);
  ck_assert_uint_eq(r.X.nnz, 3);
  ck_assert_uint_eq(r.X.indptr[1], 2);
  ck_assert_uint_eq(r.X.indptr[2], 2);
  ck_assert_uint_eq(r.X.indices[1], 4);
  ck_assert(r.X.values[2] == 2.0 && r.y[2] == -1.0);
  sl_libsvm_result_free(&r);
  ck_assert_int_eq(sl_libsvm_read(p, 4, &r, msg, sizeof msg), SL_EIO);
  ck_assert_ptr_nonnull(strstr(msg, ":1:7: index 5 exceeds features = 4"));
}
END_TEST

START_TEST(test_npy_roundtrip) {
  double v[6] = {0.1, -0.0, INFINITY, NAN, 5e-324, -1e300};
  char path[128], msg[SL_DATA_MSGLEN];
  snprintf(path, sizeof path, "%s/m.npy", tmpdir);
  ck_assert_int_eq(sl_npy_write(path, 2, 2, 3, v, msg, sizeof msg), SL_OK);
  sl_npy h;
  ck_assert_int_eq(sl_npy_open(path, &h, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(h.ndim, 2);
  ck_assert_uint_eq(h.shape[0], 2);
  ck_assert_uint_eq(h.shape[1], 3);
  ck_assert_int_eq(h.data_offset % 64, 0);
  double w[6];
  ck_assert_int_eq(sl_npy_read_data(&h, w, msg, sizeof msg), SL_OK);
  sl_npy_close(&h);
  sl_npy_close(&h); /* idempotent */
  ck_assert_int_eq(memcmp(v, w, sizeof v), 0);
  const char bad[] = "\x93NUMPX\1\0";
  const char *p = write_file("bad.npy", bad, sizeof bad - 1);
  ck_assert_int_eq(sl_npy_open(p, &h, msg, sizeof msg), SL_EIO);
  ck_assert_ptr_nonnull(strstr(msg, "byte 0: bad magic"));
  ck_assert_ptr_null(h.f);
}
END_TEST

/* sl_parse_num against strtod: same acceptance, same bits. */
static int same_as_strtod(const char *s, size_t n) {
  char buf[512];
  memcpy(buf, s, n);
  buf[n] = '\0';
  char *end;
  double ref = strtod(buf, &end), v;
  int ok_ref = n > 0 && end == buf + n, ok = sl_parse_num(s, n, &v);
  if (ok != ok_ref || (ok && memcmp(&v, &ref, sizeof v) != 0)) {
    fprintf(stderr, "sl_parse_num('%s'): %d %a, strtod: %d %a\n", buf, ok, ok ? v : 0.0, ok_ref,
            ref);
    return 0;
  }
  return 1;
}

START_TEST(test_parse_num_exact) {
  sl_rng r;
  sl_rng_seed(&r, 20261204);
  char buf[512];
  int bad = 0;
  for (int i = 0; i < 100000; i++) {
    uint64_t u = sl_rng_next(&r);
    double d;
    memcpy(&d, &u, sizeof d);
    if (isnan(d)) continue;
    int n = snprintf(buf, sizeof buf, "%.17g", d); /* round trip */
    bad += !same_as_strtod(buf, (size_t)n);
    for (int p = 1; p <= 17; p++) { /* shortest round trip */
      n = snprintf(buf, sizeof buf, "%.*g", p, d);
      if (strtod(buf, NULL) == d) break;
    }
    bad += !same_as_strtod(buf, (size_t)n);
    n = snprintf(buf, sizeof buf, "%.*e", (int)(u % 40), d); /* rounded, near halfway */
    bad += !same_as_strtod(buf, (size_t)n);
    double s = ldexp((double)(u >> 12), -1074 - (int)(u % 60)); /* subnormals, underflow */
    n = snprintf(buf, sizeof buf, "%.*g", 1 + (int)(u % 25), s);
    bad += !same_as_strtod(buf, (size_t)n);
  }
  static const char *const spell[] = {"inf",
                                      "-inf",
                                      "+inf",
                                      "INF",
                                      "Infinity",
                                      "-INFINITY",
                                      "infinit",
                                      "nan",
                                      "-nan",
                                      "+NaN",
                                      "nan(123)",
                                      "nan()",
                                      "nan(",
                                      "0x1p-1074",
                                      "0X1.FFFFFFFFFFFFFp1023",
                                      "0x",
                                      " 1",
                                      "\t1",
                                      "\v1",
                                      "1 ",
                                      "+1",
                                      "+-1",
                                      "-+1",
                                      "--1",
                                      "-",
                                      "+",
                                      ".",
                                      "-.",
                                      "1.",
                                      "-.5",
                                      "+.5e-3",
                                      "1e",
                                      "1e+",
                                      "1e+5",
                                      "1E-5",
                                      "1e400",
                                      "-1e400",
                                      "1e-400",
                                      "4.9406564584124654e-324",
                                      "2.4703282292062327e-324",
                                      "2.4703282292062328e-324",
                                      "2.2250738585072011e-308",
                                      "1.7976931348623158e308",
                                      "1.7976931348623159e308",
                                      "9007199254740993",
                                      "9007199254740992.50000000000000000000000000001",
                                      "0.1e99999999999999999999",
                                      "1_0",
                                      "1,5",
                                      "00000000000000000000001.5",
                                      "1e0000000000000000000000000000009",
                                      ""};
  for (size_t i = 0; i < sizeof spell / sizeof spell[0]; i++)
    bad += !same_as_strtod(spell[i], strlen(spell[i]));
  static const char alpha[] = "0123456789.eE+-xXpPinfatyINFATY( )\t";
  for (int i = 0; i < 200000; i++) { /* random short strings: acceptance must agree */
    size_t n = sl_rng_next(&r) % 12;
    for (size_t k = 0; k < n; k++) buf[k] = alpha[sl_rng_next(&r) % (sizeof alpha - 1)];
    bad += !same_as_strtod(buf, n);
  }
  for (int i = 0; i < 20000; i++) { /* long digit strings (the big-integer path) */
    size_t n = 20 + sl_rng_next(&r) % 300;
    for (size_t k = 0; k < n; k++) buf[k] = (char)('0' + sl_rng_next(&r) % 10);
    buf[sl_rng_next(&r) % n] = '.';
    n += (size_t)snprintf(buf + n, 16, "e%d", (int)(sl_rng_next(&r) % 700) - 350);
    bad += !same_as_strtod(buf, n);
  }
  ck_assert_int_eq(bad, 0);
}
END_TEST

/* Peak resident memory of this (forked) test process, in kB. */
static long peak_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %ld", &kb) == 1) break;
  if (f) fclose(f);
  return kb;
}

/* A header of n one-letter names (and one data row of zeros when row). */
static const char *wide_file(const char *name, size_t n, int row) {
  size_t len = 2 * n * (row ? 2 : 1);
  char *t = malloc(len);
  ck_assert_ptr_nonnull(t);
  for (size_t j = 0; j < n; j++) {
    t[2 * j] = 'a';
    t[2 * j + 1] = j + 1 < n ? ',' : '\n';
    if (row) {
      t[2 * n + 2 * j] = '0';
      t[2 * n + 2 * j + 1] = j + 1 < n ? ',' : '\n';
    }
  }
  const char *p = write_file(name, t, len);
  free(t);
  return p;
}

START_TEST(test_csv_wide_header_memory) {
  const size_t n = 1000000;
  const char *p = wide_file("wide.csv", n, 1);
  sl_csv_opts o = sl_csv_opts_default();
  o.target_name = NULL;
  sl_csv_result r;
  char msg[SL_DATA_MSGLEN];
  long before = peak_kb();
  ck_assert_int_eq(sl_csv_read(p, &o, &r, msg, sizeof msg), SL_OK);
  long grew = peak_kb() - before;
  ck_assert_uint_eq(r.ncols, n);
  ck_assert_uint_eq(r.X.cols, n);
  ck_assert_str_eq(r.names[n - 1], "a");
  sl_csv_result_free(&r);
  /* names 2 MB + pointers 8 MB + one row 8 MB + the 4 MB file mapped: was ~100 MB */
#ifdef __SANITIZE_ADDRESS__
  ck_assert_int_lt(grew, 120 * 1024); /* ASan's redzones and shadow memory come on top */
#else
  ck_assert_int_lt(grew, 40 * 1024);
#endif
}
END_TEST

START_TEST(test_csv_limits) {
  sl_csv_opts o = sl_csv_opts_default();
  o.target_name = NULL;
  sl_csv_result r;
  char msg[SL_DATA_MSGLEN], want[256];
  const char *p = wide_file("toowide.csv", SL_CSV_MAX_COLS + 1, 0);
  ck_assert_int_eq(sl_csv_read(p, &o, &r, msg, sizeof msg), SL_EIO);
  snprintf(want, sizeof want, "%s:1:%zu: more than %zu columns", p, 2 * SL_CSV_MAX_COLS + 1,
           (size_t)SL_CSV_MAX_COLS);
  ck_assert_str_eq(msg, want);
  ck_assert_ptr_null(r.names);
  size_t big = SL_DATA_MAX_FIELD + 1;
  char *t = malloc(big + 64);
  memcpy(t, "a,b\n1,", 6);
  memset(t + 6, '1', big);
  memcpy(t + 6 + big, "\n", 1);
  p = write_file("longfield.csv", t, 7 + big);
  ck_assert_int_eq(sl_csv_read(p, &o, &r, msg, sizeof msg), SL_EIO);
  snprintf(want, sizeof want, "%s:2:3: field longer than %d bytes", p, SL_DATA_MAX_FIELD);
  ck_assert_str_eq(msg, want);
  memset(t + 6, '1', big - 1); /* at the limit: read (a 4096-digit number) */
  memcpy(t + 5 + big, "\n", 1);
  p = write_file("longok.csv", t, 6 + big);
  ck_assert_int_eq(sl_csv_read(p, &o, &r, msg, sizeof msg), SL_OK);
  ck_assert(isinf(r.X.data[1]));
  sl_csv_result_free(&r);
  memcpy(t, "a,\"", 3);
  memset(t + 3, 'b', big);
  memcpy(t + 3 + big, "\"\n", 2);
  p = write_file("longname.csv", t, 5 + big);
  ck_assert_int_eq(sl_csv_read(p, &o, &r, msg, sizeof msg), SL_EIO);
  snprintf(want, sizeof want, "%s:1:3: header name longer than %d bytes", p, SL_DATA_MAX_FIELD);
  ck_assert_str_eq(msg, want);
  free(t);
  /* a byte-order mark counts in the column of every error */
  const char bom[] = "\xEF\xBB\xBF"
                     "a,\"b\n";
  p = write_file("bom.csv", bom, sizeof bom - 1);
  ck_assert_int_eq(sl_csv_read(p, &o, &r, msg, sizeof msg), SL_EIO);
  snprintf(want, sizeof want, "%s:1:6: unterminated quoted field", p);
  ck_assert_str_eq(msg, want);
}
END_TEST

/* A malformed line of 8 MB of ':' reserves at most 2 M entries and touches
   none of them: the error comes out, the memory stays small. */
START_TEST(test_libsvm_colons_bound) {
  size_t n = (size_t)8 << 20;
  char *t = malloc(n + 3);
  memcpy(t, "1 ", 2);
  memset(t + 2, ':', n);
  t[n + 2] = '\n';
  const char *p = write_file("colons.svm", t, n + 3);
  free(t);
  sl_libsvm_result r;
  char msg[SL_DATA_MSGLEN], want[256];
  long before = peak_kb();
  ck_assert_int_eq(sl_libsvm_read(p, 0, &r, msg, sizeof msg), SL_EIO);
  snprintf(want, sizeof want, "%s:1:3: index '' is not an integer", p);
  ck_assert_str_eq(msg, want);
  ck_assert_int_lt(peak_kb() - before, 16 * 1024); /* the file itself is 8 MB, mapped */
  ck_assert_ptr_null(r.X.values);
}
END_TEST

/* Files of several blocks: the same doubles and the same first error at 1 and
   2 threads, equal to a line-at-a-time reading. */
START_TEST(test_readers_threads) {
  size_t rows = 200000, cap = rows * 120;
  char *t = malloc(cap), *u = malloc(cap);
  size_t n = 0, m = 0;
  sl_rng r;
  sl_rng_seed(&r, 3);
  n += (size_t)snprintf(t, cap, "x,y,target\n");
  for (size_t i = 0; i < rows; i++) {
    double a = sl_rng_normal(&r), b = ldexp(sl_rng_normal(&r), (int)(i % 600) - 300);
    n += (size_t)snprintf(t + n, cap - n, "%.17g, %.6g,%zu\n%s", a, b, i % 3, i % 7 ? "" : "\n");
    m += (size_t)snprintf(u + m, cap - m, "%zu %zu:%.17g %zu:%.9g\n", i % 2, 1 + i % 5, a,
                          10 + i % 9, b);
  }
  ck_assert_uint_gt(n, 3 * SL_DATA_BLOCK);
  const char *p = write_file("big.csv", t, n);
  char path[128], upath[128], msg[SL_DATA_MSGLEN], msg2[SL_DATA_MSGLEN];
  snprintf(path, sizeof path, "%s", p);
  snprintf(upath, sizeof upath, "%s", write_file("big.svm", u, m));
  sl_csv_result c1, c2;
  sl_libsvm_result s1, s2;
  int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  ck_assert_int_eq(sl_csv_read(path, NULL, &c1, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(sl_libsvm_read(upath, 0, &s1, msg, sizeof msg), SL_OK);
  omp_set_num_threads(2);
  ck_assert_int_eq(sl_csv_read(path, NULL, &c2, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(sl_libsvm_read(upath, 0, &s2, msg, sizeof msg), SL_OK);
  ck_assert_uint_eq(c1.rows, rows);
  ck_assert_int_eq(memcmp(c1.X.data, c2.X.data, rows * 2 * sizeof(double)), 0);
  ck_assert_int_eq(memcmp(c1.y, c2.y, rows * sizeof(double)), 0);
  ck_assert(c1.y[rows - 1] == (double)((rows - 1) % 3));
  ck_assert_uint_eq(s1.X.nnz, 2 * rows);
  ck_assert_uint_eq(s1.X.cols, 18);
  ck_assert_int_eq(memcmp(s1.X.values, s2.X.values, 2 * rows * sizeof(double)), 0);
  ck_assert_int_eq(memcmp(s1.X.indptr, s2.X.indptr, (rows + 1) * sizeof(size_t)), 0);
  ck_assert(s1.X.values[2 * rows - 2] == c1.X.data[2 * rows - 2]); /* the same %.17g text */
  sl_csv_result_free(&c1);
  sl_csv_result_free(&c2);
  sl_libsvm_result_free(&s1);
  sl_libsvm_result_free(&s2);
  /* errors in several blocks: the first in the file is reported */
  size_t at1 = n / 2, at2 = n - 100;
  while (t[at1 - 1] != '\n') at1++;
  while (t[at2 - 1] != '\n') at2++;
  t[at2] = 'x';
  t[at1] = 'y';
  size_t line = 1;
  for (size_t i = 0; i < at1; i++) line += t[i] == '\n';
  p = write_file("bad.csv", t, n);
  snprintf(path, sizeof path, "%s", p);
  omp_set_num_threads(1);
  ck_assert_int_eq(sl_csv_read(path, NULL, &c1, msg, sizeof msg), SL_EIO);
  omp_set_num_threads(2);
  ck_assert_int_eq(sl_csv_read(path, NULL, &c1, msg2, sizeof msg2), SL_EIO);
  ck_assert_str_eq(msg, msg2);
  char want[256];
  snprintf(want, sizeof want, "%s:%zu:1: ", path, line);
  ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "%s", msg);
  omp_set_num_threads(threads);
  free(t);
  free(u);
}
END_TEST

START_TEST(test_npy_map) {
  double v[6] = {0.1, -0.0, INFINITY, 5e-324, -1e300, 2};
  char path[128], msg[SL_DATA_MSGLEN];
  snprintf(path, sizeof path, "%s/m.npy", tmpdir);
  ck_assert_int_eq(sl_npy_write(path, 2, 2, 3, v, msg, sizeof msg), SL_OK);
  sl_npy h;
  sl_npy_mapping m;
  ck_assert_int_eq(sl_npy_open(path, &h, msg, sizeof msg), SL_OK);
  ck_assert_ptr_null(sl_npy_why_copy(&h));
  ck_assert_int_eq(sl_npy_map(&h, &m, msg, sizeof msg), SL_OK);
  sl_npy_close(&h);
  ck_assert_int_eq(memcmp(m.data, v, sizeof v), 0);
  m.data[0] = 42; /* copy-on-write: the file keeps 0.1 */
  double w[6];
  ck_assert_int_eq(sl_npy_open(path, &h, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(sl_npy_read_data(&h, w, msg, sizeof msg), SL_OK);
  sl_npy_close(&h);
  ck_assert(w[0] == 0.1 && m.data[0] == 42);
  sl_npy_unmap(&m);
  sl_npy_unmap(&m); /* idempotent */
  ck_assert_ptr_null(m.base);
}
END_TEST

START_TEST(test_transforms) {
  double xd[6] = {1, 7, 3, 7, 5, 7};
  sl_mat x = {3, 2, xd};
  double mean[2], scale[2];
  sl_data_colstats(&x, mean, scale);
  ck_assert_double_eq(mean[0], 3.0);
  ck_assert_double_eq_tol(scale[0], sqrt(8.0 / 3.0), 1e-15);
  ck_assert_double_eq(scale[1], 1.0); /* constant column */
  sl_data_standardize(&x, mean, scale, &x);
  ck_assert_double_eq(xd[1], 0.0);
  double y[3] = {0, 2, 1.5}, od[9] = {0};
  sl_mat o = {3, 3, od};
  size_t bad = 99;
  ck_assert_int_eq(sl_data_onehot(3, y, 3, &o, &bad), SL_EINVAL);
  ck_assert_uint_eq(bad, 2);
  y[2] = 1;
  ck_assert_int_eq(sl_data_onehot(3, y, 3, &o, &bad), SL_OK);
  ck_assert_double_eq(od[5], 1.0);
}
END_TEST

START_TEST(test_synth_reproducible) {
  sl_synth_opts o = {.n = 30, .d = 3, .cond = 10, .noise = 0, .seed = 5};
  double xa[90], xb[90], ya[30], yb[30], wa[3], wb[3];
  sl_mat a = {30, 3, xa}, b = {30, 3, xb};
  ck_assert_int_eq(sl_synth_linear(&o, &a, ya, wa), SL_OK);
  ck_assert_int_eq(sl_synth_linear(&o, &b, yb, wb), SL_OK);
  ck_assert_int_eq(memcmp(xa, xb, sizeof xa), 0);
  for (int i = 0; i < 30; i++) {
    double s = 0;
    for (int j = 0; j < 3; j++) s += xa[i * 3 + j] * wa[j];
    ck_assert_double_eq_tol(ya[i], s, 1e-12);
  }
  o.cond = 0.5;
  ck_assert_int_eq(sl_synth_linear(&o, &a, ya, wa), SL_EINVAL);
}
END_TEST

Suite *data_suite(void) {
  Suite *s = suite_create("data");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(
      tc,
      60); /* 10^5 strtod comparisons and threaded readers: slow under asan or a loaded machine */
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_csv_read);
  tcase_add_test(tc, test_csv_errors);
  tcase_add_test(tc, test_libsvm);
  tcase_add_test(tc, test_npy_roundtrip);
  tcase_add_test(tc, test_parse_num_exact);
  tcase_add_test(tc, test_csv_wide_header_memory);
  tcase_add_test(tc, test_csv_limits);
  tcase_add_test(tc, test_libsvm_colons_bound);
  tcase_add_test(tc, test_readers_threads);
  tcase_add_test(tc, test_npy_map);
  tcase_add_test(tc, test_transforms);
  tcase_add_test(tc, test_synth_reproducible);
  suite_add_tcase(s, tc);
  return s;
}
