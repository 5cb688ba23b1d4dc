/** The CLI's commands: each states its options once; cli.ts parses and dispatches. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GoldenExecutor, MliflowError, readTfliteFile, UsageError } from '@mliflow/ir';
import { describeModel, formatModelInfo } from './inspect.js';
import { formatTopOutputs, topOutputs } from './top.js';
import { progress } from './progress.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  help: string;
  short?: string;
  valueName?: string;
  default?: string | boolean;
}

export type Values = Record<string, string | boolean | undefined>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  description: string;
  options: Record<string, OptionSpec>;
  run(values: Values, positionals: string[]): Promise<number>;
}

const JSON_OPT: OptionSpec = { type: 'boolean', help: 'print a machine-readable JSON document on stdout' };

export function one(positionals: string[], what: string, cmd: string): string {
  if (positionals.length !== 1) throw new UsageError(`${cmd} takes exactly one ${what} (see --help)`);
  return positionals[0];
}

export function readFileArg(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new MliflowError(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

export function writeFileArg(path: string, data: Uint8Array | string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  } catch (e) {
    throw new MliflowError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

export function parseCount(v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--count must be a positive whole number, got "${String(v)}"`);
  return n;
}

const inspect: Command = {
  name: 'inspect',
  summary: 'list operators, tensors with quantization, MACs, weights, inputs and outputs',
  usage: 'inspect MODEL.tflite [--json]',
  description: 'Reads a .tflite model and reports its operators, tensors (dtype, shape, scale, zero point), MACs and weight bytes.',
  options: { json: JSON_OPT },
  async run(v, pos) {
    const file = one(pos, 'MODEL.tflite', 'inspect');
    const g = readTfliteFile(file);
    const info = describeModel(g, file, g.info.subgraphCount);
    process.stdout.write((v.json ? JSON.stringify(info, null, 1) : formatModelInfo(info)) + '\n');
    return 0;
  },
};

const run: Command = {
  name: 'run',
  summary: 'run the golden executor over records of inputs',
  usage: 'run MODEL.tflite --inputs IN.bin --out OUT.bin [--count N] [--numerics tflite] [--json]',
  description:
    'Runs the golden executor (TFLite Micro reference numerics) over every record of IN.bin and writes the outputs to OUT.bin.\n' +
    'A record is all input tensors\' raw bytes in input order; outputs are written the same way (the layout of ../shared/vectors).',
  options: {
    inputs: { type: 'string', valueName: 'IN.bin', help: 'input records' },
    out: { type: 'string', valueName: 'OUT.bin', help: 'where to write the output records' },
    count: { type: 'string', valueName: 'N', help: 'run only the first N records' },
    numerics: { type: 'string', valueName: 'NAME', help: 'arithmetic to reproduce', default: 'tflite' },
    top: { type: 'string', valueName: 'K', help: 'print the K largest outputs of each record (first 8 records)', default: '3' },
    json: JSON_OPT,
  },
  async run(v, pos) {
    const file = one(pos, 'MODEL.tflite', 'run');
    if (typeof v.inputs !== 'string') throw new UsageError('run needs --inputs IN.bin');
    if (typeof v.out !== 'string') throw new UsageError('run needs --out OUT.bin');
    const numerics = (v.numerics as string | undefined) ?? 'tflite';
    if (numerics !== 'tflite') throw new UsageError(`--numerics ${numerics} is not known; available: tflite`);
    const g = readTfliteFile(file);
    const ex = new GoldenExecutor(g, { file, numerics });
    const records = readFileArg(v.inputs, 'the inputs');
    const recIn = ex.inputSizes.reduce((a, b) => a + b, 0);
    if (records.length % recIn !== 0) {
      throw new UsageError(`${v.inputs}: ${records.length} bytes is not a whole number of ${recIn}-byte input records for ${file}`);
    }
    const started = performance.now();
    const bar = progress('running', !v.json);
    const out = ex.runRecords(records, { count: parseCount(v.count), onRecord: (i, n) => bar.update(i, n) });
    bar.done();
    const ms = performance.now() - started;
    writeFileArg(v.out, out);
    const n = out.length / ex.outputSizes.reduce((a, b) => a + b, 0);
    const top = topOutputs(g, out, Number(v.top ?? 3));
    if (v.json) {
      process.stdout.write(JSON.stringify({ model: file, records: n, out: v.out, msPerRecord: ms / n, top }, null, 1) + '\n');
    } else {
      process.stdout.write(`${n} records -> ${v.out} (${(ms / n).toFixed(1)} ms per record)\n`);
      process.stdout.write(formatTopOutputs(top.slice(0, 8)) + '\n');
    }
    return 0;
  },
};

export const COMMANDS: Command[] = [inspect, run];
