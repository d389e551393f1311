/*
** sl_optim_priv.h — how the built-in rules run their elementwise loops (not
** part of the public API). A rule writes its update as a kernel over the
** entries [lo, hi) with every hyperparameter branch hoisted out of the
** element loop (one loop per combination, chosen by a switch before it), so
** the compiler vectorizes each loop; sl_optim_foreach runs the kernel over
** [0, n), split across OpenMP threads for long vectors.
**
** Results are the scalar rule's bit for bit: every entry sees the same
** operations in the same order (entries are independent), the build never
** contracts a*b + c into a fused multiply-add (-std=c11 means
** -ffp-contract=off; the clones below do not turn it on), and sqrt is the
** correctly rounded instruction in every clone (-fno-math-errno lets it
** vectorize; it changes no result).
*/
#ifndef SL_OPTIM_PRIV_H
#define SL_OPTIM_PRIV_H

#include <stddef.h>

/* Kernels are built for AVX-512 (x86-64-v4), AVX2 (x86-64-v3) and the
   baseline, picked once at load time by the CPU (as the model kernels,
   obj_mlp.c), without fp-contract: same bits in every clone. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
#define SL_OPTIM_CLONES                                                                            \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SL_OPTIM_CLONES
#endif

/* Loops inlined into each kernel with constant flags, one instance per
   combination of hoisted branches. */
#define SL_OPTIM_INLINE __attribute__((always_inline)) static inline

/* From this many entries a step is split across threads (below it the work,
   ~1 ns an entry, does not pay for waking them). */
#define SL_OPTIM_PAR_MIN ((size_t)1 << 16)

/* An elementwise kernel: update entries [lo, hi) with the rule's
   arguments (a struct of the rule's own). */
typedef void (*sl_optim_kernel)(size_t lo, size_t hi, const void *args);

/* k over [0, n): one call below SL_OPTIM_PAR_MIN entries, else blocks of
   entries shared among OpenMP threads. */
void sl_optim_foreach(size_t n, sl_optim_kernel k, const void *args);

#endif
