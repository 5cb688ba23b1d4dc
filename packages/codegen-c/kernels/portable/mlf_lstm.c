/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16 cell state, int32
 * bias: TFLite Micro's reference numerics. Gate pre-activations are Q3.12, gate outputs
 * Q0.15. Every quantity of unit j depends only on the input row, the previous hidden
 * state and unit j's own cell, so a step runs unit by unit, writes the new hidden state
 * to its output row, and copies it into the hidden state once all units are done.
 */
#include "mlf_seq.h"

/* sigmoid(i / 24) in Q0.16, i = 0..255: TFLite's published interpolation table (the
 * values themselves are needed for bit-exactness; a few differ by one from a recompute). */
static const uint16_t sigmoid_q16[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535};

static inline int32_t sat16(int32_t v) { return mlf_clamp32(v, -32768, 32767); }

/* Q3.12 -> Q0.15. 3x / 2^9 = 24 * real, so |3x| >> 9 indexes the table and the low 9
 * bits interpolate; negative inputs use sigmoid(-x) = 1 - sigmoid(x). */
static inline int32_t sigmoid_q312(int32_t x) {
  const int32_t v = x * 3;
  const uint32_t a = (uint32_t)(v < 0 ? -v : v);
  const uint32_t uh = a >> 9;
  uint32_t r;
  if (uh >= 255) {
    r = 0x7FFFu << 10;
  } else {
    const uint32_t ua = sigmoid_q16[uh], ub = sigmoid_q16[uh + 1];
    r = (ua << 9) + (a & 0x1FFu) * (ub - ua);
  }
  r = v >= 0 ? r + 512u : (1u << 25) - r + 511u;
  return (int32_t)(r >> 10);
}

/* tanh as 2 sigmoid(2x) - 1 -> Q0.15, after v = (x * mult + round) >> shift brings the
 * input to the table's scale (|v| >> 8 indexes it at 48 * real for Q3.12). */
static inline int32_t tanh_q(int32_t x, int32_t mult, int32_t shift) {
  const int32_t round = shift > 0 ? (int32_t)1 << (shift - 1) : 0;
  const int32_t v = (x * mult + round) >> shift;
  const uint32_t a = (uint32_t)(v < 0 ? -v : v);
  const uint32_t uh = a >> 8;
  int32_t r;
  if (uh >= 255) {
    r = 0xFFFF << 8;
  } else {
    const uint32_t ua = sigmoid_q16[uh], ub = sigmoid_q16[uh + 1];
    r = (int32_t)((ua << 8) + (a & 0xFFu) * (ub - ua));
  }
  r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return r >> 8;
}

typedef struct {
  const int8_t *w, *r;
  const int32_t *bw, *br;
  int32_t mw, sw, mr, sr;
} gate_t;

/* sat16(FC_input) + sat16(FC_recurrent), saturated: the gate's Q3.12 pre-activation. */
static inline int32_t gate_pre(const gate_t *g, const int8_t *x, int32_t in_size, const int8_t *h,
                               int32_t state_size, int32_t j) {
  const int8_t *w = g->w + j * in_size;
  const int8_t *r = g->r + j * state_size;
  int32_t a = g->bw[j], b = g->br[j], c;
  for (c = 0; c < in_size; ++c) a += (int32_t)w[c] * x[c];
  for (c = 0; c < state_size; ++c) b += (int32_t)r[c] * h[c];
  return sat16(sat16(mlf_mbqm(a, g->mw, g->sw)) + sat16(mlf_mbqm(b, g->mr, g->sr)));
}

void mlf_lstm_s8(const mlf_lstm_params *p, const int8_t *in, int8_t *hidden_state,
                 int16_t *cell_state, int8_t *out) {
  const int32_t in_size = p->input_size, ss = p->state_size;
  /* Time-major steps take the whole batch at once; batch-major runs batch by batch. */
  const int32_t rows = p->time_major ? p->batches : 1;
  const int32_t outer = p->time_major ? 1 : p->batches;
  const int32_t clip = p->cell_clip;
  gate_t gf, gi, gc, go;
  int32_t b, t, r, j;
  gf.w = p->forget_w; gf.r = p->forget_r; gf.bw = p->forget_bias_w; gf.br = p->forget_bias_r;
  gf.mw = p->forget_mult_w; gf.sw = p->forget_shift_w; gf.mr = p->forget_mult_r; gf.sr = p->forget_shift_r;
  gi.w = p->input_w; gi.r = p->input_r; gi.bw = p->input_bias_w; gi.br = p->input_bias_r;
  gi.mw = p->input_mult_w; gi.sw = p->input_shift_w; gi.mr = p->input_mult_r; gi.sr = p->input_shift_r;
  gc.w = p->cell_w; gc.r = p->cell_r; gc.bw = p->cell_bias_w; gc.br = p->cell_bias_r;
  gc.mw = p->cell_mult_w; gc.sw = p->cell_shift_w; gc.mr = p->cell_mult_r; gc.sr = p->cell_shift_r;
  go.w = p->output_w; go.r = p->output_r; go.bw = p->output_bias_w; go.br = p->output_bias_r;
  go.mw = p->output_mult_w; go.sw = p->output_shift_w; go.mr = p->output_mult_r; go.sr = p->output_shift_r;
  for (b = 0; b < outer; ++b) {
    int8_t *hs = hidden_state + b * ss;
    int16_t *cs = cell_state + b * ss;
    for (t = 0; t < p->time_steps; ++t) {
      const int32_t step = b * p->time_steps + t;
      int8_t *y = out + step * rows * ss;
      for (r = 0; r < rows; ++r) {
        const int8_t *x = in + (step * rows + r) * in_size;
        const int8_t *h = hs + r * ss;
        int16_t *c = cs + r * ss;
        int8_t *yr = y + r * ss;
        for (j = 0; j < ss; ++j) {
          const int32_t f = sigmoid_q312(gate_pre(&gf, x, in_size, h, ss, j));
          const int32_t i = sigmoid_q312(gate_pre(&gi, x, in_size, h, ss, j));
          const int32_t g = tanh_q(gate_pre(&gc, x, in_size, h, ss, j), 3, 0);
          const int32_t o = sigmoid_q312(gate_pre(&go, x, in_size, h, ss, j));
          int32_t cn = sat16(sat16(mlf_mbqm(f * c[j], p->fc_mult, p->fc_shift)) +
                             sat16(mlf_mbqm(i * g, p->ic_mult, p->ic_shift)));
          if (p->clip_cell) cn = mlf_clamp32(cn, -clip, clip);
          c[j] = (int16_t)cn;
          yr[j] = (int8_t)mlf_clamp32(
              mlf_mbqm(tanh_q(cn, p->tanh_mult, p->tanh_shift) * o, p->h_mult, p->h_shift) + p->hidden_zp,
              -128, 127);
        }
      }
      memcpy(hs, y, (size_t)(rows * ss) * sizeof *hs);
    }
  }
}
