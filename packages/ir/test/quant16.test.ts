/** The 16-bit activation helpers added to quant.ts. */
import { describe, expect, it } from 'vitest';
import { multiplyByQuantizedMultiplier64, prng, quantizeMultiplier, Requantizer64 } from '../src/index.js';

describe('Requantizer64', () => {
  it('equals MultiplyByQuantizedMultiplier(int64) + zero point + clamp over accumulators up to 2^47 and every shift', () => {
    const rand = prng(5);
    for (let i = 0; i < 20_000; i++) {
      const m = Int32Array.of(0);
      const s = Int32Array.of(0);
      do {
        const q = quantizeMultiplier(rand() * 2 ** (Math.floor(rand() * 36) - 30));
        m[0] = q.multiplier;
        s[0] = q.shift;
      } while (m[0] === 0 || s[0] > 7);
      const zp = Math.floor(rand() * 21) - 10;
      const rq = new Requantizer64(m, s, zp, -32768, 32767);
      for (let k = 0; k < 5; k++) {
        const x = Math.round((rand() - 0.5) * 2 * 2 ** Math.floor(rand() * 48));
        const v = multiplyByQuantizedMultiplier64(BigInt(x), m[0], s[0]) + zp;
        expect(rq.one(x, 0)).toBe(Math.max(-32768, Math.min(32767, v)));
      }
    }
  });
});
