/**
 * The compile-time constants of SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM, derived from the IR
 * exactly as TFLite Micro's Prepare derives them. The golden kernels and the C code
 * generator (mlf_seq.h) both take their constants from here, so the two cannot drift.
 *
 * Scale arithmetic is reproduced to the rounding: where TFLite Micro multiplies two float
 * scales in float before widening to double, so do we (Math.fround), because a one-ulp
 * difference in the real multiplier can move the quantized multiplier.
 */
import { UnsupportedError } from '../../../errors.js';
import { constView, elementCount, isPerChannel, type Graph, type Tensor } from '../../../graph.js';
import { opLabel, type Activation, type Op } from '../../../ops.js';
import { f32, quantizeMultiplier, roundAway, type QuantizedMultiplier } from '../../../quant.js';

type Fail = (what: string) => UnsupportedError;

function failer(op: Op, index: number): Fail {
  const label = opLabel(index, op);
  return (what) => new UnsupportedError(`${label}: ${what}`);
}

function tensorAt(g: Graph, op: Op, i: number): Tensor | null {
  const id = i < op.inputs.length ? op.inputs[i] : -1;
  return id < 0 ? null : g.tensors[id];
}

function scaleOf(t: Tensor, what: string, fail: Fail): number {
  if (!t.quant || t.quant.scale.length === 0) throw fail(`${what} "${t.name}" has no quantization`);
  if (isPerChannel(t.quant)) throw fail(`${what} "${t.name}" is quantized per channel; TFLite Micro's kernel takes one scale`);
  return t.quant.scale[0];
}

function zeroPointOf(t: Tensor): number {
  return t.quant && t.quant.zeroPoint.length > 0 ? t.quant.zeroPoint[0] : 0;
}

// ---------------------------------------------------------------------------------------
// SVDF
// ---------------------------------------------------------------------------------------

export interface SvdfParams {
  /** 'float32', or the integer kernel with int8 input/output and this state/time-weight type. */
  dtype: 'float32' | 'int8';
  /** int8 or int16 (the activation state and the time weights share it); float32 for float. */
  stateDtype: 'int8' | 'int16' | 'float32';
  batch: number;
  inputSize: number;
  numFilters: number;
  numUnits: number;
  rank: number;
  memorySize: number;
  /** Fused activation: applied by the float kernel only. TFLite Micro's integer kernel ignores it. */
  activation: Activation;
  inputZeroPoint: number;
  stateZeroPoint: number;
  outputZeroPoint: number;
  /** input * weights_feature -> state: real scale s_in * s_wf / s_state (float arithmetic). */
  scale1: QuantizedMultiplier;
  /** state * weights_time -> output: real scale s_state * s_wt / s_out (float arithmetic). */
  scale2: QuantizedMultiplier;
  /** Tensor ids; bias is -1 when absent. */
  tensors: { input: number; weightsFeature: number; weightsTime: number; bias: number; state: number; output: number };
}

export function svdfParams(g: Graph, op: Op, index: number): SvdfParams {
  const fail = failer(op, index);
  if (op.kind !== 'svdf') throw fail('not an SVDF operator');
  const attrs = op.attrs as { rank: number; activation: Activation; asymmetricQuantizeInputs: boolean };
  const input = tensorAt(g, op, 0);
  const wf = tensorAt(g, op, 1);
  const wt = tensorAt(g, op, 2);
  const bias = tensorAt(g, op, 3);
  const state = tensorAt(g, op, 4);
  if (!input || !wf || !wt || !state) throw fail('needs input, weights_feature, weights_time and activation state (inputs 0, 1, 2, 4)');
  if (op.outputs.length !== 1) throw fail(`has ${op.outputs.length} outputs, expected 1`);
  const output = g.tensors[op.outputs[0]];

  const rank = attrs.rank;
  if (input.shape.length !== 2) throw fail(`input must be 2-D [batch, input_size], is [${input.shape}]`);
  const [batch, inputSize] = input.shape;
  if (wf.shape.length !== 2 || wf.shape[1] !== inputSize) throw fail(`weights_feature must be [num_filters, ${inputSize}], is [${wf.shape}]`);
  const numFilters = wf.shape[0];
  if (!(rank > 0) || numFilters % rank !== 0) throw fail(`num_filters ${numFilters} is not a multiple of rank ${rank}`);
  const numUnits = numFilters / rank;
  if (wt.shape.length !== 2 || wt.shape[0] !== numFilters) throw fail(`weights_time must be [${numFilters}, memory_size], is [${wt.shape}]`);
  const memorySize = wt.shape[1];
  if (bias && elementCount(bias.shape) !== numUnits) throw fail(`bias must have ${numUnits} elements, has [${bias.shape}]`);
  if (state.shape.length !== 2 || state.shape[0] !== batch || state.shape[1] !== memorySize * numFilters) {
    throw fail(`activation state must be [${batch}, ${memorySize * numFilters}], is [${state.shape}]`);
  }
  if (!state.isVariable) throw fail(`activation state "${state.name}" is not a variable tensor`);
  if (output.shape.length !== 2 || output.shape[0] !== batch || output.shape[1] !== numUnits) {
    throw fail(`output must be [${batch}, ${numUnits}], is [${output.shape}]`);
  }
  for (const t of [wf, wt]) if (!t.data) throw fail(`weights "${t.name}" are not constant`);
  if (bias && !bias.data) throw fail(`bias "${bias.name}" is not constant`);

  const tensors = {
    input: op.inputs[0],
    weightsFeature: op.inputs[1],
    weightsTime: op.inputs[2],
    bias: bias ? op.inputs[3] : -1,
    state: op.inputs[4],
    output: op.outputs[0],
  };
  const base = { batch, inputSize, numFilters, numUnits, rank, memorySize, activation: attrs.activation, tensors };

  if (input.dtype === 'float32') {
    for (const t of [wf, wt, state, output, ...(bias ? [bias] : [])]) {
      if (t.dtype !== 'float32') throw fail(`float SVDF needs float32 tensors; "${t.name}" is ${t.dtype}`);
    }
    if (!['none', 'relu', 'relu_n1_to_1', 'relu6', 'tanh', 'sign_bit'].includes(attrs.activation)) {
      throw fail(`fused activation ${attrs.activation} is not supported`);
    }
    const one = { multiplier: 0, shift: 0 };
    return { ...base, dtype: 'float32', stateDtype: 'float32', inputZeroPoint: 0, stateZeroPoint: 0, outputZeroPoint: 0, scale1: one, scale2: one };
  }

  if (input.dtype !== 'int8') throw fail(`input type ${input.dtype} is not supported (int8 or float32)`);
  if (attrs.asymmetricQuantizeInputs) throw fail('hybrid (asymmetric_quantize_inputs) SVDF is not supported');
  if (wf.dtype !== 'int8') throw fail(`weights_feature must be int8 with an int8 input, is ${wf.dtype}`);
  if (wt.dtype !== 'int8' && wt.dtype !== 'int16') throw fail(`weights_time must be int8 or int16, is ${wt.dtype}`);
  if (state.dtype !== wt.dtype) {
    // TFLite Micro picks the state's element type from weights_time; a mismatch would misread memory.
    throw fail(`activation state (${state.dtype}) and weights_time (${wt.dtype}) must have the same type`);
  }
  if (bias && bias.dtype !== 'int32') throw fail(`bias must be int32, is ${bias.dtype}`);
  if (output.dtype !== 'int8') throw fail(`output must be int8, is ${output.dtype}`);

  const sIn = scaleOf(input, 'input', fail);
  const sWf = scaleOf(wf, 'weights_feature', fail);
  const sWt = scaleOf(wt, 'weights_time', fail);
  const sState = scaleOf(state, 'activation state', fail);
  const sOut = scaleOf(output, 'output', fail);
  // TFLite Micro computes both in float: (a * b) / c, each step rounded to float32.
  const scale1 = f32(f32(sIn * sWf) / sState);
  const scale2 = f32(f32(sState * sWt) / sOut);
  if (bias) {
    const sBias = scaleOf(bias, 'bias', fail);
    if (!(Math.abs(sBias - f32(sState * sWt)) < 1e-5)) {
      throw fail(`bias scale ${sBias} is not activation-state scale * weights_time scale (${f32(sState * sWt)}), as TFLite Micro requires`);
    }
  }
  return {
    ...base,
    dtype: 'int8',
    stateDtype: wt.dtype,
    inputZeroPoint: zeroPointOf(input),
    stateZeroPoint: zeroPointOf(state),
    outputZeroPoint: zeroPointOf(output),
    scale1: quantizeMultiplier(scale1),
    scale2: quantizeMultiplier(scale2),
  };
}

export function svdfMacs(p: SvdfParams): number {
  return p.batch * p.numFilters * (p.inputSize + p.memorySize);
}

// ---------------------------------------------------------------------------------------
// UNIDIRECTIONAL_SEQUENCE_LSTM
// ---------------------------------------------------------------------------------------

/** One gate: FC(input) + FC(hidden state) into the gate's Q3.12 int16 pre-activation. */
export interface LstmGateParams {
  /** Tensor ids of the [state, input] and [state, state] weights and the [state] bias. */
  inputWeights: number;
  recurrentWeights: number;
  bias: number;
  /** input FC: s_in * s_w_in / 2^-12 (the product in float). */
  inputScale: QuantizedMultiplier;
  /** recurrent FC: s_hidden * s_w_rec / 2^-12 (the product in float). */
  recurrentScale: QuantizedMultiplier;
}

export interface LstmParams {
  dtype: 'float32' | 'int8';
  timeMajor: boolean;
  batch: number;
  timeSteps: number;
  inputSize: number;
  /** Hidden (and cell) state width: the number of units. */
  stateSize: number;
  /** Input-to-gate and recurrent FC input zero points (weights are symmetric). */
  inputZeroPoint: number;
  hiddenZeroPoint: number;
  /** In evaluation order. Float models carry the weight/bias ids only. */
  forget: LstmGateParams;
  input: LstmGateParams;
  cell: LstmGateParams;
  output: LstmGateParams;
  /** forget gate (Q0.15) * cell state -> cell state: 2^-15. */
  forgetCellMul: QuantizedMultiplier;
  /** input gate (Q0.15) * cell gate (Q0.15) -> cell state: 2^-30 / s_cell. */
  inputCellMul: QuantizedMultiplier;
  /** tanh(cell) (Q0.15) * output gate (Q0.15) -> hidden state: 2^-30 / s_hidden, plus zero point. */
  hiddenMul: QuantizedMultiplier;
  /** log2 of the cell state scale, rounded (TFLite Micro does not check it is exact). */
  cellScalePower: number;
  /** tanh(cell state) input rescale: x' = (x * tanhMultiplier + round) >> tanhShift. */
  tanhMultiplier: number;
  tanhShift: number;
  /** Cell clip as the model gives it (float; 0 = none) and quantized to the cell state (int16). */
  cellClip: number;
  quantizedCellClip: number;
  tensors: { input: number; hiddenState: number; cellState: number; output: number };
}

const GATE_INPUTS = {
  input: { w: 1, r: 5, b: 12 },
  forget: { w: 2, r: 6, b: 13 },
  cell: { w: 3, r: 7, b: 14 },
  output: { w: 4, r: 8, b: 15 },
} as const;

/** The gates' pre-activation scale, Q3.12. */
const GATE_SCALE = 0.000244140625;
/** The gates' output scale, Q0.15. */
const GATE_OUT_SCALE = 0.000030517578125;

/** tflite::CheckedLog2's value: round(log(x) * (1/log 2)) in float arithmetic. */
function log2Rounded(x: number): number {
  const l = f32(f32(Math.log(f32(x))) * f32(1 / f32(Math.log(2))));
  return roundAway(l);
}

export function lstmParams(g: Graph, op: Op, index: number): LstmParams {
  const fail = failer(op, index);
  if (op.kind !== 'unidirectional_sequence_lstm') throw fail('not a UNIDIRECTIONAL_SEQUENCE_LSTM operator');
  const attrs = op.attrs as { activation: Activation; cellClip: number; projClip: number; timeMajor: boolean; asymmetricQuantizeInputs: boolean; diagonalRecurrentTensors: boolean };
  if (op.inputs.length < 20) throw fail(`has ${op.inputs.length} inputs; TFLite Micro's kernel needs 24 (20 without layer norm)`);
  if (op.outputs.length !== 1) throw fail(`has ${op.outputs.length} outputs, expected 1`);
  const at = (i: number): Tensor | null => tensorAt(g, op, i);
  const input = at(0);
  const hidden = at(18);
  const cellState = at(19);
  const output = g.tensors[op.outputs[0]];
  if (!input) throw fail('input (0) is missing');
  if (!hidden || !cellState) throw fail('output state (18) and cell state (19) are required');
  if (!hidden.isVariable || !cellState.isVariable) throw fail('output and cell state must be variable tensors');
  if (!at(1) || !at(5)) throw fail('no input gate (CIFG) is not supported: TFLite Micro needs input-to-input and recurrent-to-input weights');
  for (let i = 2; i <= 8; i++) if (!at(i)) throw fail(`weights input ${i} is missing`);
  for (let i = 12; i <= 15; i++) if (!at(i)) throw fail(`gate bias input ${i} is missing`);
  if (at(9) || at(10) || at(11)) throw fail('peephole connections are not supported (as in TFLite Micro)');
  if (at(16) || at(17)) throw fail('projection is not supported (as in TFLite Micro)');
  for (let i = 20; i <= 23; i++) if (at(i)) throw fail('layer normalization is not supported (as in TFLite Micro)');
  if (attrs.asymmetricQuantizeInputs) throw fail('hybrid (asymmetric_quantize_inputs) LSTM is not supported');
  if (attrs.diagonalRecurrentTensors) throw fail('diagonal recurrent weights are not supported');
  if (attrs.activation !== 'tanh') throw fail(`cell activation ${attrs.activation} is not supported (TFLite Micro has tanh or sigmoid gates only)`);

  if (input.shape.length !== 3) throw fail(`input must be 3-D, is [${input.shape}]`);
  const timeMajor = attrs.timeMajor;
  const batch = timeMajor ? input.shape[1] : input.shape[0];
  const timeSteps = timeMajor ? input.shape[0] : input.shape[1];
  const inputSize = input.shape[2];
  if (hidden.shape.length < 1) throw fail('output state has no shape');
  const stateSize = hidden.shape[hidden.shape.length - 1];
  for (let i = 1; i <= 8; i++) {
    const t = at(i)!;
    const cols = i <= 4 ? inputSize : stateSize;
    if (t.shape.length !== 2 || t.shape[0] !== stateSize || t.shape[1] !== cols) throw fail(`weights "${t.name}" must be [${stateSize}, ${cols}], are [${t.shape}]`);
    if (!t.data) throw fail(`weights "${t.name}" are not constant`);
  }
  for (let i = 12; i <= 15; i++) {
    const t = at(i)!;
    if (t.shape.length !== 1 || t.shape[0] !== stateSize) throw fail(`bias "${t.name}" must be [${stateSize}], is [${t.shape}]`);
    if (!t.data) throw fail(`bias "${t.name}" is not constant`);
  }
  if (elementCount(hidden.shape) !== batch * stateSize || elementCount(cellState.shape) !== batch * stateSize) {
    throw fail(`state tensors must hold ${batch} x ${stateSize} elements`);
  }
  if (output.shape.length !== 3 || output.shape[0] !== input.shape[0] || output.shape[1] !== input.shape[1] || output.shape[2] !== stateSize) {
    throw fail(`output must be [${input.shape[0]}, ${input.shape[1]}, ${stateSize}], is [${output.shape}]`);
  }
  const tensors = { input: op.inputs[0], hiddenState: op.inputs[18], cellState: op.inputs[19], output: op.outputs[0] };
  const wType = at(2)!.dtype;
  const bType = at(13)!.dtype;
  for (let i = 1; i <= 8; i++) if (at(i)!.dtype !== wType) throw fail('all gate weights must have the same type');
  for (let i = 12; i <= 15; i++) if (at(i)!.dtype !== bType) throw fail('all gate biases must have the same type');
  if (hidden.dtype !== input.dtype || output.dtype !== input.dtype) throw fail('input, output state and output must have the same type');

  const one = { multiplier: 0, shift: 0 };
  const gateIds = (k: keyof typeof GATE_INPUTS) => ({ inputWeights: op.inputs[GATE_INPUTS[k].w], recurrentWeights: op.inputs[GATE_INPUTS[k].r], bias: op.inputs[GATE_INPUTS[k].b] });

  if (input.dtype === 'float32') {
    for (const t of [cellState, at(2)!, at(13)!]) if (t.dtype !== 'float32') throw fail(`float LSTM needs float32 tensors; "${t.name}" is ${t.dtype}`);
    const gate = (k: keyof typeof GATE_INPUTS): LstmGateParams => ({ ...gateIds(k), inputScale: one, recurrentScale: one });
    return {
      dtype: 'float32', timeMajor, batch, timeSteps, inputSize, stateSize,
      inputZeroPoint: 0, hiddenZeroPoint: 0,
      forget: gate('forget'), input: gate('input'), cell: gate('cell'), output: gate('output'),
      forgetCellMul: one, inputCellMul: one, hiddenMul: one,
      cellScalePower: 0, tanhMultiplier: 0, tanhShift: 0,
      cellClip: f32(attrs.cellClip), quantizedCellClip: 0, tensors,
    };
  }

  if (input.dtype === 'int16') throw fail('int16 activations (16x8 LSTM) are not supported yet; no shared model uses them');
  if (input.dtype !== 'int8') throw fail(`input type ${input.dtype} is not supported (int8 or float32)`);
  if (wType !== 'int8') throw fail(`gate weights must be int8, are ${wType}`);
  if (bType !== 'int32') throw fail(`gate biases must be int32, are ${bType}`);
  if (cellState.dtype !== 'int16') throw fail(`cell state must be int16, is ${cellState.dtype}`);

  const sIn = scaleOf(input, 'input', fail);
  const sHidden = scaleOf(hidden, 'output state', fail);
  const sCell = scaleOf(cellState, 'cell state', fail);
  for (let i = 1; i <= 8; i++) {
    const t = at(i)!;
    scaleOf(t, 'weights', fail);
    if (zeroPointOf(t) !== 0) throw fail(`weights "${t.name}" have zero point ${zeroPointOf(t)}; TFLite Micro requires symmetric weights`);
  }
  if (zeroPointOf(cellState) !== 0) throw fail('cell state must be symmetric (zero point 0)');
  const fcScale = (act: number, w: Tensor): QuantizedMultiplier => quantizeMultiplier(f32(act * w.quant!.scale[0]) / GATE_SCALE);
  const gate = (k: keyof typeof GATE_INPUTS): LstmGateParams => ({
    ...gateIds(k),
    inputScale: fcScale(sIn, at(GATE_INPUTS[k].w)!),
    recurrentScale: fcScale(sHidden, at(GATE_INPUTS[k].r)!),
  });
  // Inter-gate products: double arithmetic on the float scales.
  const mulScale = (a: number, b: number, out: number): QuantizedMultiplier => quantizeMultiplier((a * b) / out);
  const cellScalePower = log2Rounded(sCell);
  let tanhShift = 15 + cellScalePower - 3;
  let tanhMultiplier: number;
  if (tanhShift < 0) {
    tanhShift = -tanhShift;
    tanhMultiplier = 3;
  } else {
    // A power-of-two scale: fold the shift into the multiplier.
    tanhMultiplier = 3 << tanhShift;
    tanhShift = 0;
  }
  const cellClip = f32(attrs.cellClip);
  const qClip = Math.trunc(Math.min(Math.max(cellClip / sCell, -32768), 32767));
  return {
    dtype: 'int8', timeMajor, batch, timeSteps, inputSize, stateSize,
    inputZeroPoint: zeroPointOf(input),
    hiddenZeroPoint: zeroPointOf(hidden),
    forget: gate('forget'), input: gate('input'), cell: gate('cell'), output: gate('output'),
    forgetCellMul: mulScale(GATE_OUT_SCALE, sCell, sCell),
    inputCellMul: mulScale(GATE_OUT_SCALE, GATE_OUT_SCALE, sCell),
    hiddenMul: mulScale(GATE_OUT_SCALE, GATE_OUT_SCALE, sHidden),
    cellScalePower, tanhMultiplier, tanhShift,
    cellClip, quantizedCellClip: qClip, tensors,
  };
}

/** Gate FC multiply-accumulates plus the three element-wise products per step. */
export function lstmMacs(p: LstmParams): number {
  const s = p.stateSize;
  return p.batch * p.timeSteps * (4 * s * (p.inputSize + s) + 3 * s);
}


// ---------------------------------------------------------------------------------------
// C backend constants (packages/codegen-c/kernels/portable/mlf_seq.h)
// ---------------------------------------------------------------------------------------

/** A C kernel call: the function name and its params struct, keys = C field names. */
export interface CKernelParams {
  kernel: string;
  params: Record<string, number | Int8Array | Int16Array | Int32Array>;
}

/** -zp * sum of each row (length `cols`), plus `base[row]`: an input offset folded into a bias. Wraps like int32. */
function foldOffset(w: ArrayLike<number>, rows: number, cols: number, zp: number, base: ArrayLike<number> | null): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s = (s + w[r * cols + c]) | 0;
    out[r] = ((base ? base[r] : 0) - Math.imul(zp, s)) | 0;
  }
  return out;
}

/** Constants of mlf_svdf_s8 / mlf_svdf_state16_s8 (int8 SVDF only). */
export function svdfCParams(g: Graph, op: Op, index: number): CKernelParams {
  const p = svdfParams(g, op, index);
  if (p.dtype !== 'int8') throw failer(op, index)('the C backend has the int8 SVDF only');
  const wf = constView(g.tensors[p.tensors.weightsFeature]) as Int8Array;
  const wt = constView(g.tensors[p.tensors.weightsTime]) as Int8Array | Int16Array;
  const bias = p.tensors.bias >= 0 ? (constView(g.tensors[p.tensors.bias]) as Int32Array) : null;
  // The time stage subtracts state_zp from every state entry; per unit that is
  // state_zp times the sum of all its filters' time weights.
  const unitBias = foldOffset(wt, p.numUnits, p.rank * p.memorySize, p.stateZeroPoint, bias);
  const params: CKernelParams['params'] = {
    batches: p.batch,
    input_size: p.inputSize,
    num_filters: p.numFilters,
    num_units: p.numUnits,
    rank: p.rank,
    memory_size: p.memorySize,
    state_zp: p.stateZeroPoint,
    out_zp: p.outputZeroPoint,
    mult1: p.scale1.multiplier,
    shift1: p.scale1.shift,
    mult2: p.scale2.multiplier,
    shift2: p.scale2.shift,
    weights_feature: wf,
    feature_bias: foldOffset(wf, p.numFilters, p.inputSize, p.inputZeroPoint, null),
    bias: unitBias,
  };
  if (p.stateDtype === 'int16') params.weights_time16 = wt as Int16Array;
  else params.weights_time = wt as Int8Array;
  return { kernel: p.stateDtype === 'int16' ? 'mlf_svdf_state16_s8' : 'mlf_svdf_s8', params };
}

/** Constants of mlf_lstm_s8 (int8 x int8 -> int16 cell LSTM only). */
export function lstmCParams(g: Graph, op: Op, index: number): CKernelParams {
  const p = lstmParams(g, op, index);
  if (p.dtype !== 'int8') throw failer(op, index)('the C backend has the int8 LSTM only');
  const params: CKernelParams['params'] = {
    batches: p.batch,
    time_steps: p.timeSteps,
    input_size: p.inputSize,
    state_size: p.stateSize,
    time_major: p.timeMajor ? 1 : 0,
    fc_mult: p.forgetCellMul.multiplier,
    fc_shift: p.forgetCellMul.shift,
    ic_mult: p.inputCellMul.multiplier,
    ic_shift: p.inputCellMul.shift,
    h_mult: p.hiddenMul.multiplier,
    h_shift: p.hiddenMul.shift,
    hidden_zp: p.hiddenZeroPoint,
    tanh_mult: p.tanhMultiplier,
    tanh_shift: p.tanhShift,
    clip_cell: p.cellClip > 0 ? 1 : 0,
    cell_clip: p.cellClip > 0 ? p.quantizedCellClip : 0,
  };
  const S = p.stateSize;
  for (const [name, gate] of [['forget', p.forget], ['input', p.input], ['cell', p.cell], ['output', p.output]] as const) {
    const w = constView(g.tensors[gate.inputWeights]) as Int8Array;
    const r = constView(g.tensors[gate.recurrentWeights]) as Int8Array;
    const b = constView(g.tensors[gate.bias]) as Int32Array;
    params[`${name}_w`] = w;
    params[`${name}_r`] = r;
    params[`${name}_bias_w`] = foldOffset(w, S, p.inputSize, p.inputZeroPoint, b);
    params[`${name}_bias_r`] = foldOffset(r, S, S, p.hiddenZeroPoint, null);
    params[`${name}_mult_w`] = gate.inputScale.multiplier;
    params[`${name}_shift_w`] = gate.inputScale.shift;
    params[`${name}_mult_r`] = gate.recurrentScale.multiplier;
    params[`${name}_shift_r`] = gate.recurrentScale.shift;
  }
  return { kernel: 'mlf_lstm_s8', params };
}
