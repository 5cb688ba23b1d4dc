/*
 * DEPTHWISE_CONV_2D, int8, filter 1HWO with O = in_c * depth_mult, per-channel
 * requantization. Same bias folding as mlf_conv.c: taps outside the image read as
 * in_zp, which a zero-point-filled copy of the window (scratch) provides.
 */
#include "mlf_kernels.h"

/* The k_h x k_w x in_c window at input origin (iy0, ix0), out-of-image taps = in_zp. */
static void dw_patch(const mlf_conv_params *p, const int8_t *img, int32_t iy0, int32_t ix0, int8_t *dst) {
  const int32_t c = p->in_c;
  const int zp = (int)(uint8_t)(int8_t)p->in_zp;
  int32_t ky, kx;
  for (ky = 0; ky < p->k_h; ++ky) {
    const int32_t iy = iy0 + ky * p->dil_h;
    for (kx = 0; kx < p->k_w; ++kx, dst += c) {
      const int32_t ix = ix0 + kx * p->dil_w;
      const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
      if (c == 1) {
        dst[0] = inside ? img[iy * p->in_w + ix] : (int8_t)p->in_zp;
      } else if (inside) {
        memcpy(dst, img + (iy * p->in_w + ix) * c, (size_t)c);
      } else {
        memset(dst, zp, (size_t)c);
      }
    }
  }
}

#define MLF_DW_BLOCK 8

static inline int8_t dw_out(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo, int32_t hi) {
  return (int8_t)mlf_clamp32(mlf_mbqm(acc, mult, shift) + zp, lo, hi);
}

/*
 * Any window, dilation and depth multiplier. Per output pixel, the zero-point-filled
 * window is copied to scratch; output channels then go in blocks of 8 whose sums stay
 * in a local array, each tap adding one contiguous row of filter values (full blocks
 * run fixed-length loops, which vectorize at -O2 on SIMD targets).
 */
void mlf_dwconv2d_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out, void *scratch) {
  const int32_t in_c = p->in_c, out_c = p->out_c, dm = p->depth_mult;
  const int32_t taps = p->k_h * p->k_w;
  const int32_t *bias = p->bias, *mult = p->mult, *shift = p->shift;
  const int32_t out_zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  int8_t *patch = (int8_t *)scratch;
  int32_t b, oy, ox, ic, m0, t, j;
  for (b = 0; b < p->batches; ++b) {
    const int8_t *img = in + b * p->in_h * p->in_w * in_c;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < p->out_w; ++ox) {
        int8_t *o = out + ((b * p->out_h + oy) * p->out_w + ox) * out_c;
        dw_patch(p, img, iy0, ox * p->stride_w - p->pad_left, patch);
        if (dm == 1) {
          for (m0 = 0; m0 < out_c; m0 += MLF_DW_BLOCK) {
            const int32_t nb = mlf_min32(MLF_DW_BLOCK, out_c - m0);
            int32_t acc[MLF_DW_BLOCK];
            for (j = 0; j < nb; ++j) acc[j] = bias[m0 + j];
            for (t = 0; t < taps; ++t) {
              const int8_t *x = patch + t * in_c + m0;
              const int8_t *w = p->filter + t * out_c + m0;
              if (nb == MLF_DW_BLOCK) {
                for (j = 0; j < MLF_DW_BLOCK; ++j) acc[j] += (int32_t)x[j] * w[j];
              } else {
                for (j = 0; j < nb; ++j) acc[j] += (int32_t)x[j] * w[j];
              }
            }
            for (j = 0; j < nb; ++j) o[m0 + j] = dw_out(acc[j], mult[m0 + j], shift[m0 + j], out_zp, lo, hi);
          }
        } else {
          for (ic = 0; ic < in_c; ++ic) {
            for (m0 = 0; m0 < dm; m0 += MLF_DW_BLOCK) {
              const int32_t nb = mlf_min32(MLF_DW_BLOCK, dm - m0);
              const int32_t oc0 = ic * dm + m0;
              int32_t acc[MLF_DW_BLOCK];
              for (j = 0; j < nb; ++j) acc[j] = bias[oc0 + j];
              for (t = 0; t < taps; ++t) {
                const int32_t x = patch[t * in_c + ic];
                const int8_t *w = p->filter + t * out_c + oc0;
                if (nb == MLF_DW_BLOCK) {
                  for (j = 0; j < MLF_DW_BLOCK; ++j) acc[j] += x * w[j];
                } else {
                  for (j = 0; j < nb; ++j) acc[j] += x * w[j];
                }
              }
              for (j = 0; j < nb; ++j) o[oc0 + j] = dw_out(acc[j], mult[oc0 + j], shift[oc0 + j], out_zp, lo, hi);
            }
          }
        }
      }
    }
  }
}

/*
 * All channels of one 3x3 output pixel; r0..r2 are the window's rows, c values per
 * pixel. Channels go in fixed chunks of 16 (the tap sums vectorize at -O2 on SIMD
 * targets), then one by one.
 */
static inline void dw3x3_pixel(const mlf_conv_params *p, const int8_t *r0, const int8_t *r1, const int8_t *r2,
                               int8_t *o) {
  const int32_t c = p->in_c, c2 = 2 * p->in_c;
  const int8_t *w = p->filter;
  const int8_t *w0 = w, *w1 = w + c, *w2 = w + c2, *w3 = w + 3 * c, *w4 = w + 4 * c;
  const int8_t *w5 = w + 5 * c, *w6 = w + 6 * c, *w7 = w + 7 * c, *w8 = w + 8 * c;
  const int32_t *bias = p->bias, *mult = p->mult, *shift = p->shift;
  const int32_t out_zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  int32_t ch = 0, j;
  for (; ch + 16 <= c; ch += 16) {
    int32_t acc[16];
    for (j = 0; j < 16; ++j) {
      const int32_t k = ch + j;
      acc[j] = bias[k] + r0[k] * w0[k] + r0[k + c] * w1[k] + r0[k + c2] * w2[k] + r1[k] * w3[k] +
               r1[k + c] * w4[k] + r1[k + c2] * w5[k] + r2[k] * w6[k] + r2[k + c] * w7[k] + r2[k + c2] * w8[k];
    }
    for (j = 0; j < 16; ++j) o[ch + j] = dw_out(acc[j], mult[ch + j], shift[ch + j], out_zp, lo, hi);
  }
  for (; ch < c; ++ch) {
    const int32_t acc = bias[ch] + r0[ch] * w0[ch] + r0[ch + c] * w1[ch] + r0[ch + c2] * w2[ch] + r1[ch] * w3[ch] +
                        r1[ch + c] * w4[ch] + r1[ch + c2] * w5[ch] + r2[ch] * w6[ch] + r2[ch + c] * w7[ch] +
                        r2[ch + c2] * w8[ch];
    o[ch] = dw_out(acc, mult[ch], shift[ch], out_zp, lo, hi);
  }
}

/*
 * 3x3, depth multiplier 1, dilation 1, any stride and padding: interior pixels read the
 * input rows directly, border pixels a zero-point-filled 3x3 patch.
 */
void mlf_dwconv2d_3x3_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out, void *scratch) {
  const int32_t in_h = p->in_h, in_w = p->in_w, c = p->in_c;
  const int32_t out_h = p->out_h, out_w = p->out_w;
  const int32_t row = in_w * c;
  int8_t *patch = (int8_t *)scratch;
  int32_t b, oy, ox;
  for (b = 0; b < p->batches; ++b) {
    const int8_t *img = in + b * in_h * row;
    for (oy = 0; oy < out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      const int row_inside = iy0 >= 0 && iy0 + 2 < in_h;
      int8_t *o = out + (b * out_h + oy) * out_w * c;
      for (ox = 0; ox < out_w; ++ox, o += c) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        if (row_inside && ix0 >= 0 && ix0 + 2 < in_w) {
          const int8_t *r0 = img + iy0 * row + ix0 * c;
          dw3x3_pixel(p, r0, r0 + row, r0 + 2 * row, o);
        } else {
          dw_patch(p, img, iy0, ix0, patch);
          dw3x3_pixel(p, patch, patch + 3 * c, patch + 6 * c, o);
        }
      }
    }
  }
}
