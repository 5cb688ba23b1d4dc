/**
 * The MLI library at the harness: finding it (exit 3 naming what was looked for), board.json's
 * "mli" defaults, the compile command's options, and every int8 model compiled for the EMSDP
 * with --kernels mli: warning-free, linked with the ARC libmli.a, MLI's code in the size report.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, MliflowError, readValidatedTfliteFile } from '@mliflow/ir';
import { loadBoard, parseBoardSpec } from '../src/boards/index.js';
import { compileForBoard } from '../src/compile.js';
import { findMli } from '../src/mli.js';
import { MODELS, REPO_ROOT, SHARED, VECTORS, int8Models } from '../../../test/paths.js';

const MLI_ROOT = process.env.MLI_ROOT ?? join(SHARED, 'mli', 'embarc_mli-2.0.2');
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO_ROOT, 'packages', 'harness', 'src', 'cli.ts');
const tmp = mkdtempSync(join(tmpdir(), 'mliflow-mli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function mliflow(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
const noMliEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.MLI_ROOT;
  return env;
};
const oneLine = (s: string): string[] => s.trim().split('\n');

/** An MLI root with the headers but only the x86_64-round-up library. */
function partialRoot(): string {
  const partial = join(tmp, 'partial');
  mkdirSync(join(partial, 'include'), { recursive: true });
  mkdirSync(join(partial, 'lib', 'x86_64-round-up'), { recursive: true });
  writeFileSync(join(partial, 'include', 'mli_api.h'), '');
  writeFileSync(join(partial, 'lib', 'x86_64-round-up', 'libmli.a'), '');
  return partial;
}

describe('finding embARC MLI', () => {
  const host = loadBoard('host').spec;
  const emsdp = loadBoard('emsdp').spec;

  it('takes the board CPU, rounding and FULL_ACCU into the variant', () => {
    expect(findMli(host, { root: MLI_ROOT }).variant).toBe('x86_64-round-up-full-accu');
    expect(findMli(emsdp, { root: MLI_ROOT }).variant).toBe('arc-em-gnu-em4_fpuda-round-convergent-full-accu');
    expect(findMli(host, { root: MLI_ROOT, roundMode: 'convergent', fullAccu: false }).variant).toBe('x86_64-round-convergent');
    expect(findMli(host, { env: { MLI_ROOT } }).root).toBe(MLI_ROOT);
  });

  it('without --mli or MLI_ROOT, or without the variant, exits 3 saying what it looked for', () => {
    const fails = (f: () => unknown, what: RegExp): void => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(MliflowError);
        expect((e as MliflowError).exitCode).toBe(EXIT.missingTool);
        expect((e as Error).message).toMatch(what);
        return;
      }
      throw new Error('expected an error');
    };
    fails(() => findMli(host, { env: {} }), /--mli DIR or set MLI_ROOT/);
    fails(() => findMli(host, { root: tmp }), new RegExp(`${tmp}/include/mli_api.h not found`));
    const partial = partialRoot();
    expect(findMli(host, { root: partial, fullAccu: false }).variant).toBe('x86_64-round-up');
    fails(() => findMli(host, { root: partial, roundMode: 'convergent' }), /lib\/x86_64-round-convergent-full-accu\/libmli.a not found.*variant x86_64-round-convergent-full-accu/);
  });

  it('board.json "mli" is checked field by field', () => {
    const doc = JSON.parse(readFileSync(join(REPO_ROOT, 'boards', 'host', 'board.json'), 'utf8'));
    doc.mli.roundMode = 'nearest';
    expect(() => parseBoardSpec(doc, 'board.json')).toThrow(/board.json: mli.roundMode must be "up" or "convergent", not "nearest"/);
    doc.mli.roundMode = 'up';
    doc.mli.fullAccu = 'yes';
    expect(() => parseBoardSpec(doc, 'board.json')).toThrow(/mli.fullAccu must be true or false/);
  });
});

describe('mliflow compile --kernels mli', () => {
  const kws = join(MODELS, 'kws_ref_model.tflite');

  it('exits 3 with one line when MLI is not given, and when the variant is missing', async () => {
    const r = await mliflow(noMliEnv(), 'compile', kws, '--out', join(tmp, 'a'), '--kernels', 'mli');
    expect(r.code, r.stderr).toBe(EXIT.missingTool);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/--mli DIR or set MLI_ROOT/);
    const r2 = await mliflow(noMliEnv(), 'compile', kws, '--out', join(tmp, 'a'), '--kernels', 'mli', '--mli', partialRoot(), '--round-mode', 'convergent');
    expect(r2.code, r2.stderr).toBe(EXIT.missingTool);
    expect(r2.stderr).toMatch(/x86_64-round-convergent-full-accu/);
  });

  it('gives every operator its backend, MLI function and reason, as text and --json', async () => {
    const env = { ...noMliEnv(), MLI_ROOT };
    const r = await mliflow(env, 'compile', kws, '--out', join(tmp, 'kws'), '--kernels', 'mli', '--round-mode', 'convergent', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.mli.variant).toBe('x86_64-round-convergent-full-accu');
    const conv = doc.operators.find((o: { kind: string }) => o.kind === 'conv_2d');
    expect(conv).toMatchObject({ backend: 'mli', mliFunction: expect.stringMatching(/^mli_krn_conv2d_hwcn_sa8_sa8_sa32/), reason: null });
    const softmax = doc.operators.find((o: { kind: string }) => o.kind === 'softmax');
    expect(softmax).toMatchObject({ backend: 'mli', mliFunction: 'mli_krn_softmax_sa8', reason: null });
    const lstm = await mliflow(env, 'compile', join(MODELS, 'trained_lstm_int8.tflite'), '--out', join(tmp, 'lstm'), '--kernels', 'mli', '--json');
    expect(lstm.code, lstm.stderr).toBe(0);
    const seq = JSON.parse(lstm.stdout).operators.find((o: { kind: string }) => o.kind === 'unidirectional_sequence_lstm');
    expect(seq).toMatchObject({ backend: 'portable', mliFunction: null, reason: expect.stringMatching(/LSTM/) });
    expect(readFileSync(join(tmp, 'kws', 'Makefile'), 'utf8')).toContain('MLI_VARIANT = x86_64-round-convergent-full-accu');
    const text = await mliflow(env, 'compile', kws, '--out', join(tmp, 'kws'), '--kernels', 'mli');
    expect(text.stdout).toMatch(/mli_krn_depthwise_conv2d_hwcn_sa8_sa8_sa32_k3x3\s+mli/);
    expect(text.stdout).toMatch(/reshape\s+none \(alias of its input\)\s+portable/);
  });

  it('--mli-only names the operator MLI cannot run and the reason', async () => {
    const env = { ...noMliEnv(), MLI_ROOT };
    const r = await mliflow(env, 'compile', join(MODELS, 'keyword_scrambled_8bit.tflite'), '--out', join(tmp, 'ks'), '--kernels', 'mli', '--mli-only');
    expect(r.code, r.stderr).toBe(EXIT.usage);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/keyword_scrambled_8bit\.tflite: operator #13 \(SOFTMAX\): cannot run on MLI: int16 tensor/);
  });
});

describe.each(int8Models())('emsdp with MLI: %s', (name) => {
  it('compiles warning-free, links the ARC libmli.a, and the size report counts MLI', async () => {
    const manifest = JSON.parse(readFileSync(join(VECTORS, name, 'manifest.json'), 'utf8')) as { model: string };
    const file = join(MODELS, manifest.model);
    const board = loadBoard('emsdp');
    const mli = findMli(board.spec, { root: MLI_ROOT });
    const r = await compileForBoard(readValidatedTfliteFile(file), file, board, join(tmp, `emsdp-${name}`), { kernels: 'mli', mli });
    const report = r.sizeReport!;
    expect(readFileSync(join(r.projectDir, 'Makefile'), 'utf8')).toContain('lib/$(MLI_VARIANT) -lmli');
    if (r.summary.operators.some((o) => o.backend === 'mli')) {
      expect(report.files.length).toBeGreaterThan(0);
      // MLI's own functions are in the linked object the report reads.
      expect(report.sections.some((s) => /^\.text\.mli_|\.mli_lib/.test(s.name)) || report.totals.code > 0).toBe(true);
      expect(report.externals).not.toContain('mli_krn_conv2d_hwcn_sa8_sa8_sa32');
      expect(report.externals.filter((s) => s.startsWith('mli_'))).toEqual([]);
    }
  });
});
