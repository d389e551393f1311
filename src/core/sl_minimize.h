/*
** sl_minimize.h — full-batch minimization of an sl_objective: gradient
** descent, nonlinear CG, BFGS, L-BFGS, Newton-CG and trust-region Newton-CG,
** behind one step-wise solver (NLopt's shape: one entry point, each method in
** its own file min_<method>.c).
**
** A solver owns all its memory from sl_solver_new on; sl_solver_step does one
** iteration without allocating. Stop reasons are results (> 0), failures < 0.
*/
#ifndef SL_MINIMIZE_H
#define SL_MINIMIZE_H

#include <stddef.h>

#include "sl_linesearch.h"
#include "sl_objective.h"
#include "sl_status.h"

typedef enum {
  SL_MIN_GD = 0,    /* steepest descent: a line search, or a fixed step lr */
  SL_MIN_CG,        /* nonlinear conjugate gradients (beta: FR, PR+, HZ), with restarts */
  SL_MIN_BFGS,      /* dense inverse-Hessian BFGS (N&W eq. 6.17) */
  SL_MIN_LBFGS,     /* limited-memory BFGS, two-loop recursion (N&W Alg. 7.4) */
  SL_MIN_NEWTON_CG, /* truncated Newton: CG on H p = -g with HVPs (N&W Alg. 7.1) */
  SL_MIN_TRUST_NCG  /* Steihaug-Toint trust region (N&W Alg. 7.2 inside Alg. 4.1) */
} sl_min_method;

typedef enum { SL_CG_FR = 0, SL_CG_PRP, SL_CG_HZ } sl_cg_beta;

/* Lanczos steps trust_ncg takes to find a negative-curvature direction when CG
   meets non-positive curvature at once (near a saddle). */
#define SL_LANCZOS_K 10

typedef struct sl_min_params {
  sl_min_method method;
  sl_linesearch ls;   /* the line search (ignored by trust_ncg and by gd with lr > 0) */
  int ls_given;       /* 0: the method's default (strong Wolfe; c2 = 0.1 for cg) */
  int a0_given;       /* 1: use ls.a0 as every first trial; 0: the method's guess */
  double lr;          /* gd: fixed step when > 0 (default 0: line search) */
  double gtol;        /* stop when max|g_i| <= gtol (scipy's convention; 1e-5) */
  double ftol;        /* stop when f_prev - f <= ftol max(|f_prev|, |f|, 1) (0: off) */
  double xtol;        /* stop when max|x_new - x_old| <= xtol (0: off) */
  long maxiter;       /* iteration budget: sl_solver_run stops at nit = maxiter (1000) */
  int m;              /* lbfgs: pairs kept (10) */
  sl_cg_beta beta;    /* cg: beta formula (PR+) */
  long restart;       /* cg: restart with -g every `restart` iterations (0: 6 dim, as CG_DESCENT) */
  double radius0;     /* trust_ncg: initial radius (1) */
  double max_radius;  /* trust_ncg: largest radius (1000) */
  double eta;         /* trust_ncg: accept a step when actual/predicted > eta (0.15) */
  long inner_maxiter; /* newton_cg, trust_ncg: CG iterations per step (0: 20 dim) */
  double curv_eps;    /* (l)bfgs: skip the update when y's <= curv_eps |y| |s| (1e-10) */
} sl_min_params;

/* What the last iteration did (for s:step() and the history). */
typedef struct sl_step_info {
  double a;         /* step length along d (trust_ncg: 1 when accepted, 0 when not) */
  double step_norm; /* max|x_new - x_old| */
  double f_prev;    /* f before the step */
  double gd;        /* g'd at the start of the step (directional derivative) */
  int ls_used;      /* 1: ls holds the line search's record */
  sl_ls_result ls;
  int restarted; /* cg restart or quasi-Newton memory reset (not a descent direction, or ls failed)
                  */
  int skipped;   /* quasi-Newton update skipped (curvature y's not safely positive) */
  double beta;   /* cg: the beta used for the next direction */
  double radius; /* trust_ncg: radius used for this step */
  double rho;    /* trust_ncg: actual / predicted reduction */
  int accepted;  /* trust_ncg: the step was taken */
  long inner_iters;       /* newton_cg, trust_ncg: CG iterations */
  const char *inner_stop; /* "converged", "negative curvature", "boundary", "maxiter" */
} sl_step_info;

typedef struct sl_solver {
  sl_min_params p;
  sl_objective *o;
  size_t n;
  double *x, *g;   /* current point and gradient */
  double *d;       /* search direction */
  double *xt, *gt; /* trial point and its gradient */
  double *w[4];    /* scratch */
  double f, gnorm; /* f(x), max|g_i| */
  long nit;        /* iterations done */
  long skipped;    /* quasi-Newton updates skipped */
  /* line-search bookkeeping */
  double t_a, t_f; /* last trial step evaluated into xt, gt, and its value */
  int t_valid;
  double prev_a, prev_gd; /* last accepted step and its g'd */
  double last_decrease;   /* f_prev - f of the last step (initial-step guess) */
  /* method state */
  double *H;                   /* bfgs: inverse Hessian approximation, n x n row-major */
  int H_init;                  /* bfgs: H has been scaled after the first step */
  double *S, *Y, *rho, *alpha; /* lbfgs: m pairs (ring), 1/(y's), two-loop scratch */
  int mlen, mhead;             /* lbfgs: pairs stored, next slot */
  int have_d;                  /* cg: d already holds the next direction */
  long since_restart;          /* cg */
  double beta;                 /* cg: last beta */
  double radius;               /* trust_ncg */
  int tr_rejected;             /* trust_ncg: the last step was rejected */
  double *V; /* trust_ncg: SL_LANCZOS_K Lanczos vectors (negative-curvature escape) */
  sl_step_info info;
  sl_status status;                  /* status of the last step / run */
  char msg[320];                     /* the status in words */
  unsigned long nfev0, ngev0, nhvp0; /* objective counts at creation */
} sl_solver;

/* Defaults (see the field comments) for a method. */
void sl_min_defaults(sl_min_params *p, sl_min_method method);
/* Validate; on error a sentence in msg and SL_EINVAL. */
sl_status sl_min_check(const sl_min_params *p, char *msg, size_t len);
const char *sl_min_name(sl_min_method m);
int sl_min_method_from_name(const char *name); /* -1 when unknown */
const char *sl_cg_beta_name(sl_cg_beta b);

/*
** A solver at x0 (copied): evaluates f and g there. NULL with *st set on
** failure (SL_ENOMEM, SL_EINVAL with msg, or the objective's failure with o->msg).
*/
sl_solver *sl_solver_new(sl_objective *o, const double *x0, const sl_min_params *p, sl_status *st,
                         char *msg, size_t len);
void sl_solver_free(sl_solver *s);
/* Free the method's memory (BFGS matrix, L-BFGS pairs) but keep x and g readable
   until sl_solver_free: a closed solver whose point is still referenced. The
   solver must not step afterwards. */
void sl_solver_release(sl_solver *s);

/*
** One iteration. Returns SL_OK to go on, SL_CONVERGED_* when a tolerance is
** met after the step, or a failure (< 0) with s->msg in words; s->info says
** what the step did.
*/
sl_status sl_solver_step(sl_solver *s);

/* 1 (and status/msg set) if x already satisfies gtol. */
int sl_solver_converged_at_start(sl_solver *s);

/* Iterate until a stop reason, nit reaching maxiter (the budget counts from the
   solver's start, as maxiter of slope.minimize and s:run), or *stop is raised. */
sl_status sl_solver_run(sl_solver *s, long maxiter, sl_stopflag *stop);

/* Evaluations made by this solver so far. */
unsigned long sl_solver_nfev(const sl_solver *s);
unsigned long sl_solver_ngev(const sl_solver *s);
unsigned long sl_solver_nhvp(const sl_solver *s);

/* Shared by the method files (sl_minimize.c). */
sl_status sl_min_linesearch(sl_solver *s, double a0); /* along s->d, accepted point into x, g */
void sl_min_reset_memory(sl_solver *s);
void sl_min_accept_trial(sl_solver *s);                /* x, g, f <- the accepted trial point */
double sl_min_guess_a0(const sl_solver *s, double gd); /* N&W eq. 3.60, via the last decrease */
sl_status sl_min_fail(sl_solver *s, sl_status st, const char *fmt, ...);

/* The methods: one iteration each (d chosen, step taken, state updated). */
sl_status sl_min_gd_step(sl_solver *s);
sl_status sl_min_cg_step(sl_solver *s);
sl_status sl_min_bfgs_step(sl_solver *s);
sl_status sl_min_lbfgs_step(sl_solver *s);
sl_status sl_min_newton_cg_step(sl_solver *s);
sl_status sl_min_trust_ncg_step(sl_solver *s);

/* ---- gradient flow ------------------------------------------------------- */

/*
** dx/dt = -grad f(x) by Dormand-Prince 5(4) with error control (Hairer,
** Norsett & Wanner, Solving ODEs I, sec. II.4-5; FSAL, PI-free step control).
*/
typedef struct sl_flow {
  sl_objective *o;
  size_t n;
  double *x, *k[7], *xt, *err;
  double t, h, rtol, atol;
  long steps, rejected;
  int fsal; /* k[0] holds -grad at x */
  char msg[256];
} sl_flow;

sl_flow *sl_flow_new(sl_objective *o, const double *x0, double rtol, double atol, sl_status *st);
void sl_flow_free(sl_flow *fl);
/* One accepted step, not past t_end. Returns SL_OK, or a failure with fl->msg. */
sl_status sl_flow_step(sl_flow *fl, double t_end);
/* Integrate to t_end in at most max_steps accepted steps (SL_MAXITER when not reached). */
sl_status sl_flow_run(sl_flow *fl, double t_end, long max_steps, sl_stopflag *stop);

#endif
