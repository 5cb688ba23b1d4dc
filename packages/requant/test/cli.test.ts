/**
 * `mliflow requant` as users run it: a real process on real models. Bad input is one line
 * and exit 2; a model already in the scheme is a no-op (exit 0, said, NEW a copy); --only
 * re-quantizes the chosen operators and puts QUANTIZE at the boundaries.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GoldenExecutor, loadVectors, readTfliteFile } from '@mliflow/ir';
import { reencodeRecords } from '../src/index.js';
import { MODELS, REPO_ROOT, VECTORS } from '../../../test/paths.js';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO_ROOT, 'packages', 'harness', 'src', 'cli.ts');
const tmp = mkdtempSync(join(tmpdir(), 'mliflow-requant-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const KWS = join(MODELS, 'kws_ref_model.tflite');

function mliflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, 'requant', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function expectCleanError(r: { code: number; stderr: string }, ...what: (string | RegExp)[]): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const w of what) expect(r.stderr).toMatch(w);
}

describe('mliflow requant: bad input', () => {
  it('prints its help', async () => {
    const r = await mliflow('--help');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: pnpm mliflow requant MODEL/);
    expect(r.stdout).toMatch(/--no-rounding-folding/);
  });
  it('refuses a float model', async () => {
    expectCleanError(await mliflow(join(MODELS, 'pretrainedResnet.tflite'), '--scheme', 'sym8', '--out', join(tmp, 'x.tflite')), 'pretrainedResnet.tflite', /float model/);
  });
  it('refuses calibration records of the wrong size', async () => {
    writeFileSync(join(tmp, 'bad.bin'), new Uint8Array(1000));
    expectCleanError(await mliflow(KWS, '--scheme', 'pow2-8', '--out', join(tmp, 'x.tflite'), '--calib', join(tmp, 'bad.bin')), 'bad.bin', /490-byte records/);
  });
  it('refuses an int16 model, an unknown scheme and an unknown layer', async () => {
    expectCleanError(await mliflow(join(MODELS, 'keyword_scrambled_8bit.tflite'), '--scheme', 'sym8', '--out', join(tmp, 'x.tflite')), /int16; requant takes int8/);
    expectCleanError(await mliflow(KWS, '--scheme', 'pow3', '--out', join(tmp, 'x.tflite')), /--scheme pow3/);
    expectCleanError(await mliflow(KWS, '--scheme', 'sym8', '--only', '99', '--out', join(tmp, 'x.tflite')), /--only 99/);
  });
});

describe('mliflow requant: schemes and options', () => {
  it('says a model already in the scheme is a no-op and writes a copy', async () => {
    const first = await mliflow(KWS, '--scheme', 'pow2-8', '--out', join(tmp, 'p2.tflite'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/CONV_2D/);
    const again = await mliflow(join(tmp, 'p2.tflite'), '--scheme', 'pow2-8', '--out', join(tmp, 'p2b.tflite'));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already in scheme pow2-8/);
    expect(Buffer.compare(readFileSync(join(tmp, 'p2.tflite')), readFileSync(join(tmp, 'p2b.tflite')))).toBe(0);
  });

  it('--only re-quantizes the chosen operators, with QUANTIZE at the boundaries', async () => {
    const r = await mliflow(KWS, '--scheme', 'sym8', '--only', '0-2', '--out', join(tmp, 'only.tflite'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { noop: boolean; layers: { kind: string; mode: string }[] };
    expect(doc.noop).toBe(false);
    expect(doc.layers.filter((l) => l.mode === 'requantized')).toHaveLength(3);
    expect(doc.layers.filter((l) => l.mode === 'inserted').map((l) => l.kind)).toEqual(['quantize']);
    const original = readTfliteFile(KWS);
    const g = readTfliteFile(join(tmp, 'only.tflite'));
    // The graph's input feeds operator 0, so it is now symmetric; the output is untouched.
    expect(g.tensors[g.inputs[0]].quant!.zeroPoint).toEqual([0]);
    expect(g.tensors[g.outputs[0]].quant).toEqual(original.tensors[original.outputs[0]].quant);
    const vec = loadVectors(join(VECTORS, 'kws_ref_model'));
    const out = new GoldenExecutor(g).runRecords(reencodeRecords(original, g, vec.inputs));
    expect(out.length).toBe(vec.tflm!.length);
  });

  it('each algorithm switched off changes the weights', async () => {
    const calib = join(tmp, 'calib.bin');
    writeFileSync(calib, loadVectors(join(VECTORS, 'kws_ref_model')).inputs);
    const variants = [[], ['--no-weight-correction'], ['--no-rounding-folding'], ['--no-weight-correction', '--no-rounding-folding']];
    const files: Buffer[] = [];
    for (const [i, extra] of variants.entries()) {
      const r = await mliflow(KWS, '--scheme', 'pow2-8', '--calib', calib, '--out', join(tmp, `v${i}.tflite`), ...extra);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/16 calibration records/);
      files.push(readFileSync(join(tmp, `v${i}.tflite`)));
    }
    for (let i = 0; i < files.length; i++) for (let j = i + 1; j < files.length; j++) expect(files[i].equals(files[j])).toBe(false);
  });
});
