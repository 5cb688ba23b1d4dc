/**
 * Every re-quantized int8 shared model (sym8, pow2-8, pow2-16x8) through the C code generator: built
 * with gcc -Wall -Wextra -Werror and run on the shared vectors' records (re-encoded for the
 * new input quantization), 0 differing bytes against the golden executor.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GoldenExecutor } from '@mliflow/ir';
import { compileModel, hostTarget } from '@mliflow/codegen-c';
import type { SchemeName } from '../src/index.js';
import { diffBytes } from '../../../test/compare.js';
import { int8Models } from '../../../test/paths.js';
import { requantizedCase } from './helpers.js';
import { make, run, tempProject } from '../../codegen-c/test/helpers.js';

const RECORD_LIMIT: Record<string, number> = { mobilenet_v2_quantized_1x3x224x224: 1 };
const SCHEMES: SchemeName[] = ['sym8', 'pow2-8', 'pow2-16x8'];
const dirs: string[] = [];
afterAll(() => {
  if (!process.env.MLIFLOW_KEEP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(int8Models({ io: 'int8' }))('requant host C: %s', (name) => {
  it.each(SCHEMES)('%s: generated C matches the golden executor bit-exactly', async (scheme) => {
    const { file, g, inputs } = requantizedCase(name, scheme, RECORD_LIMIT[name]);
    const expected = new GoldenExecutor(g, { file }).runRecords(inputs);
    const project = compileModel(g, { target: hostTarget(), file });
    const dir = tempProject(project, `${name}-${scheme}`);
    dirs.push(dir);
    await make(dir);
    writeFileSync(join(dir, 'in.bin'), inputs);
    await run(join(dir, project.summary.executable), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
    const d = diffBytes(new Uint8Array(readFileSync(join(dir, 'out.bin'))), expected);
    expect(d.summary).toBe('0 differing bytes');
  });
});
