/** The 16-bit activation helpers added to quant.ts. */
import { describe, expect, it } from 'vitest';
import { multiplyByQuantizedMultiplier64, multiplyByQuantizedMultiplier64Num, prng, quantizeMultiplier } from '../src/index.js';

describe('multiplyByQuantizedMultiplier64Num', () => {
  it('equals the BigInt form over int64 accumulators up to 2^47 and every shift', () => {
    const rand = prng(5);
    for (let i = 0; i < 50_000; i++) {
      const bits = Math.floor(rand() * 48);
      const x = Math.round((rand() - 0.5) * 2 * 2 ** bits);
      const { multiplier, shift } = quantizeMultiplier(rand() * 2 ** (Math.floor(rand() * 36) - 30));
      if (multiplier === 0 || shift > 7) continue;
      expect(multiplyByQuantizedMultiplier64Num(x, multiplier, shift)).toBe(multiplyByQuantizedMultiplier64(BigInt(x), multiplier, shift));
    }
  });
});
