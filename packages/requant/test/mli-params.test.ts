import { describe, expect, it } from 'vitest';
import { prng } from '@mliflow/ir';
import { asrRnd, biasParams, convLikeParams, convRequant, effectiveMultiplier, encodeScale, reluBounds, scaleValue, tensorParams, type MliVariant } from '@mliflow/requant';

const VARIANTS: MliVariant[] = [
  { roundMode: 'up', fullAccu: true },
  { roundMode: 'up', fullAccu: false },
  { roundMode: 'convergent', fullAccu: true },
  { roundMode: 'convergent', fullAccu: false },
];

describe('MLI sa8 params', () => {
  it('encodes a float scale in a 15-bit mantissa within half a unit of its last place', () => {
    const rnd = prng(7);
    for (let i = 0; i < 2000; i++) {
      const s = 2 ** (rnd() * 40 - 30);
      const e = encodeScale(s);
      expect(e.scale).toBeGreaterThanOrEqual(16384);
      expect(e.scale).toBeLessThanOrEqual(32767);
      expect(Math.abs(scaleValue(e.scale, e.fracBits) - s) / s).toBeLessThanOrEqual(2 ** -15);
    }
    expect(encodeScale(1)).toEqual({ scale: 16384, fracBits: 14 });
    expect(() => encodeScale(0)).toThrow(/not a positive/);
    expect(() => encodeScale(2 ** -120)).toThrow(/outside int8/);
  });

  it('brings the multiplier MLI derives close to TFLite\'s, per channel, in every variant', () => {
    const rnd = prng(11);
    for (const v of VARIANTS) {
      let worst = 0;
      for (let i = 0; i < 200; i++) {
        const weightScales = Array.from({ length: 8 }, () => 2 ** (rnd() * 8 - 12));
        const p = convLikeParams({ inScale: 2 ** (rnd() * 6 - 8), inZeroPoint: -3, weightScales, outScale: 2 ** (rnd() * 6 - 6), outZeroPoint: 5, weightDim: 3 }, v);
        expect(p.weights.dim).toBe(3);
        expect(p.bias.dim).toBe(0);
        p.report.mli.forEach((m, c) => {
          // The report is what convRequant gives with the chosen params.
          expect(effectiveMultiplier(convRequant(p.input, p.weights, p.output, c, v), v)).toBe(m);
        });
        worst = Math.max(worst, p.report.maxRelError);
      }
      // Faithful encodings alone leave up to about 2^-13.3 (1e-4): a 16-bit ratio times a
      // 15-bit mantissa; the search brings the worst channel under half of that.
      expect(worst).toBeLessThan(v.fullAccu ? 2 ** -15 : 2 ** -14);
    }
  });

  it('gives bias params that pass MLI 2.0.2\'s bias-scale check', () => {
    const rnd = prng(3);
    for (let i = 0; i < 500; i++) {
      const input = tensorParams(2 ** (rnd() * 10 - 10), 0);
      const w = encodeScale(2 ** (rnd() * 10 - 14));
      const weights = { dim: -1, zeroPoint: [0], scale: [w.scale], scaleFracBits: [w.fracBits] };
      const b = biasParams(input, weights);
      const shift = input.scaleFracBits[0] + w.fracBits - b.scaleFracBits[0];
      for (const mode of ['up', 'convergent'] as const) {
        const expected = shift > 0 ? asrRnd(input.scale[0] * w.scale, shift, mode) : input.scale[0] * w.scale * 2 ** -shift;
        expect(Math.abs(expected - b.scale[0])).toBeLessThanOrEqual(1);
      }
      expect(b.scale[0]).toBeLessThanOrEqual(32767);
    }
  });

  it('derives ReLU bounds with MLI\'s truncating division', () => {
    // scale 0.05 = 26214 * 2^-19: six = trunc(6 * 2^19 / 26214) = 120, TFLite would round 6/0.05 = 120.
    const out = tensorParams(0.05, -10);
    expect(reluBounds('none', out)).toEqual([-128, 127]);
    expect(reluBounds('gen', out)).toEqual([-10, 127]);
    expect(reluBounds('relu6', out)).toEqual([-10, 110]);
    expect(reluBounds('relu1', out)).toEqual([-30, 10]);
  });
});
