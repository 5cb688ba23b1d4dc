/** The shared integer helpers against exact BigInt definitions and real-valued references. */
import { describe, expect, it } from 'vitest';
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
});
