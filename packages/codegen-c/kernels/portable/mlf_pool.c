/*
 * AVERAGE_POOL_2D and MAX_POOL_2D, int8 and int16. Windows are clipped to the image (padding
 * never counts), as in TFLite; channels are processed in blocks so that the
 * per-channel sums stay in registers or on the stack.
 */
#include "mlf_kernels.h"

#define MLF_POOL_BLOCK 16

#define MLF_DEFINE_AVGPOOL(NAME, T)                                                    \
void NAME(const mlf_pool_params *p, const T *in, T *out) {                             \
  const int32_t c = p->c, in_w = p->in_w;                                              \
  int32_t b, oy, ox;                                                                   \
  for (b = 0; b < p->batches; ++b) {                                                   \
    const T *img = in + b * p->in_h * in_w * c;                                        \
    for (oy = 0; oy < p->out_h; ++oy) {                                                \
      const int32_t iy0 = oy * p->stride_h - p->pad_top;                               \
      const int32_t ky0 = mlf_max32(0, -iy0), ky1 = mlf_min32(p->k_h, p->in_h - iy0);  \
      for (ox = 0; ox < p->out_w; ++ox) {                                              \
        const int32_t ix0 = ox * p->stride_w - p->pad_left;                            \
        const int32_t kx0 = mlf_max32(0, -ix0), kx1 = mlf_min32(p->k_w, in_w - ix0);   \
        const int32_t count = (ky1 - ky0) * (kx1 - kx0);                               \
        T *o = out + ((b * p->out_h + oy) * p->out_w + ox) * c;                        \
        int32_t c0;                                                                    \
        for (c0 = 0; c0 < c; c0 += MLF_POOL_BLOCK) {                                   \
          const int32_t nb = mlf_min32(MLF_POOL_BLOCK, c - c0);                        \
          int32_t acc[MLF_POOL_BLOCK];                                                 \
          int32_t ky, kx, k;                                                           \
          for (k = 0; k < nb; ++k) acc[k] = 0;                                         \
          for (ky = ky0; ky < ky1; ++ky) {                                             \
            for (kx = kx0; kx < kx1; ++kx) {                                           \
              const T *px = img + ((iy0 + ky) * in_w + ix0 + kx) * c + c0;             \
              for (k = 0; k < nb; ++k) acc[k] += px[k];                                \
            }                                                                          \
          }                                                                            \
          for (k = 0; k < nb; ++k) {                                                   \
            int32_t a = acc[k];                                                        \
            if (count == 0) {                                                          \
              a = 0;                                                                   \
            } else {                                                                   \
              a = a > 0 ? (a + count / 2) / count : (a - count / 2) / count;           \
            }                                                                          \
            o[c0 + k] = (T)mlf_clamp32(a, p->act_min, p->act_max);                     \
          }                                                                            \
        }                                                                              \
      }                                                                                \
    }                                                                                  \
  }                                                                                    \
}

#define MLF_DEFINE_MAXPOOL(NAME, T, LOWEST)                                                    \
void NAME(const mlf_pool_params *p, const T *in, T *out) {                                     \
  const int32_t c = p->c, in_w = p->in_w;                                                      \
  int32_t b, oy, ox;                                                                           \
  for (b = 0; b < p->batches; ++b) {                                                           \
    const T *img = in + b * p->in_h * in_w * c;                                                \
    for (oy = 0; oy < p->out_h; ++oy) {                                                        \
      const int32_t iy0 = oy * p->stride_h - p->pad_top;                                       \
      const int32_t ky0 = mlf_max32(0, -iy0), ky1 = mlf_min32(p->k_h, p->in_h - iy0);          \
      for (ox = 0; ox < p->out_w; ++ox) {                                                      \
        const int32_t ix0 = ox * p->stride_w - p->pad_left;                                    \
        const int32_t kx0 = mlf_max32(0, -ix0), kx1 = mlf_min32(p->k_w, in_w - ix0);           \
        T *o = out + ((b * p->out_h + oy) * p->out_w + ox) * c;                                \
        int32_t c0;                                                                            \
        for (c0 = 0; c0 < c; c0 += MLF_POOL_BLOCK) {                                           \
          const int32_t nb = mlf_min32(MLF_POOL_BLOCK, c - c0);                                \
          int32_t mx[MLF_POOL_BLOCK];                                                          \
          int32_t ky, kx, k;                                                                   \
          for (k = 0; k < nb; ++k) mx[k] = LOWEST;                                             \
          for (ky = ky0; ky < ky1; ++ky) {                                                     \
            for (kx = kx0; kx < kx1; ++kx) {                                                   \
              const T *px = img + ((iy0 + ky) * in_w + ix0 + kx) * c + c0;                     \
              for (k = 0; k < nb; ++k) mx[k] = px[k] > mx[k] ? px[k] : mx[k];                  \
            }                                                                                  \
          }                                                                                    \
          for (k = 0; k < nb; ++k) o[c0 + k] = (T)mlf_clamp32(mx[k], p->act_min, p->act_max);  \
        }                                                                                      \
      }                                                                                        \
    }                                                                                          \
  }                                                                                            \
}

MLF_DEFINE_AVGPOOL(mlf_avgpool_s8, int8_t)
MLF_DEFINE_AVGPOOL(mlf_avgpool_s16, int16_t)
MLF_DEFINE_MAXPOOL(mlf_maxpool_s8, int8_t, -128)
MLF_DEFINE_MAXPOOL(mlf_maxpool_s16, int16_t, -32768)
