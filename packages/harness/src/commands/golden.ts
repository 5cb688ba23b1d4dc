/**
 * `mliflow golden`: vectors in the layout of ../shared/vectors (inputs.bin, expected outputs per
 * numerics, manifest.json), made deterministically: seeded random records (the shared vectors' own
 * generator, so that seed 1 gives their records), then optional real records from a data set, or
 * the records of a given file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  GoldenExecutor,
  randomRecords,
  readTfliteFile,
  readValidatedTfliteFile,
  recordBytes,
  recordCount,
  scaleAndZeroPoint,
  tensorLabel,
  UsageError,
  type DrawQuant,
  type Graph,
  type VectorManifest,
  type VectorTensor,
} from '@mliflow/ir';
import { one } from '../args.js';
import type { Command } from '../commands.js';
import { datasetNames, datasetRoot, getDataset, inputEncoder } from '../datasets.js';
import { checkOutputDir, readFileArg, writeFileArg } from '../files.js';
import { progress } from '../progress.js';
import { NUMERICS_OPTIONS, parseNumerics } from '../numerics.js';

function wholeNumber(v: string | boolean | undefined, option: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`--${option} must be a whole number, got "${String(v)}"`);
  return n;
}

/** --quant-from MODEL: the input quantization a float model's records are dequantized with. */
function drawQuant(g: Graph, file: string, from: string): (DrawQuant | undefined)[] {
  if (!g.inputs.some((id) => g.tensors[id].dtype === 'float32')) throw new UsageError(`--quant-from applies to float inputs; ${file} has none`);
  const p = readTfliteFile(from);
  if (p.inputs.length !== g.inputs.length) throw new UsageError(`--quant-from ${from}: ${p.inputs.length} inputs, but ${file} has ${g.inputs.length}`);
  return g.inputs.map((id, i) => {
    const q = scaleAndZeroPoint(p.tensors[p.inputs[i]].quant);
    if (g.tensors[id].dtype === 'float32' && !q) throw new UsageError(`--quant-from ${from}: input ${i} (${tensorLabel(p, p.inputs[i])}) has no quantization to dequantize with`);
    return q ?? undefined;
  });
}

/** "0-9,18,3": data-set record numbers in the order given. */
export function parseRecordList(v: string): number[] {
  const out: number[] = [];
  for (const part of v.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--records takes numbers and ranges like 0-9,18; got "${v}"`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new UsageError(`--records: the range ${part.trim()} runs backwards`);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

function tensorEntries(g: Graph, ids: number[]): VectorTensor[] {
  return ids.map((index) => {
    const t = g.tensors[index];
    return { index, dtype: t.dtype, shape: [...t.shape], scale: t.quant ? [...t.quant.scale] : [], zeroPoint: t.quant ? [...t.quant.zeroPoint] : [] };
  });
}

/** Data-set records encoded for the model, in the order asked. */
function realRecords(g: Graph, file: string, dataset: string, list: number[], root: string): Uint8Array[] {
  const ds = getDataset(dataset);
  const encode = inputEncoder(g, ds, file);
  const src = ds.open(root);
  const last = Math.max(...list);
  if (last >= src.count) throw new UsageError(`--records ${last} is past the end of ${ds.name} (${src.count} records)`);
  const wanted = new Set(list);
  const found = new Map<number, Uint8Array>();
  for (const s of src.samples(last + 1)) if (wanted.has(s.index)) found.set(s.index, encode(s.bytes));
  return list.map((i) => found.get(i)!);
}

/**
 * Where a numerics' expected outputs go: TFLite's under the shared vectors' own key and file;
 * each MLI variant under its own (expected.mli-convergent-accu-off.bin).
 */
export function expectedEntry(n: ReturnType<typeof parseNumerics>): { key: string; file: string } {
  if (!n.variant) return { key: 'tflm-reference', file: 'expected.tflm.bin' };
  const key = `mli-${n.variant.roundMode}-accu-${n.variant.fullAccu ? 'on' : 'off'}`;
  return { key, file: `expected.${key}.bin` };
}

/** A vectors manifest, or null when there is none or it is not JSON. */
function readManifest(path: string): VectorManifest | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as VectorManifest;
  } catch {
    return null;
  }
}

export interface GoldenResult {
  dir: string;
  /** `quantFrom`: the paired int8 model whose input quantization float draws were dequantized with. */
  manifest: VectorManifest & { inputsFrom?: string; realFrom?: { dataset: string; records: number[] }; quantFrom?: string };
}

export const goldenCommand: Command = {
  name: 'golden',
  summary: 'regenerate vectors: input records, expected outputs per numerics, a manifest',
  usage:
    'golden MODEL.tflite --out DIR [--count N --seed S --quant-from INT8.tflite] [--dataset NAME --records LIST] | [--inputs FILE] [--numerics tflite|mli [--round-mode R] [--full-accu on|off]] [--json]',
  description:
    'Writes DIR/inputs.bin, the expected outputs (expected.tflm.bin for tflite, expected.mli-<round>-accu-<on|off>.bin\n' +
    'for mli) and DIR/manifest.json in the layout of ../shared/vectors. Records: --count seeded random records over\n' +
    "each input's full range, then the data-set records --records names, encoded for the model's input; or every\n" +
    'record of --inputs FILE. The generator is the shared vectors\' own (xorshift32, started from the seed and the\n' +
    'model name), as deploy and bench draw theirs: --seed 1 gives the shared random records. Float inputs get int8 draws dequantized with the input\n' +
    "quantization of --quant-from (the paired int8 model, as the shared float vectors do), else q / 128. Run again with\n" +
    'other --numerics on the same records, it adds that expected file to the manifest. Same model and options, same bytes.',
  options: {
    out: { type: 'string', valueName: 'DIR', help: 'where to write the vectors' },
    count: { type: 'string', valueName: 'N', help: 'seeded random records', default: '16' },
    seed: { type: 'string', valueName: 'S', help: 'seed of the random records', default: '1' },
    'quant-from': { type: 'string', valueName: 'INT8.tflite', help: "float inputs: dequantize int8 draws with this model's input quantization" },
    dataset: { type: 'string', valueName: 'NAME', help: `append real records from a data set (${datasetNames().join(', ')})` },
    records: { type: 'string', valueName: 'LIST', help: 'which data-set records, e.g. 0-9 or 3,2,1,18,4' },
    datasets: { type: 'string', valueName: 'DIR', help: 'the data-set folder (default: $MLIFLOW_DATASETS)' },
    inputs: { type: 'string', valueName: 'FILE', help: 'take the records of FILE instead' },
    ...NUMERICS_OPTIONS,
    json: { type: 'boolean', help: 'print the manifest as JSON on stdout' },
  },
  async run(v, pos) {
    const file = one(pos, 'MODEL.tflite', 'golden');
    if (typeof v.out !== 'string') throw new UsageError('golden needs --out DIR');
    if (v.inputs !== undefined && ['count', 'seed', 'quant-from', 'dataset'].some((o) => v[o] !== undefined)) {
      throw new UsageError('golden takes either --inputs FILE or --count/--seed/--quant-from/--dataset, not both');
    }
    if ((v.dataset === undefined) !== (v.records === undefined)) throw new UsageError('--dataset NAME and --records LIST go together');
    const numerics = parseNumerics(v);
    const entry = expectedEntry(numerics);
    checkOutputDir(v.out, 'the vectors');
    const g = readValidatedTfliteFile(file);
    const recIn = recordBytes(g, 'inputs');

    const manifest: GoldenResult['manifest'] = { model: basename(file), count: 0, random: 0, real: 0, seed: 0, inputs: [], outputs: [], expected: {} };
    let records: Uint8Array;
    if (typeof v.inputs === 'string') {
      records = readFileArg(v.inputs, 'the inputs');
      const n = recordCount(records.length, recIn, `${v.inputs} (inputs of ${file})`);
      // A vectors folder's records keep what its manifest says of them (random, real, seed).
      const beside = readManifest(join(dirname(v.inputs), 'manifest.json'));
      if (beside && beside.count === n && Number.isInteger(beside.random) && Number.isInteger(beside.real)) {
        Object.assign(manifest, { count: n, random: beside.random, real: beside.real, seed: beside.seed });
      } else {
        Object.assign(manifest, { count: n, real: n });
        delete (manifest as Partial<VectorManifest>).seed;
      }
      manifest.inputsFrom = v.inputs;
    } else {
      const count = wholeNumber(v.count, 'count', 16);
      const seed = wholeNumber(v.seed, 'seed', 1);
      const list = typeof v.records === 'string' ? parseRecordList(v.records) : [];
      const real = list.length ? realRecords(g, file, v.dataset as string, list, datasetRoot(v.datasets as string | undefined)) : [];
      if (count + real.length === 0) throw new UsageError('golden: --count 0 and no --records leaves no records to write');
      records = new Uint8Array((count + real.length) * recIn);
      const from = v['quant-from'] as string | undefined;
      const quant = from === undefined ? [] : drawQuant(g, file, from);
      const name = basename(file).replace(/\.tflite$/i, '');
      records.set(randomRecords(g, count, { model: name, seed, quant }));
      real.forEach((r, i) => records.set(r, (count + i) * recIn));
      Object.assign(manifest, { count: count + real.length, random: count, real: real.length, seed });
      if (from !== undefined) manifest.quantFrom = basename(from);
      if (list.length) manifest.realFrom = { dataset: v.dataset as string, records: list };
    }
    manifest.inputs = tensorEntries(g, g.inputs);
    manifest.outputs = tensorEntries(g, g.outputs);

    // Other numerics already written for exactly these records stay listed.
    const mfPath = join(v.out, 'manifest.json');
    const inPath = join(v.out, 'inputs.bin');
    const before = existsSync(inPath) && Buffer.from(readFileArg(inPath, 'the earlier inputs')).equals(records) ? readManifest(mfPath) : null;
    if (before?.model === manifest.model) {
      for (const [k, f] of Object.entries(before.expected ?? {})) if (typeof f === 'string' && existsSync(join(v.out, f))) manifest.expected[k] = f;
    }

    const ex = new GoldenExecutor(g, { numerics: numerics.numerics, file });
    const bar = progress(`running the golden executor (${numerics.name})`, !v.json);
    const expected = ex.runRecords(records, { onRecord: (i, n) => bar.update(i, n) });
    bar.done();
    manifest.expected[entry.key] = entry.file;
    manifest.expected = Object.fromEntries(Object.entries(manifest.expected).sort(([a], [b]) => a.localeCompare(b)));

    writeFileArg(inPath, records);
    writeFileArg(join(v.out, entry.file), expected);
    writeFileArg(mfPath, JSON.stringify(manifest, null, 1) + '\n');
    if (v.json) {
      process.stdout.write(JSON.stringify({ dir: v.out, manifest }, null, 1) + '\n');
    } else {
      const parts = [`${manifest.random} random${manifest.seed === undefined ? '' : ` (seed ${manifest.seed})`}`, `${manifest.real} real`];
      if (manifest.inputsFrom) parts.push(`from ${manifest.inputsFrom}`);
      process.stdout.write(`${manifest.count} records (${parts.join(', ')}) -> ${v.out}: inputs.bin, ${entry.file}, manifest.json\n`);
    }
    return 0;
  },
};
