/** The shared integer helpers against exact BigInt definitions and real-valued references. */
import { describe, expect, it } from 'vitest';
import {
  GoldenExecutor,
  activationRangeQuantized,
  perChannelMultipliers,
  type Graph,
  type Tensor,
} from '../src/index.js';
import {
  INT32_MAX,
  INT32_MIN,
  computeOutSize,
  computePadding,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  srdhm,
  Requantizer,
} from '../src/quant.js';
import { expOnNegativeValues, getReciprocal, oneOverOnePlusXForXIn01, saturatingRoundingMultiplyByPOT } from '../src/fixedpoint.js';

/** gemmlowp's definition with 64-bit integers; BigInt division truncates like C. */
function srdhmExact(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n));
}

function rdbpotExact(x: number, e: number): number {
  const mask = (1n << BigInt(e)) - 1n;
  const bx = BigInt(x);
  const rem = bx & mask;
  const threshold = (mask >> 1n) + (bx < 0n ? 1n : 0n);
  return Number((bx >> BigInt(e)) + (rem > threshold ? 1n : 0n));
}

/** A deterministic generator so that failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function int32Samples(n: number): number[] {
  const r = rng(12345);
  const edges = [0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30), (1 << 30) - 1, 65535, 65536, -65536, 1 << 21, -(1 << 21), (1 << 22) + 1];
  const out = [...edges];
  for (let i = 0; i < n; i++) {
    const bits = r() % 32;
    const v = (r() | 0) >> (31 - bits);
    out.push(v);
  }
  return out;
}

describe('srdhm', () => {
  it('equals the 64-bit definition on edges and across magnitudes (fast and slow paths)', () => {
    const xs = int32Samples(600);
    let checked = 0;
    for (const a of xs) {
      for (let j = 0; j < xs.length; j += 7) {
        const b = xs[j];
        expect(srdhm(a, b), `${a} * ${b}`).toBe(srdhmExact(a, b));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50000);
  });

  it('is exact just around the fast path boundary |a*b| = 2^52', () => {
    const b = 1518500250; // about 2^30.5
    const a0 = Math.floor(2 ** 52 / b);
    for (let a = a0 - 5; a <= a0 + 5; a++) {
      expect(srdhm(a, b)).toBe(srdhmExact(a, b));
      expect(srdhm(-a, b)).toBe(srdhmExact(-a, b));
    }
  });
});

describe('roundingDivideByPOT and multiplyByQuantizedMultiplier', () => {
  it('rounding division matches the bitwise definition', () => {
    for (const x of int32Samples(400)) {
      for (let e = 0; e <= 31; e++) expect(roundingDivideByPOT(x, e), `${x} >> ${e}`).toBe(rdbpotExact(x, e));
    }
  });

  it('requantization matches srdhm then rounding shift, both shift directions', () => {
    const r = rng(7);
    for (let i = 0; i < 20000; i++) {
      const x = ((r() | 0) >> (r() % 24)) | 0;
      const m = (1 << 30) + (r() % (1 << 30));
      const shift = (r() % 20) - 14;
      const left = Math.max(shift, 0);
      const xs = Math.imul(x, 1 << left);
      expect(multiplyByQuantizedMultiplier(x, m, shift)).toBe(rdbpotExact(srdhmExact(xs, m), Math.max(-shift, 0)));
    }
  });

  it('quantizeMultiplier keeps the real value to 31 bits', () => {
    for (const real of [0.5, 0.75, 1e-5, 3.7e-3, 1.9999999999, 123.456]) {
      const { multiplier, shift } = quantizeMultiplier(real);
      expect(multiplier).toBeGreaterThanOrEqual(1 << 30);
      expect(multiplier).toBeLessThanOrEqual(INT32_MAX);
      expect(Math.abs((multiplier / 2 ** 31) * 2 ** shift - real) / real).toBeLessThan(2 ** -30);
    }
  });
});

describe('gemmlowp fixed point', () => {
  it('exp_on_negative_values approximates exp on Q5.26', () => {
    for (let v = 0; v >= -31.9; v -= 0.137) {
      const raw = Math.round(v * 2 ** 26);
      const got = expOnNegativeValues(raw, 5) / 2 ** 31;
      expect(Math.abs(got - Math.exp(raw / 2 ** 26))).toBeLessThan(2e-7);
    }
    expect(expOnNegativeValues(0, 5)).toBe(INT32_MAX);
  });

  it('one_over_one_plus_x approximates 1/(1+x) on [0, 1)', () => {
    for (let x = 0; x < 1; x += 0.0173) {
      const raw = Math.round(x * 2 ** 31);
      const got = oneOverOnePlusXForXIn01(raw) / 2 ** 31;
      expect(Math.abs(got - 1 / (1 + raw / 2 ** 31))).toBeLessThan(1e-8);
    }
  });

  it('GetReciprocal gives 1/x with its shift', () => {
    for (const x of [1.0, 1.25, 3.5, 17.2, 1000.01]) {
      const raw = Math.round(x * 2 ** 19); // Q12.19
      const { raw: r, bitsOverUnit } = getReciprocal(raw, 12);
      expect(Math.abs(r / 2 ** 31 / 2 ** bitsOverUnit - 1 / x) * x).toBeLessThan(1e-6);
    }
  });

  it('saturating multiply by a power of two saturates and rounds', () => {
    expect(saturatingRoundingMultiplyByPOT(1 << 29, 2)).toBe(INT32_MAX);
    expect(saturatingRoundingMultiplyByPOT(-(1 << 29) - 1, 2)).toBe(INT32_MIN);
    expect(saturatingRoundingMultiplyByPOT(5, -1)).toBe(3);
    expect(saturatingRoundingMultiplyByPOT(-5, -1)).toBe(-3);
  });
});

describe('window geometry', () => {
  it('same and valid padding as TFLite computes them', () => {
    expect(computeOutSize('same', 49, 10, 2, 1)).toBe(25);
    expect(computeOutSize('valid', 225, 3, 2, 1)).toBe(112);
    expect(computePadding(2, 1, 49, 10, 25)).toBe(4); // total 9: 4 before, 5 after
    expect(computePadding(1, 1, 7, 3, 7)).toBe(1);
    expect(computePadding(1, 1, 7, 3, 5)).toBe(0);
  });
});

describe('Requantizer', () => {
  it('equals multiplyByQuantizedMultiplier + zero point + clamp for every path', () => {
    const r = rng(99);
    const n = 64;
    const multiplier = new Int32Array(n);
    const shift = new Int32Array(n);
    for (let c = 0; c < n; c++) {
      multiplier[c] = c === 0 ? INT32_MAX : (1 << 30) + (r() % (1 << 30));
      shift[c] = c === 1 ? -31 : c === 2 ? 0 : (r() % 24) - 20;
    }
    const rq = new Requantizer(multiplier, shift, -7, -128, 127);
    const wide = new Requantizer(multiplier, shift, 3, -(2 ** 30), 2 ** 30);
    const acc = new Float64Array(n);
    const bias = new Int32Array(n);
    const out = new Int8Array(n);
    for (let it = 0; it < 3000; it++) {
      for (let c = 0; c < n; c++) {
        acc[c] = (r() | 0) >> (r() % 31);
        bias[c] = (r() | 0) >> 12;
      }
      rq.row(acc, n, bias, out, 0);
      for (let c = 0; c < n; c++) {
        const x = (acc[c] + bias[c]) | 0;
        const ref = multiplyByQuantizedMultiplier(x, multiplier[c], shift[c]);
        expect(out[c]).toBe(Math.max(-128, Math.min(127, ref - 7)));
        expect(wide.one(x, c)).toBe(Math.max(-(2 ** 30), Math.min(2 ** 30, ref + 3)));
      }
    }
  });

  it('handles "wide" channels (|bias * M| >= 2^51) and deep right shifts exactly, in row and row2', () => {
    // vww_96_int8 has such dead channels: tiny filter scale, bias near 2^30, shifts to -31.
    const r = rng(7);
    const n = 16;
    const multiplier = new Int32Array(n);
    const shift = new Int32Array(n);
    const bias = new Int32Array(n);
    for (let c = 0; c < n; c++) {
      multiplier[c] = (1 << 30) + (r() % (1 << 30));
      shift[c] = c % 2 ? -31 + (r() % 9) : (r() % 12) - 10;
      bias[c] = c % 4 === 0 ? (1 << 30) - (r() % 1000) * (c % 8 ? 1 : -1) : (r() | 0) >> 14;
    }
    const rq = new Requantizer(multiplier, shift, -128, -128, 127, bias);
    const accA = new Float64Array(n);
    const accB = new Float64Array(n);
    const pair = new Int8Array(2 * n);
    const a = new Int8Array(n);
    for (let it = 0; it < 2000; it++) {
      for (let c = 0; c < n; c++) {
        accA[c] = ((r() | 0) >> (10 + (r() % 20))) | 0;
        accB[c] = ((r() | 0) >> (10 + (r() % 20))) | 0;
      }
      rq.row2(accA, accB, n, bias, pair, 0, n);
      for (let c = 0; c < n; c++) {
        for (const [acc, o] of [[accA, 0], [accB, n]] as const) {
          const ref = multiplyByQuantizedMultiplier((acc[c] + bias[c]) | 0, multiplier[c], shift[c]);
          expect(pair[o + c], `channel ${c}`).toBe(Math.max(-128, Math.min(127, ref - 128)));
        }
      }
      rq.row(accA, n, bias, a, 0);
      for (let c = 0; c < n; c++) {
        const ref = multiplyByQuantizedMultiplier((accA[c] + bias[c]) | 0, multiplier[c], shift[c]);
        expect(a[c]).toBe(Math.max(-128, Math.min(127, ref - 128)));
      }
    }
  });
});

// ---------------------------------------------------------------------------------------
// The convolution kernels' fast paths (packed doubles, paired pixels) and their int32
// fallbacks against a direct evaluation of TFLite's formula, on small synthetic graphs
// chosen to reach each path: padding with odd totals, strides, dilation, groups, depth
// multipliers, kernels too large to pack.

interface ConvCase {
  name: string;
  depthwise: boolean;
  input: [number, number, number, number];
  /** conv: [outC, kH, kW, inC / groups]; depthwise: [1, kH, kW, inC * dm]. */
  filter: [number, number, number, number];
  stride: [number, number];
  dilation: [number, number];
  padding: 'same' | 'valid';
  weightRange: number;
  perChannel: boolean;
  /** Weights of magnitude weightRange only: the worst case for the packed fields. */
  extreme?: boolean;
}

function tensor(name: string, dtype: Tensor['dtype'], shape: number[], data: Uint8Array | null, quant: Tensor['quant']): Tensor {
  return { name, dtype, shape, data, quant, isVariable: false };
}

function runConvCase(k: ConvCase): { got: Int8Array; want: Int8Array } {
  const r = rng(k.name.length * 7919 + k.input[3]);
  const [N, H, W, C] = k.input;
  const [f0, kH, kW, f3] = k.filter;
  const outC = k.depthwise ? f3 : f0;
  const dm = k.depthwise ? f3 / C : 1;
  const groups = k.depthwise ? 1 : C / f3;
  const [sH, sW] = k.stride;
  const [dH, dW] = k.dilation;
  const outH = computeOutSize(k.padding, H, kH, sH, dH);
  const outW = computeOutSize(k.padding, W, kW, sW, dW);
  const padT = computePadding(sH, dH, H, kH, outH);
  const padL = computePadding(sW, dW, W, kW, outW);
  const x = Int8Array.from({ length: N * H * W * C }, () => (r() % 256) - 128);
  const w = Int8Array.from({ length: f0 * kH * kW * f3 }, () =>
    k.extreme ? (r() & 1 ? k.weightRange : -k.weightRange) : (r() % (2 * k.weightRange + 1)) - k.weightRange,
  );
  const bias = Int32Array.from({ length: outC }, () => (r() % 20001) - 10000);
  const inScale = 0.05;
  const inZp = -3;
  const outScale = 0.9;
  const outZp = 5;
  const fScales = Array.from({ length: k.perChannel ? outC : 1 }, (_, i) => 0.002 + 0.0005 * (i % 7));
  const { multiplier, shift } = perChannelMultipliers(inScale, fScales, outScale, outC);
  const [actMin, actMax] = activationRangeQuantized('relu6', 'int8', { scale: [outScale], zeroPoint: [outZp], axis: 0 });

  const want = new Int8Array(N * outH * outW * outC);
  for (let b = 0; b < N; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let oc = 0; oc < outC; oc++) {
          let acc = 0;
          for (let ky = 0; ky < kH; ky++)
            for (let kx = 0; kx < kW; kx++) {
              const iy = oy * sH - padT + ky * dH;
              const ix = ox * sW - padL + kx * dW;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              if (k.depthwise) {
                const ic = Math.floor(oc / dm);
                acc += w[(ky * kW + kx) * outC + oc] * (x[((b * H + iy) * W + ix) * C + ic] - inZp);
              } else {
                const g = Math.floor(oc / (outC / groups));
                for (let i = 0; i < f3; i++) acc += w[((oc * kH + ky) * kW + kx) * f3 + i] * (x[((b * H + iy) * W + ix) * C + g * f3 + i] - inZp);
              }
            }
          const v = multiplyByQuantizedMultiplier(acc + bias[oc], multiplier[oc], shift[oc]) + outZp;
          want[((b * outH + oy) * outW + ox) * outC + oc] = Math.max(actMin, Math.min(actMax, v));
        }

  const bytes = (a: Int8Array | Int32Array) => new Uint8Array(a.buffer.slice(0));
  const g: Graph = {
    tensors: [
      tensor('x', 'int8', [N, H, W, C], null, { scale: [inScale], zeroPoint: [inZp], axis: 0 }),
      tensor('w', 'int8', [f0, kH, kW, f3], bytes(w), { scale: fScales, zeroPoint: fScales.map(() => 0), axis: k.depthwise ? 3 : 0 }),
      tensor('b', 'int32', [outC], bytes(bias), null),
      tensor('y', 'int8', [N, outH, outW, outC], null, { scale: [outScale], zeroPoint: [outZp], axis: 0 }),
    ],
    ops: [
      {
        kind: k.depthwise ? 'depthwise_conv_2d' : 'conv_2d',
        inputs: [0, 1, 2],
        outputs: [3],
        attrs: { padding: k.padding, strideH: sH, strideW: sW, dilationH: dH, dilationW: dW, activation: 'relu6', depthMultiplier: dm },
        intermediates: [],
        version: 1,
      },
    ],
    inputs: [0],
    outputs: [3],
    description: '',
    version: 3,
    metadata: [],
    subgraphName: 'main',
  };
  const ex = new GoldenExecutor(g);
  const out = ex.run([new Uint8Array(x.buffer)]).outputs[0];
  return { got: new Int8Array(out.buffer, out.byteOffset, out.length), want };
}

describe('convolution kernels against a direct evaluation', () => {
  const cases: ConvCase[] = [
    { name: 'conv packed, same, stride 2x1', depthwise: false, input: [1, 7, 9, 5], filter: [13, 3, 3, 5], stride: [2, 1], dilation: [1, 1], padding: 'same', weightRange: 127, perChannel: true },
    { name: 'conv packed, 10x4 kernel, odd padding', depthwise: false, input: [2, 11, 6, 1], filter: [9, 10, 4, 1], stride: [2, 2], dilation: [1, 1], padding: 'same', weightRange: 127, perChannel: false },
    { name: 'conv packed, dilation 2', depthwise: false, input: [1, 8, 8, 3], filter: [8, 3, 3, 3], stride: [1, 1], dilation: [2, 2], padding: 'same', weightRange: 127, perChannel: true },
    { name: 'conv int32 fallback, sum |w| too large', depthwise: false, input: [1, 3, 3, 1100], filter: [5, 1, 1, 1100], stride: [1, 1], dilation: [1, 1], padding: 'valid', weightRange: 127, perChannel: true, extreme: true },
    { name: 'conv int32 path, 2 groups', depthwise: false, input: [1, 5, 4, 6], filter: [4, 3, 3, 3], stride: [1, 1], dilation: [1, 1], padding: 'same', weightRange: 127, perChannel: true },
    { name: 'depthwise paired, 3x3 same, odd width', depthwise: true, input: [1, 6, 7, 10], filter: [1, 3, 3, 10], stride: [1, 1], dilation: [1, 1], padding: 'same', weightRange: 127, perChannel: true },
    { name: 'depthwise paired, 3x3 stride 2', depthwise: true, input: [2, 9, 9, 4], filter: [1, 3, 3, 4], stride: [2, 2], dilation: [1, 1], padding: 'same', weightRange: 127, perChannel: false },
    { name: 'depthwise paired, 5x5 dilation 2', depthwise: true, input: [1, 12, 11, 3], filter: [1, 5, 5, 3], stride: [1, 1], dilation: [2, 2], padding: 'same', weightRange: 127, perChannel: true },
    { name: 'depthwise int32 path, multiplier 3', depthwise: true, input: [1, 6, 5, 2], filter: [1, 3, 3, 6], stride: [2, 1], dilation: [1, 1], padding: 'same', weightRange: 127, perChannel: true },
    { name: 'depthwise int32 fallback, 33x33 kernel', depthwise: true, input: [1, 34, 33, 2], filter: [1, 33, 33, 2], stride: [1, 1], dilation: [1, 1], padding: 'valid', weightRange: 127, perChannel: true, extreme: true },
  ];
  for (const k of cases) {
    it(k.name, () => {
      const { got, want } = runConvCase(k);
      expect(got.length).toBe(want.length);
      expect(Array.from(got)).toEqual(Array.from(want));
    });
  }
});

function singleOpGraph(tensors: Tensor[], op: Graph['ops'][number], inputs: number[], outputs: number[]): Graph {
  return { tensors, ops: [op], inputs, outputs, description: '', version: 3, metadata: [], subgraphName: 'main' };
}

describe('fully connected and add against a direct evaluation', () => {
  for (const perChannel of [false, true]) {
    it(`fully connected, ${perChannel ? 'per-channel' : 'per-tensor'} filter, 3 rows`, () => {
      const r = rng(perChannel ? 5 : 6);
      const [B, K, C] = [3, 37, 11];
      const x = Int8Array.from({ length: B * K }, () => (r() % 256) - 128);
      const w = Int8Array.from({ length: C * K }, () => (r() % 255) - 127);
      const bias = Int32Array.from({ length: C }, () => (r() % 4001) - 2000);
      const fScales = perChannel ? Array.from({ length: C }, (_, i) => 0.01 + 0.001 * i) : [0.013];
      const [inScale, inZp, outScale, outZp] = [0.1, 7, 0.35, -4];
      const g = singleOpGraph(
        [
          tensor('x', 'int8', [B, K], null, { scale: [inScale], zeroPoint: [inZp], axis: 0 }),
          tensor('w', 'int8', [C, K], new Uint8Array(w.buffer.slice(0)), { scale: fScales, zeroPoint: fScales.map(() => 0), axis: 0 }),
          tensor('b', 'int32', [C], new Uint8Array(bias.buffer.slice(0)), null),
          tensor('y', 'int8', [B, C], null, { scale: [outScale], zeroPoint: [outZp], axis: 0 }),
        ],
        { kind: 'fully_connected', inputs: [0, 1, 2], outputs: [3], attrs: { activation: 'none', keepNumDims: false, asymmetricQuantizeInputs: false }, intermediates: [], version: 1 },
        [0],
        [3],
      );
      const out = new GoldenExecutor(g).run([new Uint8Array(x.buffer)]).outputs[0];
      const got = new Int8Array(out.buffer, out.byteOffset, out.length);
      for (let b = 0; b < B; b++) {
        for (let c = 0; c < C; c++) {
          let acc = bias[c];
          for (let k = 0; k < K; k++) acc += w[c * K + k] * (x[b * K + k] - inZp);
          // Per-tensor: the scale product is taken in float32, as TFLite does there.
          const real = perChannel ? (inScale * fScales[c]) / outScale : Math.fround(inScale * fScales[0]) / outScale;
          const q = quantizeMultiplier(real);
          const v = Math.max(-128, Math.min(127, multiplyByQuantizedMultiplier(acc, q.multiplier, q.shift) + outZp));
          expect(got[b * C + c], `row ${b} channel ${c}`).toBe(v);
        }
      }
    });
  }

  it('add with broadcasting of a [1, 1, C] operand', () => {
    const r = rng(11);
    const [H, W, C] = [3, 4, 5];
    const a = Int8Array.from({ length: H * W * C }, () => (r() % 256) - 128);
    const b = Int8Array.from({ length: C }, () => (r() % 256) - 128);
    const [s1, z1, s2, z2, so, zo] = [0.05, -10, 0.08, 3, 0.11, 2];
    const g = singleOpGraph(
      [
        tensor('a', 'int8', [1, H, W, C], null, { scale: [s1], zeroPoint: [z1], axis: 0 }),
        tensor('b', 'int8', [1, 1, C], null, { scale: [s2], zeroPoint: [z2], axis: 0 }),
        tensor('y', 'int8', [1, H, W, C], null, { scale: [so], zeroPoint: [zo], axis: 0 }),
      ],
      { kind: 'add', inputs: [0, 1], outputs: [2], attrs: { activation: 'relu', potScaleInt16: true }, intermediates: [], version: 1 },
      [0, 1],
      [2],
    );
    const out = new GoldenExecutor(g).run([new Uint8Array(a.buffer), new Uint8Array(b.buffer)]).outputs[0];
    const got = new Int8Array(out.buffer, out.byteOffset, out.length);
    const twiceMax = 2 * Math.max(s1, s2);
    const m1 = quantizeMultiplier(s1 / twiceMax);
    const m2 = quantizeMultiplier(s2 / twiceMax);
    const mo = quantizeMultiplier(twiceMax / ((1 << 20) * so));
    const [lo] = activationRangeQuantized('relu', 'int8', { scale: [so], zeroPoint: [zo], axis: 0 });
    for (let i = 0; i < H * W * C; i++) {
      const x1 = multiplyByQuantizedMultiplier((a[i] - z1) * (1 << 20), m1.multiplier, m1.shift);
      const x2 = multiplyByQuantizedMultiplier((b[i % C] - z2) * (1 << 20), m2.multiplier, m2.shift);
      const v = multiplyByQuantizedMultiplier(x1 + x2, mo.multiplier, mo.shift) + zo;
      expect(got[i], `element ${i}`).toBe(Math.max(lo, Math.min(127, v)));
    }
  });
});
