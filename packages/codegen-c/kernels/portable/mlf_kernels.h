/*
 * mlf_kernels.h - mliflow portable kernels (C99), bit-exact with TensorFlow Lite
 * Micro's reference kernels. Copied verbatim into every generated project.
 *
 * CONVENTIONS (every kernel in this folder, including mlf_svdf.c, mlf_lstm.c and
 * mlf_seq.h, follows them; the code generator relies on them mechanically):
 *
 * 0. Headers. Only <stddef.h>, <stdint.h> and this file: boards build freestanding,
 *    without a C library's headers; memcpy/memmove/memset are declared here.
 * 1. Naming. Functions are mlf_<op>[_<variant>]_<types>, e.g. mlf_conv2d_1x1_s8,
 *    mlf_softmax_s8_s16 (s8/s16/s32 = int8/int16/int32 activations). Types are
 *    mlf_<op>_params. Private helpers are `static` inside their .c file; shared
 *    inline helpers live in a header and start with mlf_.
 * 2. Layout. Dense row-major tensors; 4-D activations NHWC; conv filters OHWI,
 *    depthwise filters 1HWO, fully-connected weights [out][in]. A kernel may ask
 *    the generator for another constant layout; its comment then says so.
 * 3. Signature. void mlf_<op>(const mlf_<op>_params *p, <tensors>) where <tensors>
 *    are, in this order: every NON-constant input in TFLite input order (variable
 *    state tensors included, at their TFLite position, as non-const pointers),
 *    then the outputs, then `void *scratch` if the params have `scratch_bytes`.
 *    Constant tensors (weights, biases, per-channel tables) are NOT arguments:
 *    the params struct points to them.
 * 4. Params. One `static const` struct per operator, emitted by the generator
 *    with C99 designated initializers (.field = value), so field order is free.
 *    Everything computable at compile time is in it: shapes (int32_t), zero
 *    points, multipliers in TFLite's convention (Q31 significand; shift > 0 means
 *    left shift), activation bounds already intersected with the type's range.
 *    The TypeScript side that computes an op's constants returns an object
 *    whose keys are exactly the C field names: a number becomes an integer
 *    field, an Int8Array/Int16Array/Int32Array becomes a `static const` array of
 *    that element type placed with the weights, and the field points to it.
 * 5. Memory. No heap, no static mutable state in kernels. Activations live in
 *    the generator's arena; persistent state (TFLite variable tensors) lives in
 *    a separate state buffer that mliflow_model_reset() restores. Scratch is
 *    requested through the params field `scratch_bytes` (the arena planner
 *    reserves it for the op's duration, aligned to the target's alignment).
 * 6. Arithmetic. Use the mlf_ fixed-point helpers below (they reproduce
 *    TFLite's double-rounding MultiplyByQuantizedMultiplier and gemmlowp) rather
 *    than re-deriving them, so that every kernel rounds identically. Signed
 *    right shifts are assumed arithmetic (true of every supported compiler).
 * 7. Style. Warning-free under -std=c99 -Wall -Wextra -Werror and clean under
 *    -fsanitize=address,undefined. Hoist per-channel constants out of inner
 *    loops; keep inner loops free of index arithmetic.
 * 8. In place. The planner may place an output over (part of) an input when the
 *    kernel's access order allows it, so kernel pointers must never be declared
 *    `restrict`, and a kernel's read/write order is part of its contract: window
 *    kernels (conv, depthwise, pooling) visit output pixels in raster order, at
 *    most two at a time, and read a pixel's whole window before writing the pixel
 *    after it; elementwise kernels read element i before writing element i.
 */
#ifndef MLF_KERNELS_H
#define MLF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Byte copies. A freestanding build (no C library headers, as on the ARC boards) still
 * links memcpy/memmove/memset from the runtime, as GCC and clang require; declare them
 * there instead of including <string.h>.
 */
#if defined(__STDC_HOSTED__) && __STDC_HOSTED__ == 0
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
#else
#include <string.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define MLF_ALIGNED(n) __attribute__((aligned(n)))
#define MLF_SECTION(s) __attribute__((section(s)))
#else
#define MLF_ALIGNED(n)
#define MLF_SECTION(s)
#endif

#define MLF_MAX_DIMS 6

/* ---------------------------------------------------------------------------
 * Fixed-point helpers (TFLite / gemmlowp semantics)
 * ------------------------------------------------------------------------- */

static inline int32_t mlf_min32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline int32_t mlf_max32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t mlf_clamp32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31). */
static inline int32_t mlf_srdhm(int32_t a, int32_t b) {
  int64_t ab;
  int32_t nudge;
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* gemmlowp RoundingDivideByPOT: x / 2^e rounded half away from zero, 0 <= e <= 31. */
static inline int32_t mlf_rdbpot(int32_t x, int e) {
  const int32_t mask = (int32_t)(((uint32_t)1 << e) - 1u);
  const int32_t rem = x & mask;
  const int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > thr ? 1 : 0);
}

/* Shift left with two's-complement wrap-around, as TFLite's x * (1 << n) behaves. */
static inline int32_t mlf_shl32(int32_t x, int n) { return (int32_t)((uint32_t)x << n); }

/*
 * tflite::MultiplyByQuantizedMultiplier(int32_t, int32_t, int): double rounding, for a
 * multiplier >= 0 (every TFLite requantization multiplier is). SRDHM's nudge makes it
 * round(x * m / 2^31) with ties toward +infinity, i.e. floor((x * m + 2^30) / 2^31);
 * RoundingDivideByPOT then rounds ties away from zero. Same results, fewer steps.
 */
static inline int32_t mlf_mbqm(int32_t x, int32_t mult, int32_t shift) {
  int64_t y;
  if (shift > 0) {
    x = mlf_shl32(x, (int)shift);
    shift = 0;
  }
  y = ((int64_t)x * mult + ((int64_t)1 << 30)) >> 31;
  if (shift < 0) {
    const int e = (int)-shift;
    y = (y + ((int64_t)1 << (e - 1)) - (y < 0 ? 1 : 0)) >> e;
  }
  return (int32_t)y;
}

/* Reference form of the same, kept for kernels with a possibly negative multiplier. */
static inline int32_t mlf_mbqm_ref(int32_t x, int32_t mult, int32_t shift) {
  const int left = shift > 0 ? (int)shift : 0;
  const int right = shift > 0 ? 0 : (int)-shift;
  return mlf_rdbpot(mlf_srdhm(mlf_shl32(x, left), mult), right);
}

/* tflite::MultiplyByQuantizedMultiplier(int64_t, ...): 16-bit activation kernels. */
static inline int32_t mlf_mbqm64(int64_t x, int32_t mult, int32_t shift) {
  const int32_t reduced = mult < 0x7FFF0000 ? ((mult + (1 << 15)) >> 16) : 0x7FFF;
  const int total = 15 - (int)shift;
  const int64_t r = x * (int64_t)reduced + ((int64_t)1 << (total - 1));
  return (int32_t)(r >> total);
}

/* MultiplyByQuantizedMultiplierSmallerThanOneExp (left_shift <= 0). */
static inline int32_t mlf_mbqm_lt1(int32_t x, int32_t mult, int32_t left_shift) {
  return mlf_rdbpot(mlf_srdhm(x, mult), (int)-left_shift);
}

/* MultiplyByQuantizedMultiplierGreaterThanOne (left_shift >= 0). */
static inline int32_t mlf_mbqm_gt1(int32_t x, int32_t mult, int32_t left_shift) {
  return mlf_srdhm(mlf_shl32(x, (int)left_shift), mult);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT<e> for int32 raw values. */
static inline int32_t mlf_sat_mul_pot(int32_t x, int e) {
  if (e > 0) {
    const int32_t thr = (int32_t)(((uint32_t)1 << (31 - e)) - 1u);
    if (x > thr) return INT32_MAX;
    if (x < -thr) return INT32_MIN;
    return mlf_shl32(x, e);
  }
  return e < 0 ? mlf_rdbpot(x, -e) : x;
}

/* gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl, Q0.31 in/out. */
static inline int32_t mlf_exp_quarter_q0(int32_t a) {
  const int32_t constant_term = 1895147668;
  const int32_t one_third = 715827883;
  const int32_t x = a + (1 << 28);
  const int32_t x2 = mlf_srdhm(x, x);
  const int32_t x3 = mlf_srdhm(x2, x);
  const int32_t x4 = mlf_srdhm(x2, x2);
  const int32_t x4_over_4 = mlf_rdbpot(x4, 2);
  const int32_t poly = mlf_rdbpot(mlf_srdhm(x4_over_4 + x3, one_third) + x2, 1);
  return constant_term + mlf_srdhm(constant_term, x + poly);
}

/* gemmlowp exp_on_negative_values for a fixed-point input with `int_bits` integer
 * bits (raw a <= 0); result in Q0.31. */
static inline int32_t mlf_exp_on_negative_values(int32_t a, int int_bits) {
  static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308,
                                    39332535,   720401,     242};
  const int frac_bits = 31 - int_bits;
  const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_q_minus_q = (a & mask) - one_quarter;
  int32_t result = mlf_exp_quarter_q0(mlf_sat_mul_pot(a_mod_q_minus_q, int_bits));
  const int32_t remainder = a_mod_q_minus_q - a;
  int k;
  for (k = 0; k < 7; ++k) {
    const int exponent = k - 2;
    if (int_bits > exponent) {
      const int sh = frac_bits + exponent;
      if (remainder & (int32_t)((uint32_t)1 << sh)) result = mlf_srdhm(result, barrel[k]);
    }
  }
  if (int_bits > 5) {
    const int32_t clamp = -(int32_t)((uint32_t)1 << (36 - int_bits));
    if (a < clamp) result = 0;
  }
  return a == 0 ? INT32_MAX : result;
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1, Q0.31 in/out. */
static inline int32_t mlf_one_over_one_plus_x(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_den = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_17 = 1515870810;
  const int32_t cneg32_17 = -1010580540;
  int32_t x = c48_17 + mlf_srdhm(half_den, cneg32_17);
  int i;
  for (i = 0; i < 3; ++i) {
    const int32_t hdx = mlf_srdhm(half_den, x);
    const int32_t one_minus = (1 << 29) - hdx;
    x = x + mlf_sat_mul_pot(mlf_srdhm(x, one_minus), 2);
  }
  return mlf_sat_mul_pot(x, 1);
}

static inline int mlf_clz32(uint32_t x) {
  int n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    ++n;
  }
  return n;
}

/* ---------------------------------------------------------------------------
 * Parameter structs
 * ------------------------------------------------------------------------- */

/* CONV_2D and DEPTHWISE_CONV_2D, int8 activations, int8 per-channel filters. */
typedef struct {
  int32_t batches;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left; /* bottom/right padding follows from out_h/out_w */
  int32_t depth_mult;        /* depthwise only */
  int32_t in_zp;             /* padded taps read as this value (TFLite skips them) */
  int32_t out_zp;
  int32_t act_min, act_max;
  const int8_t *filter;
  const int32_t *bias; /* folded: bias - in_zp * sum(filter taps) per out channel */
  const int32_t *mult; /* per out channel */
  const int32_t *shift;
  int32_t scratch_bytes; /* im2col patches (zero-point filled), see mlf_conv.c */
} mlf_conv_params;

/*
 * CONV_2D and DEPTHWISE_CONV_2D, 16x8: int16 activations (zero points 0), int8 per-channel
 * filters. `wide` follows the bias type: 1 (int64 bias, or none) accumulates in int64 and
 * requantizes with mlf_mbqm64; 0 (int32 bias) wraps the sum to int32 and uses mlf_mbqm.
 */
typedef struct {
  int32_t batches;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left;
  int32_t depth_mult; /* depthwise only */
  int32_t act_min, act_max;
  int32_t wide;
  const int8_t *filter;
  const int64_t *bias; /* per out channel */
  const int32_t *mult; /* per out channel */
  const int32_t *shift;
} mlf_conv16x8_params;

/* FULLY_CONNECTED, 16x8 (`wide` as for mlf_conv16x8_params). */
typedef struct {
  int32_t batches, accum_depth, out_depth;
  int32_t out_zp;
  int32_t act_min, act_max;
  int32_t q_stride; /* 1: per-channel mult/shift; 0: one entry for all */
  int32_t wide;
  const int8_t *filter;
  const int64_t *bias; /* folded: bias - in_zp * sum(row) */
  const int32_t *mult;
  const int32_t *shift;
} mlf_fc16x8_params;

/* FULLY_CONNECTED, int8. */
typedef struct {
  int32_t batches, accum_depth, out_depth;
  int32_t out_zp;
  int32_t act_min, act_max;
  int32_t q_stride; /* 1: per-channel mult/shift; 0: one entry for all */
  const int8_t *filter;
  const int32_t *bias; /* folded: bias - in_zp * sum(row) */
  const int32_t *mult;
  const int32_t *shift;
} mlf_fc_params;

/* AVERAGE_POOL_2D / MAX_POOL_2D. */
typedef struct {
  int32_t batches;
  int32_t in_h, in_w, c;
  int32_t out_h, out_w;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t pad_top, pad_left;
  int32_t act_min, act_max;
} mlf_pool_params;

/* ADD, int8 or int16, general rescaling; broadcasting through 0 strides. */
typedef struct {
  int32_t size;      /* output elements */
  int32_t broadcast; /* 0: same shapes, plain elementwise */
  int32_t dims[4];
  int32_t in1_strides[4], in2_strides[4];
  int32_t in1_offset, in2_offset;
  int32_t left_shift;
  int32_t in1_mult, in1_shift;
  int32_t in2_mult, in2_shift;
  int32_t out_mult, out_shift;
  int32_t out_zp;
  int32_t act_min, act_max;
} mlf_add_params;

/* PAD (any element size <= 4 bytes). */
typedef struct {
  int32_t rank;
  int32_t elem_bytes;
  int32_t in_dims[MLF_MAX_DIMS];
  int32_t out_dims[MLF_MAX_DIMS];
  int32_t before[MLF_MAX_DIMS];
  int32_t pad_value; /* in the element type */
} mlf_pad_params;

/* TRANSPOSE (any element size <= 4 bytes). */
typedef struct {
  int32_t rank;
  int32_t elem_bytes;
  int32_t out_dims[MLF_MAX_DIMS];
  int32_t in_strides[MLF_MAX_DIMS]; /* input stride (elements) of each output dim */
} mlf_transpose_params;

/* MEAN over a contiguous block of axes (int8 or int16): input viewed as [outer][reduce][inner]. */
typedef struct {
  int32_t outer, reduce, inner;
  int32_t in_zp, out_zp;
  int32_t mult, shift; /* already divided by the reduced element count */
} mlf_mean_params;

/* SOFTMAX, int8 input, int8 or int16 output. */
typedef struct {
  int32_t outer, depth;
  int32_t in_mult, in_left_shift;
  int32_t diff_min;
} mlf_softmax_params;

/* SOFTMAX, int16 in and out: TFLite's two 513-entry interpolated tables (Q0.15 out). */
typedef struct {
  int32_t outer, depth;
  int32_t in_mult, in_shift;
  const int16_t *exp_lut;
  const int16_t *one_over_one_plus_x_lut;
} mlf_softmax16_params;

/* QUANTIZE between integer types (TFLite's Requantize). */
typedef struct {
  int32_t size;
  int32_t in_zp, out_zp;
  int32_t mult, shift;
} mlf_requant_params;

/* RESHAPE that could not be aliased: a byte copy. */
typedef struct {
  int32_t bytes;
} mlf_copy_params;

/* ---------------------------------------------------------------------------
 * Kernels
 * ------------------------------------------------------------------------- */

/* mlf_conv.c */
void mlf_conv2d_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out, void *scratch);
void mlf_conv2d_1x1_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out);
/* mlf_depthwise.c */
void mlf_dwconv2d_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out, void *scratch);
void mlf_dwconv2d_3x3_s8(const mlf_conv_params *p, const int8_t *in, int8_t *out, void *scratch);
/* mlf_fc.c */
void mlf_fc_s8(const mlf_fc_params *p, const int8_t *in, int8_t *out);
/* mlf_16x8.c */
void mlf_conv2d_s16(const mlf_conv16x8_params *p, const int16_t *in, int16_t *out);
void mlf_dwconv2d_s16(const mlf_conv16x8_params *p, const int16_t *in, int16_t *out);
void mlf_fc_s16(const mlf_fc16x8_params *p, const int16_t *in, int16_t *out);
/* mlf_pool.c */
void mlf_avgpool_s8(const mlf_pool_params *p, const int8_t *in, int8_t *out);
void mlf_maxpool_s8(const mlf_pool_params *p, const int8_t *in, int8_t *out);
void mlf_avgpool_s16(const mlf_pool_params *p, const int16_t *in, int16_t *out);
void mlf_maxpool_s16(const mlf_pool_params *p, const int16_t *in, int16_t *out);
/* mlf_eltwise.c */
void mlf_add_s8(const mlf_add_params *p, const int8_t *in1, const int8_t *in2, int8_t *out);
void mlf_add_s16(const mlf_add_params *p, const int16_t *in1, const int16_t *in2, int16_t *out);
void mlf_copy(const mlf_copy_params *p, const void *in, void *out);
/* mlf_shape.c */
void mlf_pad(const mlf_pad_params *p, const void *in, void *out);
void mlf_transpose(const mlf_transpose_params *p, const void *in, void *out);
/* mlf_reduce.c */
void mlf_mean_s8(const mlf_mean_params *p, const int8_t *in, int8_t *out);
void mlf_mean_s16(const mlf_mean_params *p, const int16_t *in, int16_t *out);
void mlf_softmax_s8_s8(const mlf_softmax_params *p, const int8_t *in, int8_t *out);
void mlf_softmax_s8_s16(const mlf_softmax_params *p, const int8_t *in, int16_t *out);
void mlf_softmax_s16_s16(const mlf_softmax16_params *p, const int16_t *in, int16_t *out);
/* mlf_quantize.c: mlf_requant_<in>_<out> */
void mlf_requant_s8_s8(const mlf_requant_params *p, const int8_t *in, int8_t *out);
void mlf_requant_s8_s16(const mlf_requant_params *p, const int8_t *in, int16_t *out);
void mlf_requant_s8_s32(const mlf_requant_params *p, const int8_t *in, int32_t *out);
void mlf_requant_s16_s8(const mlf_requant_params *p, const int16_t *in, int8_t *out);
void mlf_requant_s16_s16(const mlf_requant_params *p, const int16_t *in, int16_t *out);
void mlf_requant_s16_s32(const mlf_requant_params *p, const int16_t *in, int32_t *out);
void mlf_requant_s32_s8(const mlf_requant_params *p, const int32_t *in, int8_t *out);
void mlf_requant_s32_s16(const mlf_requant_params *p, const int32_t *in, int16_t *out);

#ifdef __cplusplus
}
#endif

#endif /* MLF_KERNELS_H */
