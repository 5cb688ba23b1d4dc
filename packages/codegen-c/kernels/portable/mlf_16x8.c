/*
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, 16x8 (int16 activations, int8 filters),
 * TFLite's reference arithmetic: sums of filter * input over the taps inside the image, plus
 * the bias, in int64 (wide) or wrapped to int32, then requantized per output channel. Taps
 * outside the image are skipped, so there is no scratch and any write order within a pixel
 * is safe.
 */
#include "mlf_kernels.h"

static inline int16_t mlf_out16(int32_t wide, int64_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo, int32_t hi) {
  /* int32 biases: TFLite's int32 accumulator wraps; the conversion wraps the same way. */
  const int32_t v = wide ? mlf_mbqm64(acc, mult, shift) : mlf_mbqm((int32_t)acc, mult, shift);
  return (int16_t)mlf_clamp32(v + zp, lo, hi);
}

void mlf_conv2d_s16(const mlf_conv16x8_params *p, const int16_t *in, int16_t *out) {
  const int32_t in_c = p->in_c, out_c = p->out_c, k_w = p->k_w;
  const int32_t patch = p->k_h * k_w * in_c;
  int32_t b, oy, ox, oc;
  for (b = 0; b < p->batches; ++b) {
    const int16_t *img = in + b * p->in_h * p->in_w * in_c;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int16_t *o = out + ((b * p->out_h + oy) * p->out_w + ox) * out_c;
        for (oc = 0; oc < out_c; ++oc) {
          const int8_t *f = p->filter + oc * patch;
          int64_t acc = 0;
          int32_t ky, kx, ic;
          for (ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = iy0 + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (kx = 0; kx < k_w; ++kx) {
              const int32_t ix = ix0 + kx * p->dil_w;
              const int8_t *fk;
              const int16_t *x;
              if (ix < 0 || ix >= p->in_w) continue;
              fk = f + (ky * k_w + kx) * in_c;
              x = img + (iy * p->in_w + ix) * in_c;
              for (ic = 0; ic < in_c; ++ic) acc += (int32_t)x[ic] * fk[ic];
            }
          }
          o[oc] = mlf_out16(p->wide, acc + p->bias[oc], p->mult[oc], p->shift[oc], 0, p->act_min, p->act_max);
        }
      }
    }
  }
}

void mlf_dwconv2d_s16(const mlf_conv16x8_params *p, const int16_t *in, int16_t *out) {
  const int32_t in_c = p->in_c, out_c = p->out_c, dm = p->depth_mult;
  int32_t b, oy, ox, oc;
  for (b = 0; b < p->batches; ++b) {
    const int16_t *img = in + b * p->in_h * p->in_w * in_c;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int16_t *o = out + ((b * p->out_h + oy) * p->out_w + ox) * out_c;
        for (oc = 0; oc < out_c; ++oc) {
          const int32_t ic = oc / dm;
          int64_t acc = 0;
          int32_t ky, kx;
          for (ky = 0; ky < p->k_h; ++ky) {
            const int32_t iy = iy0 + ky * p->dil_h;
            if (iy < 0 || iy >= p->in_h) continue;
            for (kx = 0; kx < p->k_w; ++kx) {
              const int32_t ix = ix0 + kx * p->dil_w;
              if (ix < 0 || ix >= p->in_w) continue;
              acc += (int32_t)img[(iy * p->in_w + ix) * in_c + ic] * p->filter[(ky * p->k_w + kx) * out_c + oc];
            }
          }
          o[oc] = mlf_out16(p->wide, acc + p->bias[oc], p->mult[oc], p->shift[oc], 0, p->act_min, p->act_max);
        }
      }
    }
  }
}

void mlf_fc_s16(const mlf_fc16x8_params *p, const int16_t *in, int16_t *out) {
  const int32_t n = p->accum_depth, od = p->out_depth;
  int32_t b, o, k;
  for (b = 0; b < p->batches; ++b) {
    const int16_t *x = in + b * n;
    int16_t *y = out + b * od;
    for (o = 0; o < od; ++o) {
      const int8_t *w = p->filter + o * n;
      const int32_t q = o * p->q_stride;
      int64_t acc = p->bias[o];
      for (k = 0; k < n; ++k) acc += (int32_t)x[k] * w[k];
      y[o] = mlf_out16(p->wide, acc, p->mult[q], p->shift[q], p->out_zp, p->act_min, p->act_max);
    }
  }
}
