/**
 * Non-host targets and refusals: a library build without main.c, a freestanding ARC
 * build (when arc-linux-gnu-gcc is installed) with the board's flags and sections, and
 * a clear UnsupportedError for float models instead of C.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '@mliflow/ir';
import { hostTarget, type TargetSpec } from '../src/index.js';
import { compileShared, make, run, tempProject } from './helpers.js';

function hasTool(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ARC: TargetSpec = {
  name: 'emsdp',
  alignment: 16,
  weightsSection: '.mli_model',
  arenaSection: '.Zdata',
  cc: 'arc-linux-gnu-gcc',
  cflags: ['-mcpu=em4_fpuda', '-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', '-ffreestanding', '--sysroot=/nonexistent', '-ffunction-sections', '-fdata-sections'],
  ldflags: ['-nostdlib', '-r'],
  hostMain: false,
};

describe('targets', () => {
  it('builds a library without main.c when the target has no host main', async () => {
    const p = compileShared('kws_ref_model', hostTarget({ hostMain: false }));
    expect(p.files.has('main.c')).toBe(false);
    expect(p.summary.executable).toBe('build/libmliflow_model.a');
    const dir = tempProject(p, 'lib');
    try {
      await make(dir);
      expect(existsSync(join(dir, p.summary.executable))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasTool('arc-linux-gnu-gcc'))('builds freestanding for ARC EM with sections, state kernels included', async () => {
    for (const name of ['kws_ref_model', 'keyword_scrambled_8bit']) {
      const p = compileShared(name, ARC);
      expect(p.files.get('weights.c')).toContain('MLF_SECTION(".mli_model")');
      const dir = tempProject(p, 'arc');
      try {
        await make(dir, ['AR=arc-linux-gnu-ar']);
        const syms = await run('arc-linux-gnu-nm', [join(dir, p.summary.executable)]);
        expect(syms).toMatch(/ T mliflow_model_invoke/);
        const sections = await run('arc-linux-gnu-objdump', ['-h', join(dir, 'build', 'weights.o')]);
        expect(sections).toContain('.mli_model');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it.each(['hello_world_float', 'kws_ref_model_float32'])('refuses float model %s with the operator named', (name) => {
    let err: unknown = null;
    try {
      compileShared(name);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toMatch(/\.tflite: operator #\d+ \([A-Z_0-9]+\): .*float/);
  });
});
