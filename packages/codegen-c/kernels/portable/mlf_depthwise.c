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
      if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
        memset(dst, zp, (size_t)c);
      } else {
        memcpy(dst, img + (iy * p->in_w + ix) * c, (size_t)c);
      }
    }
  }
}

void mlf_dwconv2d_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out, void *scratch) {
  const int32_t in_c = p->in_c, out_c = p->out_c, dm = p->depth_mult;
  const int32_t taps = p->k_h * p->k_w;
  int8_t *patch = (int8_t *)scratch;
  int32_t b, oy, ox, ic, m, t;
  for (b = 0; b < p->batches; ++b) {
    const int8_t *img = in + b * p->in_h * p->in_w * in_c;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < p->out_w; ++ox) {
        int8_t *o = out + ((b * p->out_h + oy) * p->out_w + ox) * out_c;
        dw_patch(p, img, iy0, ox * p->stride_w - p->pad_left, patch);
        for (ic = 0; ic < in_c; ++ic) {
          for (m = 0; m < dm; ++m) {
            const int32_t oc = ic * dm + m;
            const int8_t *w = p->filter + oc;
            const int8_t *x = patch + ic;
            int32_t acc = p->bias[oc];
            for (t = 0; t < taps; ++t) acc += (int32_t)x[t * in_c] * w[t * out_c];
            acc = mlf_mbqm(acc, p->mult[oc], p->shift[oc]) + p->out_zp;
            o[oc] = (int8_t)mlf_clamp32(acc, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}

/*
 * All channels of one 3x3 output pixel; r0..r2 are the window's rows, c values per
 * pixel. The 3x3 kernel's filter is channel-major, [c][9], so a channel's taps are
 * adjacent (the generator reorders it).
 */
static inline void dw3x3_pixel(const mlf_conv_params *p, const int8_t *r0, const int8_t *r1, const int8_t *r2,
                               int8_t *o) {
  const int32_t c = p->in_c, c2 = 2 * p->in_c;
  const int8_t *w = p->filter;
  const int32_t *bias = p->bias, *mult = p->mult, *shift = p->shift;
  const int32_t out_zp = p->out_zp, lo = p->act_min, hi = p->act_max;
  int32_t ch;
  for (ch = 0; ch < c; ++ch, w += 9) {
    int32_t acc = bias[ch];
    acc += r0[ch] * w[0] + r0[ch + c] * w[1] + r0[ch + c2] * w[2];
    acc += r1[ch] * w[3] + r1[ch + c] * w[4] + r1[ch + c2] * w[5];
    acc += r2[ch] * w[6] + r2[ch + c] * w[7] + r2[ch + c2] * w[8];
    acc = mlf_mbqm(acc, mult[ch], shift[ch]) + out_zp;
    o[ch] = (int8_t)mlf_clamp32(acc, lo, hi);
  }
}

/*
 * 3x3, depth multiplier 1, dilation 1, any stride and padding, filter [c][9]: interior
 * pixels read the input rows directly, border pixels a zero-point-filled 3x3 patch.
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
