/**
 * 16x8 test graphs shared by the golden-vs-TFLite and the C-vs-golden tests: real models
 * turned into TFLite's 16x8 form (to16x8), and small synthetic graphs for the variants
 * the models do not reach.
 */
import { join } from 'node:path';
import { loadVectors, readTfliteFile, type Graph, type Quantization } from '@mliflow/ir';
import { GraphBuilder, randomRecords } from '../packages/codegen-c/test/graph-builder.js';
import { MODELS, VECTORS } from './paths.js';
import { records16, to16x8 } from './to16x8.js';

export interface Case16 {
  name: string;
  graph: Graph;
  records: Uint8Array;
  count: number;
  /** Why the TFLite runtime cannot be the reference for this graph (then only TFLite Micro's arithmetic, via the C test). */
  notRuntime?: string;
}

/** A shared model in 16x8 form with its first `count` vector records, requantized. */
export function modelCase(model: string, count: number, opts: { int32Bias?: boolean } = {}): Case16 {
  const vec = loadVectors(join(VECTORS, model));
  const g8 = readTfliteFile(join(MODELS, vec.manifest.model));
  const n = Math.min(count, vec.manifest.count);
  const per = vec.inputs.length / vec.manifest.count;
  return { name: `${model}${opts.int32Bias ? ' (int32 bias)' : ''}`, graph: to16x8(g8, opts), records: records16(g8, vec.inputs.subarray(0, per * n)), count: n };
}

const q16 = (b: GraphBuilder, s: number): Quantization => b.q(s, 0);

/** int8 weights and a bias of the given type, scaled for an int16 input of scale inScale. */
function weights16(b: GraphBuilder, name: string, shape: number[], axis: number, channels: number, perChannel: boolean, inScale: number, bias: 'int64' | 'int32' | 'none') {
  const scales = Array.from({ length: perChannel ? channels : 1 }, () => Math.fround(0.004 + b.rand() * 0.01));
  const w = b.int8Const(`${name}/w`, shape, b.q(scales, 0, axis));
  if (bias === 'none') return { w, bias: -1, scales };
  const values = Array.from({ length: channels }, () => Math.round((b.rand() - 0.5) * 2e6));
  const bq = b.q(scales.length > 1 ? scales.map((s) => inScale * s) : new Array(channels).fill(inScale * scales[0]), 0);
  const data = bias === 'int64' ? new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer) : new Uint8Array(Int32Array.from(values).buffer);
  return { w, bias: b.tensor(`${name}/b`, bias, [channels], bq, data), scales };
}

/**
 * An output scale that keeps most int16 results unsaturated: with uniform int16 inputs and
 * int8 weights, a sum's spread is about 32768 * 127 * sqrt(fanIn) / 3, mapped to +-10000.
 */
function outScale(inScale: number, wScales: number[], fanIn: number): number {
  const w = wScales.reduce((a, c) => a + c, 0) / wScales.length;
  return Math.fround((inScale * w * 32768 * 127 * Math.sqrt(fanIn)) / 3 / 10000);
}

export function synthetic(name: string, seed: number, build: (b: GraphBuilder) => Graph, notRuntime?: string): Case16 {
  const b = new GraphBuilder(seed);
  const graph = build(b);
  const count = 3;
  return { name, graph, records: randomRecords(graph, count, seed), count, notRuntime };
}

/**
 * ADD with power-of-two scales, as pow2-16x8 models have. With pot_scale_int16 true (the
 * schema's default) TFLite takes its power-of-two path, which TFLite Micro does not have.
 */
export function addPot(b: GraphBuilder, potScaleInt16: boolean): Graph {
  const x = b.tensor('x', 'int16', [1, 4, 5, 6], q16(b, 2 ** -12));
  const z = b.tensor('z', 'int16', [1, 4, 5, 6], q16(b, 2 ** -10));
  const y = b.tensor('y', 'int16', [1, 4, 5, 6], q16(b, 2 ** -10));
  b.op('add', [x, z], [y], { activation: 'none', potScaleInt16 });
  return b.graph([x, z], [y]);
}

export function syntheticCases(): Case16[] {
  return [
    synthetic('conv 3x3 stride 2 same dilation 1, 2 batches, int64 bias, relu', 21, (b) => {
      const x = b.tensor('x', 'int16', [2, 9, 11, 5], q16(b, 0.0005));
      const { w, bias, scales } = weights16(b, 'c', [7, 3, 3, 5], 0, 7, true, 0.0005, 'int64');
      const y = b.tensor('y', 'int16', [2, 5, 6, 7], q16(b, outScale(0.0005, scales, 45)));
      b.op('conv_2d', [x, w, bias], [y], { padding: 'same', strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, activation: 'relu' });
      return b.graph([x], [y]);
    }),
    synthetic('conv 3x3 dilation 2, no bias', 22, (b) => {
      const x = b.tensor('x', 'int16', [1, 8, 8, 3], q16(b, 0.001));
      const { w, scales } = weights16(b, 'c', [4, 3, 3, 3], 0, 4, true, 0.001, 'none');
      const y = b.tensor('y', 'int16', [1, 8, 8, 4], q16(b, outScale(0.001, scales, 27)));
      b.op('conv_2d', [x, w, -1], [y], { padding: 'same', strideW: 1, strideH: 1, dilationW: 2, dilationH: 2, activation: 'none' });
      return b.graph([x], [y]);
    }, "the runtime's 16x8 CONV_2D requires a bias"),
    synthetic('conv 1x1 stride 2, per-tensor filter, int32 bias', 29, (b) => {
      const x = b.tensor('x', 'int16', [1, 7, 7, 12], q16(b, 0.0005));
      const { w, bias, scales } = weights16(b, 'c', [9, 1, 1, 12], 0, 9, false, 0.0005, 'int32');
      const y = b.tensor('y', 'int16', [1, 4, 4, 9], q16(b, outScale(0.0005, scales, 12)));
      b.op('conv_2d', [x, w, bias], [y], { padding: 'valid', strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, activation: 'none' });
      return b.graph([x], [y]);
    }, "the runtime's 16x8 kernels with int32 bias are not the reference arithmetic"),
    synthetic('fully connected, per-channel filter, int32 bias', 30, (b) => {
      const x = b.tensor('x', 'int16', [2, 33], q16(b, 0.0003));
      const { w, bias, scales } = weights16(b, 'f', [7, 33], 0, 7, true, 0.0003, 'int32');
      const y = b.tensor('y', 'int16', [2, 7], q16(b, outScale(0.0003, scales, 33)));
      b.op('fully_connected', [x, w, bias], [y], { activation: 'relu', keepNumDims: false, asymmetricQuantizeInputs: false });
      return b.graph([x], [y]);
    }, "the runtime's 16x8 kernels with int32 bias are not the reference arithmetic"),
    synthetic('depthwise 3x3, depth multiplier 2, valid, relu6', 23, (b) => {
      const x = b.tensor('x', 'int16', [1, 6, 7, 3], q16(b, 0.0004));
      const { w, bias, scales } = weights16(b, 'd', [1, 3, 3, 6], 3, 6, true, 0.0004, 'int64');
      const y = b.tensor('y', 'int16', [1, 4, 5, 6], q16(b, outScale(0.0004, scales, 9)));
      b.op('depthwise_conv_2d', [x, w, bias], [y], { padding: 'valid', strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, activation: 'relu6', depthMultiplier: 2 });
      return b.graph([x], [y]);
    }),
    synthetic('fully connected, per-tensor filter, int64 bias, 3 batches', 24, (b) => {
      const x = b.tensor('x', 'int16', [3, 40], q16(b, 0.0003));
      const { w, bias, scales } = weights16(b, 'f', [10, 40], 0, 10, false, 0.0003, 'int64');
      const y = b.tensor('y', 'int16', [3, 10], q16(b, outScale(0.0003, scales, 40)));
      b.op('fully_connected', [x, w, bias], [y], { activation: 'none', keepNumDims: false, asymmetricQuantizeInputs: false });
      return b.graph([x], [y]);
    }),
    synthetic('add with broadcasting, different scales, relu', 25, (b) => {
      const x = b.tensor('x', 'int16', [1, 4, 5, 6], q16(b, 0.0003));
      const z = b.tensor('z', 'int16', [1, 1, 5, 6], q16(b, 0.0007));
      const y = b.tensor('y', 'int16', [1, 4, 5, 6], q16(b, 0.0009));
      b.op('add', [x, z], [y], { activation: 'relu', potScaleInt16: false });
      return b.graph([x, z], [y]);
    }),
    synthetic('add, power-of-two scales', 34, (b) => addPot(b, false)),
    synthetic('max pool 3x3 stride 2 same, average pool 2x2 valid', 26, (b) => {
      const x = b.tensor('x', 'int16', [1, 9, 9, 4], q16(b, 0.001));
      const m = b.tensor('m', 'int16', [1, 5, 5, 4], q16(b, 0.001));
      const y = b.tensor('y', 'int16', [1, 2, 2, 4], q16(b, 0.001));
      b.op('max_pool_2d', [x], [m], { padding: 'same', strideW: 2, strideH: 2, filterW: 3, filterH: 3, activation: 'none' });
      b.op('average_pool_2d', [m], [y], { padding: 'valid', strideW: 2, strideH: 2, filterW: 2, filterH: 2, activation: 'relu6' });
      return b.graph([x], [y, m]);
    }),
    synthetic('softmax int16, beta 0.5, 3 rows', 27, (b) => {
      const x = b.tensor('x', 'int16', [3, 17], q16(b, 0.0004));
      const y = b.tensor('y', 'int16', [3, 17], q16(b, 1 / 32768));
      b.op('softmax', [x], [y], { beta: 0.5 });
      return b.graph([x], [y]);
    }),
    synthetic('pad, transpose', 32, (b) => {
      const x = b.tensor('x', 'int16', [1, 6, 5, 4], q16(b, 0.0004));
      const pads = b.int32ConstShaped('pads', [4, 2], [0, 0, 1, 1, 0, 2, 0, 0]);
      const p = b.tensor('p', 'int16', [1, 8, 7, 4], q16(b, 0.0004));
      b.op('pad', [x, pads], [p], {});
      const perm = b.int32Const('perm', [0, 3, 1, 2]);
      const t = b.tensor('t', 'int16', [1, 4, 8, 7], q16(b, 0.0004));
      b.op('transpose', [p, perm], [t], {});
      return b.graph([x], [t]);
    }),
    synthetic(
      'mean over two axes',
      33,
      (b) => {
        const x = b.tensor('x', 'int16', [1, 4, 8, 7], q16(b, 0.0004));
        const axes = b.int32Const('axes', [2, 3]);
        const m = b.tensor('m', 'int16', [1, 4], q16(b, 0.0001));
        b.op('mean', [x, axes], [m], { keepDims: false });
        return b.graph([x], [m]);
      },
      "the runtime's int16 MEAN is not TFLite Micro's QuantizedMeanOrSum (1 LSB apart on some values)",
    ),
    synthetic('quantize int16 to int8, int16 rescale', 28, (b) => {
      const x = b.tensor('x', 'int16', [2, 50], q16(b, 0.0002));
      const a = b.tensor('a', 'int8', [2, 50], b.q(0.03, 5));
      const d = b.tensor('d', 'int16', [2, 50], q16(b, 0.0003));
      b.op('quantize', [x], [a], {});
      b.op('quantize', [x], [d], {});
      return b.graph([x], [a, d]);
    }),
    synthetic('quantize int8 to int16', 31, (b) => {
      const x = b.tensor('x', 'int8', [2, 50], b.q(0.03, 5));
      const d = b.tensor('d', 'int16', [2, 50], q16(b, 0.0003));
      b.op('quantize', [x], [d], {});
      return b.graph([x], [d]);
    }, "the runtime's QUANTIZE refuses int8 to int16"),
  ];
}
