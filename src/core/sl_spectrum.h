/*
** sl_spectrum.h — curvature of any objective through Hessian-vector products:
** extreme eigenpairs (Lanczos with full reorthogonalization, power iteration),
** Hutchinson's trace estimator, stochastic Lanczos quadrature for the
** spectral density, and the dense symmetric eigendecomposition (LAPACK).
** Every routine works through sl_obj_hvp, so an objective without an analytic
** HVP is probed through the finite-difference fallback (sl_obj_has_exact_hvp).
*/
#ifndef SL_SPECTRUM_H
#define SL_SPECTRUM_H

#include <stddef.h>

#include "sl_objective.h"
#include "sl_rng.h"
#include "sl_status.h"

typedef enum { SL_EIG_TOP = 0, SL_EIG_BOTTOM = 1 } sl_eig_which;

/* What Lanczos's tol bounds: the residual |H y - theta y| (ARPACK's test, so
   the eigenvector is accurate too), or the eigenvalue's error estimated by
   the gap theorem, min(res, res^2 / gap) (the value only: fewer HVPs). */
typedef enum { SL_EIG_RESIDUAL = 0, SL_EIG_VALUE = 1 } sl_eig_criterion;

/* Options of the eigen-solvers. Defaults from sl_eig_opts_default(). */
typedef struct sl_eig_opts {
  size_t k;                   /* eigenpairs wanted (default 1) */
  double tol;                 /* stop when every wanted Ritz pair has residual
                                 |H y - theta y| <= tol |theta| (default 1e-6), or with
                                 criterion SL_EIG_VALUE its estimated eigenvalue error; for the
                                 power method, when |theta_t - theta_{t-1}| <= tol |theta_t| */
  sl_eig_criterion criterion; /* Lanczos only (default SL_EIG_RESIDUAL) */
  size_t maxiter;             /* Lanczos: largest Krylov dimension (0 = min(dim, 300));
                                 power: HVPs per eigenpair (0 = 1000) */
  sl_eig_which which;         /* SL_EIG_TOP: largest (algebraic); SL_EIG_BOTTOM: smallest */
  const double *v0;           /* starting vector (dim entries) or NULL: random normal from rng */
  sl_rng *rng;                /* required when v0 is NULL, or to restart after a breakdown */
  sl_stopflag *stop;          /* polled once per HVP; NULL = never */
} sl_eig_opts;

sl_eig_opts sl_eig_opts_default(void);

/* What a solver reports besides the eigenpairs. */
typedef struct sl_eig_info {
  size_t nhvp;   /* Hessian-vector products made */
  size_t iters;  /* Lanczos steps (Krylov dimension) or power iterations */
  int converged; /* 1 if every wanted pair met tol */
  double
      resid[64]; /* residual bound of the first min(k, 64) pairs (|beta s_mi| or |Hv - theta v|) */
} sl_eig_info;

/*
** The k extreme eigenpairs of H(x) by the Lanczos process with full
** (twice-iterated Gram-Schmidt) reorthogonalization; the Ritz values of the
** tridiagonal T_m come from LAPACK dstevr (only the wanted ones and their
** inward neighbour) and the residual bound is |beta_m e_m^T s_i| (Golub &
** Van Loan, sec. 10.1; Parlett, ch. 13).
** After a breakdown (an invariant subspace) the process restarts from a random
** vector orthogonal to the basis, so repeated eigenvalues are found too.
** values: k entries, descending for TOP, ascending for BOTTOM; vectors: k*dim
** (row i is the unit eigenvector of values[i]) or NULL.
** Errors: SL_EINVAL (k = 0, k > dim, tol not > 0, no rng and no v0, v0 zero),
** SL_ENONFINITE (an HVP returned NaN/Inf), SL_ENOMEM, SL_EINTERRUPTED, or the HVP's status.
*/
sl_status sl_spectrum_lanczos(sl_objective *o, const double *x, const sl_eig_opts *opt,
                              double *values, double *vectors, sl_eig_info *info);

/*
** Power iteration with deflation (the method PyHessian uses): the dominant
** eigenvalue in magnitude, then the next one orthogonal to those found.
** Only which = SL_EIG_TOP (the k eigenvalues of largest |lambda|, in the order
** found); SL_EIG_BOTTOM returns SL_EINVAL.
*/
sl_status sl_spectrum_power(sl_objective *o, const double *x, const sl_eig_opts *opt,
                            double *values, double *vectors, sl_eig_info *info);

/*
** Hutchinson's estimator tr(H) ~ mean of z^T H z over Rademacher z
** (Hutchinson 1990; Avron & Toledo 2011). stderr = sample std / sqrt(samples)
** (NaN when samples = 1).
*/
sl_status sl_spectrum_trace(sl_objective *o, const double *x, size_t samples, sl_rng *rng,
                            sl_stopflag *stop, double *trace, double *stderr_out, size_t *nhvp);

/*
** Stochastic Lanczos quadrature (Ghorbani, Krishnan & Xiao 2019; Ubaru, Chen &
** Saad 2017): for each of `probes` Rademacher vectors v/|v|, m = min(steps, dim)
** Lanczos steps with full reorthogonalization give nodes theta_i (Ritz values)
** and weights tau_i = (first component of the i-th eigenvector of T)^2; the
** spectral density is approximated by sum_i tau_i delta(t - theta_i), averaged
** over probes. nodes/weights: room for probes*steps; *count gets the number
** written (weights sum to 1 over all probes). A probe stops early at a breakdown
** (its quadrature is then exact).
*/
sl_status sl_spectrum_slq(sl_objective *o, const double *x, size_t steps, size_t probes,
                          sl_rng *rng, sl_stopflag *stop, double *nodes, double *weights,
                          size_t *count, size_t *nhvp);

/*
** Gaussian broadening of a quadrature: dens[g] = sum_i w_i N(grid[g]; nodes_i, sigma^2).
** The grid is ngrid points evenly over [min node - 3 sigma, max node + 3 sigma].
*/
void sl_spectrum_density(size_t count, const double *nodes, const double *weights, double sigma,
                         size_t ngrid, double *grid, double *dens);

/*
** Eigendecomposition of a dense symmetric n x n row-major matrix by LAPACK
** dsyevd: w ascending; v (n*n, row-major, or NULL) holds the eigenvectors as
** columns. SL_EINVAL if a is not symmetric within 1e-10 max|a_ij| (or has NaN).
*/
sl_status sl_spectrum_eigs_dense(size_t n, const double *a, double *w, double *v);

#endif
