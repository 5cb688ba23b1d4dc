/**
 * `mliflow golden` through the real CLI. With the shared seed it rewrites every shared vectors
 * folder: the same inputs.bin (the random records from the shared generator, the real ones from
 * the data sets), the same manifest tensors, and expected.tflm.bin with 0 differing bytes for
 * quantized models (float models within the golden suite's tolerance). The two folders whose real
 * records are in no data set (the person images) are held to the shared file through --inputs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVectors, type VectorSet } from '@mliflow/ir';
import { afterAll, describe, expect, it } from 'vitest';
import { compareFloat, diffBytes } from '../../../test/compare.js';
import { MODELS, SHARED, VECTORS } from '../../../test/paths.js';
import { expectCleanError, runCli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-golden-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DATASETS = join(SHARED, 'datasets');
const read = (p: string) => new Uint8Array(readFileSync(p));

/** The int8 model whose input quantization each shared float model's records are dequantized with (models/SOURCES.md). */
const PAIRED: Record<string, string> = {
  ad01_fp32: 'ad01_int8',
  hello_world_float: 'hello_world_int8',
  kws_ref_model_float32: 'kws_ref_model',
  pretrainedResnet: 'pretrainedResnet_quant',
  trained_lstm: 'trained_lstm_int8',
  vww_96_float: 'vww_96_int8',
};
/** The shared real records that the data sets hold. */
const REAL: Record<string, [string, string]> = {
  pretrainedResnet_quant: ['cifar10', '0-9'],
  trained_lstm_int8: ['mnist', '3,2,1,18,4'],
};
/** The shared real records that they do not: the person-detection test images. */
const NOT_REBUILT = new Set(['person_detect', 'vww_96_int8']);

/** Expected outputs: 0 differing bytes, or the float tolerance for float outputs. */
function expectSameOutputs(mine: Uint8Array, shared: Uint8Array, v: VectorSet, what: string): void {
  if (v.manifest.outputs.every((o) => o.dtype === 'float32')) {
    const f = compareFloat(mine, shared, v.manifest.outputs.reduce((a, o) => a + o.shape.reduce((x, y) => x * y, 1), 0));
    expect(f.violations, `${what}: ${JSON.stringify(f)}`).toBe(0);
    expect(f.argmaxMismatches, what).toBe(0);
  } else {
    expect(diffBytes(mine, shared).summary, what).toBe('0 differing bytes');
  }
}

describe('golden --seed reproduces each shared vectors folder', () => {
  for (const m of readdirSync(VECTORS).sort()) {
    it(m, async () => {
      const shared = loadVectors(join(VECTORS, m));
      const { random, seed } = shared.manifest;
      const out = join(tmp, 'seeded', m);
      const args = ['golden', join(MODELS, shared.manifest.model), '--out', out, '--count', String(random), '--seed', String(seed)];
      if (PAIRED[m]) args.push('--quant-from', join(MODELS, `${PAIRED[m]}.tflite`));
      if (REAL[m]) args.push('--dataset', REAL[m][0], '--records', REAL[m][1], '--datasets', DATASETS);
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(0);
      const mine = loadVectors(out);
      // Without the person images, the random records are the front of the shared files.
      const front = (b: Uint8Array, n: number) => (NOT_REBUILT.has(m) ? b.subarray(0, n) : b);
      expect(diffBytes(mine.inputs, front(shared.inputs, mine.inputs.length)).summary).toBe('0 differing bytes');
      const { expected: _e, unavailable: _u, ...all } = shared.manifest;
      const { count: _c, real: _r, ...randomOnly } = all;
      expect(mine.manifest).toMatchObject(NOT_REBUILT.has(m) ? randomOnly : all);
      expect(mine.manifest.expected).toEqual({ 'tflm-reference': 'expected.tflm.bin' });
      if (!shared.tflm) return; // TFLite Micro refuses this model (manifest "unavailable"): nothing to hold it to
      expectSameOutputs(mine.tflm!, front(shared.tflm, mine.tflm!.length), shared, m);
    });
  }
});

describe('golden --inputs reproduces the shared folders whose real records it cannot rebuild', () => {
  for (const m of [...NOT_REBUILT].sort()) {
    it(m, async () => {
      const shared = loadVectors(join(VECTORS, m));
      const out = join(tmp, 'inputs', m);
      const r = await runCli(['golden', join(MODELS, shared.manifest.model), '--out', out, '--inputs', join(VECTORS, m, 'inputs.bin')]);
      expect(r.code, r.stderr).toBe(0);
      const mine = loadVectors(out);
      expect(diffBytes(mine.inputs, shared.inputs).differing).toBe(0);
      const { expected: _e, unavailable: _u, ...same } = shared.manifest;
      expect(mine.manifest).toMatchObject(same);
      expectSameOutputs(mine.tflm!, shared.tflm!, shared, m);
    });
  }
});

describe('golden records', () => {
  it('is deterministic: same options, same bytes; another seed, other records', async () => {
    const args = (out: string, seed: string, ...more: string[]) => ['golden', join(MODELS, 'kws_ref_model.tflite'), '--out', out, '--count', '3', '--seed', seed, '--json', ...more];
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
    const hwf = join(MODELS, 'hello_world_float.tflite');
    const rs = await Promise.all([
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--inputs', join(VECTORS, 'kws_ref_model', 'inputs.bin'), '--count', '2']),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--records', '0-3']),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--dataset', 'kws01', '--records', '5-2', '--datasets', DATASETS]),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--dataset', 'kws01', '--records', '1000', '--datasets', DATASETS]),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--dataset', 'mnist', '--records', '0', '--datasets', DATASETS]),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--count', '-1']),
      runCli(['golden', kws, '--out', join(tmp, 'x'), '--quant-from', join(MODELS, 'hello_world_int8.tflite')]),
      runCli(['golden', hwf, '--out', join(tmp, 'x'), '--quant-from', hwf]),
    ]);
    expectCleanError(rs[0], /either --inputs FILE or --count/);
    expectCleanError(rs[1], /--dataset NAME and --records LIST go together/);
    expectCleanError(rs[2], /5-2 runs backwards/);
    expectCleanError(rs[3], /--records 1000 is past the end of kws01 \(1000 records\)/);
    expectCleanError(rs[4], /kws_ref_model\.tflite: input .* mnist records are \[28,28\]/);
    expectCleanError(rs[5], /--count/);
    expectCleanError(rs[6], /--quant-from applies to float inputs; .*kws_ref_model\.tflite has none/);
    expectCleanError(rs[7], /--quant-from .*hello_world_float\.tflite: input 0 .* has no quantization/);
  });
});
