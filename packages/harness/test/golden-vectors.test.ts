/**
 * `mliflow golden` through the real CLI. Given the shared records it rewrites every shared
 * vectors folder: the same inputs.bin, the same manifest tensors, and expected.tflm.bin with 0
 * differing bytes for quantized models (float models within the golden suite's tolerance). The
 * real records it rebuilds from the data sets. Its random records are mliflow's own PRNG: the
 * shared random records come from another generator (see the report in docs/golden-vectors.md).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVectors } from '@mliflow/ir';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFloat, diffBytes } from '../../../test/compare.js';
import { MODELS, SHARED, VECTORS } from '../../../test/paths.js';
import { expectCleanError, runCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DATASETS = join(SHARED, 'datasets');
const read = (p: string) => new Uint8Array(readFileSync(p));

describe('golden --inputs reproduces each shared vectors folder', () => {
  for (const m of readdirSync(VECTORS).sort()) {
    it(m, async () => {
      const shared = loadVectors(join(VECTORS, m));
      const out = join(tmp, 'inputs', m);
      const r = await runCli(['golden', join(MODELS, shared.manifest.model), '--out', out, '--inputs', join(VECTORS, m, 'inputs.bin')]);
      expect(r.code, r.stderr).toBe(0);
      const mine = loadVectors(out);
      expect(diffBytes(mine.inputs, shared.inputs).differing).toBe(0);
      const { expected: _e, unavailable: _u, ...same } = shared.manifest;
      expect(mine.manifest).toMatchObject(same);
      expect(mine.manifest.expected).toEqual({ 'tflm-reference': 'expected.tflm.bin' });
      if (!shared.tflm) return; // TFLite Micro refuses this model (manifest "unavailable"): nothing to hold it to
      if (shared.manifest.outputs.every((o) => o.dtype === 'float32')) {
        const f = compareFloat(mine.tflm!, shared.tflm, shared.manifest.outputs.reduce((a, o) => a + o.shape.reduce((x, y) => x * y, 1), 0));
        expect(f.violations, JSON.stringify(f)).toBe(0);
        expect(f.argmaxMismatches).toBe(0);
      } else {
        expect(diffBytes(mine.tflm!, shared.tflm).summary).toBe('0 differing bytes');
      }
    });
  }
});

describe('golden records', () => {
  it("rebuilds the shared real records from the data sets, with their expected outputs", async () => {
    for (const [m, ds, list, n] of [
      ['pretrainedResnet_quant', 'cifar10', '0-9', 10],
      ['trained_lstm_int8', 'mnist', '3,2,1,18,4', 5],
    ] as const) {
      const out = join(tmp, 'real', m);
      const r = await runCli(['golden', join(MODELS, `${m}.tflite`), '--out', out, '--count', '0', '--dataset', ds, '--records', list, '--datasets', DATASETS]);
      expect(r.code, r.stderr).toBe(0);
      const shared = loadVectors(join(VECTORS, m));
      const mine = loadVectors(out);
      expect(mine.manifest).toMatchObject({ count: n, random: 0, real: n });
      // The real records come last in the shared files.
      const tail = (b: Uint8Array, n: number) => b.subarray(b.length - n);
      expect(diffBytes(mine.inputs, tail(shared.inputs, mine.inputs.length)).summary, m).toBe('0 differing bytes');
      expect(diffBytes(mine.tflm!, tail(shared.tflm!, mine.tflm!.length)).summary, m).toBe('0 differing bytes');
    }
  });

  it('is deterministic: same options, same bytes; another seed, other records', async () => {
    const args = (out: string, seed: string) => ['golden', join(MODELS, 'kws_ref_model.tflite'), '--out', out, '--count', '3', '--seed', seed, '--json'];
    const [a, b, c] = await Promise.all([runCli(args(join(tmp, 'd1'), '7')), runCli(args(join(tmp, 'd2'), '7')), runCli(args(join(tmp, 'd3'), '8'))]);
    for (const x of [a, b, c]) expect(x.code, x.stderr).toBe(0);
    for (const f of ['inputs.bin', 'expected.tflm.bin', 'manifest.json']) expect(read(join(tmp, 'd1', f))).toEqual(read(join(tmp, 'd2', f)));
    expect(read(join(tmp, 'd1', 'inputs.bin'))).not.toEqual(read(join(tmp, 'd3', 'inputs.bin')));
    expect(JSON.parse(a.stdout).manifest).toMatchObject({ count: 3, random: 3, real: 0, seed: 7 });
    expect(read(join(tmp, 'd1', 'inputs.bin'))).toHaveLength(3 * 490);
  });

  it("adds each numerics' expected outputs to the same folder (tflite, then MLI's)", async () => {
    const out = join(tmp, 'both');
    const base = ['golden', join(MODELS, 'kws_ref_model.tflite'), '--out', out, '--count', '4'];
    const t = await runCli(base);
    expect(t.code, t.stderr).toBe(0);
    const m = await runCli([...base, '--numerics', 'mli', '--round-mode', 'up', '--full-accu', 'on']);
    expect(m.code, m.stderr).toBe(0);
    const v = loadVectors(out);
    expect(v.manifest.expected).toEqual({ 'mli-up-accu-on': 'expected.mli-up-accu-on.bin', 'tflm-reference': 'expected.tflm.bin' });
    expect(read(join(out, 'expected.mli-up-accu-on.bin'))).toHaveLength(4 * 12);
    expect(v.tflm).toHaveLength(4 * 12);
  });

  it('refuses conflicting or malformed options in one line', async () => {
    const kws = join(MODELS, 'kws_ref_model.tflite');
    const rs = await Promise.all([
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--inputs', join(VECTORS, 'kws_ref_model', 'inputs.bin'), '--count', '2']),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--records', '0-3']),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--dataset', 'kws01', '--records', '5-2', '--datasets', DATASETS]),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--dataset', 'kws01', '--records', '1000', '--datasets', DATASETS]),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--dataset', 'mnist', '--records', '0', '--datasets', DATASETS]),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--count', '-1']),
    ]);
    expectCleanError(rs[0], /either --inputs FILE or --count/);
    expectCleanError(rs[1], /--dataset NAME and --records LIST go together/);
    expectCleanError(rs[2], /5-2 runs backwards/);
    expectCleanError(rs[3], /--records 1000 is past the end of kws01 \(1000 records\)/);
    expectCleanError(rs[4], /kws_ref_model\.tflite: input .* mnist records are \[28,28\]/);
    expectCleanError(rs[5], /--count/);
  });
});
