/*
 * CONV_2D, int8 activations, int8 filters (OHWI), per-channel requantization.
 *
 * The input offset is folded into the bias at compile time (bias - in_zp * sum of
 * the filter), so the inner loops multiply raw int8 values. A tap outside the
 * image, which TFLite skips, then has to contribute in_zp * filter: that is what
 * the border path adds.
 */
#include "mlf_kernels.h"

static inline int8_t mlf_conv_out(int32_t acc, int32_t m, int32_t s, const mlf_conv_params *p) {
  int32_t v = mlf_mbqm(acc, m, s) + p->out_zp;
  return (int8_t)mlf_clamp32(v, p->act_min, p->act_max);
}

/* Two inputs by two filters over n contiguous values. */
static inline void dot22(const int8_t *a0, const int8_t *a1, const int8_t *w0, const int8_t *w1,
                         int32_t n, int32_t *s) {
  int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;
  int32_t k;
  for (k = 0; k < n; ++k) {
    const int32_t x0 = a0[k], x1 = a1[k];
    const int32_t f0 = w0[k], f1 = w1[k];
    s00 += x0 * f0;
    s01 += x0 * f1;
    s10 += x1 * f0;
    s11 += x1 * f1;
  }
  s[0] += s00;
  s[1] += s01;
  s[2] += s10;
  s[3] += s11;
}

/* One input by two filters. */
static inline void dot12(const int8_t *a, const int8_t *w0, const int8_t *w1, int32_t n, int32_t *s) {
  int32_t s0 = 0, s1 = 0;
  int32_t k;
  for (k = 0; k < n; ++k) {
    const int32_t x = a[k];
    s0 += x * w0[k];
    s1 += x * w1[k];
  }
  s[0] += s0;
  s[1] += s1;
}

static inline int32_t dot11(const int8_t *a, const int8_t *w, int32_t n) {
  int32_t s = 0;
  int32_t k;
  for (k = 0; k < n; ++k) s += (int32_t)a[k] * w[k];
  return s;
}

static inline int32_t sum8(const int8_t *w, int32_t n) {
  int32_t s = 0;
  int32_t k;
  for (k = 0; k < n; ++k) s += w[k];
  return s;
}

/*
 * Output pixels whose whole window lies inside the image and dilation is 1: each
 * filter row (k_w * in_c values) is contiguous in both the input and the filter.
 * a0/a1 point at the window origin of two output pixels (a1 may be NULL).
 */
static void conv_interior(const mlf_conv_params *p, const int8_t *a0, const int8_t *a1, int8_t *o0,
                          int8_t *o1) {
  const int32_t out_c = p->out_c;
  const int32_t row = p->k_w * p->in_c;
  const int32_t in_row = p->in_w * p->in_c;
  const int32_t k_h = p->k_h;
  const int32_t fsize = k_h * row;
  const int8_t *w = p->filter;
  int32_t oc = 0;
  for (; oc + 2 <= out_c; oc += 2) {
    const int8_t *w0 = w + oc * fsize;
    const int8_t *w1 = w0 + fsize;
    int32_t ky;
    if (a1) {
      int32_t s[4];
      s[0] = s[2] = p->bias[oc];
      s[1] = s[3] = p->bias[oc + 1];
      for (ky = 0; ky < k_h; ++ky) dot22(a0 + ky * in_row, a1 + ky * in_row, w0 + ky * row, w1 + ky * row, row, s);
      o0[oc] = mlf_conv_out(s[0], p->mult[oc], p->shift[oc], p);
      o0[oc + 1] = mlf_conv_out(s[1], p->mult[oc + 1], p->shift[oc + 1], p);
      o1[oc] = mlf_conv_out(s[2], p->mult[oc], p->shift[oc], p);
      o1[oc + 1] = mlf_conv_out(s[3], p->mult[oc + 1], p->shift[oc + 1], p);
    } else {
      int32_t s[2];
      s[0] = p->bias[oc];
      s[1] = p->bias[oc + 1];
      for (ky = 0; ky < k_h; ++ky) dot12(a0 + ky * in_row, w0 + ky * row, w1 + ky * row, row, s);
      o0[oc] = mlf_conv_out(s[0], p->mult[oc], p->shift[oc], p);
      o0[oc + 1] = mlf_conv_out(s[1], p->mult[oc + 1], p->shift[oc + 1], p);
    }
  }
  for (; oc < out_c; ++oc) {
    const int8_t *w0 = w + oc * fsize;
    int32_t s0 = p->bias[oc], s1 = p->bias[oc];
    int32_t ky;
    for (ky = 0; ky < k_h; ++ky) {
      s0 += dot11(a0 + ky * in_row, w0 + ky * row, row);
      if (a1) s1 += dot11(a1 + ky * in_row, w0 + ky * row, row);
    }
    o0[oc] = mlf_conv_out(s0, p->mult[oc], p->shift[oc], p);
    if (a1) o1[oc] = mlf_conv_out(s1, p->mult[oc], p->shift[oc], p);
  }
}

/* Any output pixel: taps outside the image contribute in_zp * filter. */
static void conv_border(const mlf_conv_params *p, const int8_t *img, int32_t iy0, int32_t ix0, int8_t *o) {
  const int32_t in_c = p->in_c;
  const int32_t k_h = p->k_h, k_w = p->k_w;
  const int32_t fsize = k_h * k_w * in_c;
  int32_t oc;
  for (oc = 0; oc < p->out_c; ++oc) {
    const int8_t *w = p->filter + oc * fsize;
    int32_t acc = p->bias[oc];
    int32_t pad_sum = 0;
    int32_t ky, kx;
    for (ky = 0; ky < k_h; ++ky) {
      const int32_t iy = iy0 + ky * p->dil_h;
      for (kx = 0; kx < k_w; ++kx) {
        const int32_t ix = ix0 + kx * p->dil_w;
        const int8_t *wt = w + (ky * k_w + kx) * in_c;
        if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
          acc += dot11(img + (iy * p->in_w + ix) * in_c, wt, in_c);
        } else {
          pad_sum += sum8(wt, in_c);
        }
      }
    }
    acc += pad_sum * p->in_zp;
    o[oc] = mlf_conv_out(acc, p->mult[oc], p->shift[oc], p);
  }
}

void mlf_conv2d_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out) {
  const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c;
  const int32_t out_h = p->out_h, out_w = p->out_w, out_c = p->out_c;
  const int32_t span_h = (p->k_h - 1) * p->dil_h, span_w = (p->k_w - 1) * p->dil_w;
  const int fast = p->dil_w == 1;
  int32_t b, oy, ox;
  for (b = 0; b < p->batches; ++b) {
    const int8_t *img = in + b * in_h * in_w * in_c;
    int8_t *obase = out + b * out_h * out_w * out_c;
    for (oy = 0; oy < out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      const int row_inside = fast && iy0 >= 0 && iy0 + span_h < in_h && p->dil_h == 1;
      int8_t *orow = obase + oy * out_w * out_c;
      ox = 0;
      while (ox < out_w) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        const int inside0 = row_inside && ix0 >= 0 && ix0 + span_w < in_w;
        if (inside0) {
          const int32_t ix1 = ix0 + p->stride_w;
          const int inside1 = ox + 1 < out_w && ix1 + span_w < in_w;
          const int8_t *a0 = img + (iy0 * in_w + ix0) * in_c;
          conv_interior(p, a0, inside1 ? a0 + p->stride_w * in_c : NULL, orow + ox * out_c,
                        orow + (ox + 1) * out_c);
          ox += inside1 ? 2 : 1;
        } else {
          conv_border(p, img, iy0, ix0, orow + ox * out_c);
          ++ox;
        }
      }
    }
  }
}

/*
 * 1x1 filters without padding: a matrix product of the pixels (rows of in_c
 * values, pix_stride apart) by the filter, two pixels by two channels at a time.
 */
static void gemm_pixels(const mlf_conv_params *p, const int8_t *in, int32_t pix_stride, int32_t npix,
                        int8_t *out) {
  const int32_t out_c = p->out_c;
  int32_t px = 0;
  for (; px + 2 <= npix; px += 2) {
    conv_interior(p, in + px * pix_stride, in + (px + 1) * pix_stride, out + px * out_c,
                  out + (px + 1) * out_c);
  }
  if (px < npix) conv_interior(p, in + px * pix_stride, NULL, out + px * out_c, NULL);
}

void mlf_conv2d_1x1_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out) {
  const int32_t in_c = p->in_c, out_c = p->out_c;
  if (p->stride_h == 1 && p->stride_w == 1) {
    gemm_pixels(p, in, in_c, p->batches * p->out_h * p->out_w, out);
  } else {
    int32_t b, oy;
    for (b = 0; b < p->batches; ++b) {
      for (oy = 0; oy < p->out_h; ++oy) {
        const int8_t *row = in + ((b * p->in_h + oy * p->stride_h) * p->in_w) * in_c;
        gemm_pixels(p, row, p->stride_w * in_c, p->out_w, out + ((b * p->out_h + oy) * p->out_w) * out_c);
      }
    }
  }
}
