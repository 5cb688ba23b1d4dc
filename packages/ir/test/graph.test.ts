import { describe, expect, it } from 'vitest';
import { typedView } from '../src/graph.js';

describe('typedView', () => {
  it('reads an unaligned Node Buffer from its own bytes, not from the shared pool', () => {
    // Small Buffers come from one pooled ArrayBuffer; subarray(1) makes the view unaligned.
    const pooled = Buffer.from([0, 1, 0, 2, 0, 3, 0]).subarray(1);
    expect(pooled.byteOffset % 8).not.toBe(0);
    expect(Array.from(typedView('int16', pooled) as Int16Array)).toEqual([1, 2, 3]);
  });
});
