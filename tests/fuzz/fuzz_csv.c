/*
** fuzz_csv.c — libFuzzer harness for sl_csv_read. Byte 0 picks the options
** (separator, header on/off, the target by name, by index or none), byte 1
** the target index (signed); the rest is the file. Any refusal is fine; a
** crash, leak, hang, unclosed file or a result that breaks sl_data.h's
** contract (shapes, names, a message naming the file) is a finding.
*/
#include "fuzz_input.h"
#include "sl_data.h"

static const char seps[8] = {',', ';', '\t', ' ', '|', '.', '-', '"'};

/* Every byte of a successful result read once, its shapes checked. */
static void check_result(const sl_csv_result *r, const sl_csv_opts *o) {
  int has_target = r->target != (size_t)-1;
  if (has_target && r->target >= r->ncols) abort();
  if (!has_target && (o->target_name || o->target_index != 0)) abort();
  if (r->X.rows != r->rows || r->X.cols != r->ncols - (size_t)has_target) abort();
  if (!r->X.data || (has_target && !r->y) || (!o->header && r->names)) abort();
  if (o->header && !r->names) abort();
  volatile double sink = 0;
  for (size_t i = 0; i < r->rows * r->X.cols; i++) sink += r->X.data[i];
  for (size_t i = 0; has_target && i < r->rows; i++) sink += r->y[i];
  for (size_t j = 0; r->names && j < r->ncols; j++) sink += (double)strlen(r->names[j]);
  (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  sl_csv_opts o = sl_csv_opts_default();
  o.sep = seps[data[0] & 7];
  o.header = (data[0] >> 3) & 1;
  switch ((data[0] >> 4) & 3) {
  case 0: o.target_name = "target"; break;
  case 1: o.target_name = NULL, o.target_index = (int8_t)data[1]; break;
  case 2: o.target_name = NULL, o.target_index = 0; break;
  default: o.target_name = "y"; break;
  }
  if (!o.header && o.target_name && (data[0] & 0x40)) o.header = 1;
  const char *path = fuzz_write(data + 2, size - 2);
  int fds = fuzz_fds();
  char msg[SL_DATA_MSGLEN];
  msg[0] = '\0';
  sl_csv_result r;
  sl_status st = sl_csv_read(path, &o, &r, msg, sizeof msg);
  if (st == SL_OK) {
    check_result(&r, &o);
    sl_csv_result_free(&r);
  } else {
    fuzz_check_refusal(st, msg, sizeof msg, path);
  }
  fuzz_check_fds(fds);
  return 0;
}
