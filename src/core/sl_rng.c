/*
** sl_rng.c — xoshiro256** and splitmix64 (https://prng.di.unimi.it/).
*/
#include "sl_rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void sl_rng_seed(sl_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

void sl_rng_seed_stream(sl_rng *r, uint64_t seed, uint64_t stream) {
  uint64_t x = seed;
  uint64_t mixed = splitmix64(&x) ^ (stream * 0xd1342543de82ef95ULL);
  sl_rng_seed(r, mixed);
}

uint64_t sl_rng_next(sl_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double sl_rng_uniform(sl_rng *r) { return (double)(sl_rng_next(r) >> 11) * 0x1.0p-53; }

/* Marsaglia's polar method; the second normal of the pair is dropped. */
double sl_rng_normal(sl_rng *r) {
  double u, v, s;
  do {
    u = 2.0 * sl_rng_uniform(r) - 1.0;
    v = 2.0 * sl_rng_uniform(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return u * sqrt(-2.0 * log(s) / s);
}

/* Rejection on the top of the range removes modulo bias. */
uint64_t sl_rng_below(sl_rng *r, uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = sl_rng_next(r);
  while (x >= limit);
  return x % n;
}

void sl_rng_shuffle(sl_rng *r, size_t n, size_t *p) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)sl_rng_below(r, i);
    size_t t = p[i - 1];
    p[i - 1] = p[j];
    p[j] = t;
  }
}

void sl_rng_perm(sl_rng *r, size_t n, size_t *p) {
  for (size_t i = 0; i < n; i++) p[i] = i;
  sl_rng_shuffle(r, n, p);
}
