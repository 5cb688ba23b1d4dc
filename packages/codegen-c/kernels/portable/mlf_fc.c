/*
 * FULLY_CONNECTED, int8. The input offset is folded into the bias at compile time,
 * so each output is a plain int8 dot product; four outputs share each input load.
 */
#include "mlf_kernels.h"

static inline int8_t mlf_fc_out(const mlf_fc_params *p, int32_t acc, int32_t o) {
  const int32_t q = o * p->q_stride;
  const int32_t v = mlf_mbqm(acc, p->mult[q], p->shift[q]) + p->out_zp;
  return (int8_t)mlf_clamp32(v, p->act_min, p->act_max);
}

void mlf_fc_s8(const mlf_fc_params *p, const int8_t *in, int8_t *out) {
  const int32_t n = p->accum_depth, od = p->out_depth;
  int32_t b;
  for (b = 0; b < p->batches; ++b) {
    const int8_t *x = in + b * n;
    int8_t *y = out + b * od;
    int32_t o = 0;
    for (; o + 4 <= od; o += 4) {
      const int8_t *w0 = p->filter + o * n;
      const int8_t *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
      int32_t s0 = p->bias[o], s1 = p->bias[o + 1], s2 = p->bias[o + 2], s3 = p->bias[o + 3];
      int32_t k = 0, j;
      /* Fixed 16-value chunks vectorize at -O2 where the target has SIMD. */
      for (; k + 16 <= n; k += 16) {
        int32_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (j = 0; j < 16; ++j) {
          const int32_t v = x[k + j];
          t0 += v * w0[k + j];
          t1 += v * w1[k + j];
          t2 += v * w2[k + j];
          t3 += v * w3[k + j];
        }
        s0 += t0;
        s1 += t1;
        s2 += t2;
        s3 += t3;
      }
      for (; k < n; ++k) {
        const int32_t v = x[k];
        s0 += v * w0[k];
        s1 += v * w1[k];
        s2 += v * w2[k];
        s3 += v * w3[k];
      }
      y[o] = mlf_fc_out(p, s0, o);
      y[o + 1] = mlf_fc_out(p, s1, o + 1);
      y[o + 2] = mlf_fc_out(p, s2, o + 2);
      y[o + 3] = mlf_fc_out(p, s3, o + 3);
    }
    for (; o < od; ++o) {
      const int8_t *w0 = p->filter + o * n;
      int32_t s0 = p->bias[o];
      int32_t k;
      for (k = 0; k < n; ++k) s0 += (int32_t)x[k] * w0[k];
      y[o] = mlf_fc_out(p, s0, o);
    }
  }
}
