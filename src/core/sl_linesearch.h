/*
** sl_linesearch.h — step-length rules over phi(a) = f(x + a d).
**
** A line search sees only phi and phi'(a) = g(x + a d)·d through a callback
** (sl_phi), so it works on any objective and on plain 1-D functions alike.
** Every search records its trials in order, counts evaluations, says which
** conditions hold at the returned step, and explains a failure in words.
**
** A non-finite phi or phi' at a trial step shrinks the step (it is treated as
** "too far"), it never ends the search by itself.
**
** Adding a line search: a file ls_<name>.c with its run function, a static
** const defaults struct, its option keys and help, ending in
** `const sl_ls_method sl_ls_method_<name> = {...}`; its extern below; one row
** `&sl_ls_method_<name>,` at the end of sl_ls_methods (sl_linesearch.c). The
** Lua constructor slope.linesearch.<name>, its key checks, tostring, the name
** accepted by linesearch = "<name>" and its help all follow from the entry.
*/
#ifndef SL_LINESEARCH_H
#define SL_LINESEARCH_H

#include <stddef.h>

#include "sl_status.h"

/* Trials recorded per search (evaluations beyond this are counted, not kept). */
#define SL_LS_MAXTRIALS 64
/* Largest memory of the nonmonotone search (past values of f a solver keeps). */
#define SL_LS_MAXMEMORY 100

typedef enum {
  SL_LS_FIXED = 0,       /* a = a0, one evaluation */
  SL_LS_EXACT_QUADRATIC, /* a = -phi'(0) / d^T H d through one Hessian-vector product */
  SL_LS_ARMIJO,          /* backtracking until sufficient decrease */
  SL_LS_WOLFE,           /* weak Wolfe by bisection / expansion */
  SL_LS_STRONG_WOLFE,    /* bracketing + zoom, safeguarded cubic (Nocedal & Wright 3.5/3.6) */
  SL_LS_HAGER_ZHANG,     /* approximate Wolfe, Hager & Zhang 2005/2006 */
  SL_LS_CUSTOM           /* a caller-supplied rule (a Lua function) */
  /* a new line search's kind is its row in sl_ls_methods (after custom) */
} sl_ls_kind;

/* phi and phi' at a; d^T H(x) d for exact_quadratic (NULL when unavailable). */
typedef struct sl_phi {
  sl_status (*eval)(void *ctx, double a, double *phi, double *dphi);
  sl_status (*curv)(void *ctx, double *dhd);
  void *ctx;
} sl_phi;

typedef struct sl_ls_trial {
  double a, phi, dphi;
} sl_ls_trial;

typedef struct sl_ls_result {
  double a;         /* accepted step (0 on failure) */
  double phi, dphi; /* phi(a), phi'(a) at the accepted step */
  int nfev;         /* evaluations of phi (each also gives phi') */
  int ntrials;      /* trials kept in trials[] (min(nfev, SL_LS_MAXTRIALS)) */
  sl_ls_trial trials[SL_LS_MAXTRIALS];
  int armijo;       /* sufficient decrease holds at a: 1/0; -1 when not promised */
  int curvature;    /* the promised curvature condition holds at a: 1/0; -1 when not promised */
  sl_status status; /* SL_OK, or SL_ELINESEARCH / SL_ENONFINITE / SL_ECALLBACK / ... */
  char reason[256]; /* why it failed, in words ("" on success) */
} sl_ls_result;

typedef struct sl_linesearch sl_linesearch;
/* A custom rule: fill r->a (and r->status/r->reason on failure). The run
   wrapper records trials and evaluates phi at the returned step if needed. */
typedef sl_status (*sl_ls_custom_fn)(void *ud, const sl_phi *phi, double a0, double phi0,
                                     double dphi0, sl_ls_result *r);

struct sl_linesearch {
  sl_ls_kind kind;
  double a0; /* first trial step (default 1); the solvers may pass their own guess */
  double c1; /* sufficient decrease: phi(a) <= phi(0) + c1 a phi'(0) (default 1e-4; HZ delta 0.1) */
  double c2; /* curvature: phi'(a) >= c2 phi'(0), strong |phi'(a)| <= c2 |phi'(0)| (0.9) */
  double shrink;          /* armijo backtracking factor in (0,1) (0.5) */
  double grow;            /* expansion factor > 1 while no upper bound is known (2; HZ rho 5);
                             strong_wolfe extrapolates as Moré–Thuente instead */
  double amax;            /* largest step tried (1e10) */
  int maxiter;            /* armijo: reductions (20); others: evaluations (40; HZ 50) */
  double hz_epsilon;      /* HZ: approximate-Wolfe tolerance on phi, eps |phi(0)| (1e-6) */
  double hz_theta;        /* HZ: bisection weight in the update (0.5) */
  double hz_gamma;        /* HZ: required interval shrink per secant^2 (0.66) */
  sl_ls_custom_fn custom; /* SL_LS_CUSTOM */
  void *ud;
  /* issue 15 */
  double xtol; /* more_thuente: relative width of the interval of uncertainty (1e-14, dcsrch) */
  int memory;  /* nonmonotone: M, compare with the max of the last M values of f (10) */
  /* f at the previous accepted points, newest first: a solver fills these in its
     copy before each search (the nonmonotone search's memory; NULL/0: none) */
  const double *f_past;
  int n_past;
};

/* ---- the methods ---------------------------------------------------------

A line search is one file ls_<name>.c defining its entry, and one row in the
table sl_ls_methods (sl_linesearch.c); its kind is its row. Everything else
(names, defaults, checks, the run wrapper, Lua's constructor, option keys,
tostring and help) is derived from the entry. */

enum {
  SL_LS_NODESCENT = 1, /* runs without a descent direction (phi'(0) may be >= 0) */
  SL_LS_STEPOPT = 2,   /* a0 is the step itself: the binding takes it as `a` or
                          positionally ({0.5}) and solvers always use it */
  SL_LS_INTERNAL = 4   /* no name lookup, no Lua constructor (custom) */
};

typedef sl_status (*sl_ls_runfn)(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                                 double dphi0, sl_ls_result *r);

typedef struct sl_ls_method {
  const char *name;              /* "armijo": slope.linesearch.armijo */
  const sl_linesearch *defaults; /* static const, designated initializers; .kind its row */
  int flags;                     /* SL_LS_NODESCENT | SL_LS_STEPOPT | SL_LS_INTERNAL */
  /* Method-specific parameter checks, run after a0 and c1 and before the
     shared ones (c2 for the Wolfe family); msg as sl_ls_check. NULL: none. */
  sl_status (*check)(const sl_linesearch *ls, char *msg, size_t len);
  sl_ls_runfn run; /* the search (phi is already the recording wrapper) */
  /* After a successful run: set r->armijo / r->curvature to whether the
     conditions the method promises hold at r->a (NULL: nothing promised). */
  void (*verify)(const sl_linesearch *ls, double phi0, double dphi0, sl_ls_result *r);
  const char *const *keys; /* option keys the constructor accepts, NULL-terminated */
  const char *const *show; /* keys tostring shows ("linesearch armijo{c1=...}") */
  const char *sig, *doc;   /* help: signature line and meaning */
} sl_ls_method;

/* The table, indexed by kind; sl_ls_nmethods rows. */
/* The fields every method shares (a0, the Armijo shrink, the Hager-Zhang constants);
   each method's defaults add c1, c2, grow, amax and maxiter. */
#define SL_LS_COMMON_DEFAULTS                                                                      \
  .a0 = 1.0, .shrink = 0.5, .hz_epsilon = 1e-6, .hz_theta = 0.5, .hz_gamma = 0.66
/* The Wolfe-type defaults (Nocedal & Wright: c1 = 1e-4, c2 = 0.9; 40 evaluations), shared by
   wolfe, strong_wolfe, exact_quadratic and custom. */
extern const sl_linesearch sl_ls_wolfe_defaults;

extern const sl_ls_method *const sl_ls_methods[];
extern const int sl_ls_nmethods;
/* The entry of kind (NULL when out of range). */
const sl_ls_method *sl_ls_method_of(int kind);

/* The entries (ls_<name>.c). */
extern const sl_ls_method sl_ls_method_fixed, sl_ls_method_exact_quadratic, sl_ls_method_armijo,
    sl_ls_method_wolfe, sl_ls_method_strong_wolfe, sl_ls_method_hager_zhang, sl_ls_method_custom;
/* issue 15 */
extern const sl_ls_method sl_ls_method_more_thuente, sl_ls_method_nonmonotone;

/* Defaults for a kind (its entry's defaults struct; zeros for an unknown kind). */
void sl_ls_defaults(sl_linesearch *ls, sl_ls_kind kind);

/* Validate parameters; on error writes a sentence into msg and returns SL_EINVAL. */
sl_status sl_ls_check(const sl_linesearch *ls, char *msg, size_t msglen);

/* "armijo", "strong_wolfe", ... and back (-1 when unknown). */
const char *sl_ls_name(sl_ls_kind kind);
int sl_ls_kind_from_name(const char *name);

/*
** Run ls on phi from a0 (a0 <= 0: ls->a0). phi0 = phi(0), dphi0 = phi'(0).
** Returns r->status: SL_OK with r->a > 0, or a failure with r->reason filled.
** Does not allocate.
*/
sl_status sl_ls_run(const sl_linesearch *ls, const sl_phi *phi, double phi0, double dphi0,
                    double a0, sl_ls_result *r);

/* The methods themselves (phi is already the recording wrapper). */
sl_status sl_ls_fixed(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                      double dphi0, sl_ls_result *r);
sl_status sl_ls_exact_quadratic(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                                double dphi0, sl_ls_result *r);
sl_status sl_ls_armijo(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                       double dphi0, sl_ls_result *r);
sl_status sl_ls_wolfe(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                      double dphi0, sl_ls_result *r);
sl_status sl_ls_strong_wolfe(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                             double dphi0, sl_ls_result *r);
sl_status sl_ls_hager_zhang(const sl_linesearch *ls, const sl_phi *phi, double a0, double phi0,
                            double dphi0, sl_ls_result *r);

/* Helpers shared by the method files. */
sl_status sl_ls_fail(sl_ls_result *r, sl_status st, const char *fmt, ...);
int sl_ls_finite2(double phi, double dphi);
/* Accept step a with its phi and phi'. */
void sl_ls_accept(sl_ls_result *r, double a, double phi, double dphi);
/* c2 in [c1, 1): the check of the Wolfe family. */
sl_status sl_ls_check_c2(const sl_linesearch *ls, char *msg, size_t len);
/* The promised conditions at r->a: sufficient decrease only; weak Wolfe
   (phi'(a) >= c2 phi'(0)); strong Wolfe (|phi'(a)| <= c2 |phi'(0)|). */
void sl_ls_verify_armijo(const sl_linesearch *ls, double phi0, double dphi0, sl_ls_result *r);
void sl_ls_verify_wolfe(const sl_linesearch *ls, double phi0, double dphi0, sl_ls_result *r);
void sl_ls_verify_strong_wolfe(const sl_linesearch *ls, double phi0, double dphi0, sl_ls_result *r);

/* Help shared by the methods' doc strings. */
#define SL_LS_DOC_COMMON                                                                           \
  " Given an options table (or nothing) it returns a line-search object for slope.minimize "       \
  "and slope.solver (linesearch = ls); given (f, x, d [, opts]) it runs at once on phi(a) = "      \
  "f(x + a d) and returns a, info (a nil when it fails; info.reason says why)."
#define SL_LS_DOC_A0                                                                               \
  " a0 = 1: first trial step (when given, solvers use it at every iteration instead of "           \
  "their own guess)."
#define SL_LS_DOC_BRACKET                                                                          \
  " grow = 2: expansion factor while no upper bound is known (strong_wolfe extrapolates as "       \
  "More-Thuente instead); amax = 1e10: largest step tried; maxiter = 40: evaluations of phi."

#endif
