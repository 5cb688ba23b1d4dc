/**
 * The grouped 16x8 CONV_2D (the general loop) against the same convolution written densely
 * with a block-diagonal filter (the two-pixel loop): the sums are the same integers. The
 * TFLite runtime of the test suite has no grouped convolution to compare with.
 */
import { describe, expect, it } from 'vitest';
import { GoldenExecutor, prng, type Graph, type Tensor } from '../src/index.js';

const bytes = (a: Int8Array | Int16Array | BigInt64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function convGraph(filter: Int8Array, filterShape: number[], scales: number[], bias: BigInt64Array): Graph {
  const t = (name: string, dtype: Tensor['dtype'], shape: number[], scale: number[] | null, data: Uint8Array | null): Tensor => ({
    name,
    dtype,
    shape,
    data,
    quant: scale ? { scale: scale.map(Math.fround), zeroPoint: scale.map(() => 0), axis: 0 } : null,
    isVariable: false,
  });
  const tensors = [
    t('x', 'int16', [1, 7, 6, 8], [0.0005], null),
    t('w', 'int8', filterShape, scales, bytes(filter)),
    t('b', 'int64', [filterShape[0]], scales.map((s) => 0.0005 * s), bytes(bias)),
    t('y', 'int16', [1, 4, 3, 6], [0.01], null),
  ];
  const op = {
    kind: 'conv_2d',
    inputs: [0, 1, 2],
    outputs: [3],
    attrs: { padding: 'same', strideW: 2, strideH: 2, dilationW: 1, dilationH: 1, activation: 'none' },
    intermediates: [],
    version: 4,
  } as unknown as Graph['ops'][number];
  return { tensors, ops: [op], inputs: [0], outputs: [3], description: 'grouped', version: 3, metadata: [], subgraphName: 'main' };
}

describe('16x8 grouped CONV_2D', () => {
  it('equals the dense convolution with a block-diagonal filter', () => {
    const rand = prng(9);
    const [outC, kH, kW, inC, groups] = [6, 3, 3, 8, 2];
    const fC = inC / groups;
    const grouped = Int8Array.from({ length: outC * kH * kW * fC }, () => Math.round(rand() * 254 - 127));
    const dense = new Int8Array(outC * kH * kW * inC);
    for (let c = 0; c < outC; c++) {
      const g = Math.floor(c / (outC / groups));
      for (let k = 0; k < kH * kW; k++) for (let i = 0; i < fC; i++) dense[(c * kH * kW + k) * inC + g * fC + i] = grouped[(c * kH * kW + k) * fC + i];
    }
    const scales = Array.from({ length: outC }, () => 0.004 + rand() * 0.01);
    const bias = BigInt64Array.from({ length: outC }, () => BigInt(Math.round((rand() - 0.5) * 2e6)));
    const input = bytes(Int16Array.from({ length: 7 * 6 * 8 * 3 }, () => Math.floor(rand() * 65536) - 32768));
    const run = (g: Graph): Uint8Array => new GoldenExecutor(g).runRecords(input, { count: 3 });
    const a = run(convGraph(grouped, [outC, kH, kW, fC], scales, bias));
    const b = run(convGraph(dense, [outC, kH, kW, inC], scales, bias));
    expect(new Set(new Int16Array(a.buffer, a.byteOffset, a.length / 2)).size).toBeGreaterThan(20);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
  });
});
