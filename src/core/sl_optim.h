/*
** sl_optim.h — the optimizer interface: explicit state plus an update rule
** (Optax's idea), kept cheap in C. An optimizer is an ops vtable and one
** struct holding hyperparameters, the step count and state buffers that are
** allocated once, when the dimension is fixed (sl_optim_setdim, done by the
** binding on the first step). Each rule's update is one fused loop over the
** parameters; each rule lives in its own file optim_<name>.c (AdamW with
** Adam in optim_adam.c: one loop, the weight decay decoupled or not).
**
** Wrappers (clip, accumulate, average, lookahead, sam) hold a `base`
** optimizer they do not own and transform the gradient or the iterate around
** its step; their lr is their base's lr. Variance-reduced methods (svrg,
** saga) and sam hold an objective they do not own and compute gradients
** through it.
**
** Names, defaults and semantics follow PyTorch's torch.optim (torch 2.x
** rules), with the step count t incremented before the update as torch does.
*/
#ifndef SL_OPTIM_H
#define SL_OPTIM_H

#include <stddef.h>

#include "sl_layout.h"
#include "sl_models.h"
#include "sl_objective.h"
#include "sl_rng.h"
#include "sl_status.h"

#define SL_OPTIM_MAXHP   16 /* hyperparameter slots */
#define SL_OPTIM_MAXBUF  4  /* state vectors */
#define SL_OPTIM_MAXSCAL 4  /* scalar state */

/* What a hyperparameter may hold; sl_optim_sethp enforces it. */
typedef enum {
  SL_HP_NUM,    /* any finite number */
  SL_HP_NONNEG, /* finite, >= 0 (lr, weight_decay, momentum, eps) */
  SL_HP_POS,    /* finite, > 0 */
  SL_HP_UNIT,   /* in [0, 1) (betas, alpha of rmsprop, decay) */
  SL_HP_PROB,   /* in [0, 1] (dampening, lookahead alpha) */
  SL_HP_BOOL,   /* 0 or 1 */
  SL_HP_COUNT,  /* integer >= 1 */
  SL_HP_INDEX,  /* integer >= 0 */
  SL_HP_CHOICE, /* index into choices[] (Lua sees the string) */
  SL_HP_POSINF  /* > 0, +inf allowed (growth rates) */
} sl_hpkind;

typedef struct sl_hpspec {
  const char *name; /* the torch.optim keyword: "lr", "momentum", "beta1" */
  double def;       /* default */
  sl_hpkind kind;
  const char *const *choices; /* SL_HP_CHOICE: NULL-terminated names */
} sl_hpspec;

typedef struct sl_optimizer sl_optimizer;

enum {
  SL_OPTIM_WRAPPER = 1, /* has a base; lr reads/writes the base's lr */
  SL_OPTIM_NOGRAD = 2,  /* computes its own gradients: g is ignored and may be NULL */
  SL_OPTIM_OPTGRAD = 4, /* g may be NULL (then computed through the objective) */
  SL_OPTIM_RNG = 8      /* draws samples from o->rng (part of its state) */
};

typedef struct sl_optim_ops {
  const char *name;
  const sl_hpspec *hp; /* hyperparameters, slot i <-> hp[i]; slot 0 is lr unless a wrapper */
  size_t nhp;
  const char *const *bufs;  /* NULL-terminated names of the state vectors */
  const char *const *scals; /* NULL-terminated names of scalar state (or NULL) */
  size_t nscratch;          /* work vectors of length dim (not state) */
  int flags;
  /* Cross-parameter checks (nesterov needs momentum); message into o->msg. NULL: none. */
  sl_status (*check)(sl_optimizer *o);
  /* Length of state vector k (NULL: dim for all), e.g. saga's n*dim table. */
  size_t (*buflen)(const sl_optimizer *o, size_t k);
  /* Fill the state after allocation and reset (NULL: zeros). */
  void (*init)(sl_optimizer *o);
  /* One update of x in place from g (t already incremented). Required. */
  sl_status (*step)(sl_optimizer *o, double *x, const double *g);
  /* Free o->impl (NULL: nothing to free). */
  void (*destroy)(sl_optimizer *o);
} sl_optim_ops;

struct sl_optimizer {
  const sl_optim_ops *ops;
  const char *name;              /* ops->name, or a Lua-defined optimizer's own */
  size_t dim;                    /* 0 until fixed by sl_optim_setdim */
  unsigned long t;               /* steps taken (base steps for wrappers' bases) */
  double hp[SL_OPTIM_MAXHP];     /* hyperparameters, see ops->hp */
  double *buf[SL_OPTIM_MAXBUF];  /* state vectors (ops->bufs), one allocation */
  double scal[SL_OPTIM_MAXSCAL]; /* scalar state (ops->scals) */
  double *scratch;               /* ops->nscratch * dim work doubles */
  double *block;                 /* the one allocation behind buf and scratch */
  sl_optimizer *base;            /* wrappers: the wrapped optimizer (not owned) */
  sl_objective *f;               /* svrg, saga, sam: the objective (not owned) */
  sl_rng rng;                    /* svrg, saga: sampling stream (state) */
  void *impl;                    /* rule-specific data (Lua-defined optimizers) */
  sl_layout *layout;             /* layer-aware rules: the layers (owned), NULL = one layer */
  char msg[256];                 /* why the last failing call failed */
};

/* A new optimizer with default hyperparameters, dim not yet fixed. NULL on ENOMEM. */
sl_optimizer *sl_optim_new(const sl_optim_ops *ops);
/* Free o, its state and impl (never its base or objective). NULL is a no-op. */
void sl_optim_destroy(sl_optimizer *o);

/* Index of hyperparameter name in o->ops->hp, or -1. */
int sl_optim_hpindex(const sl_optimizer *o, const char *name);
/* Set hyperparameter k to v after checking its kind and the rule's cross
   checks; on failure o is unchanged and o->msg says why ("lr must be ..."). */
sl_status sl_optim_sethp(sl_optimizer *o, int k, double v);
/* Run the rule's cross-parameter check (after setting several hyperparameters). */
sl_status sl_optim_check(sl_optimizer *o);

/* The learning rate (a wrapper's is its base's); setting checks lr >= 0. */
double sl_optim_lr(const sl_optimizer *o);
sl_status sl_optim_set_lr(sl_optimizer *o, double lr);

/* Fix the dimension: allocate the state (once) and initialise it; a wrapper
   fixes its base's too. SL_EDIM if o (or its base) already has another dim. */
sl_status sl_optim_setdim(sl_optimizer *o, size_t dim);
/* Length of state vector k (o->dim fixed). */
size_t sl_optim_buflen(const sl_optimizer *o, size_t k);
/* Number of state vectors / scalars. */
size_t sl_optim_nbufs(const sl_optimizer *o);
size_t sl_optim_nscals(const sl_optimizer *o);

/* One step: x <- update(x, g), x and g of length o->dim (fixed). g may be
   NULL only for SL_OPTIM_NOGRAD / SL_OPTIM_OPTGRAD rules. g is not modified.
   On failure t is unchanged (the state may be partly updated for callbacks). */
sl_status sl_optim_step(sl_optimizer *o, double *x, const double *g);

/* Back to the state after setdim: t = 0, buffers re-initialised; wrappers
   reset their base too. Hyperparameters are kept. */
void sl_optim_reset(sl_optimizer *o);

/* Set o->msg (printf-style) and return st. */
sl_status sl_optim_fail(sl_optimizer *o, sl_status st, const char *fmt, ...);

/* For rules computing gradients through o->f (svrg, saga, sam): pass on a
   failed objective call (its message, or the status's, into o->msg); o->f if
   it is a data objective with per-sample gradients, else NULL with o->msg
   "<rule> needs a data objective with per-sample gradients"; the gradient
   of its k-th active sample at x into g. */
sl_status sl_optim_objfail(sl_optimizer *o, sl_status st);
sl_objective *sl_optim_samples(sl_optimizer *o);
sl_status sl_optim_sample_grad(sl_optimizer *o, const double *x, size_t k, double *g);

/* The moment estimates of the Adam family (adam, adamw, nadam, radam) for
   one parameter with update direction d (Kingma & Ba 2015, Alg. 1):
   m = b1 m + (1 - b1) d,  v = b2 v + (1 - b2) d^2. */
static inline void sl_adam_moments(double *m, double *v, double d, double b1, double b2) {
  *m = *m * b1 + (1 - b1) * d;
  *v = *v * b2 + (1 - b2) * (d * d);
}

/* ---- the built-in rules (optim_<name>.c) ----------------------------------- */

extern const sl_optim_ops sl_optim_sgd; /* lr momentum dampening weight_decay nesterov maximize */
extern const sl_optim_ops
    sl_optim_adagrad; /* lr lr_decay weight_decay initial_accumulator_value eps maximize */
extern const sl_optim_ops
    sl_optim_rmsprop;                     /* lr alpha eps weight_decay momentum centered maximize */
extern const sl_optim_ops sl_optim_adam;  /* lr beta1 beta2 eps weight_decay amsgrad maximize */
extern const sl_optim_ops sl_optim_adamw; /* as adam, decoupled decay, weight_decay 1e-2 */
extern const sl_optim_ops sl_optim_nadam; /* lr beta1 beta2 eps weight_decay momentum_decay */
extern const sl_optim_ops sl_optim_radam; /* lr beta1 beta2 eps weight_decay */
extern const sl_optim_ops sl_optim_adamax;     /* lr beta1 beta2 eps weight_decay maximize */
extern const sl_optim_ops sl_optim_lion;       /* lr beta1 beta2 weight_decay */
extern const sl_optim_ops sl_optim_ftrl;       /* alpha beta l1 l2 */
extern const sl_optim_ops sl_optim_svrg;       /* lr epoch_len; needs o->f, o->rng */
extern const sl_optim_ops sl_optim_saga;       /* lr; needs o->f, o->rng */
extern const sl_optim_ops sl_optim_sam;        /* rho adaptive; needs o->base, o->f */
extern const sl_optim_ops sl_optim_clip;       /* max_norm max_value; needs o->base */
extern const sl_optim_ops sl_optim_accumulate; /* steps; needs o->base */
extern const sl_optim_ops sl_optim_average;    /* kind decay start every; needs o->base */
extern const sl_optim_ops sl_optim_lookahead;  /* k alpha; needs o->base */
/* curvature- and matrix-aware rules (issue 16): need o->f (HVPs) or o->layout */
extern const sl_optim_ops sl_optim_adahessian; /* lr betas eps wd hessian_power update_each ... */
extern const sl_optim_ops sl_optim_sophia;     /* lr betas rho weight_decay k eps estimator */
/* What Sophia's Gauss-Newton-Bartlett estimator needs to rebuild o->f (a
   logistic, softmax or cross-entropy MLP objective over all of X) with labels
   drawn from its own predictions; set by the binding, owned (freed) by the
   optimizer as o->impl. */
typedef struct sl_gnb_model {
  sl_model_kind kind; /* SL_MODEL_LOGISTIC, SL_MODEL_SOFTMAX or SL_MODEL_MLP */
  const sl_mat *Xd;   /* the objective's rows (borrowed; the objective keeps them) */
  const sl_csr *Xs;
  int intercept;  /* linear models */
  size_t classes; /* softmax, mlp */
  size_t nhidden; /* mlp */
  size_t hidden[SL_MLP_MAX_LAYERS];
  sl_activation act;
} sl_gnb_model;
extern const sl_optim_ops sl_optim_shampoo; /* lr epsilon precondition_frequency graft ... */
extern const sl_optim_ops sl_optim_soap;    /* lr betas shampoo_beta eps wd frequency */
extern const sl_optim_ops sl_optim_muon;    /* lr momentum nesterov ns_steps wd adam_* */

/* i16-rest: memory-light, large-batch, tuning-free, schedule-free, the rest of torch.optim */
extern const sl_optim_ops sl_optim_adadelta; /* lr rho eps weight_decay maximize */
extern const sl_optim_ops
    sl_optim_rprop; /* lr etaminus etaplus step_size_min step_size_max maximize */
extern const sl_optim_ops sl_optim_asgd;     /* lr lambd alpha t0 weight_decay maximize */
extern const sl_optim_ops sl_optim_sf_sgd;   /* lr momentum weight_decay warmup_steps r ... */
extern const sl_optim_ops sl_optim_sf_adamw; /* lr beta1 beta2 eps weight_decay warmup_steps ... */
extern const sl_optim_ops sl_optim_prodigy;  /* lr beta1 beta2 beta3 eps weight_decay d0 ... */
extern const sl_optim_ops sl_optim_dadapt_adam; /* lr beta1 beta2 eps weight_decay d0 ... */
/* per layer of o->layout (NULL: the whole vector is one layer) */
extern const sl_optim_ops sl_optim_adafactor; /* lr eps1 eps2 clip_threshold decay_rate beta1 ... */
extern const sl_optim_ops sl_optim_lamb;      /* lr beta1 beta2 eps weight_decay bias_correction */
extern const sl_optim_ops sl_optim_lars;      /* lr momentum weight_decay trust_coefficient eps */

/* Schedule-free rules (sf_sgd, sf_adamw): the averaged point x from the
   point y the caller holds (y = the vector it steps), into out (may be y). */
sl_status sl_optim_sf_eval(const sl_optimizer *o, const double *y, double *out);

/* Wrappers: copy the averaged iterate into out (SL_EINVAL before any averaging). */
sl_status sl_optim_averaged(sl_optimizer *o, double *out);

#endif
