/*
** loptim_new.c — the constructors slope.optim.sgd{...}, adam{...}, ...,
** the wrappers clip/accumulate/average/lookahead/sam and the variance-reduced
** svrg/saga. One generic constructor reads an options table against the
** rule's hyperparameter list (sl_optim.h), so names, defaults and checks
** come from one place.
*/
#include <stdlib.h>
#include <string.h>

#include "laux.h"
#include "lobj.h"
#include "lcsr.h"
#include "loptim.h"
#include "loptim_layers.h"
#include "lrng.h"

/* OPT_LAYERS: takes layers = f:layers() | f (sl_layout.h; without it the
   whole vector is one layer); NEED_LAYERS: refuses to run without. */
/* MODEL_GNB: sophia's Gauss-Newton-Bartlett estimator reads f's model and rows. */
enum {
  NEED_BASE = 1,
  NEED_F = 2,
  NEED_DATA = 4,
  OPT_F = 8,
  OPT_LAYERS = 16,
  NEED_LAYERS = 32,
  MODEL_GNB = 64
};

typedef struct ctor {
  const char *name;
  const sl_optim_ops *ops;
  int need;
  const char *sig, *doc;
} ctor;

static const ctor ctors[] = {
    {"sgd", &sl_optim_sgd, 0,
     "slope.optim.sgd{lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=false, "
     "maximize=false}",
     "SGD as torch.optim.SGD: momentum buffer = g on the first step, Nesterov form, L2 weight "
     "decay."},
    {"adagrad", &sl_optim_adagrad, 0,
     "slope.optim.adagrad{lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, "
     "eps=1e-10, maximize=false}",
     "Adagrad (Duchi et al. 2011) as torch.optim.Adagrad."},
    {"rmsprop", &sl_optim_rmsprop, 0,
     "slope.optim.rmsprop{lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, "
     "centered=false, maximize=false}",
     "RMSprop as torch.optim.RMSprop (eps outside the square root; centered variant)."},
    {"adam", &sl_optim_adam, 0,
     "slope.optim.adam{lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, amsgrad=false, "
     "maximize=false}",
     "Adam (Kingma & Ba 2015) with bias correction and AMSGrad, as torch.optim.Adam."},
    {"adamw", &sl_optim_adamw, 0,
     "slope.optim.adamw{lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=1e-2, amsgrad=false, "
     "maximize=false}",
     "AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, as torch.optim.AdamW."},
    {"nadam", &sl_optim_nadam, 0,
     "slope.optim.nadam{lr=2e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, "
     "momentum_decay=4e-3}",
     "NAdam (Dozat 2016) with momentum decay, the torch 2.x rule."},
    {"radam", &sl_optim_radam, 0,
     "slope.optim.radam{lr=1e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0}",
     "RAdam (Liu et al. 2020): rectified Adam, as torch.optim.RAdam."},
    {"adamax", &sl_optim_adamax, 0,
     "slope.optim.adamax{lr=2e-3, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, maximize=false}",
     "Adamax (Kingma & Ba 2015, infinity norm), as torch.optim.Adamax."},
    {"lion", &sl_optim_lion, 0, "slope.optim.lion{lr=1e-4, betas={0.9, 0.99}, weight_decay=0}",
     "Lion (Chen et al. 2023): sign of an interpolated momentum, decoupled weight decay."},
    {"ftrl", &sl_optim_ftrl, 0, "slope.optim.ftrl{alpha=0.1, beta=1, l1=0, l2=0}",
     "FTRL-Proximal per coordinate (McMahan et al. 2013); x is the weight vector it produces; "
     "opt.lr is alpha."},
    {"svrg", &sl_optim_svrg, NEED_F | NEED_DATA, "slope.optim.svrg{f=, lr=1e-2, epoch_len=n, rng=}",
     "SVRG (Johnson & Zhang 2013): snapshot and full gradient every epoch_len steps; opt:step(x) "
     "draws a sample from rng (a slope.rng, copied) and computes its gradients through f."},
    {"saga", &sl_optim_saga, NEED_F | NEED_DATA, "slope.optim.saga{f=, lr=1e-2, rng=}",
     "SAGA (Defazio et al. 2014): a table of per-sample gradients (filled at the first step); "
     "opt:step(x) draws a sample from rng and computes its gradient through f."},
    {"sam", &sl_optim_sam, NEED_BASE | NEED_F,
     "slope.optim.sam{base=, f=, rho=0.05, adaptive=false}",
     "SAM (Foret et al. 2021): ascent e = rho g/|g| (ASAM when adaptive), then base steps with "
     "the gradient at x + e from f. opt:step(x [, g]): g = grad f(x) computed when omitted."},
    {"clip", &sl_optim_clip, NEED_BASE, "slope.optim.clip{base=, max_norm=, max_value=}",
     "Wrapper: the base steps with g scaled to global norm <= max_norm (torch's clip_grad_norm_) "
     "and/or clamped to [-max_value, max_value]."},
    {"accumulate", &sl_optim_accumulate, NEED_BASE, "slope.optim.accumulate{base=, steps=k}",
     "Wrapper: average k gradients, step the base every k calls (x unchanged in between)."},
    {"average", &sl_optim_average, NEED_BASE,
     "slope.optim.average{base=, kind=\"polyak\"|\"ema\"|\"swa\", decay=0.999, start=0, every=1}",
     "Wrapper: keeps an average of the iterates after step start (every `every`-th for swa, "
     "EMA with decay); read it with opt:averaged(out)."},
    {"lookahead", &sl_optim_lookahead, NEED_BASE, "slope.optim.lookahead{base=, k=5, alpha=0.5}",
     "Lookahead (Zhang et al. 2019): slow weights move alpha toward x every k base steps, and x "
     "jumps back to them."},
    {"adahessian", &sl_optim_adahessian, NEED_F | OPT_LAYERS,
     "slope.optim.adahessian{f=, lr=0.15, betas={0.9, 0.999}, eps=1e-4, weight_decay=0, "
     "hessian_power=1, update_each=1, n_samples=1, block_size=1, layers=, rng=}",
     "AdaHessian (Yao et al. 2021) as the authors' reference: every update_each steps the "
     "Hessian diagonal D of f at x is estimated from n_samples Rademacher HVPs (Hutchinson, "
     "slope.probe.hessian_diag; drawn from rng, a slope.rng copied into the state), averaged "
     "over blocks of block_size entries within each layer (|D|, spatial averaging; layers = "
     "f:layers() or f, without it the whole vector is one layer); Adam moments of g and D^2 "
     "with bias correction, denominator (v/(1-b2^t))^(hessian_power/2) + eps, decoupled weight "
     "decay. opt:step(x [, g]): g computed through f when omitted; the diagonal is always "
     "f's (in slope.train with minibatches, the whole f's)."},
    {"sophia", &sl_optim_sophia, NEED_F | MODEL_GNB,
     "slope.optim.sophia{f=, lr=1e-4, betas={0.965, 0.99}, rho=0.04, weight_decay=0.1, k=10, "
     "eps=1e-12, estimator=\"hutchinson\", rng=}",
     "Sophia (Liu et al. 2023, Alg. 3): m = b1 m + (1-b1) g; every k steps h = b2 h + (1-b2) "
     "u.*Hu (one Rademacher u from rng, HVP of f at x); x -= lr (wd x + clip(m / max(rho h, "
     "eps), 1)), rho the paper's gamma. estimator \"gnb\" (Gauss-Newton-Bartlett, Alg. 2): "
     "labels drawn from the model's predict_proba at x, hhat = n ghat.*ghat with ghat the "
     "mean-loss gradient at those labels over all n rows; for logistic, softmax and mlp (loss "
     "xent) objectives over their own rows (refused for others). opt:step(x [, g]): g computed "
     "through f when omitted. The curvature is always f's: in slope.train with minibatches g "
     "is the batch's and h the whole f's (give f = a subsample objective for a cheaper h)."},
    {"shampoo", &sl_optim_shampoo, NEED_LAYERS,
     "slope.optim.shampoo{layers=, lr=0.1, epsilon=1e-4, precondition_frequency=1, "
     "graft=\"adagrad\", graft_eps=1e-10, weight_decay=0}",
     "Shampoo (Gupta, Koren & Singer 2018) per weight matrix of layers (f:layers() or an "
     "objective with layers; refused without): L += G G', R += G' G from epsilon I, direction "
     "L^(-1/4) G R^(-1/4) with the inverse 4th roots by eigendecomposition every "
     "precondition_frequency steps; its norm per layer grafted from graft = \"adagrad\" "
     "(G/(sqrt(sum G^2) + graft_eps)), \"sgd\" (G) or \"none\"; vector layers (biases) take "
     "the graft rule's step (SGD for none). weight_decay is L2 (added to g)."},
    {"muon", &sl_optim_muon, NEED_LAYERS,
     "slope.optim.muon{layers=, lr=0.02, momentum=0.95, nesterov=true, ns_steps=5, "
     "weight_decay=0, adam_lr=3e-4, adam_beta1=0.9, adam_beta2=0.95, adam_eps=1e-10, "
     "adam_weight_decay=0}",
     "Muon (Jordan et al. 2024) per weight matrix of layers (f:layers() or an objective with "
     "layers; refused without): momentum (Nesterov by default), quintic Newton-Schulz "
     "orthogonalization (3.4445, -4.7750, 2.0315; ns_steps) of the update normalized by its "
     "Frobenius norm, scaled by max(1, rows/cols)^0.5, decoupled weight decay; vector layers "
     "(biases) take the reference's auxiliary AdamW step (adam_*). Schedules set lr, not "
     "adam_lr."},
    {"soap", &sl_optim_soap, NEED_LAYERS,
     "slope.optim.soap{layers=, lr=3e-3, betas={0.95, 0.95}, shampoo_beta=-1, eps=1e-8, "
     "weight_decay=0.01, precondition_frequency=10}",
     "SOAP (Vyas et al. 2024) per weight matrix of layers (f:layers() or an objective with "
     "layers; refused without), as the authors' soap.py: Adam with bias correction run in the "
     "eigenbasis of Shampoo's L = EMA(G G') and R = EMA(G' G) (factor shampoo_beta, or beta2 "
     "when negative), the bases from dsyevd at the first step (which moves nothing) and "
     "refreshed every precondition_frequency steps by a power iteration and QR; decoupled "
     "weight decay after the step; vector layers take the Adam step in the original basis."},
    /* ---- i16-rest: the rest of torch.optim, tuning-free, schedule-free ---- */
    {"adadelta", &sl_optim_adadelta, 0,
     "slope.optim.adadelta{lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=false}",
     "Adadelta (Zeiler 2012) as torch.optim.Adadelta: v = rho v + (1-rho) g^2, "
     "delta = sqrt(u + eps)/sqrt(v + eps) g, u = rho u + (1-rho) delta^2, x -= lr delta."},
    {"rprop", &sl_optim_rprop, 0,
     "slope.optim.rprop{lr=1e-2, etas={0.5, 1.2}, step_sizes={1e-6, 50}, maximize=false}",
     "Rprop (Riedmiller & Braun 1993) as torch.optim.Rprop: per-entry step sizes (starting at "
     "lr) grow by etas[2] while the gradient keeps its sign and shrink by etas[1] when it flips "
     "(then that entry skips a step), clamped to step_sizes; x -= sign(g) step. Full-batch "
     "gradients. Fields opt.etaminus, opt.etaplus, opt.step_size_min, opt.step_size_max."},
    {"asgd", &sl_optim_asgd, 0,
     "slope.optim.asgd{lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, maximize=false}",
     "Averaged SGD (Polyak & Juditsky 1992) as torch.optim.ASGD (1.13): eta = lr/(1 + lambd lr "
     "t)^alpha, x = x(1 - lambd eta) - eta g; the average ax (of the iterates after step t0) is "
     "opt:averaged([out]) and opt:state().ax."},
    {"sf_sgd", &sl_optim_sf_sgd, 0,
     "slope.optim.sf_sgd{lr=1.0, momentum=0.9, weight_decay=0, warmup_steps=0, r=0, "
     "weight_lr_power=2}",
     "Schedule-free SGD (Defazio et al. 2024) as the reference schedulefree.SGDScheduleFree: "
     "x (your vec) holds y, where the gradient is taken; opt:eval_x(x [, out]) gives the "
     "averaged point to validate at. No lr schedule needed (warmup_steps: linear warmup)."},
    {"sf_adamw", &sl_optim_sf_adamw, 0,
     "slope.optim.sf_adamw{lr=0.0025, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, "
     "warmup_steps=0, r=0, weight_lr_power=2, inner_momentum=0}",
     "Schedule-free AdamW (Defazio et al. 2024) as schedulefree.AdamWScheduleFree (its current "
     "form: bias correction inside the root, optional inner_momentum on the gradient): betas[1] "
     "interpolates y between z and the average x; weight decay at y. opt:eval_x(x [, out]) "
     "gives the averaged point x to validate at."},
    {"prodigy", &sl_optim_prodigy, 0,
     "slope.optim.prodigy{lr=1.0, betas={0.9, 0.999}, beta3=-1, eps=1e-8, weight_decay=0, "
     "decouple=true, use_bias_correction=false, safeguard_warmup=false, d0=1e-6, d_coef=1.0, "
     "growth_rate=math.huge}",
     "Prodigy (Mishchenko & Defazio 2023) as the reference prodigyopt.Prodigy: Adam whose "
     "step is scaled by an estimate d of the distance to the solution (opt:state().d); leave "
     "lr = 1. beta3 = -1 means sqrt(beta2)."},
    {"dadapt_adam", &sl_optim_dadapt_adam, 0,
     "slope.optim.dadapt_adam{lr=1.0, betas={0.9, 0.999}, eps=1e-8, weight_decay=0, "
     "decouple=false, use_bias_correction=false, d0=1e-6, growth_rate=math.huge}",
     "D-Adaptation Adam (Defazio & Mishchenko 2023) as the reference dadaptation.DAdaptAdam: "
     "the step size d lr with d a lower bound on the distance to the solution (opt:state().d); "
     "leave lr = 1."},
    {"adafactor", &sl_optim_adafactor, OPT_LAYERS,
     "slope.optim.adafactor{lr=1e-2, eps={1e-30, 1e-3}, clip_threshold=1.0, decay_rate=-0.8, "
     "beta1=0, weight_decay=0, scale_parameter=true, relative_step=true, warmup_init=false, "
     "layers=}",
     "Adafactor (Shazeer & Stern 2018) as fairseq/transformers: factored second moments (row "
     "and column averages) for each matrix of layers = f:layers() (or f), full ones for vectors "
     "(without layers the whole vector is one vector); relative step min(lr, 1/sqrt(t)) scaled "
     "by max(eps[2], RMS(x_layer)); updates clipped to RMS <= clip_threshold; beta2_t = 1 - "
     "t^decay_rate; beta1 = 0 is none (no first moment kept). Fields opt.eps1, opt.eps2."},
    {"lamb", &sl_optim_lamb, OPT_LAYERS,
     "slope.optim.lamb{lr=1e-3, betas={0.9, 0.999}, eps=1e-6, weight_decay=0, "
     "bias_correction=true, layers=}",
     "LAMB (You et al. 2020): Adam direction u = m^/(sqrt(v^) + eps) + weight_decay x, scaled per "
     "layer by the trust ratio |x_l|/|u_l| (1 when either is 0). layers = f:layers() or f; "
     "without it the whole vector is one layer."},
    {"lars", &sl_optim_lars, OPT_LAYERS,
     "slope.optim.lars{lr=1.0, momentum=0.9, weight_decay=0, trust_coefficient=1e-3, eps=0, "
     "layers=}",
     "LARS (You, Gitman & Ginsburg 2017): local lr = trust_coefficient |x_l|/(|g_l| + "
     "weight_decay |x_l| + eps) per layer (1 when a norm is 0), v = momentum v + lr local (g + "
     "weight_decay x), x -= v. layers = f:layers() or f; without it the whole vector is one "
     "layer."},
    {NULL, NULL, 0, NULL, NULL}};

/* Options given as a pair {a, b} for two hyperparameters (besides betas),
   as torch's etas=(0.5, 1.2) of Rprop. */
typedef struct pairkey {
  const char *key, *first, *second;
} pairkey;
static const pairkey pairs[] = {{"etas", "etaminus", "etaplus"},
                                {"step_sizes", "step_size_min", "step_size_max"},
                                {"eps", "eps1", "eps2"},
                                {NULL, NULL, NULL}};

static const pairkey *pair_of(const char *hpname) {
  for (const pairkey *p = pairs; p->key; p++)
    if (strcmp(hpname, p->first) == 0 || strcmp(hpname, p->second) == 0) return p;
  return NULL;
}

/* opts[p->key] = {a, b}: both numbers, each set with its checks. */
static void setpair(lua_State *L, sl_optimizer *o, const pairkey *p, int vidx, const char *fname) {
  vidx = lua_absindex(L, vidx);
  if (!lua_istable(L, vidx) || luaL_len(L, vidx) != 2)
    sl_error(L, fname, "%s must be a table of two numbers {%s, %s}, got %s", p->key, p->first,
             p->second, luaL_typename(L, vidx));
  double b[2];
  for (int i = 0; i < 2; i++) {
    lua_rawgeti(L, vidx, i + 1);
    if (lua_type(L, -1) != LUA_TNUMBER)
      sl_error(L, fname, "%s[%d] must be a number, got %s", p->key, i + 1, luaL_typename(L, -1));
    b[i] = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  int k1 = sl_optim_hpindex(o, p->first), k2 = sl_optim_hpindex(o, p->second);
  const double old1 = o->hp[k1], old2 = o->hp[k2];
  /* each value through its own checks; {0.1, 0.2} for {min, max} must not fail on the
     old max, so when the first fails only on the cross check, set the second first */
  sl_status st = sl_optim_sethp(o, k1, b[0]);
  if (st >= 0) {
    st = sl_optim_sethp(o, k2, b[1]);
    if (st < 0) o->hp[k1] = old1;
  } else {
    char first[sizeof o->msg];
    memcpy(first, o->msg, sizeof first);
    if (sl_optim_sethp(o, k2, b[1]) >= 0) {
      st = sl_optim_sethp(o, k1, b[0]);
      if (st < 0) o->hp[k2] = old2;
    }
    if (st < 0) memcpy(o->msg, first, sizeof first);
  }
  if (st < 0) sl_error(L, fname, "%s: %s", p->key, o->msg);
}

/* slope.optim.sgd{0.1} would silently train with the default lr: refuse
   positional entries, with the named form of what was probably meant. */
static void positional(lua_State *L, const ctor *c, const char *fname) {
  const sl_hpspec *hp = &c->ops->hp[0];
  char example[160];
  int given = lua_getfield(L, 1, hp->name) != LUA_TNIL; /* then the value meant another key */
  lua_rawgeti(L, 1, 1);
  if (c->need & NEED_BASE)
    snprintf(example, sizeof example, "base = slope.optim.sgd{lr = 0.1}%s%s = ...",
             c->need & NEED_F ? ", f = f, " : ", ", hp->name);
  else if (c->need & NEED_F)
    snprintf(example, sizeof example, "f = f, %s = ...", hp->name);
  else if (lua_type(L, -1) == LUA_TNUMBER && !given)
    snprintf(example, sizeof example, "%s = %s", hp->name, sl_pushgot(L, -1));
  else
    snprintf(example, sizeof example, "%s = %g", hp->name, hp->def);
  lua_settop(L, 1);
  sl_checknamed(L, 1, fname, c->need & (NEED_BASE | NEED_F) ? "options" : "hyperparameters",
                example);
}

/* The layers option (table at 1) into o->layout; the userdata o at the top. */
static void set_layers(lua_State *L, const ctor *c, sl_optimizer *o, const char *fname) {
  if (lua_getfield(L, 1, "layers") == LUA_TNIL) {
    if (c->need & NEED_LAYERS)
      sl_error(L, fname,
               "needs layers = f:layers() (or an objective with layers): %s works on the weight "
               "matrices of the layout",
               c->name);
    return;
  }
  sl_layout *lay = sl_checklayout(L, -1, fname, "layers", o->f ? o->f->dim : 0, 1);
  o->layout = sl_layout_copy(lay);
  if (o->layout == NULL) sl_error(L, fname, "not enough memory for the layout");
}

/* For sophia's estimator "gnb": when f (stack index fi) is a logistic,
   softmax or cross-entropy MLP objective over its own rows, what it takes to
   rebuild it with other labels into o->impl (else o->impl stays NULL and
   choosing "gnb" is refused by the rule's check). */
static void gnb_model(lua_State *L, int fi, sl_optimizer *o, const char *fname) {
  sl_model_info info;
  sl_objective *f = o->f;
  if (sl_model_info_of(f, &info) != SL_OK || info.classes == 0) return;
  if (lua_getiuservalue(L, fi, 1) != LUA_TTABLE) return; /* the rows the objective keeps */
  lua_rawgeti(L, -1, 1);
  const sl_mat *Xd = sl_testmat(L, -1);
  const sl_csr *Xs = Xd ? NULL : sl_testcsr(L, -1);
  lua_pop(L, 2);
  if (Xd == NULL && Xs == NULL) return; /* a view: its rows are not all of X */
  sl_gnb_model *m = calloc(1, sizeof *m);
  if (m == NULL) sl_error(L, fname, "not enough memory");
  m->kind = info.kind;
  m->Xd = Xd;
  m->Xs = Xs;
  m->classes = info.classes;
  m->intercept = info.kind == SL_MODEL_LOGISTIC ? f->dim == info.features + 1
                                                : f->dim == (info.features + 1) * info.classes;
  if (info.kind == SL_MODEL_MLP) {
    size_t in, out, wo, bo, L_ = sl_mlp_layer(f, 0, &in, &out, &wo, &bo);
    for (size_t l = 0; l + 1 < L_; l++) {
      sl_mlp_layer(f, l, &in, &out, &wo, &bo);
      m->hidden[m->nhidden++] = out;
    }
    lua_getfield(L, fi, "activation");
    const char *act = lua_tostring(L, -1);
    m->act = act && strcmp(act, "relu") == 0   ? SL_ACT_RELU
             : act && strcmp(act, "gelu") == 0 ? SL_ACT_GELU
                                               : SL_ACT_TANH;
    lua_pop(L, 1);
  }
  o->impl = m;
}

static int optim_new(lua_State *L) {
  const ctor *c = lua_touserdata(L, lua_upvalueindex(1));
  const char *fname = lua_tostring(L, lua_upvalueindex(2));
  const sl_optim_ops *ops = c->ops;
  if (!lua_isnoneornil(L, 1) && !lua_istable(L, 1))
    return sl_error(L, fname, "options table expected, got %s", luaL_typename(L, 1));
  sl_opttable(L, 1);
  lua_settop(L, 1);
  positional(L, c, fname);
  const char *allowed[SL_OPTIM_MAXHP + 6];
  size_t na = 0;
  int has_betas = 0, two_betas = 0; /* adafactor has beta1 alone: its own key */
  for (size_t k = 0; k < ops->nhp; k++)
    if (strcmp(ops->hp[k].name, "beta2") == 0) two_betas = 1;
  for (size_t k = 0; k < ops->nhp; k++) {
    if (two_betas && strcmp(ops->hp[k].name, "beta1") == 0) {
      allowed[na++] = "betas";
      has_betas = 1;
    } else if (pair_of(ops->hp[k].name)) {
      if (strcmp(pair_of(ops->hp[k].name)->first, ops->hp[k].name) == 0)
        allowed[na++] = pair_of(ops->hp[k].name)->key;
    } else if (strcmp(ops->hp[k].name, "beta2") != 0)
      allowed[na++] = ops->hp[k].name;
  }
  if (c->need & NEED_BASE) allowed[na++] = "base";
  if (c->need & NEED_F) allowed[na++] = "f";
  if (ops->flags & SL_OPTIM_RNG) allowed[na++] = "rng";
  if (c->need & (OPT_LAYERS | NEED_LAYERS)) allowed[na++] = "layers";
  allowed[na] = NULL;
  sl_checkkeys(L, 1, allowed, fname);

  int base_idx = 0, f_idx = 0;
  sl_optimizer *base = NULL;
  sl_objective *f = NULL;
  if (c->need & NEED_BASE) {
    lua_getfield(L, 1, "base");
    base = sl_testoptim(L, -1);
    if (base == NULL)
      return sl_error(L, fname, "base must be an optimizer (slope.optim.*), got %s",
                      luaL_typename(L, -1));
    base_idx = lua_gettop(L);
  }
  if (c->need & NEED_F) {
    lua_getfield(L, 1, "f");
    f = sl_testobj(L, -1);
    if (f == NULL)
      return sl_error(L, fname, "f must be an objective (slope.obj.*), got %s",
                      luaL_typename(L, -1));
    if ((c->need & NEED_DATA) && (f->n == 0 || f->ops->sample_fg == NULL))
      return sl_error(L, fname,
                      "f must be a data objective with per-sample gradients (%s has none)",
                      f->ops->name);
    f_idx = lua_gettop(L);
  }
  sl_optimizer *o = sl_optim_new(ops);
  if (o) {
    o->base = base;
    o->f = f;
  }
  sl_pushoptim(L, o, base_idx, f_idx);
  int ud = lua_gettop(L);
  if (ops->flags & SL_OPTIM_RNG && lua_getfield(L, 1, "rng") != LUA_TNIL) {
    sl_rng *r = luaL_testudata(L, -1, SL_RNG);
    if (r == NULL)
      return sl_error(L, fname, "rng must be a slope.rng, got %s", luaL_typename(L, -1));
    o->rng = *r;
  }
  lua_settop(L, ud);
  if (c->need & MODEL_GNB) gnb_model(L, f_idx, o, fname);
  if (c->need & (OPT_LAYERS | NEED_LAYERS)) set_layers(L, c, o, fname);
  lua_settop(L, ud);
  if (has_betas && lua_getfield(L, 1, "betas") != LUA_TNIL) sl_optim_setbetas(L, o, -1, fname);
  lua_settop(L, ud);
  for (size_t k = 0; k < ops->nhp; k++) {
    const char *name = ops->hp[k].name;
    if (two_betas && (strcmp(name, "beta1") == 0 || strcmp(name, "beta2") == 0)) continue;
    const pairkey *pk = pair_of(name);
    if (pk) {
      if (strcmp(pk->first, name) == 0 && lua_getfield(L, 1, pk->key) != LUA_TNIL)
        setpair(L, o, pk, -1, fname);
      lua_settop(L, ud);
      continue;
    }
    if (lua_getfield(L, 1, name) != LUA_TNIL) sl_optim_sethp_from(L, o, (int)k, -1, fname);
    lua_pop(L, 1);
  }
  sl_status st = sl_optim_check(o);
  if (st < 0) return sl_error(L, fname, "%s", o->msg);
  if (ops == &sl_optim_clip && o->hp[0] == 0 && o->hp[1] == 0)
    return sl_error(L, fname, "give max_norm or max_value (> 0)");
  return 1;
}

int sl_open_optim_new(lua_State *L, int slope) {
  lua_getfield(L, slope, "optim");
  int t = lua_gettop(L);
  for (const ctor *c = ctors; c->name; c++) {
    lua_pushlightuserdata(L, (void *)c);
    lua_pushfstring(L, "slope.optim.%s", c->name);
    lua_pushcclosure(L, optim_new, 2);
    char name[64];
    snprintf(name, sizeof name, "slope.optim.%s", c->name);
    sl_sethelp(L, -1, name, c->sig, c->doc);
    lua_setfield(L, t, c->name);
  }
  lua_pop(L, 1);
  return 0;
}
