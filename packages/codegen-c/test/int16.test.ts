/**
 * The portable 16x8 kernels (int16 activations, int8 weights) against the golden executor:
 * real models in 16x8 form (int64 and int32 biases) and synthetic graphs, built with
 * -Wall -Wextra -Werror, 0 differing bytes, and clean under ASan and UBSan.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoldenExecutor } from '@mliflow/ir';
import { diffBytes } from '../../../test/compare.js';
import { modelCase, syntheticCases, type Case16 } from '../../../test/cases16x8.js';
import { compileModel, hostTarget } from '../src/index.js';
import { make, run, tempProject } from './helpers.js';

const SAN_FLAGS = '-std=c99 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all';

async function check(c: Case16, sanitize: boolean): Promise<void> {
  const expected = new GoldenExecutor(c.graph).runRecords(c.records, { count: c.count });
  const p = compileModel(c.graph, { target: hostTarget(), modelName: 'int16' });
  const dir = tempProject(p, 'int16');
  try {
    const vars = sanitize ? ['BUILD=build-san', `CFLAGS=${SAN_FLAGS}`, 'LDFLAGS=-fsanitize=address,undefined'] : [];
    await make(dir, vars);
    writeFileSync(join(dir, 'in.bin'), c.records);
    const exe = sanitize ? join(dir, 'build-san', 'model') : join(dir, p.summary.executable);
    await run(exe, [join(dir, 'in.bin'), join(dir, 'out.bin')], {
      ...process.env,
      ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    });
    const d = diffBytes(new Uint8Array(readFileSync(join(dir, 'out.bin'))), expected);
    expect(d.summary, `${c.name}: ${d.summary}`).toBe('0 differing bytes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('16x8 portable C against the golden executor', () => {
  const models = [
    () => modelCase('kws_ref_model', 5),
    () => modelCase('kws_ref_model', 5, { int32Bias: true }),
    () => modelCase('pretrainedResnet_quant', 2),
    () => modelCase('ad01_int8', 5, { int32Bias: true }),
  ];
  it.each(models.map((make) => [make().name, make] as const))('%s', async (_name, make) => {
    await check(make(), false);
  });
  it('kws_ref_model, int64 and int32 biases, under ASan and UBSan', async () => {
    await check(modelCase('kws_ref_model', 1), true);
    await check(modelCase('kws_ref_model', 1, { int32Bias: true }), true);
  });
  it.each(syntheticCases().map((c) => [c.name, c] as const))('%s, under ASan and UBSan', async (_name, c) => {
    await check(c, true);
  });
});
