/**
 * The golden executor's `mli` numerics against TFLite Micro's reference outputs
 * (expected.tflm.bin) on every quantized model in ../shared/vectors, for each of the four
 * MLI variants: how many output elements differ, the largest difference in quantized steps,
 * and on how many records the argmax of the first output agrees.
 *
 *   pnpm bench:mli-numerics [MODEL ...] [--json]
 */
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { GoldenExecutor, loadVectors, readTfliteFile, typedView, type Graph } from '@mliflow/ir';
import { mliNumerics, mliRoutes, type MliVariant } from '@mliflow/requant';
import { MODELS, VECTORS } from '../test/paths.js';

const VARIANTS: MliVariant[] = [
  { roundMode: 'up', fullAccu: true },
  { roundMode: 'up', fullAccu: false },
  { roundMode: 'convergent', fullAccu: true },
  { roundMode: 'convergent', fullAccu: false },
];

interface Row {
  model: string;
  variant: string;
  records: number;
  mliOps: number;
  ops: number;
  elements: number;
  differing: number;
  maxDiff: number;
  argmaxAgree: number;
}

function quantized(g: Graph): boolean {
  return [...g.inputs, ...g.outputs].every((i) => g.tensors[i].dtype === 'int8' || g.tensors[i].dtype === 'int16');
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const wanted = args.filter((a) => !a.startsWith('--'));
const models = (wanted.length ? wanted : readdirSync(VECTORS)).sort();
const rows: Row[] = [];
for (const model of models) {
  const g = readTfliteFile(join(MODELS, `${model}.tflite`));
  if (!quantized(g)) continue;
  const vec = loadVectors(join(VECTORS, model));
  if (!vec.tflm) continue;
  for (const v of VARIANTS) {
    const t0 = performance.now();
    const ex = new GoldenExecutor(g, { numerics: mliNumerics(v) });
    const out = ex.runRecords(vec.inputs);
    const sizes = ex.outputSizes;
    const rec = sizes.reduce((a, b) => a + b, 0);
    const n = out.length / rec;
    let elements = 0;
    let differing = 0;
    let maxDiff = 0;
    let argmaxAgree = 0;
    for (let r = 0; r < n; r++) {
      let off = r * rec;
      g.outputs.forEach((id, k) => {
        const dt = g.tensors[id].dtype;
        const a = typedView(dt, out.slice(off, off + sizes[k])) as Int8Array;
        const b = typedView(dt, vec.tflm!.slice(off, off + sizes[k])) as Int8Array;
        for (let i = 0; i < a.length; i++) {
          const d = Math.abs(a[i] - b[i]);
          if (d) differing++;
          if (d > maxDiff) maxDiff = d;
        }
        elements += a.length;
        if (k === 0 && argmax(a) === argmax(b)) argmaxAgree++;
        off += sizes[k];
      });
    }
    const routes = mliRoutes(g, v);
    const variant = `${v.roundMode}${v.fullAccu ? ' full-accu' : ''}`;
    rows.push({ model, variant, records: n, mliOps: routes.filter((x) => x.backend === 'mli').length, ops: routes.length, elements, differing, maxDiff, argmaxAgree });
    if (!json) process.stderr.write(`${model} ${variant}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

if (json) {
  process.stdout.write(JSON.stringify(rows, null, 1) + '\n');
} else {
  const head = ['model', 'mli variant', 'ops on MLI', 'records', 'differing elements', 'largest diff', 'argmax agrees'];
  const body = rows.map((r) => [
    r.model,
    r.variant,
    `${r.mliOps}/${r.ops}`,
    String(r.records),
    `${r.differing}/${r.elements} (${((100 * r.differing) / r.elements).toFixed(2)}%)`,
    String(r.maxDiff),
    `${r.argmaxAgree}/${r.records}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
}
