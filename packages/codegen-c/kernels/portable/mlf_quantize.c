/* QUANTIZE between integer types: TFLite's Requantize (one multiplier, clamp). */
#include "mlf_kernels.h"

#define MLF_DEFINE_REQUANT(NAME, TIN, TOUT, LO, HI)                                  \
  void NAME(const mlf_requant_params *p, const TIN *in, TOUT *out) {                  \
    const int32_t n = p->size, in_zp = p->in_zp, out_zp = p->out_zp;                  \
    const int32_t m = p->mult, s = p->shift;                                          \
    int32_t i;                                                                        \
    for (i = 0; i < n; ++i) {                                                         \
      const int32_t v = mlf_mbqm((int32_t)in[i] - in_zp, m, s) + out_zp;              \
      out[i] = (TOUT)mlf_clamp32(v, LO, HI);                                          \
    }                                                                                 \
  }

MLF_DEFINE_REQUANT(mlf_requant_s8_s8, int8_t, int8_t, -128, 127)
MLF_DEFINE_REQUANT(mlf_requant_s8_s16, int8_t, int16_t, -32768, 32767)
MLF_DEFINE_REQUANT(mlf_requant_s8_s32, int8_t, int32_t, INT32_MIN, INT32_MAX)
MLF_DEFINE_REQUANT(mlf_requant_s16_s8, int16_t, int8_t, -128, 127)
MLF_DEFINE_REQUANT(mlf_requant_s16_s16, int16_t, int16_t, -32768, 32767)
MLF_DEFINE_REQUANT(mlf_requant_s16_s32, int16_t, int32_t, INT32_MIN, INT32_MAX)
MLF_DEFINE_REQUANT(mlf_requant_s32_s8, int32_t, int8_t, -128, 127)
MLF_DEFINE_REQUANT(mlf_requant_s32_s16, int32_t, int16_t, -32768, 32767)
