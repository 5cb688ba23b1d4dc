/**
 * Developer tool: compile shared models, build them with make, run them on their vectors
 * and report differing bytes, arena and compile time.
 *   npx tsx packages/codegen-c/scripts/try.ts [model ...] [--out DIR] [--records N]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadVectors, readTfliteFile } from '@mliflow/ir';
import { compileModel, hostTarget, writeProject } from '../src/index.js';

const SHARED = process.env.MLIFLOW_SHARED ?? resolve(import.meta.dirname, '../../../../shared');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outRoot = outIdx >= 0 ? args.splice(outIdx, 2)[1] : '/tmp/mlf-try';
const recIdx = args.indexOf('--records');
const records = recIdx >= 0 ? Number(args.splice(recIdx, 2)[1]) : 0;
const models = args.length ? args : readdirSync(join(SHARED, 'models')).filter((f) => f.endsWith('.tflite')).map((f) => f.replace(/\.tflite$/, '')).sort();

for (const name of models) {
  const vdir = join(SHARED, 'vectors', name);
  if (!existsSync(join(vdir, 'manifest.json'))) continue;
  const vec = loadVectors(vdir);
  if (vec.manifest.inputs.some((t) => t.dtype === 'float32')) continue;
  const g = readTfliteFile(join(SHARED, 'models', vec.manifest.model));
  const t0 = performance.now();
  let p;
  try {
    p = compileModel(g, { target: hostTarget(), file: vec.manifest.model });
  } catch (e) {
    console.log(`${name}: ${(e as Error).message}`);
    continue;
  }
  const ms = performance.now() - t0;
  const dir = join(outRoot, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeProject(p, dir);
  execFileSync('make', ['-s', '-j2', '-C', dir], { stdio: 'inherit' });
  let input = vec.inputs;
  let expected = vec.tflm!;
  if (records > 0) {
    const rin = vec.inputs.length / vec.manifest.count;
    const rout = expected.length / vec.manifest.count;
    input = input.subarray(0, rin * records);
    expected = expected.subarray(0, rout * records);
  }
  writeFileSync(join(dir, 'in.bin'), input);
  const t1 = performance.now();
  execFileSync(join(dir, p.summary.executable), [join(dir, 'in.bin'), join(dir, 'out.bin')], { stdio: 'inherit' });
  const runMs = performance.now() - t1;
  const out = readFileSync(join(dir, 'out.bin'));
  let diff = out.length === expected.length ? 0 : -1;
  if (diff === 0) for (let i = 0; i < out.length; i++) if (out[i] !== expected[i]) diff++;
  const s = p.summary;
  console.log(
    `${name}: ${diff} differing bytes of ${expected.length}; arena ${s.arenaBytes} bound ${s.livenessBound}; weights ${s.weightsBytes}; compile ${ms.toFixed(0)} ms; run ${runMs.toFixed(0)} ms; in place: ${s.operators.filter((o) => o.inPlace && !o.kernel.startsWith('none')).map((o) => `#${o.index}`).join(' ') || '-'}`,
  );
}
