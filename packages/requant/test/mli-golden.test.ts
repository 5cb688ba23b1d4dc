/**
 * The golden `mli` numerics against the real embARC MLI 2.0.2: seeded random cases per kernel
 * (shapes, strides, paddings, dilations, per-channel scales, zero points, ReLU types) become
 * one-operator IR graphs; planMli plans each, the golden executor runs it with mliNumerics,
 * and a small C driver linked with libmli.a runs the plan's call. Outputs must agree to the
 * byte, in each x86_64 variant, the -debug builds included (they abort on any misuse).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { computeOutSize, GoldenExecutor, prng, type Activation, type Graph, type Op, type OpKind, type Tensor } from '@mliflow/ir';
import { findMliLibrary, isMliPlan, mliNumerics, planMli, softmaxLut, type MliOpPlan, type MliSaParams, type MliVariant } from '@mliflow/requant';
import { SHARED } from '../../../test/paths.js';

const MLI_ROOT = process.env.MLI_ROOT ?? join(SHARED, 'mli', 'embarc_mli-2.0.2');
const DRIVER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'mli-driver.c');
const work = mkdtempSync(join(tmpdir(), 'mli-golden-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Rnd = () => number;
const int = (r: Rnd, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

function tensor(name: string, shape: number[], scale: number[] | null, zp: number[], data: Uint8Array | null = null, dtype: Tensor['dtype'] = 'int8', axis = 0): Tensor {
  return { name, dtype, shape, data, quant: scale ? { scale, zeroPoint: zp, axis } : null, isVariable: false };
}
function randBytes(r: Rnd, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 0, 255);
  return b;
}
function graph(tensors: Tensor[], kind: OpKind, inputs: number[], attrs: unknown): Graph {
  const op = { kind, inputs, outputs: [tensors.length - 1], attrs, intermediates: [], version: 1 } as unknown as Op;
  return { tensors, ops: [op], inputs: [0], outputs: [tensors.length - 1], description: '', version: 3, metadata: [], subgraphName: '' };
}
const ACTS: Activation[] = ['none', 'relu', 'relu6', 'relu_n1_to_1'];

function convCase(r: Rnd, depthwise: boolean): Graph | null {
  const inH = int(r, 1, 9), inW = int(r, 1, 9);
  // A depthwise over one channel with a depth multiplier is planned as an MLI conv.
  const multiplier = depthwise && r() < 0.2 ? int(r, 2, 6) : 1;
  const inC = multiplier > 1 ? 1 : int(r, 1, 6);
  const outC = depthwise ? inC * multiplier : int(r, 1, 6);
  const k = pick(r, [1, 2, 3, 3, 5, 4]);
  const kH = r() < 0.8 ? k : int(r, 1, 4), kW = r() < 0.8 ? k : int(r, 1, 4);
  const sH = int(r, 1, 3), sW = r() < 0.7 ? sH : int(r, 1, 3);
  const d = r() < 0.8 ? 1 : 2;
  const padding = pick(r, ['same', 'valid'] as const);
  const outH = computeOutSize(padding, inH, kH, sH, d), outW = computeOutSize(padding, inW, kW, sW, d);
  if (outH < 1 || outW < 1) return null;
  const perChannel = r() < 0.6;
  const wScales = Array.from({ length: perChannel ? outC : 1 }, () => 2 ** (r() * 6 - 11));
  // An output scale that puts the typical accumulator (random int8 data) at 16 to 128 steps.
  const inScale = 2 ** (r() * 6 - 8), outScale = (Math.sqrt(kH * kW * (depthwise ? 1 : inC)) * 5476 * inScale * wScales[0]) / 2 ** (r() * 3 + 4);
  const bias = new Int32Array(outC).map(() => (r() < 0.2 ? int(r, -(2 ** 24), 2 ** 24) : int(r, -20000, 20000)));
  const filterShape = depthwise ? [1, kH, kW, outC] : [outC, kH, kW, inC];
  const tensors = [
    tensor('in', [1, inH, inW, inC], [inScale], [int(r, -128, 127)]),
    tensor('w', filterShape, wScales, wScales.map(() => 0), randBytes(r, filterShape.reduce((a, b) => a * b, 1)), 'int8', depthwise ? 3 : 0),
    tensor('b', [outC], wScales.map((s) => s * inScale), wScales.map(() => 0), new Uint8Array(bias.buffer), 'int32'),
    tensor('out', [1, outH, outW, outC], [outScale], [int(r, -128, 127)]),
  ];
  const attrs = { padding, strideH: sH, strideW: sW, dilationH: d, dilationW: d, activation: pick(r, ACTS), ...(depthwise ? { depthMultiplier: multiplier } : {}) };
  return graph(tensors, depthwise ? 'depthwise_conv_2d' : 'conv_2d', [0, 1, 2], attrs);
}

function fcCase(r: Rnd): Graph {
  const n = int(r, 1, 64), m = int(r, 1, 24);
  const perChannel = r() < 0.3;
  const wScales = Array.from({ length: perChannel ? m : 1 }, () => 2 ** (r() * 6 - 11));
  const inScale = 2 ** (r() * 6 - 8);
  const outScale = (Math.sqrt(n) * 5476 * inScale * wScales[0]) / 2 ** (r() * 3 + 4);
  const bias = new Int32Array(m).map(() => (r() < 0.2 ? int(r, -(2 ** 24), 2 ** 24) : int(r, -20000, 20000)));
  const tensors = [
    tensor('in', [1, n], [inScale], [int(r, -128, 127)]),
    tensor('w', [m, n], wScales, wScales.map(() => 0), randBytes(r, m * n)),
    tensor('b', [m], wScales.map((s) => s * inScale), wScales.map(() => 0), new Uint8Array(bias.buffer), 'int32'),
    tensor('out', [1, m], [outScale], [int(r, -128, 127)]),
  ];
  return graph(tensors, 'fully_connected', [0, 1, 2], { activation: pick(r, ACTS), keepNumDims: false, asymmetricQuantizeInputs: false });
}

function poolCase(r: Rnd, max: boolean): Graph | null {
  const inH = int(r, 1, 10), inW = int(r, 1, 10), C = int(r, 1, 5);
  const k = pick(r, [1, 2, 3, 4, 5]);
  const fH = r() < 0.7 ? k : int(r, 1, 5), fW = r() < 0.7 ? k : int(r, 1, 5);
  const sH = int(r, 1, 3), sW = r() < 0.7 ? sH : int(r, 1, 3);
  const padding = pick(r, ['same', 'valid'] as const);
  const outH = computeOutSize(padding, inH, fH, sH, 1), outW = computeOutSize(padding, inW, fW, sW, 1);
  if (outH < 1 || outW < 1) return null;
  const scale = 2 ** (r() * 8 - 8), zp = int(r, -128, 127);
  const tensors = [tensor('in', [1, inH, inW, C], [scale], [zp]), tensor('out', [1, outH, outW, C], [scale], [zp])];
  return graph(tensors, max ? 'max_pool_2d' : 'average_pool_2d', [0], { padding, strideH: sH, strideW: sW, filterH: fH, filterW: fW, activation: 'none' });
}

function meanCase(r: Rnd): Graph {
  const H = int(r, 1, 12), W = int(r, 1, 12), C = int(r, 1, 6);
  const axes = new Int32Array([1, 2]);
  const tensors = [
    tensor('in', [1, H, W, C], [2 ** (r() * 8 - 8)], [int(r, -128, 127)]),
    tensor('axes', [2], null, [], new Uint8Array(axes.buffer), 'int32'),
    tensor('out', [1, 1, 1, C], [2 ** (r() * 8 - 8)], [int(r, -128, 127)]),
  ];
  return graph(tensors, 'mean', [0, 1], { keepDims: true });
}

function permuteCase(r: Rnd): Graph {
  const rank = int(r, 2, 4);
  const shape = Array.from({ length: rank }, () => int(r, 1, 5));
  const perm = [...Array(rank).keys()].sort(() => r() - 0.5);
  const p = new Int32Array(perm);
  const tensors = [
    tensor('in', shape, [0.05], [3]),
    tensor('perm', [rank], null, [], new Uint8Array(p.buffer), 'int32'),
    tensor('out', perm.map((i) => shape[i]), [0.05], [3]),
  ];
  return graph(tensors, 'transpose', [0, 1], {});
}

function addCase(r: Rnd): Graph {
  const shape = Array.from({ length: int(r, 1, 4) }, () => int(r, 1, 6));
  const s = 2 ** (r() * 8 - 8);
  const tensors = [
    tensor('a', shape, [s * 2 ** (r() * 4 - 2)], [int(r, -128, 127)]),
    tensor('b', shape, [s * 2 ** (r() * 4 - 2)], [int(r, -128, 127)]),
    tensor('out', shape, [s * 2 ** (r() * 3 - 1)], [int(r, -128, 127)]),
  ];
  const g = graph(tensors, 'add', [0, 1], { activation: pick(r, ACTS), potScaleInt16: false });
  g.inputs = [0, 1];
  return g;
}

function softmaxCase(r: Rnd): Graph {
  const shape = [1, ...Array.from({ length: int(r, 0, 2) }, () => int(r, 1, 4)), int(r, 1, 40)];
  const tensors = [tensor('in', shape, [2 ** (r() * 8 - 7)], [int(r, -128, 127)]), tensor('out', shape, [1 / 256], [-128])];
  return graph(tensors, 'softmax', [0], { beta: r() < 0.7 ? 1 : 2 ** (r() * 2 - 1) });
}

const KERNELS = {
  conv2d: (r: Rnd) => convCase(r, false),
  depthwise: (r: Rnd) => convCase(r, true),
  fully_connected: fcCase,
  maxpool: (r: Rnd) => poolCase(r, true),
  avepool: (r: Rnd) => poolCase(r, false),
  mean: meanCase,
  permute: permuteCase,
  add: addCase,
  softmax: softmaxCase,
} as const;
const CASES = 120;

const RELU = { none: 0, gen: 1, relu1: 2, relu6: 3 } as const;
function params(p: MliSaParams): number[] {
  const out = [p.dim, p.scale.length];
  p.scale.forEach((s, i) => out.push(p.zeroPoint[i], s, p.scaleFracBits[i]));
  return out;
}
function fnSel(fn: string): number {
  const m = /_k(\d)x\d$/.exec(fn);
  return m ? Number(m[1]) : 0;
}

/** The case stream for the C driver: the plan's call and the graph's data in MLI's layouts. */
function encode(g: Graph, plan: MliOpPlan, input: Uint8Array, input2: Uint8Array): number[] {
  const bytes = (b: Uint8Array) => Array.from(new Int8Array(b.buffer, b.byteOffset, b.length));
  switch (plan.kind) {
    case 'conv2d':
    case 'depthwise_conv2d': {
      const [kH, kW, kC, n] = plan.weights.shape;
      const w = new Int8Array(g.tensors[plan.weights.tensor].data!.slice().buffer);
      const hwcn = new Array<number>(w.length);
      for (let o = 0; o < n; o++)
        for (let y = 0; y < kH; y++)
          for (let x = 0; x < kW; x++)
            for (let c = 0; c < kC; c++) {
              hwcn[((y * kW + x) * kC + c) * n + o] = plan.weightLayout === 'OHWI->HWCN' ? w[((o * kH + y) * kW + x) * kC + c] : w[(y * kW + x) * n + o];
            }
      const c = plan.cfg;
      return [
        plan.kind === 'conv2d' ? 1 : 2, fnSel(plan.fn), ...plan.input.shape, ...plan.weights.shape, ...plan.output.shape,
        c.strideH, c.strideW, c.padTop, c.padBottom, c.padLeft, c.padRight, c.dilationH, c.dilationW, RELU[c.relu],
        ...params(plan.input.params), ...params(plan.weights.params), ...params(plan.bias.params), ...params(plan.output.params),
        ...bytes(input), ...hwcn, ...new Int32Array(g.tensors[plan.bias.tensor].data!.slice().buffer),
      ];
    }
    case 'fully_connected': {
      const [n, m] = plan.weights.shape;
      const w = new Int8Array(g.tensors[plan.weights.tensor].data!.slice().buffer);
      const io = new Array<number>(n * m);
      for (let o = 0; o < m; o++) for (let i = 0; i < n; i++) io[i * m + o] = w[o * n + i];
      return [
        3, n, m, RELU[plan.relu], ...params(plan.input.params), ...params(plan.weights.params), ...params(plan.bias.params), ...params(plan.output.params),
        ...bytes(input), ...io, ...new Int32Array(g.tensors[plan.bias.tensor].data!.slice().buffer),
      ];
    }
    case 'maxpool':
    case 'avepool': {
      const c = plan.cfg;
      return [
        plan.kind === 'maxpool' ? 4 : 5, fnSel(plan.fn), ...plan.input.shape, ...plan.output.shape,
        c.kernelH, c.kernelW, c.strideH, c.strideW, c.padTop, c.padBottom, c.padLeft, c.padRight,
        ...params(plan.input.params), ...params(plan.output.params), ...bytes(input),
      ];
    }
    case 'permute':
      return [6, plan.perm.length, ...plan.input.shape, ...plan.perm, ...params(plan.input.params), ...params(plan.output.params), ...bytes(input)];
    case 'eltwise_add':
      return [
        7, plan.output.shape.length, ...plan.output.shape, ...params(plan.inputs[0].params), ...params(plan.inputs[1].params), ...params(plan.output.params),
        RELU[plan.relu], ...bytes(input), ...bytes(input2),
      ];
    case 'softmax':
      return [8, plan.input.shape.length, ...plan.input.shape, ...params(plan.input.params), ...params(plan.output.params), ...bytes(input)];
  }
}

const VARIANTS: { v: MliVariant; debug: boolean }[] = [
  { v: { roundMode: 'up', fullAccu: false }, debug: false },
  { v: { roundMode: 'up', fullAccu: true }, debug: false },
  { v: { roundMode: 'convergent', fullAccu: false }, debug: false },
  { v: { roundMode: 'convergent', fullAccu: true }, debug: false },
  { v: { roundMode: 'up', fullAccu: false }, debug: true },
  { v: { roundMode: 'convergent', fullAccu: false }, debug: true },
];

describe('golden mli numerics against the real MLI 2.0.2', () => {
  for (const { v, debug } of VARIANTS) {
    const name = `round-${v.roundMode}${v.fullAccu ? '-full-accu' : ''}${debug ? '-debug' : ''}`;
    it(`matches libmli.a ${name} byte for byte on every kernel`, () => {
      const lib = findMliLibrary(MLI_ROOT, 'x86_64', v, { debug });
      if ('missing' in lib) throw new Error(lib.missing);
      const exe = join(work, `driver-${name}`);
      execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O1', DRIVER, `-I${lib.include}`, `-L${lib.lib}`, '-lmli', '-lm', '-o', exe], { timeout: 60_000 });
      const numerics = mliNumerics(v);
      const stream: number[] = [];
      const expected: { kernel: string; out: Uint8Array }[] = [];
      const planned: Record<string, number> = {};
      for (const [kernel, make] of Object.entries(KERNELS)) {
        const r = prng(1000 + kernel.length * 31 + kernel.charCodeAt(0));
        planned[kernel] = 0;
        for (let i = 0; i < CASES; i++) {
          const g = make(r);
          if (!g) continue;
          const plan = planMli(g, 0, v);
          if (!isMliPlan(plan)) continue;
          const input = randBytes(r, g.tensors[0].shape.reduce((a, b) => a * b, 1));
          const input2 = g.inputs.length > 1 ? randBytes(r, input.length) : new Uint8Array(0);
          const ex = new GoldenExecutor(g, { numerics });
          expected.push({ kernel, out: ex.run(g.inputs.length > 1 ? [input, input2] : [input]).outputs[0] });
          stream.push(...encode(g, plan, input, input2));
          planned[kernel]++;
        }
      }
      stream.push(9); // the softmax LUT, last
      const casesFile = join(work, `cases-${name}.bin`);
      const outFile = join(work, `out-${name}.bin`);
      writeFileSync(casesFile, new Uint8Array(new Int32Array(stream).buffer));
      execFileSync(exe, [casesFile, outFile], { timeout: 60_000 });
      const got = readFileSync(outFile);
      let off = 0;
      const differing: Record<string, number> = {};
      for (const { kernel, out } of expected) {
        const mine = got.subarray(off, off + out.length);
        off += out.length;
        let d = 0;
        for (let i = 0; i < out.length; i++) if (mine[i] !== out[i]) d++;
        differing[kernel] = (differing[kernel] ?? 0) + d;
      }
      // MLI's exp table is the one mliflow derives: exp((i - 356) / 32) in Q15.
      const lut = got.subarray(off);
      expect(new Int16Array(lut.buffer.slice(lut.byteOffset, lut.byteOffset + lut.length))).toEqual(softmaxLut());
      // Most random cases plan (pooling loses the ones that trip MLI's border overrun).
      for (const k of Object.keys(KERNELS)) expect(planned[k]).toBeGreaterThan(CASES / 2);
      expect(differing).toEqual(Object.fromEntries(Object.keys(KERNELS).map((k) => [k, 0])));
    });
  }
});
