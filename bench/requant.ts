/**
 * Accuracy of re-quantization on real labelled data: top-1 of the float model, the original
 * int8 model, and each scheme with both algorithms (weight correction, rounding-error
 * folding), each one off, and both off, with calibrated ranges; plus each scheme data-free.
 * Int models run on the golden executor (TFLite Micro's arithmetic); float models on the
 * TFLite runtime (kws_ref_model_float32's hybrid kernels are the runtime's), except a model with
 * state (the LSTM), which the runtime would carry from one record into the next.
 * Also times re-quantizing mobilenet_v2 without calibration (the 5 s target).
 *
 *   pnpm bench:requant [--limit N] [--only kws|resnet|lstm] [--variants all|both|off|free] [--json]
 *
 * --variants both runs the float, int8 and calibrated both-algorithm rows only; off the
 * others (each algorithm off, both off, data-free); free the int8 and data-free rows only;
 * all (default) every row.
 *
 * Calibration: the first CALIB records of the data set itself, which are also scored (1% of
 * CIFAR-10 and MNIST, 10% of kws01): the shared data sets are test sets only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { concatBytes, GoldenExecutor, readTflite, readTfliteFile, typedView, writeTflite, type Graph } from '@mliflow/ir';
import { reencodeRecords, requantize, type SchemeName } from '@mliflow/requant';
import { getDataset, modelRecords, type DatasetName } from '../packages/harness/src/datasets.js';
import { table } from '../packages/harness/src/format.js';
import { loadTfliteRuntime } from '../test/tflite-runtime.js';
import { MODELS, SHARED } from '../test/paths.js';

const CASES: { key: string; model: string; float: string; dataset: DatasetName }[] = [
  { key: 'kws', model: 'kws_ref_model', float: 'kws_ref_model_float32', dataset: 'kws01' },
  { key: 'resnet', model: 'pretrainedResnet_quant', float: 'pretrainedResnet', dataset: 'cifar10' },
  { key: 'lstm', model: 'trained_lstm_int8', float: 'trained_lstm', dataset: 'mnist' },
];
const SCHEMES: SchemeName[] = ['sym8', 'pow2-8', 'pow2-16x8'];
const VARIANTS = [
  { label: 'both', wc: true, ref: true },
  { label: 'no weight correction', wc: false, ref: true },
  { label: 'no rounding folding', wc: true, ref: false },
  { label: 'neither', wc: false, ref: false },
];
const CALIB = 100;

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const limit = opt('limit') ? Number(opt('limit')) : undefined;
const only = opt('only');
const json = args.includes('--json');
const variants = opt('variants') ?? 'all';
if (!['all', 'both', 'off', 'free'].includes(variants)) throw new Error(`--variants ${variants}: all, both, off or free`);

interface Row {
  model: string;
  dataset: string;
  variant: string;
  records: number;
  top1: number;
  /** Points against the original int8 model. */
  delta: number | null;
  ms: number;
}

function top1(g: Graph, outputs: Uint8Array, labels: number[]): number {
  const per = outputs.length / labels.length;
  const t = g.tensors[g.outputs[0]];
  let ok = 0;
  labels.forEach((label, i) => {
    const v = typedView(t.dtype, outputs.slice(i * per, (i + 1) * per)) as ArrayLike<number>;
    let best = 0;
    for (let j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
    if (best === label) ok++;
  });
  return (100 * ok) / labels.length;
}

const log = (s: string): void => {
  process.stderr.write(s + '\n');
};

async function main(): Promise<void> {
  const runtime = await loadTfliteRuntime();
  const rows: Row[] = [];
  const root = join(SHARED, 'datasets');
  for (const c of CASES) {
    if (only && only !== c.key) continue;
    const ds = getDataset(c.dataset);
    const file = `${c.model}.tflite`;
    const g = readTfliteFile(join(MODELS, file));
    const recs = [...modelRecords(g, file, ds, root, limit).records];
    const labels = recs.map((r) => r.label);
    const inputs = concatBytes(recs.map((r) => r.input));
    const calib = concatBytes(recs.slice(0, CALIB).map((r) => r.input));
    const n = labels.length;
    const add = (variant: string, acc: number, ms: number, base: number | null): void => {
      rows.push({ model: c.model, dataset: c.dataset, variant, records: n, top1: acc, delta: base === null ? null : acc - base, ms });
      log(`${c.model} ${variant}: ${acc.toFixed(2)}% (${(ms / 1000).toFixed(1)} s)`);
    };

    // Float model on the TFLite runtime.
    let t0 = performance.now();
    if (variants !== 'free') {
    const fg = readTfliteFile(join(MODELS, `${c.float}.tflite`));
    const fin = concatBytes([...modelRecords(fg, `${c.float}.tflite`, ds, root, limit).records].map((r) => r.input));
    // The runtime keeps LSTM state from one record to the next; the golden executor resets it, as the int8 rows do.
    const stateful = fg.tensors.some((t) => t.isVariable);
    let fout: Uint8Array;
    if (stateful) {
      fout = new GoldenExecutor(fg, { file: `${c.float}.tflite` }).runRecords(fin);
    } else {
      const fm = await runtime.load(new Uint8Array(readFileSync(join(MODELS, `${c.float}.tflite`))));
      fout = fm.runRecords(fin);
      fm.dispose();
    }
    add(`float (${c.float}, ${stateful ? 'golden executor' : 'TFLite runtime'})`, top1(fg, fout, labels), performance.now() - t0, null);
    }

    t0 = performance.now();
    const base = top1(g, new GoldenExecutor(g, { file }).runRecords(inputs), labels);
    add('int8 (original)', base, performance.now() - t0, null);
    rows[rows.length - 1].delta = 0;

    const run = (scheme: SchemeName, label: string, o: { wc: boolean; ref: boolean; calib?: Uint8Array }): void => {
      const t = performance.now();
      const r = requantize(g, { scheme, file, weightCorrection: o.wc, roundingFolding: o.ref, calib: o.calib });
      const g2 = readTflite(writeTflite(r.graph));
      const out = new GoldenExecutor(g2, { file }).runRecords(reencodeRecords(g, g2, inputs));
      add(`${scheme}: ${label}`, top1(g2, out, labels), performance.now() - t, base);
    };
    for (const scheme of SCHEMES) {
      for (const v of VARIANTS) {
        if (variants === 'free' || (variants === 'both' && v.label !== 'both') || (variants === 'off' && v.label === 'both')) continue;
        run(scheme, `${v.label}, calibrated`, { wc: v.wc, ref: v.ref, calib });
      }
      if (variants !== 'both') run(scheme, 'both, data-free', { wc: true, ref: true });
    }
  }

  // Speed: mobilenet_v2 without calibration.
  const mb = readTfliteFile(join(MODELS, 'mobilenet_v2_quantized_1x3x224x224.tflite'));
  const times = [0, 1, 2].map(() => {
    const t = performance.now();
    writeTflite(requantize(mb, { scheme: 'pow2-8', file: 'mobilenet_v2' }).graph);
    return performance.now() - t;
  });
  const mobilenetMs = Math.min(...times);

  if (json) {
    process.stdout.write(JSON.stringify({ rows, mobilenetPow2Ms: mobilenetMs }, null, 1) + '\n');
    return;
  }
  const fmtRows = rows.map((r) => [r.model, r.dataset, String(r.records), r.variant, r.top1.toFixed(2), r.delta === null ? '' : (r.delta >= 0 ? '+' : '') + r.delta.toFixed(2)]);
  process.stdout.write(table(['model', 'data set', 'records', 'variant', 'top-1 %', 'vs int8'], fmtRows, ['l', 'l', 'r', 'l', 'r', 'r']) + '\n');
  process.stdout.write(`\nmobilenet_v2 pow2-8 re-quantization without calibration (read model excluded, written included): ${(mobilenetMs / 1000).toFixed(2)} s (target < 5 s)\n`);
}

await main();
