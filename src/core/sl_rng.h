/*
** sl_rng.h — a portable, seedable random generator.
** xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64: the same
** seed gives the same integers and uniforms on every machine. Normals use
** Marsaglia's polar method (log and sqrt only), one normal per call, no cache,
** so the whole state is the four words below and can be saved exactly.
*/
#ifndef SL_RNG_H
#define SL_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_rng {
  uint64_t s[4];
} sl_rng;

void sl_rng_seed(sl_rng *r, uint64_t seed);
uint64_t sl_rng_next(sl_rng *r);                     /* 64 random bits */
double sl_rng_uniform(sl_rng *r);                    /* [0, 1), 53-bit resolution */
double sl_rng_normal(sl_rng *r);                     /* standard normal */
uint64_t sl_rng_below(sl_rng *r, uint64_t n);        /* uniform in [0, n), unbiased; n >= 1 */
void sl_rng_perm(sl_rng *r, size_t n, size_t *p);    /* random permutation of 0..n-1 */
void sl_rng_shuffle(sl_rng *r, size_t n, size_t *p); /* Fisher-Yates in place */
/* A new stream derived from (seed, stream), e.g. one per MPI rank or thread. */
void sl_rng_seed_stream(sl_rng *r, uint64_t seed, uint64_t stream);

#endif
