/**
 * What the rest of mliflow assumes of a graph, checked once after reading so that passes,
 * kernels and the memory planner need not: a dataflow order, supported dtypes, quantized
 * activations with usable parameters, and bounded memory for a crafted file.
 */
import { ModelFormatError, UnsupportedError } from './errors.js';
import { DTYPE_BYTES, tensorLabel, type DType, type Graph } from './graph.js';
import { opLabel, type Activation, type OpKind } from './ops.js';
import { dtypeRange } from './quant.js';
import { readTfliteFile, type ReadInfo } from './tflite/reader.js';

/** Sum of all non-constant tensors; a crafted file must not make mliflow allocate more. */
export const MAX_ACTIVATION_BYTES = 1024 * 1024 * 1024;

const QUANTIZED: ReadonlySet<DType> = new Set(['int8', 'int16', 'uint8']);
const QUANTIZED_CONST: ReadonlySet<DType> = new Set(['int8', 'uint8', 'int16', 'int32']);

const F32: DType = 'float32';
interface DtypeRule {
  /** Dtypes of input 0. */
  input: readonly DType[];
  /** Dtypes of output 0; 'same' when it must equal input 0's. */
  output: readonly DType[] | 'same';
}
const ALL: DType[] = ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool'];
const ARITH: DType[] = [F32, 'int8', 'int16'];
const same = (input: DType[]): DtypeRule => ({ input, output: 'same' });

/** The dtypes of each operator's activation that the golden kernels (TFLite Micro's) define. */
const DTYPES: Record<OpKind, DtypeRule> = {
  add: same([F32, 'int8', 'int16', 'int32']),
  average_pool_2d: same(ARITH),
  max_pool_2d: same(ARITH),
  conv_2d: same(ARITH),
  depthwise_conv_2d: same(ARITH),
  fully_connected: same(ARITH),
  reshape: same(ALL),
  softmax: { input: ARITH, output: ARITH },
  svdf: same([F32, 'int8']),
  pad: same([F32, 'int8', 'int16', 'int32']),
  transpose: same([F32, 'int8', 'int16', 'int32']),
  mean: same(ARITH),
  unidirectional_sequence_lstm: same(ARITH),
  quantize: { input: [F32, 'int8', 'int16', 'uint8'], output: ['int8', 'int16', 'uint8', 'int32'] },
  dequantize: { input: ['int8', 'int16', 'uint8'], output: [F32] },
  relu: same(ARITH),
  relu6: same(ARITH),
};

/** Fused activations that clamp; TFLite Micro's kernels reject the others (tanh, sign_bit). */
const CLAMPS: ReadonlySet<Activation> = new Set(['none', 'relu', 'relu_n1_to_1', 'relu6']);
const CLAMPED_KINDS: ReadonlySet<OpKind> = new Set(['add', 'average_pool_2d', 'max_pool_2d', 'conv_2d', 'depthwise_conv_2d', 'fully_connected']);

export function validateGraph(g: Graph, file: string): void {
  function fail(msg: string): never {
    throw new ModelFormatError(`${file}: ${msg}`);
  }
  function unsupported(msg: string): never {
    throw new UnsupportedError(`${file}: ${msg}`);
  }
  const nT = g.tensors.length;
  const inRange = (id: number, what: string): void => {
    if (!Number.isInteger(id) || id < 0 || id >= nT) fail(`${what} refers to tensor ${id}, but the graph has ${nT} tensors`);
  };

  // Tensors: sizes first, so nothing below multiplies an unchecked shape.
  let activationBytes = 0;
  g.tensors.forEach((t, i) => {
    let elements = 1;
    for (const d of t.shape) {
      if (!Number.isInteger(d) || d < 0) fail(`${tensorLabel(g, i)} has an invalid dimension in shape [${t.shape.join(',')}]`);
      elements = Math.min(elements * d, Number.MAX_SAFE_INTEGER);
    }
    const bytes = elements * DTYPE_BYTES[t.dtype];
    if (t.data) {
      if (t.data.length !== bytes) fail(`${tensorLabel(g, i)} needs ${bytes} bytes for shape [${t.shape.join(',')}], but has ${t.data.length}`);
    } else {
      activationBytes += bytes;
      if (!(activationBytes <= MAX_ACTIVATION_BYTES)) {
        unsupported(`activations need over ${MAX_ACTIVATION_BYTES} bytes (${tensorLabel(g, i)} has shape [${t.shape.join(',')}]); mliflow refuses the model`);
      }
    }
  });

  if (g.inputs.length === 0) fail('the graph has no inputs');
  if (g.outputs.length === 0) fail('the graph has no outputs');
  g.inputs.forEach((id, k) => {
    inRange(id, `graph input ${k}`);
    if (g.tensors[id].data) fail(`graph input ${k} (${tensorLabel(g, id)}) is a constant`);
  });
  g.outputs.forEach((id, k) => inRange(id, `graph output ${k}`));

  // Dataflow: a tensor is available once it is constant, a graph input, a variable or
  // computed by an earlier operator, and each is computed at most once.
  const available = new Uint8Array(nT);
  g.tensors.forEach((t, i) => {
    if (t.data || t.isVariable) available[i] = 1;
  });
  for (const id of g.inputs) available[id] = 1;
  const graphInputs = new Set(g.inputs);
  const producer = new Int32Array(nT).fill(-1);
  g.ops.forEach((op, i) => {
    const label = opLabel(i, op);
    const rule = DTYPES[op.kind];
    if (!rule) unsupported(`${label}: mliflow has no operator of this kind`);
    if (op.outputs.length === 0) fail(`${label} has no outputs`);
    op.inputs.forEach((id, k) => {
      if (id === -1) return;
      inRange(id, `${label} input ${k}`);
      if (!available[id]) fail(`${label} input ${k} (${tensorLabel(g, id)}) is read before any operator computes it`);
    });
    op.intermediates.forEach((id, k) => inRange(id, `${label} intermediate ${k}`));
    op.outputs.forEach((id, k) => {
      inRange(id, `${label} output ${k}`);
      const what = `${label} output ${k} (${tensorLabel(g, id)})`;
      const t = g.tensors[id];
      if (t.data) fail(`${what} is a constant, which an operator must not write`);
      if (t.isVariable) fail(`${what} is a variable, which operators update through their inputs`);
      if (graphInputs.has(id)) fail(`${what} is a graph input`);
      if (producer[id] >= 0) fail(`${what} is also computed by ${opLabel(producer[id], g.ops[producer[id]])}`);
      producer[id] = i;
      available[id] = 1;
    });

    if (CLAMPED_KINDS.has(op.kind)) {
      const act = (op.attrs as { activation: Activation }).activation;
      if (!CLAMPS.has(act)) unsupported(`${label} has fused activation ${act}; mliflow fuses only ${[...CLAMPS].join(', ')}`);
    }

    const inId = op.inputs[0];
    if (inId === undefined || inId === -1) fail(`${label} has no input 0`);
    const inType = g.tensors[inId].dtype;
    const outType = g.tensors[op.outputs[0]].dtype;
    if (!rule.input.includes(inType)) unsupported(`${label} on ${inType} input (${tensorLabel(g, inId)}) is not supported; it takes ${rule.input.join(', ')}`);
    const outTypes = rule.output === 'same' ? [inType] : rule.output;
    if (!outTypes.includes(outType)) {
      unsupported(`${label} with ${inType} input and ${outType} output (${tensorLabel(g, op.outputs[0])}) is not supported; the output must be ${outTypes.join(' or ')}`);
    }
  });
  g.outputs.forEach((id, k) => {
    if (!available[id]) fail(`graph output ${k} (${tensorLabel(g, id)}) is never computed`);
  });

  // Quantized activations: every tensor that flows between operators or in and out of the graph.
  const activations = new Set<number>([...g.inputs, ...g.outputs]);
  for (const op of g.ops) for (const id of [...op.inputs, ...op.outputs]) if (id !== -1 && !g.tensors[id].data) activations.add(id);
  for (const id of [...activations].sort((a, b) => a - b)) {
    const t = g.tensors[id];
    if (!QUANTIZED.has(t.dtype)) continue;
    const q = t.quant;
    if (!q) fail(`${tensorLabel(g, id)} is an activation of type ${t.dtype} without quantization parameters`);
    if (q.scale.length !== 1) unsupported(`${tensorLabel(g, id)} is an activation with ${q.scale.length} per-channel scales; activations take one`);
    if (!(q.scale[0] > 0 && Number.isFinite(q.scale[0]))) fail(`${tensorLabel(g, id)} has quantization scale ${q.scale[0]}; it must be positive and finite`);
    const [lo, hi] = dtypeRange(t.dtype);
    const zp = q.zeroPoint[0];
    if (!(Number.isInteger(zp) && zp >= lo && zp <= hi)) fail(`${tensorLabel(g, id)} has zero point ${zp}, outside the ${t.dtype} range [${lo}, ${hi}]`);
  }

  // Quantized constants (weights, biases): a zero, negative or NaN scale would quietly turn
  // every multiplier derived from it into 0.
  g.tensors.forEach((t, id) => {
    if (!t.data || t.isVariable || !t.quant || !QUANTIZED_CONST.has(t.dtype)) return;
    const bad = t.quant.scale.findIndex((sc) => !(sc > 0 && Number.isFinite(sc)));
    if (bad >= 0) fail(`${tensorLabel(g, id)} has quantization scale ${t.quant.scale[bad]}${t.quant.scale.length > 1 ? ` in channel ${bad}` : ''}; it must be positive and finite`);
  });
}

/** The CLI's way in: read a .tflite file and validate it, each failure one line naming the file. */
export function readValidatedTfliteFile(path: string): Graph & { info: ReadInfo } {
  const g = readTfliteFile(path);
  validateGraph(g, path);
  return g;
}
