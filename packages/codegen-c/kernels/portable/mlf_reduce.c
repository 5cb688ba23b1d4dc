/* MEAN (int8, int16) and SOFTMAX (int8 in, int8 or int16 out; int16 in and out), TFLite reference numerics. */
#include "mlf_kernels.h"

#define MLF_MEAN_BLOCK 16

#define MLF_DEFINE_MEAN(NAME, T, LO, HI)                                               \
void NAME(const mlf_mean_params *p, const T *in, T *out) {                             \
  const int32_t inner = p->inner, reduce = p->reduce;                                  \
  const int32_t zp_total = p->in_zp * reduce;                                          \
  int32_t o, c0, r, k;                                                                 \
  for (o = 0; o < p->outer; ++o) {                                                     \
    const T *src = in + o * reduce * inner;                                            \
    T *dst = out + o * inner;                                                          \
    for (c0 = 0; c0 < inner; c0 += MLF_MEAN_BLOCK) {                                   \
      const int32_t nb = mlf_min32(MLF_MEAN_BLOCK, inner - c0);                        \
      int32_t acc[MLF_MEAN_BLOCK];                                                     \
      for (k = 0; k < nb; ++k) acc[k] = 0;                                             \
      for (r = 0; r < reduce; ++r) {                                                   \
        const T *s = src + r * inner + c0;                                             \
        for (k = 0; k < nb; ++k) acc[k] += s[k];                                       \
      }                                                                                \
      for (k = 0; k < nb; ++k) {                                                       \
        const int32_t v = mlf_mbqm(acc[k] - zp_total, p->mult, p->shift) + p->out_zp;  \
        dst[c0 + k] = (T)mlf_clamp32(v, LO, HI);                                       \
      }                                                                                \
    }                                                                                  \
  }                                                                                    \
}

MLF_DEFINE_MEAN(mlf_mean_s8, int8_t, -128, 127)
MLF_DEFINE_MEAN(mlf_mean_s16, int16_t, -32768, 32767)

/* Exponent of each row element relative to the row maximum, Q0.31 (0 below diff_min). */
static inline int32_t softmax_exp(const mlf_softmax_params *p, int32_t diff) {
  const int32_t scaled = mlf_mbqm_gt1(diff, p->in_mult, p->in_left_shift);
  return mlf_exp_on_negative_values(scaled, 5);
}

/* Returns the Q0.31 reciprocal of the row's sum and sets *exponent. */
static int32_t softmax_row_scale(const mlf_softmax_params *p, const int8_t *x, int32_t max_in_row,
                                 int out_bits, int *exponent) {
  int32_t sum = 0; /* Q12.19 */
  int32_t c;
  int headroom;
  int32_t shifted;
  for (c = 0; c < p->depth; ++c) {
    const int32_t diff = (int32_t)x[c] - max_in_row;
    if (diff >= p->diff_min) sum += mlf_rdbpot(softmax_exp(p, diff), 12);
  }
  headroom = mlf_clz32((uint32_t)sum);
  *exponent = (12 - headroom) + 31 - out_bits;
  shifted = (int32_t)(((uint32_t)sum << headroom) - ((uint32_t)1 << 31));
  return mlf_one_over_one_plus_x(shifted);
}

static inline int32_t row_max(const int8_t *x, int32_t n) {
  int32_t m = -128, c;
  for (c = 0; c < n; ++c) m = x[c] > m ? x[c] : m;
  return m;
}

void mlf_softmax_s8_s8(const mlf_softmax_params *p, const int8_t *in, int8_t *out) {
  int32_t i, c;
  for (i = 0; i < p->outer; ++i) {
    const int8_t *x = in + i * p->depth;
    int8_t *y = out + i * p->depth;
    const int32_t mx = row_max(x, p->depth);
    int exponent;
    const int32_t scale = softmax_row_scale(p, x, mx, 8, &exponent);
    for (c = 0; c < p->depth; ++c) {
      const int32_t diff = (int32_t)x[c] - mx;
      if (diff >= p->diff_min) {
        const int32_t v = mlf_rdbpot(mlf_srdhm(scale, softmax_exp(p, diff)), exponent) - 128;
        y[c] = (int8_t)mlf_clamp32(v, -128, 127);
      } else {
        y[c] = -128;
      }
    }
  }
}

void mlf_softmax_s8_s16(const mlf_softmax_params *p, const int8_t *in, int16_t *out) {
  int32_t i, c;
  for (i = 0; i < p->outer; ++i) {
    const int8_t *x = in + i * p->depth;
    int16_t *y = out + i * p->depth;
    const int32_t mx = row_max(x, p->depth);
    int exponent;
    const int32_t scale = softmax_row_scale(p, x, mx, 16, &exponent);
    for (c = 0; c < p->depth; ++c) {
      const int32_t diff = (int32_t)x[c] - mx;
      if (diff >= p->diff_min) {
        const int32_t v = mlf_rdbpot(mlf_srdhm(scale, softmax_exp(p, diff)), exponent) - 32768;
        y[c] = (int16_t)mlf_clamp32(v, -32768, 32767);
      } else {
        y[c] = -32768;
      }
    }
  }
}

/* tflite::LUTLookup for int16: entry at the top 9 bits, interpolated by the low 7. */
static inline int16_t mlf_lut16(int32_t v, const int16_t *lut) {
  const int32_t index = 256 + (v >> 7);
  const int32_t base = lut[index];
  const int32_t slope = (int16_t)(lut[index + 1] - base);
  return (int16_t)(base + ((slope * (v & 0x7f) + 64) >> 7));
}

/* Exps are cached in the output row, as TFLite does, then scaled by the reciprocal sum. */
void mlf_softmax_s16_s16(const mlf_softmax16_params *p, const int16_t *in, int16_t *out) {
  int32_t i, c;
  for (i = 0; i < p->outer; ++i) {
    const int16_t *x = in + i * p->depth;
    int16_t *y = out + i * p->depth;
    int32_t mx = -32768, sum = 0, shifted;
    int16_t recip;
    int h, right;
    for (c = 0; c < p->depth; ++c) mx = x[c] > mx ? x[c] : mx;
    for (c = 0; c < p->depth; ++c) {
      const int32_t d = mlf_mbqm((int32_t)x[c] - mx, p->in_mult, p->in_shift) + 32767;
      y[c] = mlf_lut16(mlf_clamp32(d, -32768, 32767), p->exp_lut);
      sum += y[c];
    }
    h = mlf_clz32((uint32_t)sum);
    shifted = (int32_t)((((int64_t)sum << (h - 1)) + (1 << 13)) >> 14);
    recip = mlf_lut16(mlf_clamp32(shifted - ((1 << 15) + (1 << 16)), -32768, 32767), p->one_over_one_plus_x_lut);
    right = 31 - h;
    for (c = 0; c < p->depth; ++c) {
      const int32_t v = (int32_t)(((int64_t)y[c] * recip + ((int64_t)1 << (right - 1))) >> right);
      y[c] = (int16_t)mlf_clamp32(v, 0, 32767);
    }
  }
}
