/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16 cell state, int32
 * bias: TFLite Micro's reference numerics. Gate pre-activations are Q3.12, gate outputs
 * Q0.15. Every quantity of unit j depends only on the input row, the previous hidden
 * state and unit j's own cell, so a step runs unit by unit, writes the new hidden state
 * to its output row, and copies it into the hidden state once all units are done.
 */
#include "mlf_seq.h"

/* sigmoid_q16[256]: sigmoid(i / 24) in Q0.16. Generated into each project from the golden
 * executor's table, so the C kernel and the golden kernel interpolate the same values. */
#include "mlf_lstm_table.h"

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
