/* ADD (int8 and int16, TFLite's general rescaling path; left_shift 20 or 15) and the plain copy of a reshape. */
#include "mlf_kernels.h"

#define MLF_DEFINE_ADD(NAME, ONE, T)                                                                    \
static inline T ONE(const mlf_add_params *p, int32_t x, int32_t y) {                                    \
  const int32_t a = mlf_shl32(x + p->in1_offset, (int)p->left_shift);                                   \
  const int32_t b = mlf_shl32(y + p->in2_offset, (int)p->left_shift);                                   \
  const int32_t sa = mlf_mbqm_lt1(a, p->in1_mult, p->in1_shift);                                        \
  const int32_t sb = mlf_mbqm_lt1(b, p->in2_mult, p->in2_shift);                                        \
  const int32_t r = mlf_mbqm_lt1(sa + sb, p->out_mult, p->out_shift) + p->out_zp;                       \
  return (T)mlf_clamp32(r, p->act_min, p->act_max);                                                     \
}                                                                                                       \
                                                                                                        \
void NAME(const mlf_add_params *p, const T *in1, const T *in2, T *out) {                                \
  if (!p->broadcast) {                                                                                  \
    /* Elementwise; safe in place (out == in1 or out == in2): each element is read                      \
     * before it is written. */                                                                         \
    const int32_t n = p->size;                                                                          \
    int32_t i;                                                                                          \
    for (i = 0; i < n; ++i) out[i] = ONE(p, in1[i], in2[i]);                                            \
  } else {                                                                                              \
    int32_t i0, i1, i2, i3;                                                                             \
    T *o = out;                                                                                         \
    for (i0 = 0; i0 < p->dims[0]; ++i0) {                                                               \
      for (i1 = 0; i1 < p->dims[1]; ++i1) {                                                             \
        for (i2 = 0; i2 < p->dims[2]; ++i2) {                                                           \
          const T *a = in1 + i0 * p->in1_strides[0] + i1 * p->in1_strides[1] + i2 * p->in1_strides[2];  \
          const T *b = in2 + i0 * p->in2_strides[0] + i1 * p->in2_strides[1] + i2 * p->in2_strides[2];  \
          const int32_t sa = p->in1_strides[3], sb = p->in2_strides[3];                                 \
          for (i3 = 0; i3 < p->dims[3]; ++i3) *o++ = ONE(p, a[i3 * sa], b[i3 * sb]);                    \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }                                                                                                     \
}

MLF_DEFINE_ADD(mlf_add_s8, mlf_add_one_s8, int8_t)
MLF_DEFINE_ADD(mlf_add_s16, mlf_add_one_s16, int16_t)

void mlf_copy(const mlf_copy_params *p, const void *in, void *out) {
  if (in != out) memmove(out, in, (size_t)p->bytes);
}
