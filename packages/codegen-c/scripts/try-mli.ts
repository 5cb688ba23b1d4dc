import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVectors, readTfliteFile } from '@mliflow/ir';
import { compileModel, hostTarget, writeProject } from '../src/index.js';
const SHARED = '/work/shared';
const MLI = '/work/shared/mli/embarc_mli-2.0.2';
const variant = process.env.V ?? 'x86_64-round-up-full-accu';
const roundMode = variant.includes('convergent') ? 'convergent' : 'up';
const fullAccu = variant.includes('full-accu');
for (const name of process.argv.slice(2)) {
  const vec = loadVectors(join(SHARED, 'vectors', name));
  const g = readTfliteFile(join(SHARED, 'models', vec.manifest.model));
  const p = compileModel(g, { target: hostTarget({ mli: { root: MLI, variant, roundMode, fullAccu, extraLibs: ['m'] } }), file: vec.manifest.model, kernels: 'mli' });
  const dir = `/tmp/b/${name}`;
  rmSync(dir, { recursive: true, force: true });
  writeProject(p, dir);
  for (const o of p.summary.operators) console.log(o.index, o.kind, o.backend, o.kernel, o.reason ?? '');
  try {
    execFileSync('make', ['-s', '-C', dir, ...(process.env.SAN ? ['CFLAGS=-std=c99 -Wall -Wextra -Werror -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all', 'LDFLAGS=-fsanitize=address,undefined'] : [])], { stdio: 'inherit' });
  } catch { console.log('BUILD FAILED'); continue; }
  writeFileSync(join(dir, 'in.bin'), vec.inputs);
  execFileSync(join(dir, 'build/model'), [join(dir, 'in.bin'), join(dir, 'out.bin')], { stdio: 'inherit' });
  const ob = readFileSync(join(dir, 'out.bin'));
  const out = new Int8Array(ob.buffer, ob.byteOffset, ob.byteLength);
  const exp = new Int8Array(vec.tflm!.buffer.slice(vec.tflm!.byteOffset, vec.tflm!.byteOffset + vec.tflm!.byteLength));
  let diff = 0, max = 0;
  for (let i = 0; i < exp.length; i++) { if (out[i] !== exp[i]) { diff++; max = Math.max(max, Math.abs(out[i] - exp[i])); } }
  console.log(`${name}: ${diff}/${exp.length} differ, max ${max}, outlen ${out.length}`);
}
