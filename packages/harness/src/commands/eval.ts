/**
 * `mliflow eval`: top-1 accuracy on a labelled data set. Scoring takes "a way to get outputs
 * for a batch of records", so the golden executor and a board score the same way.
 */
import { GoldenExecutor, readValidatedTfliteFile, typedView, UsageError, type Graph } from '@mliflow/ir';
import { one, positiveInt } from '../args.js';
import type { Command } from '../commands.js';
import { datasetNames, datasetRoot, getDataset, modelRecords, type Dataset, type ModelRecord } from '../datasets.js';
import { checkOutputFile, writeFileArg } from '../files.js';
import { table } from '../format.js';
import { progress } from '../progress.js';
import { NUMERICS_OPTIONS, parseNumerics } from '../numerics.js';
import { boardEvalExit, evalOnBoard, formatBoardEval } from './eval-board.js';

/** Outputs (one record's output bytes each) for a batch of model inputs, in order. */
export type OutputsForBatch = (inputs: Uint8Array[]) => Promise<Uint8Array[]> | Uint8Array[];

export interface ClassScore {
  label: number;
  name: string;
  records: number;
  correct: number;
  /** How often the model predicted this class. */
  predicted: number;
}

export interface Top1Report {
  model: string;
  dataset: string;
  /** Who produced the outputs: "golden tflite", a board's name. */
  runner: string;
  records: number;
  correct: number;
  top1: number;
  perClass: ClassScore[];
  msPerRecord: number;
}

/** Index of the largest value; the first one on ties. Quantized outputs compare as integers (scale > 0). */
export function argmax(g: Graph, output: Uint8Array): number {
  const t = g.tensors[g.outputs[0]];
  const v = typedView(t.dtype, output) as ArrayLike<number>;
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

export async function scoreTop1(
  g: Graph,
  ds: Dataset,
  source: { count: number; records: Iterable<ModelRecord> },
  outputsFor: OutputsForBatch,
  opts: { model: string; runner: string; batch?: number; onProgress?: (done: number, total: number) => void; onPrediction?: (p: number) => void },
): Promise<Top1Report> {
  const perClass: ClassScore[] = ds.classes.map((name, label) => ({ label, name, records: 0, correct: 0, predicted: 0 }));
  const batchSize = opts.batch ?? 32;
  let done = 0;
  let correct = 0;
  const t0 = performance.now();
  let batch: ModelRecord[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const outs = await outputsFor(batch.map((r) => r.input));
    batch.forEach((r, i) => {
      const p = argmax(g, outs[i]);
      opts.onPrediction?.(p);
      perClass[r.label].records++;
      perClass[p].predicted++;
      if (p === r.label) {
        perClass[r.label].correct++;
        correct++;
      }
    });
    done += batch.length;
    batch = [];
    opts.onProgress?.(done, source.count);
  };
  for (const r of source.records) {
    batch.push(r);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  const ms = performance.now() - t0;
  return {
    model: opts.model,
    dataset: ds.name,
    runner: opts.runner,
    records: done,
    correct,
    top1: done ? correct / done : 0,
    perClass,
    msPerRecord: done ? ms / done : 0,
  };
}

/** The golden executor as a batch runner: state reset before each record, as runRecords does. */
export function goldenOutputs(ex: GoldenExecutor): OutputsForBatch {
  return (inputs) =>
    inputs.map((input) => {
      ex.resetState();
      return ex.run([input]).outputs[0];
    });
}

export function formatTop1(r: Top1Report): string {
  const pct = (c: number, n: number): string => (n ? `${((100 * c) / n).toFixed(2)}%` : '-');
  return [
    `${r.model} on ${r.dataset} (${r.runner}): top-1 ${pct(r.correct, r.records)} (${r.correct} of ${r.records}), ${r.msPerRecord.toFixed(1)} ms per record`,
    '',
    table(
      ['class', 'name', 'records', 'correct', 'top-1', 'predicted'],
      r.perClass.map((c) => [String(c.label), c.name, String(c.records), String(c.correct), pct(c.correct, c.records), String(c.predicted)]),
      ['r', 'l', 'r', 'r', 'r', 'r'],
    ),
  ].join('\n');
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'top-1 accuracy on a labelled data set, with the golden executor',
  usage: 'eval MODEL.tflite --dataset NAME [--datasets DIR] [--limit N] [--numerics tflite|mli [--round-mode R] [--full-accu on|off]] [--board BOARD [--qemu PATH]] [--report FILE] [--json]',
  description:
    'Streams a labelled data set through the golden executor and reports top-1 accuracy, per class too.\n' +
    "Float models run as well, so an int8 model can be set against its float original. Each model's input\n" +
    "encoding follows from its input tensor: float inputs take the data set's real values, quantized inputs\n" +
    "those values quantized with the tensor's scale and zero point.\n" +
    `Data sets: ${datasetNames().join(', ')} (../shared/datasets/SOURCES.md describes them).`,
  options: {
    dataset: { type: 'string', valueName: 'NAME', help: `the data set (${datasetNames().join(', ')})` },
    datasets: { type: 'string', valueName: 'DIR', help: 'the data-set folder (default: $MLIFLOW_DATASETS)' },
    limit: { type: 'string', valueName: 'N', help: 'only the first N records' },
    ...NUMERICS_OPTIONS,
    board: { type: 'string', valueName: 'BOARD', help: "run on a board over its serial link (host, qemu-arc-em), next to the golden executor's top-1" },
    qemu: { type: 'string', valueName: 'PATH', help: 'qemu-system-arc for --board qemu-arc-em (default: $MLIFLOW_QEMU_ARC, then PATH)' },
    report: { type: 'string', valueName: 'FILE', help: 'also write the report as JSON to FILE' },
    json: { type: 'boolean', help: 'print a machine-readable JSON document on stdout' },
  },
  async run(v, pos) {
    const file = one(pos, 'MODEL.tflite', 'eval');
    if (typeof v.dataset !== 'string') throw new UsageError(`eval needs --dataset NAME (${datasetNames().join(', ')})`);
    const ds = getDataset(v.dataset);
    const root = datasetRoot(v.datasets as string | undefined);
    const limit = positiveInt(v.limit, 'limit');
    if (typeof v.report === 'string') checkOutputFile(v.report, 'the report');
    const numerics = parseNumerics(v);
    const g = readValidatedTfliteFile(file);
    if (typeof v.board === 'string') {
      const r = await evalOnBoard({ boardName: v.board, g, file, ds, records: () => modelRecords(g, file, ds, root, limit), qemu: v.qemu as string | undefined, quiet: !!v.json });
      if (typeof v.report === 'string') writeFileArg(v.report, JSON.stringify(r, null, 1) + '\n');
      process.stdout.write((v.json ? JSON.stringify(r, null, 1) : formatBoardEval(r)) + '\n');
      return boardEvalExit(r);
    }
    const source = modelRecords(g, file, ds, root, limit);
    const ex = new GoldenExecutor(g, { numerics: numerics.numerics, file });
    const bar = progress(`evaluating ${ds.name}`, !v.json);
    const report = await scoreTop1(g, ds, source, goldenOutputs(ex), {
      model: file,
      runner: `golden ${numerics.name}`,
      onProgress: (d, n) => bar.update(d, n),
    });
    bar.done();
    if (typeof v.report === 'string') writeFileArg(v.report, JSON.stringify(report, null, 1) + '\n');
    process.stdout.write((v.json ? JSON.stringify(report, null, 1) : formatTop1(report)) + '\n');
    return 0;
  },
};
