/**
 * A small deterministic int8 keyword-spotting network built with the IR (a DS-CNN in the
 * shape of MLPerf Tiny's kws01): what `mliflow example` writes and deploys when no model is
 * given. Weights come from a seeded PRNG; scales are set from each layer's expected
 * activation spread so that no layer sits saturated or in a few LSBs.
 */
import type { DType, Graph, Quantization, Tensor } from './graph.js';
import type { Op } from './ops.js';
import { prng } from './prng.js';

const SEED = 0x6b7773; // "kws"
const CLASSES = 12;
const CONV1_CHANNELS = 16;
const POINTWISE_CHANNELS = 32;
/**
 * A logit LSB moves a probability by at most half of it; at 1/64 that stays under one output
 * LSB (1/256), so runtimes that differ by an LSB in the logits agree within one after softmax.
 */
const LOGIT_SCALE = 1 / 64;
/** Standard deviation of a uniform int8 value. */
const INT8_STD = 255 / Math.sqrt(12);

export function buildExampleModel(): Graph {
  const rand = prng(SEED);
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * rand();
  const tensors: Tensor[] = [];
  const ops: Op[] = [];

  const add = (name: string, dtype: DType, shape: number[], quant: Quantization | null, data: Uint8Array | null = null): number =>
    tensors.push({ name, dtype, shape, data, quant, isVariable: false }) - 1;
  const perTensor = (scale: number, zeroPoint: number): Quantization => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], axis: 0 });
  const int8Data = (n: number): Int8Array => Int8Array.from({ length: n }, () => Math.round(uniform(-127, 127)));
  const bytes = (a: Int8Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

  /** Int8 weights with `perChannel` scales (or one), sized so the output's spread is about `outStd`. */
  const weights = (name: string, shape: number[], axis: number, perChannel: boolean, fanIn: number, inRms: number, outStd: number) => {
    const channels = perChannel ? shape[axis] : 1;
    const base = outStd / (Math.sqrt(fanIn) * inRms * INT8_STD);
    const scale = Array.from({ length: channels }, () => Math.fround(base * uniform(0.6, 1.4)));
    const q: Quantization = { scale, zeroPoint: scale.map(() => 0), axis };
    return { id: add(name, 'int8', shape, q, bytes(int8Data(shape.reduce((a, b) => a * b, 1)))), scale };
  };
  /** Int32 bias of real spread `std`, in the scale TFLite requires: input scale times weight scale. */
  const bias = (name: string, n: number, inScale: number, wScale: number[], std: number, mean = 0): number => {
    const scale = wScale.map((w) => Math.fround(inScale * w));
    const q = Int32Array.from({ length: n }, (_, c) => Math.round((mean + uniform(-std, std)) / scale[scale.length === 1 ? 0 : c]));
    return add(name, 'int32', [n], { scale, zeroPoint: scale.map(() => 0), axis: 0 }, bytes(q));
  };
  const conv = { padding: 'same', dilationW: 1, dilationH: 1 } as const;

  // Input: MFCC features, as in kws01 (real = 0.5 * (q - 80)).
  const inScale = 0.5;
  const input = add('input', 'int8', [1, 49, 10, 1], perTensor(inScale, 80));
  const inRms = inScale * INT8_STD;

  // conv 3x3 stride 2 + relu: [1,25,5,16]. A relu output of spread s spans about [0, 3s].
  const c1Std = 1.5;
  const c1Scale = Math.fround((3 * c1Std) / 255);
  const w1 = weights('conv1/weights', [CONV1_CHANNELS, 3, 3, 1], 0, true, 9, inRms, c1Std);
  const b1 = bias('conv1/bias', CONV1_CHANNELS, inScale, w1.scale, 0.2 * c1Std);
  const a1 = add('conv1/relu', 'int8', [1, 25, 5, CONV1_CHANNELS], perTensor(c1Scale, -128));
  ops.push({ kind: 'conv_2d', inputs: [input, w1.id, b1], outputs: [a1], attrs: { ...conv, strideW: 2, strideH: 2, activation: 'relu' }, intermediates: [], version: 3 });

  // depthwise 3x3 + relu6: [1,25,5,16], output on relu6's usual [0, 6] grid.
  const d1Std = 2.5;
  const d1Scale = Math.fround(6 / 255);
  const w2 = weights('dw1/weights', [1, 3, 3, CONV1_CHANNELS], 3, true, 9, c1Std / Math.SQRT2, d1Std);
  const b2 = bias('dw1/bias', CONV1_CHANNELS, c1Scale, w2.scale, 0.2 * d1Std);
  const a2 = add('dw1/relu6', 'int8', [1, 25, 5, CONV1_CHANNELS], perTensor(d1Scale, -128));
  ops.push({
    kind: 'depthwise_conv_2d',
    inputs: [a1, w2.id, b2],
    outputs: [a2],
    attrs: { ...conv, strideW: 1, strideH: 1, depthMultiplier: 1, activation: 'relu6' },
    intermediates: [],
    version: 3,
  });

  // pointwise conv, no activation: [1,25,5,32], range about +-2.5 spreads.
  const p1Std = 2;
  const p1Scale = Math.fround((5 * p1Std) / 255);
  const w3 = weights('pw1/weights', [POINTWISE_CHANNELS, 1, 1, CONV1_CHANNELS], 0, true, CONV1_CHANNELS, 1.6, p1Std);
  const b3 = bias('pw1/bias', POINTWISE_CHANNELS, d1Scale, w3.scale, 0.3);
  const a3 = add('pw1/conv', 'int8', [1, 25, 5, POINTWISE_CHANNELS], perTensor(p1Scale, -10));
  ops.push({ kind: 'conv_2d', inputs: [a2, w3.id, b3], outputs: [a3], attrs: { ...conv, strideW: 1, strideH: 1, activation: 'none' }, intermediates: [], version: 3 });

  // average pool over the whole map; TFLite keeps the input's quantization.
  const pool = add('pool', 'int8', [1, 1, 1, POINTWISE_CHANNELS], perTensor(p1Scale, -10));
  ops.push({
    kind: 'average_pool_2d',
    inputs: [a3],
    outputs: [pool],
    attrs: { padding: 'valid', strideW: 5, strideH: 25, filterW: 5, filterH: 25, activation: 'none' },
    intermediates: [],
    version: 2,
  });

  const newShape = [1, POINTWISE_CHANNELS];
  const shapeId = add('flatten/shape', 'int32', [2], null, bytes(Int32Array.from(newShape)));
  const flat = add('flatten', 'int8', newShape, perTensor(p1Scale, -10));
  ops.push({ kind: 'reshape', inputs: [pool, shapeId], outputs: [flat], attrs: { newShape }, intermediates: [], version: 1 });

  // fully connected to the classes (per-tensor weights, as TFLite's converter makes them);
  // the pooled features are mostly the relu6 outputs' positive means, about 2 in RMS.
  const fcStd = 1;
  const w4 = weights('fc/weights', [CLASSES, POINTWISE_CHANNELS], 0, false, POINTWISE_CHANNELS, 2, fcStd);
  const b4 = bias('fc/bias', CLASSES, p1Scale, w4.scale, 0.2);
  const logits = add('fc/logits', 'int8', [1, CLASSES], perTensor(LOGIT_SCALE, 0));
  ops.push({
    kind: 'fully_connected',
    inputs: [flat, w4.id, b4],
    outputs: [logits],
    attrs: { activation: 'none', keepNumDims: false, asymmetricQuantizeInputs: false },
    intermediates: [],
    version: 4,
  });

  // softmax: TFLite requires scale 1/256 and zero point -128 on int8.
  const probs = add('probabilities', 'int8', [1, CLASSES], perTensor(1 / 256, -128));
  ops.push({ kind: 'softmax', inputs: [logits], outputs: [probs], attrs: { beta: 1 }, intermediates: [], version: 2 });

  // TFLite's converter records the oldest runtime that runs the model, NUL-padded to 16 bytes.
  const minRuntime = new Uint8Array(16);
  minRuntime.set(new TextEncoder().encode('1.14.0'));
  return {
    tensors,
    ops,
    inputs: [input],
    outputs: [probs],
    description: 'mliflow example: int8 keyword-spotting DS-CNN with seeded weights',
    version: 3,
    metadata: [{ name: 'min_runtime_version', data: minRuntime }],
    subgraphName: 'main',
  };
}
