/** Shared by the codegen tests: which shared models to build, temp projects, make. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVectors, readTfliteFile, type Graph, type VectorSet } from '@mliflow/ir';
import { mliVariantDir, type MliVariant } from '@mliflow/requant';
import { MODELS, SHARED, VECTORS } from '../../../test/paths.js';
import { compileModel, hostTarget, writeProject, type GeneratedProject, type MliLibrary, type TargetSpec } from '../src/index.js';

export function loadModel(name: string): { g: Graph; vec: VectorSet; file: string } {
  const vec = loadVectors(join(VECTORS, name));
  return { g: readTfliteFile(join(MODELS, vec.manifest.model)), vec, file: vec.manifest.model };
}

export function compileShared(name: string, target: TargetSpec = hostTarget()): GeneratedProject {
  const { g, file } = loadModel(name);
  return compileModel(g, { target, file });
}

export function tempProject(p: GeneratedProject, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mlf-${name}-`));
  writeProject(p, dir);
  return dir;
}

const execFileAsync = promisify(execFile);

/**
 * Runs a program to completion. Asynchronous on purpose: a test worker blocked in a
 * synchronous child process for a minute misses vitest's RPC deadline.
 */
export async function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await execFileAsync(cmd, args, { env: env ?? process.env, maxBuffer: 64 << 20, encoding: 'utf8' });
  return r.stdout;
}

export async function make(dir: string, vars: string[] = []): Promise<void> {
  await run('make', ['-s', '-j2', '-C', dir, ...vars]);
}

/** The first `n` records of the inputs and of the expected outputs. */
export function firstRecords(vec: VectorSet, n: number): { inputs: Uint8Array; expected: Uint8Array } {
  const count = vec.manifest.count;
  const k = Math.min(n, count);
  const rin = vec.inputs.length / count;
  const rout = vec.tflm!.length / count;
  return { inputs: vec.inputs.subarray(0, rin * k), expected: vec.tflm!.subarray(0, rout * k) };
}

/** The real embARC MLI 2.0.2 prebuilt in ../shared (or $MLI_ROOT). */
export const MLI_ROOT = process.env.MLI_ROOT ?? join(SHARED, 'mli', 'embarc_mli-2.0.2');

export const VARIANTS: MliVariant[] = [
  { roundMode: 'up', fullAccu: true },
  { roundMode: 'convergent', fullAccu: true },
  { roundMode: 'up', fullAccu: false },
  { roundMode: 'convergent', fullAccu: false },
];

/** The x86_64 build of a variant (the -debug builds check every call and abort on misuse). */
export function hostMli(v: MliVariant, opts: { debug?: boolean } = {}): MliLibrary {
  return { root: MLI_ROOT, variant: mliVariantDir('x86_64', v, opts), roundMode: v.roundMode, fullAccu: v.fullAccu, extraLibs: ['m'] };
}

