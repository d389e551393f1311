/*
** min_methods.c — the solver methods, one row each. A new method is a file
** min_<name>.c defining `const sl_min_method_ops sl_min_<name>` (see
** min_gd.c, the shortest) and a row here; slope.minimize and slope.solver
** take their names, option keys and help from this table.
*/
#include "sl_minimize.h"

/* one line per group of rows, so new rows merge cleanly */
/* clang-format off */
const sl_min_method_ops *const sl_min_methods[] = {
    &sl_min_gd,          &sl_min_cg,        &sl_min_bfgs,      &sl_min_lbfgs,
    &sl_min_newton_cg,   &sl_min_trust_ncg, &sl_min_optimizer,
    &sl_min_lbfgsb,                                            /* issue 15: bounds */
    &sl_min_owlqn,       &sl_min_fista,     &sl_min_prox_gd,   /* L1 and composite */
    &sl_min_lm,          &sl_min_gauss_newton,                 /* least squares */
    &sl_min_nelder_mead, &sl_min_newton,    &sl_min_dogleg,    /* values only, dense Newton */
    NULL};
/* clang-format on */
