/**
 * Kernel variants and passes the shared models do not reach (batches, dilation, depth
 * multipliers, odd channel counts, standalone PAD, MAX_POOL, broadcast ADD, TRANSPOSE,
 * MEAN, requantization between types, per-tensor filters, folded PAD / quantize pairs /
 * constant subgraphs), each a small synthetic graph: the generated C must match the golden
 * executor (itself bit-exact with TFLite Micro) on random records.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoldenExecutor, type Graph } from '@mliflow/ir';
import { diffBytes } from '../../../test/compare.js';
import { compileModel, hostTarget, type CompileSummary } from '../src/index.js';
import { GraphBuilder, randomRecords } from './graph-builder.js';
import { make, run, tempProject } from './helpers.js';

/** An output scale that keeps a conv's int8 result mostly unsaturated. */
function outScale(inScale: number, wScales: number[], fanIn: number): number {
  const w = wScales.reduce((a, b) => a + b, 0) / wScales.length;
  return (inScale * w * 73 * 73 * Math.sqrt(fanIn)) / 40;
}

type Case = {
  name: string;
  build: () => Graph;
  check?: (s: CompileSummary) => void;
  /** The graph the golden executor runs instead, when it cannot run `build`'s. */
  oracle?: (g: Graph) => Graph;
};

const CASES: Case[] = [
  {
    name: 'conv 3x3 stride 2 same, 2 batches, 7 output channels, relu6',
    build: () => {
      const b = new GraphBuilder(11);
      const x = b.act('x', [2, 9, 11, 5], 0.05, -3);
      const { w, b: bias, scales } = b.weights('c', [7, 3, 3, 5], 0, 7, true, 0.05);
      const y = b.act('y', [2, 5, 6, 7], outScale(0.05, scales, 45), 4);
      b.op('conv_2d', [x, w, bias], [y], { padding: 'same', strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, activation: 'relu6' });
      return b.graph([x], [y]);
    },
  },
  {
    name: 'conv 3x3 dilation 2 same',
    build: () => {
      const b = new GraphBuilder(12);
      const x = b.act('x', [1, 8, 8, 3], 0.1, 7);
      const { w, b: bias, scales } = b.weights('c', [4, 3, 3, 3], 0, 4, true, 0.1);
      const y = b.act('y', [1, 8, 8, 4], outScale(0.1, scales, 27), -2);
      b.op('conv_2d', [x, w, bias], [y], { padding: 'same', strideW: 1, strideH: 1, dilationW: 2, dilationH: 2, activation: 'none' });
      return b.graph([x], [y]);
    },
  },
  {
    name: 'conv 1x1 stride 2, per-tensor filter, no bias',
    build: () => {
      const b = new GraphBuilder(13);
      const x = b.act('x', [1, 7, 7, 12], 0.02, 0);
      const { w, scales } = b.weights('c', [9, 1, 1, 12], 0, 9, false, 0.02);
      const y = b.act('y', [1, 4, 4, 9], outScale(0.02, scales, 12), 1);
      b.op('conv_2d', [x, w, -1], [y], { padding: 'valid', strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, activation: 'relu' });
      return b.graph([x], [y]);
    },
    check: (s) => expect(s.operators[0].kernel).toBe('mlf_conv2d_1x1_s8'),
  },
  {
    name: 'depthwise 3x3, depth multiplier 2, valid',
    build: () => {
      const b = new GraphBuilder(14);
      const x = b.act('x', [1, 6, 7, 3], 0.05, -10);
      const { w, b: bias, scales } = b.weights('d', [1, 3, 3, 6], 3, 6, true, 0.05);
      const y = b.act('y', [1, 4, 5, 6], outScale(0.05, scales, 9), 0);
      b.op('depthwise_conv_2d', [x, w, bias], [y], { padding: 'valid', strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, activation: 'none', depthMultiplier: 2 });
      return b.graph([x], [y]);
    },
    check: (s) => expect(s.operators[0].kernel).toBe('mlf_dwconv2d_s8'),
  },
  {
    name: 'depthwise 3x3 stride 2 same, 20 channels, 2 batches, relu',
    build: () => {
      const b = new GraphBuilder(15);
      const x = b.act('x', [2, 9, 9, 20], 0.05, 20);
      const { w, b: bias, scales } = b.weights('d', [1, 3, 3, 20], 3, 20, true, 0.05);
      const y = b.act('y', [2, 5, 5, 20], outScale(0.05, scales, 9), -100);
      b.op('depthwise_conv_2d', [x, w, bias], [y], { padding: 'same', strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, activation: 'relu', depthMultiplier: 1 });
      return b.graph([x], [y]);
    },
    check: (s) => expect(s.operators[0].kernel).toBe('mlf_dwconv2d_3x3_s8'),
  },
  {
    name: 'depthwise 5x5 dilation 2 same',
    build: () => {
      const b = new GraphBuilder(16);
      const x = b.act('x', [1, 10, 10, 4], 0.05, 3);
      const { w, b: bias, scales } = b.weights('d', [1, 5, 5, 4], 3, 4, true, 0.05);
      const y = b.act('y', [1, 10, 10, 4], outScale(0.05, scales, 25), 0);
      b.op('depthwise_conv_2d', [x, w, bias], [y], { padding: 'same', strideW: 1, strideH: 1, dilationW: 2, dilationH: 2, activation: 'none', depthMultiplier: 1 });
      return b.graph([x], [y]);
    },
  },
  {
    name: 'standalone PAD, MAX_POOL and AVERAGE_POOL with padding, broadcast ADD',
    build: () => {
      const b = new GraphBuilder(17);
      const x = b.act('x', [1, 6, 6, 4], 0.05, -3);
      const z = b.act('z', [1, 1, 1, 4], 0.08, 9);
      const pads = b.int32ConstShaped('pads', [4, 2], [0, 0, 1, 1, 2, 0, 0, 0]);
      const p = b.act('p', [1, 8, 8, 4], 0.05, -3);
      b.op('pad', [x, pads], [p], {});
      const mp = b.act('mp', [1, 4, 4, 4], 0.05, -3);
      b.op('max_pool_2d', [p], [mp], { padding: 'same', strideW: 2, strideH: 2, filterW: 3, filterH: 3, activation: 'none' });
      const ap = b.act('ap', [1, 4, 4, 4], 0.05, -3);
      b.op('average_pool_2d', [p], [ap], { padding: 'same', strideW: 2, strideH: 2, filterW: 3, filterH: 3, activation: 'relu' });
      const s1 = b.act('s1', [1, 4, 4, 4], 0.1, 2);
      b.op('add', [mp, z], [s1], { activation: 'none', potScaleInt16: true });
      const s2 = b.act('s2', [1, 4, 4, 4], 0.12, -7);
      b.op('add', [s1, ap], [s2], { activation: 'relu6', potScaleInt16: true });
      return b.graph([x, z], [s2]);
    },
    check: (s) => expect(s.operators.map((o) => o.kernel)).toContain('mlf_pad'),
  },
  {
    name: 'TRANSPOSE, MEAN over a middle axis, QUANTIZE int8 -> int16 -> int8',
    build: () => {
      const b = new GraphBuilder(18);
      const x = b.act('x', [1, 4, 6, 5], 0.05, -3);
      const perm = b.int32Const('perm', [0, 3, 1, 2]);
      const t = b.act('t', [1, 5, 4, 6], 0.05, -3);
      b.op('transpose', [x, perm], [t], {});
      const axes = b.int32Const('axes', [2]);
      const m = b.act('m', [1, 5, 6], 0.03, 5);
      b.op('mean', [t, axes], [m], { keepDims: false });
      const q16 = b.act('q16', [1, 5, 6], 0.0007, 0, 'int16');
      b.op('quantize', [m], [q16], {});
      const q8 = b.act('q8', [1, 5, 6], 0.045, -1);
      b.op('quantize', [q16], [q8], {});
      return b.graph([x], [q8]);
    },
  },
  {
    name: 'FULLY_CONNECTED per-tensor over 3 batches, then per-channel with relu',
    build: () => {
      const b = new GraphBuilder(19);
      const x = b.act('x', [3, 20], 0.05, 11);
      const f1 = b.weights('f1', [10, 20], 0, 10, false, 0.05);
      const h = b.act('h', [3, 10], outScale(0.05, f1.scales, 20), -4);
      b.op('fully_connected', [x, f1.w, f1.b], [h], { activation: 'none', keepNumDims: false, asymmetricQuantizeInputs: false });
      const hs = b.tensors[h].quant!.scale[0];
      const f2 = b.weights('f2', [6, 10], 0, 6, true, hs);
      const y = b.act('y', [3, 6], outScale(hs, f2.scales, 10), -128);
      b.op('fully_connected', [h, f2.w, f2.b], [y], { activation: 'relu', keepNumDims: false, asymmetricQuantizeInputs: false });
      return b.graph([x], [y]);
    },
  },
  {
    name: 'SOFTMAX int8 with beta 0.5 over 10 rows',
    build: () => {
      const b = new GraphBuilder(20);
      const x = b.act('x', [2, 5, 7], 0.1, 3);
      const y = b.act('y', [2, 5, 7], 1 / 256, -128);
      b.op('softmax', [x], [y], { beta: 0.5 });
      return b.graph([x], [y]);
    },
  },
  {
    name: 'asymmetric PAD fused into a valid stride-2 conv',
    build: () => {
      const b = new GraphBuilder(21);
      const x = b.act('x', [1, 7, 8, 3], 0.05, 5);
      const pads = b.int32ConstShaped('pads', [4, 2], [0, 0, 1, 2, 0, 1, 0, 0]);
      const p = b.act('p', [1, 10, 9, 3], 0.05, 5);
      b.op('pad', [x, pads], [p], {});
      const { w, b: bias, scales } = b.weights('c', [6, 3, 3, 3], 0, 6, true, 0.05);
      const y = b.act('y', [1, 4, 4, 6], outScale(0.05, scales, 27), 0);
      b.op('conv_2d', [p, w, bias], [y], { padding: 'valid', strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, activation: 'none' });
      return b.graph([x], [y]);
    },
    check: (s) => expect(s.operators[0].kernel).toMatch(/^none \(fused into operator #1/),
  },
  {
    name: 'DEQUANTIZE -> QUANTIZE folds to one requantization',
    build: () => {
      const b = new GraphBuilder(22);
      const x = b.act('x', [1, 10], 0.1, 2);
      const f = b.tensor('f', 'float32', [1, 10], null);
      b.op('dequantize', [x], [f], {});
      const y = b.act('y', [1, 10], 0.07, -5);
      b.op('quantize', [f], [y], {});
      return b.graph([x], [y]);
    },
    check: (s) => {
      expect(s.operators[0].kernel).toMatch(/^none \(folded into operator #1/);
      expect(s.operators[1].kernel).toBe('mlf_requant_s8_s8');
    },
  },
  {
    name: 'constant subgraph (TRANSPOSE of weights) evaluated at compile time',
    build: () => {
      const b = new GraphBuilder(23);
      const x = b.act('x', [1, 8], 0.05, 1);
      const raw = b.int8Const('wt', [8, 16], b.q(0.01, 0));
      const perm = b.int32Const('perm', [1, 0]);
      const w = b.tensor('w', 'int8', [16, 8], b.q(0.01, 0));
      b.op('transpose', [raw, perm], [w], {});
      const y = b.act('y', [1, 16], outScale(0.05, [0.01], 8), 0);
      b.op('fully_connected', [x, w, -1], [y], { activation: 'none', keepNumDims: false, asymmetricQuantizeInputs: false });
      return b.graph([x], [y]);
    },
    check: (s) => expect(s.operators[0].kernel).toMatch(/^none \(constant/),
    // The golden executor wants constant FC weights: give it the transposed tensor.
    oracle: (g) => {
      const raw = new Int8Array(g.tensors[1].data!.buffer, g.tensors[1].data!.byteOffset, 128);
      const t = new Int8Array(128);
      for (let i = 0; i < 8; i++) for (let j = 0; j < 16; j++) t[j * 8 + i] = raw[i * 16 + j];
      const tensors = g.tensors.map((x, id) => (id === 3 ? { ...x, data: new Uint8Array(t.buffer) } : x));
      return { ...g, tensors, ops: [g.ops[1]] };
    },
  },
];

describe('kernels against the golden executor', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const g = c.build();
    const records = randomRecords(g, 5);
    const expected = new GoldenExecutor(c.oracle ? c.oracle(g) : g).runRecords(records);
    const p = compileModel(g, { target: hostTarget(), modelName: 'synthetic' });
    c.check?.(p.summary);
    const dir = tempProject(p, 'synthetic');
    try {
      await make(dir);
      writeFileSync(join(dir, 'in.bin'), records);
      await run(join(dir, p.summary.executable), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
      const d = diffBytes(new Uint8Array(readFileSync(join(dir, 'out.bin'))), expected);
      expect(d.summary).toBe('0 differing bytes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
