/*
** check_data.c — the core data readers, writer, transforms and generators,
** used from C alone (no Lua).
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_slope.h"
#include "sl_data.h"

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
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_csv_read);
  tcase_add_test(tc, test_csv_errors);
  tcase_add_test(tc, test_libsvm);
  tcase_add_test(tc, test_npy_roundtrip);
  tcase_add_test(tc, test_transforms);
  tcase_add_test(tc, test_synth_reproducible);
  suite_add_tcase(s, tc);
  return s;
}
