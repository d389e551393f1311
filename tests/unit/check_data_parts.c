/*
** check_data_parts.c — the readers' partial reads behind slope.data's shard
** options: sl_npy_read_rows and sl_libsvm_read_part. The parts of a file, put
** together in order, must be the whole file exactly (small files and one past
** the readers' multi-block size), whatever the number of parts.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_slope.h"
#include "sl_data.h"
#include "sl_data_priv.h" /* SL_DATA_SERIAL */

static char dir[64];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/slope-parts-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_npy_rows) {
  enum { R = 9, C = 4 };
  double v[R * C], w[R * C];
  for (int i = 0; i < R * C; i++) v[i] = i * 1.5 - 7;
  char path[128], msg[512];
  snprintf(path, sizeof path, "%s/a.npy", dir);
  ck_assert_int_eq(sl_npy_write(path, 2, R, C, v, msg, sizeof msg), SL_OK);
  for (size_t lo = 0; lo <= R; lo++)
    for (size_t n = 0; lo + n <= R; n++) {
      sl_npy h;
      ck_assert_int_eq(sl_npy_open(path, &h, msg, sizeof msg), SL_OK);
      memset(w, 0, sizeof w);
      ck_assert_int_eq(sl_npy_read_rows(&h, lo, n, w, msg, sizeof msg), SL_OK);
      ck_assert_int_eq(memcmp(w, v + lo * C, n * C * sizeof(double)), 0);
      sl_npy_close(&h);
    }
  sl_npy h;
  ck_assert_int_eq(sl_npy_open(path, &h, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(sl_npy_read_rows(&h, 8, 2, w, msg, sizeof msg), SL_EINVAL);
  ck_assert_ptr_nonnull(strstr(msg, "rows 9..10 of 9"));
  ck_assert_int_eq(sl_npy_read_rows(&h, (size_t)-1, 2, w, msg, sizeof msg), SL_EINVAL);
  sl_npy_close(&h);
  /* a converted dtype (int16, big-endian) read by rows: numpy wrote it as
     np.arange(6, dtype='>i2').reshape(3, 2) */
  static const char hdr[] = "\x93NUMPY\x01\x00\x76\x00{'descr': '>i2', 'fortran_order': False, "
                            "'shape': (3, 2), }";
  unsigned char file[128 + 12];
  memset(file, ' ', 128);
  memcpy(file, hdr, sizeof hdr - 1);
  file[127] = '\n';
  for (int i = 0; i < 6; i++) {
    file[128 + 2 * i] = 0;
    file[128 + 2 * i + 1] = (unsigned char)i;
  }
  snprintf(path, sizeof path, "%s/b.npy", dir);
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fwrite(file, 1, sizeof file, f), sizeof file);
  fclose(f);
  ck_assert_int_eq(sl_npy_open(path, &h, msg, sizeof msg), SL_OK);
  ck_assert_int_eq(sl_npy_read_rows(&h, 1, 2, w, msg, sizeof msg), SL_OK);
  for (int i = 0; i < 4; i++) ck_assert(w[i] == i + 2);
  sl_npy_close(&h);
}
END_TEST

/* The parts' rows concatenated equal the whole file's rows, labels and entries. */
static void check_parts(const char *path, size_t nparts) {
  char msg[512];
  sl_libsvm_result whole;
  ck_assert_int_eq(sl_libsvm_read(path, 0, &whole, msg, sizeof msg), SL_OK);
  size_t row = 0;
  for (size_t p = 0; p < nparts; p++) {
    sl_libsvm_result r;
    ck_assert_int_eq(sl_libsvm_read_part(path, 0, p, nparts, &r, msg, sizeof msg), SL_OK);
    ck_assert_uint_le(r.X.cols, whole.X.cols);
    for (size_t i = 0; i < r.rows; i++, row++) {
      ck_assert_uint_lt(row, whole.rows);
      ck_assert(r.y[i] == whole.y[row]);
      size_t a = r.X.indptr[i], b = r.X.indptr[i + 1];
      size_t wa = whole.X.indptr[row], wb = whole.X.indptr[row + 1];
      ck_assert_uint_eq(b - a, wb - wa);
      for (size_t k = 0; k < b - a; k++) {
        ck_assert_uint_eq(r.X.indices[a + k], whole.X.indices[wa + k]);
        ck_assert(r.X.values[a + k] == whole.X.values[wa + k]);
      }
    }
    sl_libsvm_result_free(&r);
  }
  ck_assert_uint_eq(row, whole.rows);
  sl_libsvm_result_free(&whole);
}

START_TEST(test_libsvm_parts) {
  char path[128], msg[512];
  snprintf(path, sizeof path, "%s/s.svm", dir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("1 1:0.5 3:2\n# a comment\n-1 2:1.5\n\n1 1:1 2:2 3:3 5:1\n-1 4:4\n1 2:7 # tail", f);
  fclose(f);
  for (size_t k = 1; k <= 12; k++) check_parts(path, k);
  /* past the size read in blocks on threads, with blank and comment lines */
  snprintf(path, sizeof path, "%s/big.svm", dir);
  f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  size_t bytes = 0;
  for (int i = 0; bytes < 3 * SL_DATA_SERIAL; i++) {
    int n = fprintf(f, i % 97 == 0 ? "# comment %d\n" : "%d %d:%d.25 %d:%d\n", i % 2 ? 1 : -1,
                    i % 13 + 1, i, i % 13 + 20, i % 7);
    bytes += (size_t)n;
  }
  fclose(f);
  for (size_t k = 1; k <= 5; k += 2) check_parts(path, k);
  sl_libsvm_result r;
  ck_assert_int_eq(sl_libsvm_read_part(path, 0, 3, 3, &r, msg, sizeof msg), SL_EINVAL);
  ck_assert_int_eq(sl_libsvm_read_part(path, 0, 0, 0, &r, msg, sizeof msg), SL_EINVAL);
}
END_TEST

START_TEST(test_libsvm_part_error_line) {
  char path[128], msg[512];
  snprintf(path, sizeof path, "%s/bad.svm", dir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  for (int i = 0; i < 30; i++) fprintf(f, "1 %d:1\n", i % 4 + 1);
  fputs("1 x:2\n", f);
  fclose(f);
  sl_libsvm_result r;
  ck_assert_int_eq(sl_libsvm_read_part(path, 0, 2, 3, &r, msg, sizeof msg), SL_EIO);
  ck_assert_ptr_nonnull(strstr(msg, "bad.svm:31:3: index 'x' is not an integer"));
  ck_assert_int_eq(sl_libsvm_read_part(path, 0, 0, 3, &r, msg, sizeof msg), SL_OK);
  sl_libsvm_result_free(&r);
}
END_TEST

Suite *data_parts_suite(void) {
  Suite *s = suite_create("data_parts");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_npy_rows);
  tcase_add_test(tc, test_libsvm_parts);
  tcase_add_test(tc, test_libsvm_part_error_line);
  suite_add_tcase(s, tc);
  return s;
}
