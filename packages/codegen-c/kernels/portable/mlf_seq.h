/*
 * mlf_seq.h - SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM portable kernels (C99), bit-exact
 * with TensorFlow Lite Micro's reference kernels. Conventions as in mlf_kernels.h.
 *
 * WHERE THE CONSTANTS COME FROM. Do not re-derive them: call
 *   svdfCParams(graph, op, index) / lstmCParams(graph, op, index)
 * from packages/ir/src/golden/kernels/lstm/params.ts. Each returns
 *   { kernel: '<C function name>', params: { <C field name>: number | typed array } }
 * and throws UnsupportedError for variants these kernels do not cover. They build on
 * svdfParams()/lstmParams(), which the golden executor uses, so C and golden agree.
 * Below, s_X is tensor X's (float32) scale and zp_X its zero point; "QM(r)" is
 * tflite::QuantizeMultiplier(r) -> (mult, shift), shift > 0 meaning a left shift.
 *
 * mlf_svdf_params (SVDF; the fused activation is ignored, as TFLite Micro's integer
 * kernel ignores it):
 *   batches, input_size, num_filters, num_units (= num_filters / rank), rank,
 *   memory_size                 from the input [batches, input_size], weights_feature
 *                               [num_filters, input_size], weights_time
 *                               [num_filters, memory_size] and the rank attribute.
 *   state_zp, out_zp            zero points of the activation state and the output.
 *   mult1, shift1               QM(float32(float32(s_in * s_wf) / s_state)): the product
 *                               and the quotient rounded to float32 as TFLite does.
 *   mult2, shift2               QM(float32(float32(s_state * s_wt) / s_out)).
 *   weights_feature             int8 [num_filters][input_size].
 *   feature_bias                int32 [num_filters] = -zp_in * sum_c weights_feature[f][c]
 *                               (the input offset, folded).
 *   weights_time / weights_time16
 *                               int8 (mlf_svdf_s8) or int16 (mlf_svdf_state16_s8)
 *                               [num_filters][memory_size]; only the one in use is set.
 *   bias                        int32 [num_units] = bias[u] (0 if absent)
 *                               - state_zp * sum over the unit's rank filters and memory
 *                               of weights_time (the state offset, folded).
 *   Arguments: (p, in, state, out). `state` is the variable tensor
 *   [batches][num_filters][memory_size]: int8 for mlf_svdf_s8, int16 for
 *   mlf_svdf_state16_s8 (its type is weights_time's); mliflow_model_reset() zeroes it.
 *
 * mlf_lstm_params (UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16
 * cell state, int32 bias; no peephole, projection, layer norm or CIFG):
 *   batches, time_steps, input_size, state_size, time_major
 *                               from the input ([batches, time, input] or time-major
 *                               [time, batches, input]) and the output state [.., state].
 *   For each gate G in forget, input, cell, output (TFLite inputs: input weights 2/1/3/4,
 *   recurrent weights 6/5/7/8, bias 13/12/14/15):
 *     G_w      int8 [state_size][input_size]    input-to-gate weights.
 *     G_r      int8 [state_size][state_size]    recurrent-to-gate weights.
 *     G_bias_w int32 [state_size] = bias[j] - zp_in * sum_c G_w[j][c].
 *     G_bias_r int32 [state_size] = -zp_hidden * sum_c G_r[j][c].
 *     G_mult_w, G_shift_w   QM(float32(s_in * s_G_w) / 2^-12)   (gate input is Q3.12)
 *     G_mult_r, G_shift_r   QM(float32(s_hidden * s_G_r) / 2^-12)
 *   fc_mult, fc_shift           QM(2^-15 * s_cell / s_cell)  forget gate x cell state.
 *   ic_mult, ic_shift           QM(2^-15 * 2^-15 / s_cell)   input gate x cell gate.
 *   h_mult, h_shift             QM(2^-15 * 2^-15 / s_hidden) tanh(cell) x output gate.
 *                               (these three in double arithmetic on the float scales)
 *   hidden_zp                   zero point of the output state (18).
 *   tanh_mult, tanh_shift       tanh(cell) input rescale: v = (c * tanh_mult + round)
 *                               >> tanh_shift, round = 2^(tanh_shift-1) or 0. With
 *                               P = round(log2(s_cell)): k = 15 + P - 3; k >= 0 gives
 *                               (3 << k, 0), k < 0 gives (3, -k). TFLite does not check
 *                               that s_cell is a power of two; neither do we.
 *   clip_cell, cell_clip        1 and min(trunc(cell_clip / s_cell), 32767) when the
 *                               cell_clip attribute is > 0; else 0, 0.
 *   Arguments: (p, in, hidden_state, cell_state, out): the input, the output state
 *   (variable, int8 [batches][state_size]) and cell state (variable, int16), the output
 *   [.., state_size]. Each step writes its hidden state to its output row first, then
 *   copies it into hidden_state, so no scratch is needed; `out` must not alias the
 *   other arguments.
 */
#ifndef MLF_SEQ_H
#define MLF_SEQ_H

#include "mlf_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int32_t batches, input_size, num_filters, num_units, rank, memory_size;
  int32_t state_zp, out_zp;
  int32_t mult1, shift1;
  int32_t mult2, shift2;
  const int8_t *weights_feature;
  const int32_t *feature_bias;
  const int8_t *weights_time;
  const int16_t *weights_time16;
  const int32_t *bias;
} mlf_svdf_params;

typedef struct {
  int32_t batches, time_steps, input_size, state_size;
  int32_t time_major;
  const int8_t *forget_w, *forget_r;
  const int32_t *forget_bias_w, *forget_bias_r;
  int32_t forget_mult_w, forget_shift_w, forget_mult_r, forget_shift_r;
  const int8_t *input_w, *input_r;
  const int32_t *input_bias_w, *input_bias_r;
  int32_t input_mult_w, input_shift_w, input_mult_r, input_shift_r;
  const int8_t *cell_w, *cell_r;
  const int32_t *cell_bias_w, *cell_bias_r;
  int32_t cell_mult_w, cell_shift_w, cell_mult_r, cell_shift_r;
  const int8_t *output_w, *output_r;
  const int32_t *output_bias_w, *output_bias_r;
  int32_t output_mult_w, output_shift_w, output_mult_r, output_shift_r;
  int32_t fc_mult, fc_shift;
  int32_t ic_mult, ic_shift;
  int32_t h_mult, h_shift;
  int32_t hidden_zp;
  int32_t tanh_mult, tanh_shift;
  int32_t clip_cell, cell_clip;
} mlf_lstm_params;

/* mlf_svdf.c */
void mlf_svdf_s8(const mlf_svdf_params *p, const int8_t *in, int8_t *state, int8_t *out);
void mlf_svdf_state16_s8(const mlf_svdf_params *p, const int8_t *in, int16_t *state, int8_t *out);
/* mlf_lstm.c */
void mlf_lstm_s8(const mlf_lstm_params *p, const int8_t *in, int8_t *hidden_state,
                 int16_t *cell_state, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* MLF_SEQ_H */
