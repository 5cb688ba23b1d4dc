/**
 * Generated C on the host, model by model: gcc with -Wall -Wextra -Werror, run on every
 * record of the shared vectors, 0 differing bytes against TFLite Micro's reference
 * outputs; then an AddressSanitizer/UBSan build on a few records. Models whose operators
 * have no kernel yet must fail with a clear UnsupportedError instead.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedError } from '@mliflow/ir';
import { diffBytes } from '../../../test/compare.js';
import type { GeneratedProject } from '../src/index.js';
import { int8Models } from '../../../test/paths.js';
import { compileShared, firstRecords, loadModel, make, run, tempProject } from './helpers.js';

const SAN_FLAGS = '-std=c99 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all';
/** Records run under the sanitizers; the big model gets one. */
const sanRecords = (name: string): number => (name.startsWith('mobilenet') ? 1 : 3);

describe.each(int8Models())('host C: %s', (name) => {
  const { vec } = loadModel(name);
  let project: GeneratedProject | null = null;
  let error: unknown = null;
  let dir = '';
  beforeAll(() => {
    try {
      project = compileShared(name);
      dir = tempProject(project, name);
    } catch (e) {
      error = e;
    }
  });
  afterAll(() => {
    if (dir && !process.env.MLIFLOW_KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('compiles, or names the operator it cannot handle', () => {
    if (error) {
      expect(error).toBeInstanceOf(UnsupportedError);
      expect((error as Error).message).toMatch(/operator #\d+ \([A-Z_0-9]+\): no portable kernel for [A-Z_]+ yet/);
    } else {
      expect(project).not.toBeNull();
    }
  });

  it('builds warning-free and matches TFLite Micro bit-exactly on every record', async () => {
    if (!project) return;
    await make(dir);
    writeFileSync(join(dir, 'in.bin'), vec.inputs);
    await run(join(dir, project.summary.executable), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
    const d = diffBytes(new Uint8Array(readFileSync(join(dir, 'out.bin'))), vec.tflm!);
    expect(d.summary, `${name}: ${d.summary}`).toBe('0 differing bytes');
  });

  it('runs clean under AddressSanitizer and UBSan', async () => {
    if (!project) return;
    await make(dir, ['BUILD=build-san', `CFLAGS=${SAN_FLAGS}`, 'LDFLAGS=-fsanitize=address,undefined']);
    const { inputs, expected } = firstRecords(vec, sanRecords(name));
    writeFileSync(join(dir, 'in-san.bin'), inputs);
    await run(join(dir, 'build-san', 'model'), [join(dir, 'in-san.bin'), join(dir, 'out-san.bin')], {
      ...process.env,
      ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    });
    const d = diffBytes(new Uint8Array(readFileSync(join(dir, 'out-san.bin'))), expected);
    expect(d.summary).toBe('0 differing bytes');
  });
});
