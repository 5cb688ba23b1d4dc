/**
 * Top-1 accuracy on real labelled data, TFLite numerics against each MLI variant, through the
 * golden executor (whose `mli` numerics are bit-exact with the real MLI 2.0.2 library):
 * kws_ref_model on MLPerf Tiny kws01, pretrainedResnet_quant on the CIFAR-10 test set,
 * trained_lstm_int8 on the MNIST test set. Every record goes through all five numerics.
 *
 *   pnpm bench:mli-accuracy [--models M1,M2] [--limit N] [--datasets DIR] [--json]
 *
 * The golden executor is an interpreter: CIFAR-10's 10,000 images through ResNet-8 in five
 * numerics take hours on one core, so --limit takes the first N records of each data set.
 */
import { join } from 'node:path';
import { GoldenExecutor, readTfliteFile, type Numerics } from '@mliflow/ir';
import { mliNumerics, type MliVariant } from '@mliflow/requant';
// commands.ts first: it and commands/eval.ts import each other, and it must initialise first.
import '../packages/harness/src/commands.js';
import { datasetRoot, getDataset, modelRecords } from '../packages/harness/src/datasets.js';
import { argmax } from '../packages/harness/src/commands/eval.js';
import { MODELS, SHARED } from '../test/paths.js';

const RUNS: { model: string; dataset: string }[] = [
  { model: 'kws_ref_model', dataset: 'kws01' },
  { model: 'pretrainedResnet_quant', dataset: 'cifar10' },
  { model: 'trained_lstm_int8', dataset: 'mnist' },
];
const VARIANTS: MliVariant[] = [
  { roundMode: 'up', fullAccu: true },
  { roundMode: 'convergent', fullAccu: true },
  { roundMode: 'up', fullAccu: false },
  { roundMode: 'convergent', fullAccu: false },
];

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const limit = opt('limit') ? Number(opt('limit')) : undefined;
const root = datasetRoot(opt('datasets') ?? process.env.MLIFLOW_DATASETS ?? join(SHARED, 'datasets'));
const json = args.includes('--json');

interface Result {
  model: string;
  dataset: string;
  records: number;
  /** Per numerics: correct count, and agreement of the prediction with tflite's. */
  numerics: { name: string; correct: number; agreeWithTflite: number }[];
}

const results: Result[] = [];
const only = opt('models')?.split(',');
for (const run of RUNS.filter((r) => !only || only.includes(r.model))) {
  const file = join(MODELS, `${run.model}.tflite`);
  const g = readTfliteFile(file);
  const ds = getDataset(run.dataset);
  const src = modelRecords(g, file, ds, root, limit);
  const all: { name: string; numerics: Numerics }[] = [
    { name: 'tflite', numerics: 'tflite' },
    ...VARIANTS.map((v) => ({ name: `mli ${v.roundMode}${v.fullAccu ? ' full-accu' : ''}`, numerics: mliNumerics(v) as Numerics })),
  ];
  const executors = all.map((n) => new GoldenExecutor(g, { numerics: n.numerics, file }));
  const correct = all.map(() => 0);
  const agree = all.map(() => 0);
  let n = 0;
  const t0 = performance.now();
  for (const r of src.records) {
    let ref = -1;
    executors.forEach((ex, k) => {
      ex.resetState();
      const p = argmax(g, ex.run([r.input]).outputs[0]);
      if (k === 0) ref = p;
      if (p === r.label) correct[k]++;
      if (p === ref) agree[k]++;
    });
    n++;
    if (!json && n % 100 === 0) process.stderr.write(`\r${run.model}: ${n}/${src.count} (${((performance.now() - t0) / n).toFixed(0)} ms per record, 5 numerics)`);
  }
  if (!json) process.stderr.write('\n');
  results.push({ model: run.model, dataset: run.dataset, records: n, numerics: all.map((a, k) => ({ name: a.name, correct: correct[k], agreeWithTflite: agree[k] })) });
}

if (json) {
  process.stdout.write(JSON.stringify(results, null, 1) + '\n');
} else {
  const pct = (c: number, n: number) => `${((100 * c) / n).toFixed(2)}%`;
  const head = ['model', 'data set', 'records', 'numerics', 'top-1', 'vs tflite (points)', 'same prediction as tflite'];
  const body: string[][] = [];
  for (const r of results) {
    const base = r.numerics[0].correct;
    for (const x of r.numerics) {
      body.push([r.model, r.dataset, String(r.records), x.name, pct(x.correct, r.records), x.name === 'tflite' ? '' : ((100 * (x.correct - base)) / r.records).toFixed(2), pct(x.agreeWithTflite, r.records)]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
}
