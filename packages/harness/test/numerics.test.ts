import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoldenExecutor, readTfliteFile, UsageError } from '@mliflow/ir';
import { mliNumerics } from '@mliflow/requant';
import { parseNumerics } from '../src/numerics.js';
import { MODELS, VECTORS } from '../../../test/paths.js';
import { expectCleanError, runCli } from './run-cli.js';

describe('numerics options', () => {
  it('gives tflite by default and the MLI variant asked for', () => {
    expect(parseNumerics({}).name).toBe('tflite');
    const m = parseNumerics({ numerics: 'mli', 'round-mode': 'up', 'full-accu': 'on' });
    expect(m.variant).toEqual({ roundMode: 'up', fullAccu: true });
    expect(m.name).toBe('mli (round up, FULL_ACCU on)');
    expect(parseNumerics({ numerics: 'mli' }).variant).toEqual({ roundMode: 'convergent', fullAccu: false });
  });

  it('refuses unknown values and variant options without mli numerics, as usage errors', () => {
    expect(() => parseNumerics({ numerics: 'fx' })).toThrow(UsageError);
    expect(() => parseNumerics({ numerics: 'mli', 'round-mode': 'down' })).toThrow(/--round-mode down is not known/);
    expect(() => parseNumerics({ numerics: 'mli', 'full-accu': 'yes' })).toThrow(/--full-accu yes is not known/);
    expect(() => parseNumerics({ 'full-accu': 'on' })).toThrow(/applies to --numerics mli only/);
  });
});

describe('run --numerics mli', () => {
  it('runs the golden executor with MLI\'s arithmetic, and says so; bad values are one-line usage errors', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'numerics-'));
    try {
      const model = join(MODELS, 'kws_ref_model.tflite');
      const inputs = join(VECTORS, 'kws_ref_model', 'inputs.bin');
      const out = join(tmp, 'o.bin');
      const r = await runCli(['run', model, '--inputs', inputs, '--out', out, '--count', '2', '--numerics', 'mli', '--round-mode', 'up', '--full-accu', 'on', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).numerics).toBe('mli (round up, FULL_ACCU on)');
      const ex = new GoldenExecutor(readTfliteFile(model), { numerics: mliNumerics({ roundMode: 'up', fullAccu: true }) });
      expect(new Uint8Array(readFileSync(out))).toEqual(ex.runRecords(new Uint8Array(readFileSync(inputs)), { count: 2 }));
      expectCleanError(await runCli(['run', model, '--inputs', inputs, '--out', out, '--numerics', 'mli', '--round-mode', 'down']), /--round-mode down/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
