/**
 * Partitioning on synthetic graphs: a pooling whose padding trips MLI 2.0.2's border
 * overrun stays on the portable kernels with that reason and is right; forcing it onto MLI
 * names the operator and the reason; the rest of the graph still runs on MLI.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GoldenExecutor, UnsupportedError, type Graph } from '@mliflow/ir';
import { mliNumerics, type MliVariant } from '@mliflow/requant';
import { diffBytes } from '../../../test/compare.js';
import { compileModel, hostTarget, writeProject } from '../src/index.js';
import { GraphBuilder, randomRecords } from './graph-builder.js';
import { hostMli, make, run } from './helpers.js';

const V: MliVariant = { roundMode: 'convergent', fullAccu: true };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** 1x14 input: a 5x5 SAME pool pads 2 rows above a 1-row output (MLI writes outside it); then a conv MLI can run. */
function overrunGraph(kind: 'average_pool_2d' | 'max_pool_2d'): Graph {
  const b = new GraphBuilder(5);
  const x = b.act('x', [1, 1, 14, 8], 0.05, -3);
  const p = b.act('p', [1, 1, 14, 8], 0.05, -3);
  b.op(kind, [x], [p], { padding: 'same', strideW: 1, strideH: 1, filterW: 5, filterH: 5, activation: 'none' });
  const { w, b: bias } = b.weights('c', [4, 1, 3, 8], 0, 4, true, 0.05);
  const y = b.act('y', [1, 1, 12, 4], 0.07, 5);
  b.op('conv_2d', [p, w, bias], [y], { padding: 'valid', strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, activation: 'relu' });
  return b.graph([x], [y]);
}

describe.each(['average_pool_2d', 'max_pool_2d'] as const)('%s with padding past a 1-row output', (kind) => {
  it('stays on the portable kernels with the reason, the conv after it runs on MLI, and the outputs are right', async () => {
    const g = overrunGraph(kind);
    const p = compileModel(g, { target: hostTarget({ mli: hostMli(V) }), file: 'overrun.tflite', kernels: 'mli' });
    const [pool, conv] = p.summary.operators;
    expect(pool.backend).toBe('portable');
    expect(pool.reason).toMatch(/overrun/);
    expect(conv.backend).toBe('mli');
    const dir = mkdtempSync(join(tmpdir(), 'mlf-overrun-'));
    dirs.push(dir);
    writeProject(p, dir);
    await make(dir);
    const inputs = randomRecords(g, 4);
    writeFileSync(join(dir, 'in.bin'), inputs);
    await run(join(dir, 'build', 'model'), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
    const golden = new GoldenExecutor(g, { file: 'overrun.tflite', numerics: mliNumerics(V) }).runRecords(inputs);
    expect(diffBytes(new Uint8Array(readFileSync(join(dir, 'out.bin'))), golden).summary).toBe('0 differing bytes');
  });

  it('forced onto MLI, fails naming the operator and the reason', () => {
    const g = overrunGraph(kind);
    const compile = () => compileModel(g, { target: hostTarget({ mli: hostMli(V) }), file: 'overrun.tflite', kernels: 'mli-only' });
    expect(compile).toThrow(UnsupportedError);
    expect(compile).toThrow(new RegExp(`overrun\\.tflite: operator #0 \\(${kind.toUpperCase()}\\): cannot run on MLI: .*overrun`));
  });
});
