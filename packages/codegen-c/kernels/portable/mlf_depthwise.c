/*
 * DEPTHWISE_CONV_2D, int8, filter 1HWO with O = in_c * depth_mult, per-channel
 * requantization. Same bias folding as mlf_conv.c: out-of-image taps add
 * in_zp * filter.
 */
#include "mlf_kernels.h"

static inline int8_t mlf_dw_out(int32_t acc, int32_t m, int32_t s, const mlf_conv_params *p) {
  int32_t v = mlf_mbqm(acc, m, s) + p->out_zp;
  return (int8_t)mlf_clamp32(v, p->act_min, p->act_max);
}

/* One output pixel, any geometry. */
static void dw_pixel(const mlf_conv_params *p, const int8_t *img, int32_t iy0, int32_t ix0, int8_t *o) {
  const int32_t in_c = p->in_c, out_c = p->out_c, dm = p->depth_mult;
  int32_t ic, m;
  for (ic = 0; ic < in_c; ++ic) {
    for (m = 0; m < dm; ++m) {
      const int32_t oc = ic * dm + m;
      int32_t acc = p->bias[oc];
      int32_t pad_sum = 0;
      int32_t ky, kx;
      for (ky = 0; ky < p->k_h; ++ky) {
        const int32_t iy = iy0 + ky * p->dil_h;
        const int8_t *wrow = p->filter + ky * p->k_w * out_c + oc;
        if (iy < 0 || iy >= p->in_h) {
          for (kx = 0; kx < p->k_w; ++kx) pad_sum += wrow[kx * out_c];
          continue;
        }
        for (kx = 0; kx < p->k_w; ++kx) {
          const int32_t ix = ix0 + kx * p->dil_w;
          if (ix < 0 || ix >= p->in_w) {
            pad_sum += wrow[kx * out_c];
          } else {
            acc += (int32_t)img[(iy * p->in_w + ix) * in_c + ic] * wrow[kx * out_c];
          }
        }
      }
      acc += pad_sum * p->in_zp;
      o[oc] = mlf_dw_out(acc, p->mult[oc], p->shift[oc], p);
    }
  }
}

void mlf_dwconv2d_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out) {
  const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
  const int32_t out_h = p->out_h, out_w = p->out_w, out_c = p->out_c;
  int32_t b, oy, ox;
  for (b = 0; b < p->batches; ++b) {
    const int8_t *img = in + b * in_h * in_w * in_c;
    for (oy = 0; oy < out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        dw_pixel(p, img, iy0, ix0, out + ((b * out_h + oy) * out_w + ox) * out_c);
      }
    }
  }
}

/*
 * 3x3, depth multiplier 1, dilation 1, any stride and padding. Interior pixels
 * run a channel loop over nine fixed tap pointers; border pixels go through
 * dw_pixel.
 */
void mlf_dwconv2d_3x3_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out) {
  const int32_t in_h = p->in_h, in_w = p->in_w, c = p->in_c;
  const int32_t out_h = p->out_h, out_w = p->out_w;
  const int32_t row = in_w * c;
  const int8_t *w = p->filter;
  const int8_t *w0 = w, *w1 = w + c, *w2 = w + 2 * c, *w3 = w + 3 * c, *w4 = w + 4 * c;
  const int8_t *w5 = w + 5 * c, *w6 = w + 6 * c, *w7 = w + 7 * c, *w8 = w + 8 * c;
  const int32_t out_zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  int32_t b, oy, ox, ch;
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
          const int8_t *r1 = r0 + row;
          const int8_t *r2 = r1 + row;
          for (ch = 0; ch < c; ++ch) {
            int32_t acc = p->bias[ch];
            acc += r0[ch] * w0[ch] + r0[ch + c] * w1[ch] + r0[ch + 2 * c] * w2[ch];
            acc += r1[ch] * w3[ch] + r1[ch + c] * w4[ch] + r1[ch + 2 * c] * w5[ch];
            acc += r2[ch] * w6[ch] + r2[ch + c] * w7[ch] + r2[ch + 2 * c] * w8[ch];
            acc = mlf_mbqm(acc, p->mult[ch], p->shift[ch]) + out_zp;
            o[ch] = (int8_t)mlf_clamp32(acc, lo, hi);
          }
        } else {
          dw_pixel(p, img, iy0, ix0, o);
        }
      }
    }
  }
}
