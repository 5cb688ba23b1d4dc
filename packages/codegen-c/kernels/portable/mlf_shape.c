/* PAD and TRANSPOSE: pure data movement, any element size up to 4 bytes. */
#include "mlf_kernels.h"

static void fill(void *dst, int32_t n, int32_t elem_bytes, int32_t value) {
  int32_t i;
  if (elem_bytes == 1) {
    memset(dst, (int)(uint8_t)(int8_t)value, (size_t)n);
  } else if (elem_bytes == 2) {
    int16_t *d = (int16_t *)dst;
    for (i = 0; i < n; ++i) d[i] = (int16_t)value;
  } else {
    int32_t *d = (int32_t *)dst;
    for (i = 0; i < n; ++i) d[i] = value;
  }
}

void mlf_pad(const mlf_pad_params *p, const void *in, void *out) {
  const int32_t r = p->rank, eb = p->elem_bytes;
  const int32_t run = p->in_dims[r - 1];
  int32_t out_strides[MLF_MAX_DIMS];
  int32_t idx[MLF_MAX_DIMS];
  int32_t rows = 1, total = 1, d, k;
  const uint8_t *src = (const uint8_t *)in;
  uint8_t *dst = (uint8_t *)out;
  for (d = r - 1; d >= 0; --d) {
    out_strides[d] = total;
    total *= p->out_dims[d];
  }
  for (d = 0; d < r - 1; ++d) rows *= p->in_dims[d];
  fill(out, total, eb, p->pad_value);
  for (d = 0; d < r; ++d) idx[d] = 0;
  for (k = 0; k < rows; ++k) {
    int32_t off = p->before[r - 1];
    for (d = 0; d < r - 1; ++d) off += (idx[d] + p->before[d]) * out_strides[d];
    memcpy(dst + (size_t)off * (size_t)eb, src, (size_t)run * (size_t)eb);
    src += (size_t)run * (size_t)eb;
    for (d = r - 2; d >= 0; --d) {
      if (++idx[d] < p->in_dims[d]) break;
      idx[d] = 0;
    }
  }
}

void mlf_transpose(const mlf_transpose_params *p, const void *in, void *out) {
  const int32_t r = p->rank, eb = p->elem_bytes;
  const int32_t inner = p->out_dims[r - 1], inner_stride = p->in_strides[r - 1];
  int32_t idx[MLF_MAX_DIMS];
  int32_t rows = 1, d, k, i;
  for (d = 0; d < r - 1; ++d) rows *= p->out_dims[d];
  for (d = 0; d < r; ++d) idx[d] = 0;
  for (k = 0; k < rows; ++k) {
    int32_t base = 0;
    for (d = 0; d < r - 1; ++d) base += idx[d] * p->in_strides[d];
    if (eb == 1) {
      const int8_t *s = (const int8_t *)in + base;
      int8_t *o = (int8_t *)out + (size_t)k * (size_t)inner;
      for (i = 0; i < inner; ++i) o[i] = s[i * inner_stride];
    } else if (eb == 2) {
      const int16_t *s = (const int16_t *)in + base;
      int16_t *o = (int16_t *)out + (size_t)k * (size_t)inner;
      for (i = 0; i < inner; ++i) o[i] = s[i * inner_stride];
    } else {
      const int32_t *s = (const int32_t *)in + base;
      int32_t *o = (int32_t *)out + (size_t)k * (size_t)inner;
      for (i = 0; i < inner; ++i) o[i] = s[i * inner_stride];
    }
    for (d = r - 2; d >= 0; --d) {
      if (++idx[d] < p->out_dims[d]) break;
      idx[d] = 0;
    }
  }
}
