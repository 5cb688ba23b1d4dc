/**
 * `mliflow eval` through the real CLI on the real data sets: top-1 with per-class counts, float
 * models beside int8 ones, and clean refusals.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../src/toolchain.js';
import { MODELS, SHARED } from '../../../test/paths.js';
import { expectCleanError, runCli } from './run-cli.js';

const DATASETS = join(SHARED, 'datasets');
const tmp = mkdtempSync(join(tmpdir(), 'mliflow-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const model = (m: string) => join(MODELS, `${m}.tflite`);
const QEMU = process.env.MLIFLOW_QEMU_ARC ?? join(SHARED, 'sim', 'qemu-arc', 'qemu-system-arc');
const hasQemu = existsSync(QEMU) && !!findOnPath('arc-linux-gnu-gcc');

describe('mliflow eval', () => {
  it('reports top-1 and per-class counts on kws01, as JSON and as a report file', async () => {
    const report = join(tmp, 'r', 'kws.json');
    const r = await runCli(['eval', model('kws_ref_model'), '--dataset', 'kws01', '--datasets', DATASETS, '--limit', '100', '--json', '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ dataset: 'kws01', runner: 'golden tflite', records: 100 });
    expect(doc.perClass).toHaveLength(12);
    expect(doc.perClass.reduce((a: number, c: { records: number }) => a + c.records, 0)).toBe(100);
    expect(doc.perClass.reduce((a: number, c: { correct: number }) => a + c.correct, 0)).toBe(doc.correct);
    expect(doc.perClass.reduce((a: number, c: { predicted: number }) => a + c.predicted, 0)).toBe(100);
    expect(doc.top1).toBeGreaterThan(0.85);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual(doc);
  });

  it('takes the float model on the same records, and MNIST through the LSTM (MLIFLOW_DATASETS)', async () => {
    const [f, q] = await Promise.all([
      runCli(['eval', model('trained_lstm'), '--dataset', 'mnist', '--limit', '100'], { env: { MLIFLOW_DATASETS: DATASETS } }),
      runCli(['eval', model('trained_lstm_int8'), '--dataset', 'mnist', '--limit', '100'], { env: { MLIFLOW_DATASETS: DATASETS } }),
    ]);
    for (const r of [f, q]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/on mnist \(golden tflite\): top-1 9\d\.\d\d% \(\d+ of 100\)/);
      expect(r.stdout).toMatch(/class\s+name\s+records\s+correct\s+top-1\s+predicted/);
    }
  });

  it("scores with MLI's numerics too", async () => {
    const r = await runCli(['eval', model('kws_ref_model'), '--dataset', 'kws01', '--datasets', DATASETS, '--limit', '20', '--numerics', 'mli', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 20, runner: 'golden mli (round convergent, FULL_ACCU off)' });
  });

  it('refuses a pair that does not fit, an unknown data set, a missing folder and other numerics in one line', async () => {
    const [shape, unknown, noRoot, numerics] = await Promise.all([
      runCli(['eval', model('mobilenet_v2_quantized_1x3x224x224'), '--dataset', 'cifar10', '--datasets', DATASETS]),
      runCli(['eval', model('kws_ref_model'), '--dataset', 'imagenet', '--datasets', DATASETS]),
      runCli(['eval', model('kws_ref_model'), '--dataset', 'kws01'], { env: { MLIFLOW_DATASETS: '' } }),
      runCli(['eval', model('kws_ref_model'), '--dataset', 'kws01', '--datasets', DATASETS, '--numerics', 'fast']),
    ]);
    expectCleanError(shape, /mobilenet_v2.*\[1,3,224,224\].*cifar10 records are \[32,32,3\]/);
    expectCleanError(unknown, /unknown data set "imagenet"/);
    expectCleanError(noRoot, /--datasets DIR or set MLIFLOW_DATASETS/);
    expectCleanError(numerics, /--numerics fast is not known/);
  });

  // About 5 minutes here: 14.6 M instructions a record under QEMU, 1,000 records over the UART.
  it.skipIf(!hasQemu)('--board qemu-arc-em: all 1,000 kws01 records through the emulated ARC EM give exactly the golden top-1', async () => {
    const r = await runCli(['eval', model('kws_ref_model'), '--dataset', 'kws01', '--datasets', DATASETS, '--board', 'qemu-arc-em', '--qemu', QEMU, '--json'], { timeout: 1_800_000 });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.board.records).toBe(1000);
    expect(doc.golden.records).toBe(1000);
    expect(doc.board.correct).toBe(doc.golden.correct);
    expect(doc.disagreements).toEqual([]);
    expect(doc.same).toBe(true);
  }, 1_800_000);
});
