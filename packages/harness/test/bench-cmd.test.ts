/** `mliflow bench` as users run it: both scenarios on host and qemu-arc-em, the JSON it prints, usage errors. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../src/toolchain.js';
import { MODELS, SHARED } from '../../../test/paths.js';
import { expectCleanError, runCli } from './run-cli.js';
import { loadBoard } from '../src/boards/index.js';
import { bench, benchExit, formatBench } from '../src/commands/bench.js';
import type { Distribution } from '../src/stats.js';

const tmp = mkdtempSync(join(tmpdir(), 'mliflow-bench-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const MODEL = join(MODELS, 'kws_ref_model.tflite');
const QEMU = process.env.MLIFLOW_QEMU_ARC ?? join(SHARED, 'sim', 'qemu-arc', 'qemu-system-arc');
const RECORDS = 4;

function expectOrdered(d: Distribution): void {
  expect(d.min).toBeLessThanOrEqual(d.median);
  expect(d.median).toBeLessThanOrEqual(d.p90);
  expect(d.p90).toBeLessThanOrEqual(d.p99);
  expect(d.p99).toBeLessThanOrEqual(d.max);
  expect(d.mean).toBeGreaterThanOrEqual(d.min);
  expect(d.mean).toBeLessThanOrEqual(d.max);
}

describe('mliflow bench', () => {
  it('--help lists the scenarios; a bad --scenario or an unwritable --report is one line, exit 2', async () => {
    const help = await runCli(['bench', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/single-stream/);
    expect(help.stdout).toMatch(/offline/);
    expect(help.stdout).toMatch(/--warmup/);
    expectCleanError(await runCli(['bench', MODEL, '--board', 'host', '--scenario', 'server']), /--scenario server is not known; available: single-stream, offline/);
    expectCleanError(await runCli(['bench', MODEL, '--board', 'host', '--report', '/proc/x.json', '--out', join(tmp, 'bad')]), /\/proc\/x\.json: cannot write the report/);
    expect(existsSync(join(tmp, 'bad'))).toBe(false);
    // A board that needs hardware: what is missing, exit 4, nothing compiled.
    const em = await runCli(['bench', MODEL, '--board', 'emsdp', '--out', join(tmp, 'em')]);
    expect(em.code, em.stderr).toBe(4);
    expect(em.stderr).toMatch(/running on emsdp .* needs /);
    expect(existsSync(join(tmp, 'em'))).toBe(false);
  }, 60_000);

  for (const board of ['host', 'qemu-arc-em']) {
    const skip = board === 'qemu-arc-em' && (!existsSync(QEMU) || !findOnPath('arc-linux-gnu-gcc'));
    it.skipIf(skip)(`${board}: single-stream percentiles and offline throughput, every output equal to the golden executor's`, async () => {
      const docs: Record<string, any> = {};
      for (const scenario of ['single-stream', 'offline']) {
        const report = join(tmp, `${board}-${scenario}.json`);
        const r = await runCli(['bench', MODEL, '--board', board, '--scenario', scenario, '--count', String(RECORDS), '--qemu', QEMU, '--out', join(tmp, board), '--report', report, '--json'], { timeout: 120_000 });
        expect(r.code, r.stderr).toBe(0);
        const doc = JSON.parse(r.stdout);
        expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual(doc);
        expect(doc).toMatchObject({ board, scenario, records: RECORDS, bitExact: true, failing: [], kernels: 'portable', numerics: 'tflite' });
        expect(doc.perRecord).toHaveLength(RECORDS);
        for (const row of doc.perRecord) {
          expect(row.pass).toBe(true);
          expect(row.ms).toBeGreaterThan(0);
          expect(row.wireBytes).toBeGreaterThan(0);
        }
        docs[scenario] = doc;
      }
      const ss = docs['single-stream'];
      expectOrdered(ss.latency.ms);
      expectOrdered(ss.latency.linkMsAtBaud);
      const off = docs.offline.throughput;
      expect(off.recordsPerSecond).toBeGreaterThan(0);
      expect(off.payloadBytesPerSecond).toBeGreaterThan(0);
      expect(off.efficiency).toBeGreaterThan(0.9);
      expect(off.efficiency).toBeLessThanOrEqual(1);
      if (board === 'host') {
        expect(ss.counter).toBeNull();
        expect(ss.latency.count).toBeNull();
      } else {
        expect(ss.counter).toBe('instructions');
        expectOrdered(ss.latency.count);
        expect(ss.latency.count.min).toBeGreaterThan(0);
        // -icount: the same record takes the same instructions, run after run (the warm-up ran record 0 too).
        const counts = (d: any): number[] => d.perRecord.map((row: any) => row.count);
        expect(counts(docs.offline)).toEqual(counts(ss));
        expect(ss.warmupCounts).toEqual([counts(ss)[0]]);
        expect(off.meanCount).toBe(ss.latency.count.mean);
      }
    }, 120_000);
  }

  it('a wrong answer makes the run fail (exit 1), whatever its speed: a bias planted in the generated weights (host)', async () => {
    const plant = (projectDir: string): void => {
      const file = join(projectDir, 'weights.c');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace(/(mlf_p\d+_bias\[\d+\] MLF_WEIGHT = \{\n\s*)(-?\d+)/, (_, head: string, v: string) => `${head}${Number(v) + 100000}`));
    };
    const r = await bench({ file: MODEL, board: loadBoard('host'), scenario: 'offline', count: 2, warmup: 0, kernels: 'portable', outDir: join(tmp, 'planted'), log: () => undefined, progress: false, alterProject: plant });
    expect(r.bitExact).toBe(false);
    expect(r.failing.length).toBeGreaterThan(0);
    expect(r.failing[0].verdict).toMatch(/output 0: \d+ of \d+ differ/);
    expect(benchExit(r)).toBe(1);
    expect(formatBench(r)).toMatch(/FAIL: .* the figures above are not a result/);
  }, 60_000);
});
