/*
** sl_spectrum.c — power iteration with deflation, Hutchinson's trace
** estimator, Gaussian broadening of a spectral quadrature, and the dense
** symmetric eigendecomposition through LAPACK dsyevd.
*/
#include "sl_spectrum.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sl_mat.h"
#include "sl_vec.h"

/* v -= sum_r (v . u_r) u_r over the rows u_0..u_{found-1} of U (twice). */
static void deflate(size_t n, double *v, const double *U, size_t found) {
  for (int pass = 0; pass < 2; pass++)
    for (size_t r = 0; r < found; r++) sl_vec_axpy(n, v, -sl_vec_dot(n, v, U + r * n), U + r * n);
}

/*
** Power iteration, as PyHessian does it: v <- Hv/|Hv| with the Rayleigh
** quotient theta = v.Hv; stop when |theta_t - theta_{t-1}| <= tol |theta_t|.
** Deflation against the eigenvectors already found gives the next pairs.
*/
sl_status sl_spectrum_power(sl_objective *o, const double *x, const sl_eig_opts *opt,
                            double *values, double *vectors, sl_eig_info *info) {
  size_t n = o->dim, k = opt->k;
  memset(info, 0, sizeof *info);
  if (k == 0 || k > n || !(opt->tol > 0.0) || (opt->v0 == NULL && opt->rng == NULL) ||
      opt->which != SL_EIG_TOP)
    return SL_EINVAL;
  size_t budget = opt->maxiter ? opt->maxiter : 1000;
  size_t kn;
  if (sl_size_product(k, n, &kn) != SL_OK) return SL_ENOMEM;
  double *U = malloc(kn * sizeof(double));
  double *v = malloc(n * sizeof(double));
  double *hv = malloc(n * sizeof(double));
  sl_status st = SL_OK;
  if (!U || !v || !hv) {
    st = SL_ENOMEM;
    goto done;
  }
  info->converged = 1;
  sl_obj_hvp_begin(o, x); /* failure only means uncached HVPs */
  for (size_t p = 0; p < k; p++) {
    if (opt->v0 && p == 0)
      sl_vec_copy(n, v, opt->v0);
    else
      for (size_t i = 0; i < n; i++) v[i] = sl_rng_normal(opt->rng);
    deflate(n, v, U, p);
    double nv = sl_vec_nrm2(n, v);
    if (!(nv > 0.0) || !isfinite(nv)) {
      st = SL_EINVAL;
      goto done;
    }
    sl_vec_scale(n, v, 1.0 / nv);
    double theta = NAN, res = INFINITY;
    int conv = 0;
    for (size_t t = 0; t < budget; t++) {
      if (SL_STOPPED(opt->stop)) {
        st = SL_EINTERRUPTED;
        goto done;
      }
      st = sl_obj_hvp(o, x, v, hv);
      info->nhvp++;
      info->iters++;
      if (st < 0) goto done;
      if (!sl_vec_isfinite(n, hv)) {
        st = sl_obj_fail(o, SL_ENONFINITE, "Hessian-vector product is not finite");
        goto done;
      }
      deflate(n, hv, U, p);
      double th = sl_vec_dot(n, v, hv);
      double nh = sl_vec_nrm2(n, hv);
      res = sqrt(fmax(0.0, nh * nh - th * th)); /* |Hv - theta v| for unit v */
      int stop = t > 0 && fabs(th - theta) <= opt->tol * fabs(th);
      theta = th;
      if (stop || nh == 0.0) {
        conv = 1;
        break;
      }
      for (size_t i = 0; i < n; i++) v[i] = hv[i] / nh;
    }
    values[p] = theta;
    if (p < 64) info->resid[p] = res;
    sl_vec_copy(n, U + p * n, v);
    if (!conv) info->converged = 0;
  }
  if (vectors) memcpy(vectors, U, kn * sizeof(double));
  st = info->converged ? SL_OK : SL_MAXITER;
done:
  sl_obj_hvp_end(o);
  free(U);
  free(v);
  free(hv);
  return st;
}

sl_status sl_spectrum_trace(sl_objective *o, const double *x, size_t samples, sl_rng *rng,
                            sl_stopflag *stop, double *trace, double *stderr_out, size_t *nhvp) {
  size_t n = o->dim;
  *nhvp = 0;
  if (samples == 0 || rng == NULL) return SL_EINVAL;
  double *z = malloc((n ? n : 1) * sizeof(double));
  double *hz = malloc((n ? n : 1) * sizeof(double));
  sl_status st = SL_OK;
  if (!z || !hz) {
    st = SL_ENOMEM;
    goto done;
  }
  /* Welford's running mean and sum of squared deviations */
  double mean = 0.0, m2 = 0.0;
  sl_obj_hvp_begin(o, x); /* failure only means uncached HVPs */
  for (size_t s = 0; s < samples; s++) {
    if (SL_STOPPED(stop)) {
      st = SL_EINTERRUPTED;
      goto done;
    }
    for (size_t i = 0; i < n; i++) z[i] = (sl_rng_next(rng) >> 63) ? 1.0 : -1.0;
    st = sl_obj_hvp(o, x, z, hz);
    (*nhvp)++;
    if (st < 0) goto done;
    double q = sl_vec_dot(n, z, hz);
    if (!isfinite(q)) {
      st = sl_obj_fail(o, SL_ENONFINITE, "Hessian-vector product is not finite");
      goto done;
    }
    double d = q - mean;
    mean += d / (double)(s + 1);
    m2 += d * (q - mean);
  }
  *trace = mean;
  *stderr_out = samples > 1 ? sqrt(m2 / (double)(samples - 1) / (double)samples) : (double)NAN;
done:
  sl_obj_hvp_end(o);
  free(z);
  free(hz);
  return st;
}

void sl_spectrum_density(size_t count, const double *nodes, const double *weights, double sigma,
                         size_t ngrid, double *grid, double *dens) {
  if (count == 0 || ngrid == 0) return;
  double lo = sl_vec_min(count, nodes) - 3.0 * sigma, hi = sl_vec_max(count, nodes) + 3.0 * sigma;
  sl_vec_linspace(ngrid, grid, lo, hi);
  double c = 1.0 / (sigma * sqrt(2.0 * M_PI));
  for (size_t g = 0; g < ngrid; g++) {
    double acc = 0.0;
    for (size_t i = 0; i < count; i++) {
      double u = (grid[g] - nodes[i]) / sigma;
      acc += weights[i] * exp(-0.5 * u * u);
    }
    dens[g] = c * acc;
  }
}

sl_status sl_spectrum_eigs_dense(size_t n, const double *a, double *w, double *v) {
  size_t nn;
  if (sl_size_product(n, n, &nn) != SL_OK) return SL_ENOMEM;
  if (!sl_vec_isfinite(nn, a)) return SL_EINVAL;
  double amax = nn ? sl_vec_nrminf(nn, a) : 0.0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (fabs(a[i * n + j] - a[j * n + i]) > 1e-10 * amax) return SL_EINVAL;
  if (n == 0) return SL_OK;
  double *work = v ? v : malloc(nn * sizeof(double));
  if (work == NULL) return SL_ENOMEM;
  memcpy(work, a, nn * sizeof(double));
  lapack_int info =
      LAPACKE_dsyevd(LAPACK_ROW_MAJOR, v ? 'V' : 'N', 'U', (lapack_int)n, work, (lapack_int)n, w);
  if (!v) free(work);
  return info == 0 ? SL_OK : SL_ENONFINITE;
}
