/*
** sl_data.h — data sets: readers for CSV, LIBSVM/svmlight and NumPy .npy
** files, a .npy writer, transforms (standardize, one-hot, row gathers) and
** synthetic generators with known answers.
**
** Files are untrusted input. Every reader checks sizes before allocating
** (sl_size_product, SL_MAX_ENTRIES), never crashes on any byte string, and on
** failure returns SL_EIO (or SL_ENOMEM) with a message in the caller's buffer
** that names the file and the place: "path:line:column: ..." for text
** formats, "path: byte N: ..." for .npy. On failure nothing is left allocated.
**
** The text readers map the file (a pipe or other unmappable file is read
** whole into memory) and parse blocks of about 2 MB of lines on OpenMP
** threads (files under 1 MB on one); the result and the error reported (the
** first bad line in the file) do not depend on the thread count. As with any
** mapped file, one that another program truncates while it is being read
** can kill the process (SIGBUS), and one rewritten meanwhile can give mixed
** contents (a changed row or entry count is reported as an error).
*/
#ifndef SL_DATA_H
#define SL_DATA_H

#include <stddef.h>
#include <stdio.h>

#include "sl_mat.h"
#include "sl_rng.h"
#include "sl_status.h"

/* Size of a message buffer that always holds a reader's error text. */
#define SL_DATA_MSGLEN 1024

/*
** What one piece of a text file may cost. Besides the file's own bytes
** (mapped, so not copied) and the values it holds (8 bytes a dense entry,
** 16 a sparse one), no line, field or header costs more than these allow:
**   SL_DATA_MAX_FIELD  bytes in one CSV field or header name (after removing
**                      quotes) and in one LIBSVM label or value; a longer
**                      one is an error at its line and column.
**   SL_CSV_MAX_COLS    columns in a CSV file; the header's names are kept in
**                      one arena, so a header costs its own length plus 9
**                      bytes a column (at most ~13 MB for the widest header of
**                      one-letter names), and a data row needs no buffer.
*/
#define SL_DATA_MAX_FIELD 4096
#define SL_CSV_MAX_COLS   ((size_t)1 << 20)

/* ---- CSV ------------------------------------------------------------- */

typedef struct sl_csv_opts {
  char sep;                /* field separator; default ',' */
  int header;              /* 1: the first non-empty line holds column names; default 1 */
  const char *target_name; /* the target column by header name (needs header), or NULL */
  long target_index;       /* else: 1-based column, negative counts from the end (-1 = last),
                              0 = no target (every column goes to X) */
} sl_csv_opts;

/* ',', header, target_name "target" (the shipped data sets' convention). */
sl_csv_opts sl_csv_opts_default(void);

typedef struct sl_csv_result {
  sl_mat X;  /* rows x (columns without the target), malloc'd */
  double *y; /* rows entries, malloc'd; NULL when there is no target */
  size_t rows;
  size_t ncols;  /* columns in the file */
  size_t target; /* 0-based column of the target in the file, or (size_t)-1 */
  char **names;  /* ncols NUL-terminated header names, or NULL without a header: one
                    malloc'd array of pointers into one malloc'd arena (names[0]) */
} sl_csv_result;

/*
** Read a numeric CSV file. Fields are numbers as strtod reads them in the C
** locale, with the same doubles bit for bit (plain decimals are parsed by
** fast_float, exact like strtod; hex floats, nan and inf spellings go to
** strtod itself); spaces and tabs around a field are ignored; a field may be
** double-quoted ("" inside quotes is a quote; a quoted field ends on its
** line); '\r\n' line ends and a UTF-8 byte-order mark are accepted; blank
** lines are skipped. Errors: unreadable or empty file, ragged rows,
** non-numbers, a target column that does not exist (the message lists the
** columns), more than SL_CSV_MAX_COLS columns, a header name or field longer
** than SL_DATA_MAX_FIELD bytes.
*/
sl_status sl_csv_read(const char *path, const sl_csv_opts *opts, sl_csv_result *out, char *msg,
                      size_t msglen);
void sl_csv_result_free(sl_csv_result *r);

/* ---- LIBSVM / svmlight ------------------------------------------------ */

typedef struct sl_libsvm_result {
  sl_csr X; /* rows x cols, 0-based column indices */
  double *y;
  size_t rows;
} sl_libsvm_result;

/*
** Read "label idx:val idx:val ... [# comment]" lines, indices 1-based and
** strictly ascending within a line; "qid:n" after the label is skipped.
** Labels and values are numbers as strtod reads them (see sl_csv_read), at
** most SL_DATA_MAX_FIELD bytes each. features > 0 fixes the column count (an
** index above it is an error); features == 0 takes the largest index seen.
*/
sl_status sl_libsvm_read(const char *path, size_t features, sl_libsvm_result *out, char *msg,
                         size_t msglen);
/* Part `part` of nparts (0-based): the lines whose first byte lies in bytes
   [n part / nparts, n (part + 1) / nparts) of the n-byte file, so the parts
   hold every line once, in file order, and each reader touches only its
   pages (plus the end of the line before). Error lines count from the file's
   start. sl_libsvm_read is part 0 of 1. */
sl_status sl_libsvm_read_part(const char *path, size_t features, size_t part, size_t nparts,
                              sl_libsvm_result *out, char *msg, size_t msglen);
void sl_libsvm_result_free(sl_libsvm_result *r);

/* ---- NumPy .npy --------------------------------------------------------- */

typedef struct sl_npy {
  FILE *f;          /* open, positioned at the data, until sl_npy_close */
  int major, minor; /* format version (1.0, 2.0 and 3.0 are read) */
  int ndim;         /* 1 or 2 */
  size_t shape[2];  /* shape[1] == 1 when ndim == 1 */
  size_t count;     /* number of elements */
  char kind;        /* 'f', 'i', 'u' or 'b' */
  int itemsize;     /* bytes per element */
  int big_endian;   /* 1 for '>' dtypes */
  long data_offset; /* bytes before the data */
  char descr[16];   /* dtype as written, e.g. "<f8" */
  char path[512];   /* for messages */
} sl_npy;

/*
** Open a .npy file and check its header: magic, version, a dict with exactly
** 'descr', 'fortran_order' (False only) and 'shape' (1-D or 2-D), a supported
** dtype (<f8 <f4 <i8 <i4 <i2 |i1 |u1 <u2 <u4 <u8 |b1, and the '>' forms), and a
** file length that matches shape x itemsize exactly. On SL_OK h->f is open.
*/
sl_status sl_npy_open(const char *path, sl_npy *h, char *msg, size_t msglen);
/* Read the h->count elements, converted to double, into out. Closes nothing. */
sl_status sl_npy_read_data(sl_npy *h, double *out, char *msg, size_t msglen);
/* Read rows [lo, lo + n) (of shape[0]; a 1-D file's entries) into out: a
   seek past the rows before, then only those rows' bytes. */
sl_status sl_npy_read_rows(sl_npy *h, size_t lo, size_t n, double *out, char *msg, size_t msglen);
void sl_npy_close(sl_npy *h); /* idempotent */

/*
** The data of an open .npy file mapped in place (mmap, MAP_PRIVATE): data
** points at the h->count doubles. Pages are copy-on-write, so writing through
** data never changes the file; a file replaced by rename (sl_npy_write does
** that) leaves the mapping on the old contents, while a file rewritten in place
** by another program may show through pages not yet written, and one truncated
** meanwhile makes reads past its new end fault (SIGBUS), as with any mapping.
*/
typedef struct sl_npy_mapping {
  void *base; /* the mapping (file offset 0), or NULL */
  size_t len;
  double *data;
} sl_npy_mapping;
/* NULL when h's data can be mapped as doubles (float64 in the host's byte
   order, at least one element, data offset a multiple of 8); else why not
   (a constant string: "its dtype is converted to float64", ...). */
const char *sl_npy_why_copy(const sl_npy *h);
sl_status sl_npy_map(const sl_npy *h, sl_npy_mapping *m, char *msg, size_t msglen);
void sl_npy_unmap(sl_npy_mapping *m); /* idempotent */

/*
** Write rows x cols float64 values (C order) as a version 1.0 .npy file,
** little-endian '<f8', header padded to 64 bytes. ndim 1 writes shape (n,)
** (rows is n, cols must be 1). Written to "path.tmp" then renamed over path.
*/
sl_status sl_npy_write(const char *path, int ndim, size_t rows, size_t cols, const double *data,
                       char *msg, size_t msglen);

/* ---- transforms ------------------------------------------------------- */

/*
** Column means and population standard deviations (divide by n, as
** scikit-learn's StandardScaler); a column whose deviation is 0 (or n == 0)
** gets scale 1 so it maps to 0 rather than NaN. mean, scale: cols entries.
*/
void sl_data_colstats(const sl_mat *x, double *mean, double *scale);
/* out = (x - mean) / scale per column; out may be x. */
void sl_data_standardize(const sl_mat *x, const double *mean, const double *scale, sl_mat *out);

/*
** One-hot rows: out is n x k zeroed by the caller; label y[i] must be an
** integer in 0..k-1. Returns SL_EINVAL with *bad = the first offending i.
*/
sl_status sl_data_onehot(size_t n, const double *y, size_t k, sl_mat *out, size_t *bad);

/* out row r = x row idx[r] (0-based), for r < m; out is m x x->cols. */
void sl_data_gather_rows(const sl_mat *x, const size_t *idx, size_t m, sl_mat *out);
/* out = rows idx[0..m) of x as a new CSR (allocated here; sl_csr_free releases it). */
sl_status sl_data_gather_csr(const sl_csr *x, const size_t *idx, size_t m, sl_csr *out);

/* ---- synthetic data with known answers -------------------------------- */

typedef struct sl_synth_opts {
  size_t n, d;      /* samples and features */
  double cond;      /* condition number of the feature covariance (>= 1); default 1 */
  double noise;     /* linear: standard deviation of Gaussian noise on y; default 0.1 */
  double intercept; /* linear: b added to every y; default 0 */
  double scale;     /* logistic: norm of the true weight vector; default 4 */
  uint64_t seed;
} sl_synth_opts;

/*
** Features X = Z diag(s) Q^T with Z standard normal (n x d), s_j log-spaced
** from 1 down to 1/sqrt(cond) (so the covariance Q diag(s^2) Q^T has condition
** number cond) and Q a random orthogonal matrix (QR of a Gaussian matrix by
** modified Gram-Schmidt). x is n x d, w has d entries, y has n entries.
** linear:   w ~ N(0, I), y = X w + intercept + noise * N(0, 1).
** logistic: w ~ N(0, I) rescaled to norm `scale`, y ~ Bernoulli(sigmoid(X w)) in {0, 1}.
*/
sl_status sl_synth_linear(const sl_synth_opts *o, sl_mat *x, double *y, double *w);
sl_status sl_synth_logistic(const sl_synth_opts *o, sl_mat *x, double *y, double *w);

#endif
