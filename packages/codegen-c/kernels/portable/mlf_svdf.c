/*
 * SVDF, int8 input/output, int8 or int16 activation state, TFLite Micro reference
 * numerics. Per batch row: the state shifts left by one element (as one flat buffer),
 * each filter's newest state entry becomes its requantized feature projection, and each
 * unit sums its rank filters' time dot products. Both zero-point offsets are folded into
 * the bias tables at compile time (see mlf_seq.h), which is exact in int32.
 */
#include "mlf_seq.h"

/* TFLite stores zp + clamped value without re-clamping, so it can wrap; do it portably. */
static inline int8_t wrap8(int32_t v) { return (int8_t)(((v + 128) & 0xFF) - 128); }
static inline int16_t wrap16(int32_t v) { return (int16_t)(((v + 32768) & 0xFFFF) - 32768); }

static inline int32_t feature(const mlf_svdf_params *p, const int8_t *x, int32_t f) {
  const int8_t *w = p->weights_feature + f * p->input_size;
  int32_t acc = p->feature_bias[f];
  int32_t c;
  for (c = 0; c < p->input_size; ++c) acc += (int32_t)w[c] * x[c];
  return mlf_mbqm(acc, p->mult1, p->shift1);
}

static inline int8_t output(const mlf_svdf_params *p, int32_t acc) {
  return (int8_t)mlf_clamp32(mlf_mbqm(acc, p->mult2, p->shift2) + p->out_zp, -128, 127);
}

void mlf_svdf_s8(const mlf_svdf_params *p, const int8_t *in, int8_t *state, int8_t *out) {
  const int32_t nf = p->num_filters, mem = p->memory_size, rank = p->rank;
  const int32_t total = p->batches * nf * mem;
  int32_t b, f, u, r, m;
  if (total > 1) memmove(state, state + 1, (size_t)(total - 1) * sizeof *state);
  for (b = 0; b < p->batches; ++b) {
    const int8_t *x = in + b * p->input_size;
    int8_t *s = state + b * nf * mem;
    for (f = 0; f < nf; ++f) {
      s[f * mem + mem - 1] = wrap8(p->state_zp + mlf_clamp32(feature(p, x, f), -128, 127));
    }
    for (u = 0; u < p->num_units; ++u) {
      int32_t acc = p->bias[u];
      for (r = 0; r < rank; ++r) {
        const int32_t off = (u * rank + r) * mem;
        const int8_t *w = p->weights_time + off;
        const int8_t *sv = s + off;
        for (m = 0; m < mem; ++m) acc += (int32_t)w[m] * sv[m];
      }
      out[b * p->num_units + u] = output(p, acc);
    }
  }
}

void mlf_svdf_state16_s8(const mlf_svdf_params *p, const int8_t *in, int16_t *state, int8_t *out) {
  const int32_t nf = p->num_filters, mem = p->memory_size, rank = p->rank;
  const int32_t total = p->batches * nf * mem;
  int32_t b, f, u, r, m;
  if (total > 1) memmove(state, state + 1, (size_t)(total - 1) * sizeof *state);
  for (b = 0; b < p->batches; ++b) {
    const int8_t *x = in + b * p->input_size;
    int16_t *s = state + b * nf * mem;
    for (f = 0; f < nf; ++f) {
      s[f * mem + mem - 1] = wrap16(p->state_zp + mlf_clamp32(feature(p, x, f), -32768, 32767));
    }
    for (u = 0; u < p->num_units; ++u) {
      /* int16 x int16 products can exceed int32 in a sum; TFLite wraps, so wrap too. */
      uint32_t acc = (uint32_t)p->bias[u];
      for (r = 0; r < rank; ++r) {
        const int32_t off = (u * rank + r) * mem;
        const int16_t *w = p->weights_time16 + off;
        const int16_t *sv = s + off;
        for (m = 0; m < mem; ++m) acc += (uint32_t)((int32_t)w[m] * sv[m]);
      }
      out[b * p->num_units + u] = output(p, (int32_t)acc);
    }
  }
}
