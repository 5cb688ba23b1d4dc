/**
 * Golden executor throughput against the TFLite runtime (the WASM build in
 * @tensorflow/tfjs-tflite) on the same model and input, measured in one run.
 * Prints, per model, golden throughput / TFLite throughput (> 1 means the golden executor
 * is faster), and where the golden executor's time goes by operator kind.
 *
 *   pnpm bench:golden [MODEL ...] [--json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoldenExecutor, loadVectors, readTfliteFile } from '@mliflow/ir';
import { loadTfliteRuntime, type TfliteRuntime } from '../test/tflite-runtime.js';
import { MODELS, VECTORS } from '../test/paths.js';

const DEFAULT_MODELS = ['kws_ref_model', 'pretrainedResnet_quant', 'vww_96_int8', 'mobilenet_v2_quantized_1x3x224x224'];
/** Each contender runs for at least this long (after warm-up) so timer noise stays small. */
const MIN_MS = 1500;
const MIN_RUNS = 3;

/**
 * Interleaved timing: one run of each contender per round, so a busy moment on a shared
 * machine hits all of them alike; the median per contender is robust to the outliers.
 */
function timeInterleaved(fns: (() => void)[]): { msPer: number[]; runs: number } {
  for (const fn of fns) {
    fn();
    fn();
  }
  const samples = fns.map(() => [] as number[]);
  const t0 = performance.now();
  let runs = 0;
  while (runs < MIN_RUNS || performance.now() - t0 < MIN_MS * fns.length) {
    fns.forEach((fn, k) => {
      const t = performance.now();
      fn();
      samples[k].push(performance.now() - t);
    });
    runs++;
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  return { msPer: samples.map(median), runs };
}

interface Row {
  model: string;
  goldenMs: number;
  tfliteMs: number;
  tfliteSimdMs: number;
  ratio: number;
  ratioSimd: number;
  byKind: Record<string, number>;
}

async function benchModel(name: string, plain: TfliteRuntime, simd: TfliteRuntime): Promise<Row> {
  const bytes = new Uint8Array(readFileSync(join(MODELS, `${name}.tflite`)));
  const vec = loadVectors(join(VECTORS, name));
  const g = readTfliteFile(join(MODELS, `${name}.tflite`));
  const ex = new GoldenExecutor(g, { file: name });
  const sizes = ex.inputSizes;
  let off = 0;
  const inputs = sizes.map((s) => vec.inputs.slice(off, (off += s)));

  const m1 = await plain.load(bytes);
  const m2 = await simd.load(bytes);
  const t = timeInterleaved([() => ex.run(inputs), () => m1.run(inputs), () => m2.run(inputs)]);
  m1.dispose();
  m2.dispose();
  const [goldenMs, tfliteMs, simdMs] = t.msPer;

  const profile = new Float64Array(g.ops.length);
  for (let i = 0; i < Math.min(t.runs, 50); i++) ex.run(inputs, { profile });
  const byKind: Record<string, number> = {};
  const total = profile.reduce((a, b) => a + b, 0);
  g.ops.forEach((op, i) => (byKind[op.kind] = (byKind[op.kind] ?? 0) + profile[i] / total));

  return {
    model: name,
    goldenMs,
    tfliteMs,
    tfliteSimdMs: simdMs,
    ratio: tfliteMs / goldenMs,
    ratioSimd: simdMs / goldenMs,
    byKind,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const models = args.filter((a) => !a.startsWith('--'));
  const plain = await loadTfliteRuntime();
  const simd = await loadTfliteRuntime({ simd: true });
  const rows: Row[] = [];
  for (const m of models.length ? models : DEFAULT_MODELS) {
    if (!json) process.stderr.write(`benchmarking ${m}...\n`);
    rows.push(await benchModel(m, plain, simd));
  }
  if (json) {
    process.stdout.write(JSON.stringify(rows, null, 1) + '\n');
    return;
  }
  const pad = (s: string, n: number): string => s.padStart(n);
  console.log(`${'model'.padEnd(36)} ${pad('golden ms', 10)} ${pad('tflite ms', 10)} ${pad('ratio', 7)} ${pad('simd ms', 9)} ${pad('ratio', 7)}`);
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(36)} ${pad(r.goldenMs.toFixed(2), 10)} ${pad(r.tfliteMs.toFixed(2), 10)} ${pad(r.ratio.toFixed(2), 7)} ` +
        `${pad(r.tfliteSimdMs.toFixed(2), 9)} ${pad(r.ratioSimd.toFixed(2), 7)}`,
    );
  }
  console.log('\nms = median per inference, the three runtimes interleaved on the same input');
  console.log('ratio = golden throughput / TFLite throughput (TFLite WASM, XNNPACK, one thread; simd: its SIMD build)');
  console.log('\nwhere the golden executor spends its time:');
  for (const r of rows) {
    const parts = Object.entries(r.byKind)
      .sort((a, b) => b[1] - a[1])
      .map(([k, f]) => `${k} ${(100 * f).toFixed(1)}%`);
    console.log(`  ${r.model}: ${parts.join(', ')}`);
  }
}

await main();
