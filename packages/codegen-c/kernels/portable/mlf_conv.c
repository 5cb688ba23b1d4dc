/*
 * CONV_2D, int8 activations, int8 filters (OHWI), per-channel requantization.
 *
 * The input offset is folded into the bias at compile time (bias - in_zp * sum of the
 * filter), so inner loops multiply raw int8 values. TFLite skips taps outside the
 * image; with the folded bias that equals reading them as in_zp, so the general kernel
 * copies each window into a zero-point-filled patch (im2col) and every output pixel,
 * border or not, is one contiguous dot product per output channel.
 */
#include "mlf_kernels.h"

/* Requantization constants in locals: int8 stores may alias anything, so fields read
 * through `p` would be reloaded after every output byte. */
typedef struct {
  const int32_t *bias, *mult, *shift;
  int32_t zp, lo, hi;
} rq_t;

static inline rq_t rq_of(const mlf_conv_params *p) {
  rq_t r;
  r.bias = p->bias;
  r.mult = p->mult;
  r.shift = p->shift;
  r.zp = p->out_zp;
  r.lo = p->act_min;
  r.hi = p->act_max;
  return r;
}

static inline int8_t conv_out(const rq_t *r, int32_t acc, int32_t oc) {
  const int32_t v = mlf_mbqm(acc, r->mult[oc], r->shift[oc]) + r->zp;
  return (int8_t)mlf_clamp32(v, r->lo, r->hi);
}

/*
 * Dot products over n contiguous int8 values. The main loops run fixed 16-value
 * chunks, which compilers vectorize at -O2 where the target has SIMD (the chunk's
 * partial sums are exact in int32, as are the totals); the rest runs scalar.
 */
#define MLF_CHUNK 16

/* Two inputs by two filters. */
static inline void dot22(const int8_t *a0, const int8_t *a1, const int8_t *w0, const int8_t *w1, int32_t n,
                         int32_t *s) {
  int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;
  int32_t k = 0, j;
  for (; k + MLF_CHUNK <= n; k += MLF_CHUNK) {
    int32_t t00 = 0, t01 = 0, t10 = 0, t11 = 0;
    for (j = 0; j < MLF_CHUNK; ++j) {
      const int32_t x0 = a0[k + j], x1 = a1[k + j], f0 = w0[k + j], f1 = w1[k + j];
      t00 += x0 * f0;
      t01 += x0 * f1;
      t10 += x1 * f0;
      t11 += x1 * f1;
    }
    s00 += t00;
    s01 += t01;
    s10 += t10;
    s11 += t11;
  }
  for (; k < n; ++k) {
    const int32_t x0 = a0[k], x1 = a1[k], f0 = w0[k], f1 = w1[k];
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
  int32_t k = 0, j;
  for (; k + MLF_CHUNK <= n; k += MLF_CHUNK) {
    int32_t t0 = 0, t1 = 0;
    for (j = 0; j < MLF_CHUNK; ++j) {
      const int32_t x = a[k + j];
      t0 += x * w0[k + j];
      t1 += x * w1[k + j];
    }
    s0 += t0;
    s1 += t1;
  }
  for (; k < n; ++k) {
    const int32_t x = a[k];
    s0 += x * w0[k];
    s1 += x * w1[k];
  }
  s[0] += s0;
  s[1] += s1;
}

static inline int32_t dot11(const int8_t *a, const int8_t *w, int32_t n) {
  int32_t s = 0;
  int32_t k = 0, j;
  for (; k + MLF_CHUNK <= n; k += MLF_CHUNK) {
    int32_t t = 0;
    for (j = 0; j < MLF_CHUNK; ++j) t += (int32_t)a[k + j] * w[k + j];
    s += t;
  }
  for (; k < n; ++k) s += (int32_t)a[k] * w[k];
  return s;
}

/*
 * Every output channel of one or two pixels whose n input values are contiguous at
 * a0 / a1 (a1 may be NULL); filter rows are n values apart.
 */
static void gemm_block(const mlf_conv_params *p, const int8_t *a0, const int8_t *a1, int32_t n, int8_t *o0,
                       int8_t *o1) {
  const rq_t r = rq_of(p);
  const int32_t out_c = p->out_c;
  const int8_t *w = p->filter;
  int32_t oc = 0;
  if (a1) {
    for (; oc + 2 <= out_c; oc += 2) {
      const int8_t *w0 = w + oc * n;
      int32_t s[4];
      int8_t y0, y1, y2, y3;
      s[0] = s[2] = r.bias[oc];
      s[1] = s[3] = r.bias[oc + 1];
      dot22(a0, a1, w0, w0 + n, n, s);
      y0 = conv_out(&r, s[0], oc);
      y1 = conv_out(&r, s[1], oc + 1);
      y2 = conv_out(&r, s[2], oc);
      y3 = conv_out(&r, s[3], oc + 1);
      o0[oc] = y0;
      o0[oc + 1] = y1;
      o1[oc] = y2;
      o1[oc + 1] = y3;
    }
    if (oc < out_c) {
      const int8_t *w0 = w + oc * n;
      const int8_t y0 = conv_out(&r, r.bias[oc] + dot11(a0, w0, n), oc);
      const int8_t y1 = conv_out(&r, r.bias[oc] + dot11(a1, w0, n), oc);
      o0[oc] = y0;
      o1[oc] = y1;
    }
  } else {
    for (; oc + 2 <= out_c; oc += 2) {
      const int8_t *w0 = w + oc * n;
      int32_t s[2];
      int8_t y0, y1;
      s[0] = r.bias[oc];
      s[1] = r.bias[oc + 1];
      dot12(a0, w0, w0 + n, n, s);
      y0 = conv_out(&r, s[0], oc);
      y1 = conv_out(&r, s[1], oc + 1);
      o0[oc] = y0;
      o0[oc + 1] = y1;
    }
    if (oc < out_c) o0[oc] = conv_out(&r, r.bias[oc] + dot11(a0, w + oc * n, n), oc);
  }
}

/* The window of the output pixel at input origin (iy0, ix0), out-of-image taps = in_zp. */
static void fill_patch(const mlf_conv_params *p, const int8_t *img, int32_t iy0, int32_t ix0, int8_t *dst) {
  const int32_t c = p->in_c, k_w = p->k_w, row = k_w * c;
  const int zp = (int)(uint8_t)(int8_t)p->in_zp;
  int32_t ky, kx;
  for (ky = 0; ky < p->k_h; ++ky, dst += row) {
    const int32_t iy = iy0 + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) {
      memset(dst, zp, (size_t)row);
    } else if (p->dil_w == 1 && ix0 >= 0 && ix0 + k_w <= p->in_w) {
      memcpy(dst, img + (iy * p->in_w + ix0) * c, (size_t)row);
    } else {
      for (kx = 0; kx < k_w; ++kx) {
        const int32_t ix = ix0 + kx * p->dil_w;
        if (ix < 0 || ix >= p->in_w) {
          memset(dst + kx * c, zp, (size_t)c);
        } else {
          memcpy(dst + kx * c, img + (iy * p->in_w + ix) * c, (size_t)c);
        }
      }
    }
  }
}

void mlf_conv2d_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out, void *scratch) {
  const int32_t n = p->k_h * p->k_w * p->in_c;
  const int32_t out_w = p->out_w, out_c = p->out_c;
  int8_t *patch0 = (int8_t *)scratch;
  int8_t *patch1 = patch0 + n;
  int32_t b, oy, ox;
  for (b = 0; b < p->batches; ++b) {
    const int8_t *img = in + b * p->in_h * p->in_w * p->in_c;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      int8_t *orow = out + ((b * p->out_h + oy) * out_w) * out_c;
      for (ox = 0; ox < out_w; ox += 2) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        const int two = ox + 1 < out_w;
        fill_patch(p, img, iy0, ix0, patch0);
        if (two) fill_patch(p, img, iy0, ix0 + p->stride_w, patch1);
        gemm_block(p, patch0, two ? patch1 : NULL, n, orow + ox * out_c, orow + (ox + 1) * out_c);
      }
    }
  }
}

/* 1x1 filters, no padding: pixels are the rows of a matrix product with the filter. */
static void gemm_pixels(const mlf_conv_params *p, const int8_t *in, int32_t pix_stride, int32_t npix, int8_t *out) {
  const int32_t in_c = p->in_c, out_c = p->out_c;
  int32_t px = 0;
  for (; px + 2 <= npix; px += 2) {
    gemm_block(p, in + px * pix_stride, in + (px + 1) * pix_stride, in_c, out + px * out_c, out + (px + 1) * out_c);
  }
  if (px < npix) gemm_block(p, in + px * pix_stride, NULL, in_c, out + px * out_c, NULL);
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
