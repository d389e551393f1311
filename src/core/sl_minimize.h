/*
** sl_minimize.h — full-batch minimization of an sl_objective behind one
** step-wise solver and one run loop (NLopt's shape: one entry point, each
** method in its own file min_<method>.c, one row in sl_min_methods[]).
**
** A method is an sl_min_method_ops: its name, a static const defaults struct,
** the check of its own parameters, init/step/release and what it reports. The
** built-ins: gd, cg, bfgs, lbfgs, newton_cg, trust_ncg, and "optimizer", which
** steps any sl_optimizer-like object through an sl_min_stepper (a slope.optim
** object, or a Lua optimizer reached through a callback the binding fills).
**
** sl_solver_run_with is the one loop: every stopping test (gtol at the start
** and after each step, ftol, xtol, maxiter as a budget from the solver's
** start, maxfev, maxtime, the stop flag, non-finite values) and a
** liblbfgs-style progress callback after each iteration that can cancel.
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

typedef struct sl_solver sl_solver;
typedef struct sl_min_method_ops sl_min_method_ops;
typedef struct sl_min_visit sl_min_visit;
struct sl_optimizer; /* sl_optim.h */

/* A method is a pointer to its ops (a row of sl_min_methods[]). */
typedef const sl_min_method_ops *sl_min_method;

typedef enum { SL_CG_FR = 0, SL_CG_PRP, SL_CG_HZ } sl_cg_beta;

/* fista, prox_gd: a user's proximal operator, x <- prox_{step h}(x) in place
   (argmin_z h(z) + |z - x|^2 / (2 step)); a failure (< 0) with a sentence in msg. */
typedef struct sl_min_prox {
  sl_status (*fn)(void *ctx, double *x, size_t n, double step, char *msg, size_t len);
  void *ctx;
} sl_min_prox;

/* Lanczos steps trust_ncg takes to find a negative-curvature direction when CG
   meets non-positive curvature at once (near a saddle). */
#define SL_LANCZOS_K 10

/*
** Parameters. The shared ones (gtol ... maxtime, ls) mean the same for every
** method; the others belong to the methods named in their comment and keep
** their method's default (see each min_<method>.c) or 0 elsewhere.
*/
typedef struct sl_min_params {
  sl_min_method method;
  sl_linesearch ls;   /* the line search (ignored by trust_ncg, optimizer and by gd with lr > 0) */
  int ls_given;       /* 0: the method's default (strong Wolfe; c2 = 0.1 for cg) */
  int a0_given;       /* 1: use ls.a0 as every first trial; 0: the method's guess */
  double gtol;        /* stop when max|g_i| <= gtol (scipy's convention; 1e-5) */
  double ftol;        /* stop when f_prev - f <= ftol max(|f_prev|, |f|, 1) (0: off) */
  double xtol;        /* stop when max|x_new - x_old| <= xtol (0: off) */
  long maxiter;       /* iteration budget: the run stops at nit = maxiter (1000) */
  long maxfev;        /* stop once this solver made maxfev evaluations (0: no limit) */
  double maxtime;     /* stop after maxtime seconds of one run (0: no limit) */
  double lr;          /* gd: fixed step when > 0 (default 0: line search) */
  int m;              /* lbfgs: pairs kept (10) */
  sl_cg_beta beta;    /* cg: beta formula (PR+) */
  long restart;       /* cg: restart with -g every `restart` iterations (0: 6 dim, as CG_DESCENT) */
  double radius0;     /* trust_ncg: initial radius (1) */
  double max_radius;  /* trust_ncg: largest radius (1000) */
  double eta;         /* trust_ncg: accept a step when actual/predicted > eta (0.15) */
  long inner_maxiter; /* newton_cg, trust_ncg: CG iterations per step (0: 20 dim) */
  double curv_eps;    /* (l)bfgs: skip the update when y's <= curv_eps |y| |s| (1e-10) */
  /* bounds (lbfgsb, gd, newton_cg): lower[i] <= x[i] <= upper[i], nbounds entries each (the
     objective's dimension), +-inf allowed; NULL: unbounded. The solver keeps its own
     copy and projects x0 into the box (s->x0_projected counts the moved entries). */
  const double *lower, *upper;
  size_t nbounds;
  /* owlqn, fista, prox_gd: the composite objective f(x) + sum_i l1_i |x_i| */
  double l1;         /* lambda, the same for every coordinate (0: none) */
  const double *l1w; /* per-coordinate lambda_i >= 0 (length dim; NULL: l1); copied by init */
  sl_min_prox prox;  /* fista, prox_gd: a user's proximal operator instead of l1 (fn NULL: none) */
  int adaptive_restart; /* fista: O'Donoghue & Candes gradient restart (1) */
  /* least squares (min_lm.c, min_gauss_newton.c) */
  double factor;  /* lm: initial trust radius factor |D x0| (MINPACK's factor, 100) */
  double x_scale; /* lm: 0 = D from J's column norms (MINPACK mode 1, scipy x_scale="jac");
                     > 0: D = I / x_scale fixed (mode 2; scipy's default x_scale = 1) */
  /* issue 15, derivative-free and Newton variants */
  double xatol;           /* nelder_mead: stop when max|x_i - x_best| <= xatol ... (1e-4, scipy) */
  double fatol;           /* nelder_mead: ... and max|f_i - f_best| <= fatol (1e-4, scipy) */
  const double *simplex0; /* nelder_mead: (n+1) x n initial simplex, row-major (NULL: scipy's);
                             copied when the solver is made */
} sl_min_params;

/* The shared defaults, for the designated initializers of each method's defaults. */
#define SL_MIN_SHARED_DEFAULTS .gtol = 1e-5, .maxiter = 1000

/* What the last iteration did (for s:step() and the history). */
typedef struct sl_step_info {
  double a;         /* step length along d (trust_ncg: 1 when accepted, 0 when not;
                       optimizer: step_norm) */
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
  long trials;            /* owlqn, fista, prox_gd: backtracking trials of this step */
  /* issue 15 */
  const char *nm_op; /* nelder_mead: "reflect", "expand", "contract outside", "contract inside",
                        "shrink" (or "initial simplex") */
  double tau;        /* newton, dogleg: the multiple of I added to H (0: H was positive definite) */
} sl_step_info;

/*
** An outside optimizer the "optimizer" method steps: step updates x (length n)
** in place from the gradient g at x; a failure (< 0) with a sentence in msg.
** state (optional) describes it for sl_min_state. slope.minimize fills one
** for a Lua optimizer object; sl_min_optim_stepper for a core sl_optimizer.
*/
typedef struct sl_min_stepper {
  sl_status (*step)(void *ctx, double *x, const double *g, size_t n, char *msg, size_t len);
  void (*state)(void *ctx, const sl_min_visit *v);
  void *ctx;
} sl_min_stepper;

/*
** How a caller sees a method's memory and step record without knowing its
** struct (s:state(), s:step()): one call per field. A list is opened by
** list(name, count) and filled by count calls with name NULL.
*/
struct sl_min_visit {
  void *ctx;
  void (*num)(void *ctx, const char *name, double v);
  void (*integer)(void *ctx, const char *name, long v);
  void (*boolean)(void *ctx, const char *name, int v);
  void (*string)(void *ctx, const char *name, const char *v);
  void (*vec)(void *ctx, const char *name, const double *v, size_t n);
  void (*mat)(void *ctx, const char *name, const double *a, size_t rows, size_t cols);
  void (*list)(void *ctx, const char *name, size_t count);
  void (*end_list)(void *ctx);
};

enum {
  SL_MINF_LINESEARCH = 1, /* takes a line search (the linesearch option) */
  SL_MINF_DIRECTION = 2,  /* steps along a direction d: reports step, gd, direction */
  SL_MINF_STEPPER = 4,    /* steps an outside optimizer (p->method plus a stepper) */
  SL_MINF_MAYSTAY = 8,    /* a step may leave x unchanged (ftol/xtol tested only on a move) */
  SL_MINF_BOUNDS = 16,    /* takes lower/upper bounds: every iterate stays in the box */
  SL_MINF_COMPOSITE = 32, /* takes l1: minimizes f + l1 |x|_1 (owlqn, fista, prox_gd) */
  SL_MINF_PROX = 64,      /* takes a user's prox instead of l1 (fista, prox_gd) */
  SL_MINF_OWNTOL = 128,   /* tests gtol/ftol/xtol itself (its step returns SL_CONVERGED_*) */
  SL_MINF_NOGRAD = 256    /* uses values only: g is never evaluated (NaN), no gtol test; its
                             step returns SL_CONVERGED_* with s->msg when it has converged */
};

/*
** One method. A new one is a file min_<name>.c defining `const
** sl_min_method_ops sl_min_<name>` and a row in sl_min_methods[] (min_methods.c).
*/
struct sl_min_method_ops {
  const char *name;              /* "lbfgs": the method option's value */
  const sl_min_params *defaults; /* static const, designated initializers */
  double ls_c2;                  /* c2 of the default strong Wolfe search (0: its own 0.9) */
  int flags;                     /* SL_MINF_* */
  const char *const *keys;       /* its own option keys (NULL-terminated, NULL: none) */
  const char *const *only;       /* keys no other method accepts (lr for gd) */
  const char *only_why;          /* "a fixed step": said when another method gets one */
  const char *no_linesearch;     /* no SL_MINF_LINESEARCH: why ("it uses a trust region") */
  /* Its own parameters (shared ones are checked by sl_min_check); NULL: none. */
  sl_status (*check)(const sl_min_params *p, char *msg, size_t len);
  /* Allocate s->impl (x, g and f are set). SL_ENOMEM on failure; NULL: no memory. */
  sl_status (*init)(sl_solver *s);
  /* One iteration: d chosen, step taken, x, g, f and the method's memory updated
     (SL_OK); or a converged status (> 0, s->msg set) when no step can improve f. */
  sl_status (*step)(sl_solver *s);
  /* Free s->impl (called once; NULL: free(s->impl)). */
  void (*release)(sl_solver *s);
  /* Its memory, for s:state() (NULL: nothing beyond skipped). */
  void (*state)(const sl_solver *s, const sl_min_visit *v);
  /* Its part of the last step's record (beta, radius, ...; NULL: none). */
  void (*info)(const sl_solver *s, const sl_min_visit *v);
  /* no SL_MINF_BOUNDS: why, said when lower/upper are given (NULL: a generic reason). */
  const char *no_bounds;
  /* Composite methods. start: after f, g at x0 are evaluated, make s->f and
     s->gnorm the method's objective and optimality measure (a failure with
     msg); measure: the gtol measure after a step (NULL: max|g_i|), named
     gnorm_name in messages (NULL: "max|g|"); report: fields of the result
     beyond the shared ones (f_smooth, nnz). */
  sl_status (*start)(sl_solver *s, char *msg, size_t len);
  double (*measure)(const sl_solver *s);
  const char *gnorm_name;
  void (*report)(const sl_solver *s, const sl_min_visit *v);
  /* Help for its own options ("xatol = 1e-4: ..."; NULL: described with the shared text). */
  const char *keys_doc;
  size_t max_dim;          /* refused above this dimension (0: no limit) ... */
  const char *max_dim_why; /* ... because ("it forms the dense Hessian") */
};

/* The registry: every method, NULL-terminated, in the order help lists them. */
extern const sl_min_method_ops *const sl_min_methods[];

extern const sl_min_method_ops sl_min_gd, sl_min_cg, sl_min_bfgs, sl_min_lbfgs, sl_min_newton_cg,
    sl_min_trust_ncg, sl_min_optimizer;
extern const sl_min_method_ops sl_min_lbfgsb;
extern const sl_min_method_ops sl_min_owlqn, sl_min_fista, sl_min_prox_gd;
#define SL_MIN_GD        (&sl_min_gd)        /* steepest descent: a line search, or a fixed lr */
#define SL_MIN_CG        (&sl_min_cg)        /* nonlinear CG (beta: FR, PR+, HZ), with restarts */
#define SL_MIN_BFGS      (&sl_min_bfgs)      /* dense inverse-Hessian BFGS (N&W eq. 6.17) */
#define SL_MIN_LBFGS     (&sl_min_lbfgs)     /* limited-memory BFGS (N&W Alg. 7.4) */
#define SL_MIN_NEWTON_CG (&sl_min_newton_cg) /* truncated Newton with HVPs (N&W Alg. 7.1) */
#define SL_MIN_TRUST_NCG (&sl_min_trust_ncg) /* Steihaug-Toint trust region (N&W Alg. 7.2, 4.1) */
#define SL_MIN_OPTIMIZER (&sl_min_optimizer) /* an outside optimizer, through an sl_min_stepper */
#define SL_MIN_LBFGSB    (&sl_min_lbfgsb)    /* L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995) */
#define SL_MIN_OWLQN     (&sl_min_owlqn)   /* orthant-wise L-BFGS for f + l1 (Andrew & Gao 2007) */
#define SL_MIN_FISTA     (&sl_min_fista)   /* accelerated proximal gradient (Beck & Teboulle) */
#define SL_MIN_PROX_GD   (&sl_min_prox_gd) /* proximal gradient with backtracking */
/* least squares: need a residual objective (sl_residuals.h) */
extern const sl_min_method_ops sl_min_lm, sl_min_gauss_newton;
#define SL_MIN_LM           (&sl_min_lm)           /* Levenberg-Marquardt as MINPACK's lmder */
#define SL_MIN_GAUSS_NEWTON (&sl_min_gauss_newton) /* Gauss-Newton with a line search */
/* issue 15: derivative-free and Newton variants */
extern const sl_min_method_ops sl_min_nelder_mead, sl_min_newton, sl_min_dogleg;
/* newton and dogleg form the dense Hessian: refused above this dimension (use newton_cg). */
#define SL_MIN_DENSE_MAXDIM 2000

/* Why a run ended beyond its status (maxfev, maxtime, the callback, the flag). */
typedef enum {
  SL_STOP_NONE = 0,
  SL_STOP_MAXFEV,   /* status SL_MAXITER: the evaluation budget */
  SL_STOP_MAXTIME,  /* status SL_MAXITER: the time budget */
  SL_STOP_CALLBACK, /* status SL_MAXITER: the progress callback returned non-zero */
  SL_STOP_FLAG      /* status SL_EINTERRUPTED: the stop flag was raised */
} sl_min_stop;

struct sl_solver {
  sl_min_params p;
  const sl_min_method_ops *m; /* p.method */
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
  void *impl;             /* the method's memory (its init allocates it) */
  sl_min_stepper stepper; /* optimizer: the outside optimizer */
  sl_step_info info;
  sl_status status;                  /* status of the last step / run */
  sl_min_stop stop;                  /* why the last run ended, beyond status */
  char msg[320];                     /* the status in words */
  unsigned long nfev0, ngev0, nhvp0; /* objective counts at creation */
  /* bounds: p.lower/p.upper point at these copies (NULL: unbounded); gnorm is then
     the projected gradient's max|P(x - g) - x|, and every iterate lies in the box */
  double *lo, *hi;
  size_t x0_projected; /* entries of x0 moved into the box */
  unsigned long njev0; /* residual objectives: Jacobian count at creation */
  /* f at the last accepted points, newest first (the nonmonotone line search's memory) */
  double f_past[SL_LS_MAXMEMORY];
  int n_past;
};

/* Defaults of a method (its static const struct, shared line search). */
void sl_min_defaults(sl_min_params *p, sl_min_method method);
/* Validate the shared parameters and the method's; on error a sentence in msg and SL_EINVAL. */
/* The trust-region keys trust_ncg and dogleg share: radius > 0, max_radius >=
   radius, eta in [0, 0.25). */
sl_status sl_min_check_trust(const sl_min_params *p, char *msg, size_t len);
sl_status sl_min_check(const sl_min_params *p, char *msg, size_t len);
const char *sl_min_name(sl_min_method m);
sl_min_method sl_min_method_from_name(const char *name); /* NULL when unknown */
const char *sl_cg_beta_name(sl_cg_beta b);

/*
** A solver at x0 (copied): evaluates f and g there. NULL with *st set on
** failure (SL_ENOMEM, SL_EINVAL with msg, or the objective's failure with o->msg).
** The "optimizer" method needs a stepper: sl_solver_new_stepper.
*/
sl_solver *sl_solver_new(sl_objective *o, const double *x0, const sl_min_params *p, sl_status *st,
                         char *msg, size_t len);
sl_solver *sl_solver_new_stepper(sl_objective *o, const double *x0, const sl_min_params *p,
                                 const sl_min_stepper *stepper, sl_status *st, char *msg,
                                 size_t len);
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

/* What the progress callback sees after each iteration. */
typedef struct sl_min_progress_info {
  long nit;              /* iterations done */
  double f, gnorm, step; /* f(x), max|g_i|, the step length (info.a) */
  const double *x, *g;   /* the current point and gradient (length n) */
  size_t n;
  sl_status status; /* the step's status (SL_OK: the run goes on) */
} sl_min_progress_info;

/* liblbfgs's progress callback: non-zero cancels the run (SL_STOP_CALLBACK)
   when the step's status was SL_OK. */
typedef int (*sl_min_progress)(void *ud, sl_solver *s, const sl_min_progress_info *it);

/* One run's limits and hooks; sl_min_run_init takes the solver's. */
typedef struct sl_min_run {
  long maxiter;             /* budget from the solver's start (nit stops at maxiter) */
  long maxfev;              /* evaluations of this solver (0: none) */
  double maxtime;           /* seconds of this run (0: none) */
  sl_stopflag *stop;        /* Ctrl-C (NULL: never) */
  sl_min_progress progress; /* after each iteration (NULL: none) */
  void *ud;                 /* its first argument */
} sl_min_run;

void sl_min_run_init(sl_min_run *r, const sl_solver *s);

/*
** The run loop: gtol at the start, then before each step maxiter, maxfev,
** maxtime and the stop flag, the step (gtol, ftol, xtol, non-finite values),
** the progress callback. Returns the stop status with s->msg in words and
** s->stop saying which budget or hook ended it.
*/
sl_status sl_solver_run_with(sl_solver *s, const sl_min_run *r);
/* The loop with the solver's maxfev/maxtime, the given maxiter and flag. */
sl_status sl_solver_run(sl_solver *s, long maxiter, sl_stopflag *stop);

/* "maxfev", "maxtime", "callback", or the status's name ("converged", ...). */
const char *sl_solver_status_name(const sl_solver *s);

/* Evaluations made by this solver so far. */
unsigned long sl_solver_nfev(const sl_solver *s);
unsigned long sl_solver_ngev(const sl_solver *s);
unsigned long sl_solver_nhvp(const sl_solver *s);
/* Jacobian evaluations made by this solver (residual objectives; 0 otherwise). */
unsigned long sl_solver_njev(const sl_solver *s);

/* The method's memory and its part of the last step's record, through v. */
void sl_min_state(const sl_solver *s, const sl_min_visit *v);
void sl_min_info(const sl_solver *s, const sl_min_visit *v);
/* The method's fields of a run's result (composite: f_smooth, nnz). */
void sl_min_report(const sl_solver *s, const sl_min_visit *v);

/* ---- shared by the method files (min_line.c, sl_minimize.c) ---------------- */

sl_status sl_min_linesearch(sl_solver *s, double a0); /* along s->d: the trial point xt, gt */
sl_status sl_min_linesearch_with(sl_solver *s, const sl_linesearch *ls, double a0);
void sl_min_accept_trial(sl_solver *s);                /* x, g, f <- the accepted trial point */
double sl_min_guess_a0(const sl_solver *s, double gd); /* N&W eq. 3.60, via the last decrease */
void sl_min_steepest(sl_solver *s);                    /* d = -g */
sl_status sl_min_fail(sl_solver *s, sl_status st, const char *fmt, ...);
/* Newton methods: CG iterations per step (inner_maxiter, or 20 dim) and the
   forcing tolerance eps = min(0.5, sqrt|g|) |g| (N&W eq. 7.3). */
long sl_min_inner_budget(const sl_solver *s);
double sl_min_forcing(const sl_solver *s);

/* newton and dogleg (min_newton.c): the dense Hessian, its factor and shift.
   sl_min_dense_init puts `extra` bytes of the method's own right after the struct. */
typedef struct sl_min_dense {
  double *h, *l; /* H(x) (dim x dim, row-major) and the Cholesky factor of H + tau I */
  double tau;    /* the shift of the last factorization (0: H positive definite) */
} sl_min_dense;
sl_status sl_min_dense_init(sl_solver *s, size_t extra);
sl_status sl_min_dense_hessian(sl_solver *s, sl_min_dense *m);
sl_status sl_min_dense_modchol(sl_solver *s, sl_min_dense *m);
void sl_min_dense_solve(const sl_solver *s, const sl_min_dense *m, double *z);

/* A stepper over a core optimizer (its dimension fixed to the objective's). */
sl_min_stepper sl_min_optim_stepper(struct sl_optimizer *opt);

#endif
