/** The CLI's commands: each states its options once; cli.ts parses and dispatches. */
import { join } from 'node:path';
import {
  buildExampleModel,
  EXIT,
  GoldenExecutor,
  randomRecords,
  readValidatedTfliteFile,
  recordBytes,
  recordCount,
  UsageError,
  writeTflite,
} from '@mliflow/ir';
import { DEFAULT_BOARD, listBoards } from './boards/index.js';
import { compileForBoard, formatCompileResult, loadBoardArg } from './compile.js';
import { findMli, parseKernels } from './mli.js';
import { EXAMPLE_NAME } from './deploy.js';
import { deployCmd } from './commands/deploy.js';
import { one, positiveInt } from './args.js';
import { checkOutputDir, checkOutputFile, readFileArg, writeFileArg } from './files.js';
import { describeModel, formatModelInfo } from './inspect.js';
import { formatTopOutputs, topOutputs } from './top.js';
import { progress } from './progress.js';
import { NUMERICS_OPTIONS, parseFullAccu, parseNumerics, parseRoundMode } from './numerics.js';
import { evalCommand } from './commands/eval.js';
import { goldenCommand } from './commands/golden.js';
import { requantCommand } from './commands/requant.js';
import { benchCommand } from './commands/bench.js';

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

/** Progress lines go to stderr, and not at all when stdout carries --json for a script. */
function progressLog(v: Values): (line: string) => void {
  return (line) => {
    if (!v.json) process.stderr.write(line + '\n');
  };
}

export { one, positiveInt } from './args.js';

const inspect: Command = {
  name: 'inspect',
  summary: 'list operators, tensors with quantization, MACs, weights, inputs and outputs',
  usage: 'inspect MODEL.tflite [--json]',
  description: 'Reads a .tflite model and reports its operators, tensors (dtype, shape, scale, zero point), MACs and weight bytes.',
  options: { json: JSON_OPT },
  async run(v, pos) {
    const file = one(pos, 'MODEL.tflite', 'inspect');
    const g = readValidatedTfliteFile(file);
    const info = describeModel(g, file, g.info.subgraphCount);
    process.stdout.write((v.json ? JSON.stringify(info, null, 1) : formatModelInfo(info)) + '\n');
    return 0;
  },
};

const run: Command = {
  name: 'run',
  summary: 'run the golden executor over records of inputs',
  usage:
    'run MODEL.tflite --inputs IN.bin --out OUT.bin [--count N] [--top K] [--numerics tflite|mli] [--round-mode up|convergent] [--full-accu on|off] [--json]',
  description:
    'Runs the golden executor over every record of IN.bin and writes the outputs to OUT.bin.\n' +
    'A record is all input tensors\' raw bytes in input order; outputs are written the same way (the layout of ../shared/vectors).\n' +
    'Numerics tflite (default) reproduce TFLite Micro\'s reference kernels. Numerics mli reproduce embARC MLI 2.0.2 built with the\n' +
    'given ROUND_MODE and FULL_ACCU, bit for bit, for every operator MLI runs; the others keep TFLite\'s arithmetic.',
  options: {
    inputs: { type: 'string', valueName: 'IN.bin', help: 'input records' },
    out: { type: 'string', valueName: 'OUT.bin', help: 'where to write the output records' },
    count: { type: 'string', valueName: 'N', help: 'run only the first N records' },
    ...NUMERICS_OPTIONS,
    top: { type: 'string', valueName: 'K', help: 'print the K largest outputs of each record (first 8 records)', default: '3' },
    json: JSON_OPT,
  },
  async run(v, pos) {
    const file = one(pos, 'MODEL.tflite', 'run');
    if (typeof v.inputs !== 'string') throw new UsageError('run needs --inputs IN.bin');
    if (typeof v.out !== 'string') throw new UsageError('run needs --out OUT.bin');
    const { numerics, name } = parseNumerics(v);
    checkOutputFile(v.out, 'the outputs');
    const count = positiveInt(v.count, 'count');
    const k = positiveInt(v.top, 'top') ?? 3;
    const g = readValidatedTfliteFile(file);
    const ex = new GoldenExecutor(g, { file, numerics });
    const records = readFileArg(v.inputs, 'the inputs');
    const n = recordCount(records.length, recordBytes(g, 'inputs'), `${v.inputs} (inputs of ${file})`, count);
    const started = performance.now();
    const bar = progress('running', !v.json);
    const out = ex.runRecords(records, { count: n, onRecord: (i, total) => bar.update(i, total) });
    bar.done();
    const ms = performance.now() - started;
    writeFileArg(v.out, out);
    const top = topOutputs(g, out, k);
    if (v.json) {
      process.stdout.write(JSON.stringify({ model: file, numerics: name, records: n, out: v.out, msPerRecord: ms / n, top }, null, 1) + '\n');
    } else {
      process.stdout.write(`${n} records -> ${v.out} (${name} numerics, ${(ms / n).toFixed(1)} ms per record)\n`);
      process.stdout.write(formatTopOutputs(top.slice(0, 8)) + '\n');
    }
    return 0;
  },
};

const compile: Command = {
  name: 'compile',
  summary: 'generate a self-contained C project for a board',
  usage: 'compile MODEL.tflite --board BOARD --out DIR [--kernels mli|portable] [--mli DIR] [--round-mode up|convergent] [--full-accu on|off] [--mli-only] [--json]',
  description:
    'Lowers the model to C: constant weight arrays, one static arena, kernel calls, a Makefile.\n' +
    'With --kernels mli, each operator that embARC MLI can run exactly calls MLI (the Makefile links lib/<variant>/libmli.a of --mli DIR or\n' +
    '$MLI_ROOT; the variant is the board\'s CPU, the rounding mode and FULL_ACCU); the others stay on the portable kernels, with the reason\n' +
    'in the summary. The board gives the defaults (board.json "mli"). --mli-only makes any operator MLI cannot run an error.\n' +
    'On a board with a memory map (emsdp) it also cross-compiles the project and writes a size report per memory region (MLI\'s code included).',
  options: {
    board: { type: 'string', valueName: 'BOARD', help: `target board (${listBoards().join(', ')})`, default: DEFAULT_BOARD },
    out: { type: 'string', valueName: 'DIR', help: 'where to write the project' },
    kernels: { type: 'string', valueName: 'NAME', help: 'kernel backend: mli or portable (default: the board\'s)' },
    mli: { type: 'string', valueName: 'DIR', help: 'embARC MLI build: include/ and lib/<variant>/libmli.a (default: $MLI_ROOT)' },
    'round-mode': { type: 'string', valueName: 'MODE', help: 'MLI rounding: up or convergent (default: the board\'s)' },
    'full-accu': { type: 'string', valueName: 'on|off', help: 'MLI FULL_ACCU (default: the board\'s)' },
    'mli-only': { type: 'boolean', help: 'fail, naming the operator and the reason, when MLI cannot run an operator it has a kernel kind for' },
    json: JSON_OPT,
  },
  async run(v, pos) {
    const file = one(pos, 'MODEL.tflite', 'compile');
    if (typeof v.out !== 'string') throw new UsageError('compile needs --out DIR');
    checkOutputDir(v.out, 'the project');
    const board = loadBoardArg(v.board ?? DEFAULT_BOARD);
    const kernels = parseKernels(v['mli-only'] ? (v.kernels ?? 'mli') : v.kernels, board.spec);
    if (v['mli-only'] && kernels !== 'mli') throw new UsageError('--mli-only needs --kernels mli');
    const roundMode = parseRoundMode(v['round-mode']);
    const fullAccu = parseFullAccu(v['full-accu']);
    const mli = kernels === 'mli' ? findMli(board.spec, { root: v.mli as string | undefined, roundMode, fullAccu }) : undefined;
    const g = readValidatedTfliteFile(file);
    const r = await compileForBoard(g, file, board, v.out, { log: progressLog(v), kernels: kernels === 'mli' && v['mli-only'] ? 'mli-only' : kernels, mli });
    if (v.json) {
      const s = r.summary;
      const doc = {
        ...s,
        executable: join(r.projectDir, s.executable),
        projectDir: r.projectDir,
        board: r.board,
        kernels,
        mli: mli ? { root: mli.root, variant: mli.variant, roundMode: mli.roundMode, fullAccu: mli.fullAccu } : null,
        compileMs: r.compileMs,
        placement: r.placement,
        sizeReport: r.sizeReport,
      };
      process.stdout.write(JSON.stringify(doc, null, 1) + '\n');
    } else {
      if (mli) process.stdout.write(`embARC MLI ${mli.variant} from ${mli.root}\n`);
      process.stdout.write(formatCompileResult(r) + '\n');
    }
    return r.sizeReport && !r.sizeReport.fits ? EXIT.checkFailed : EXIT.ok;
  },
};

const example: Command = {
  name: 'example',
  summary: 'write the example model and input records, inspect it and run it',
  usage: 'example [--out DIR] [--count N] [--json]',
  description: 'Builds mliflow\'s example keyword-spotting network with the IR, writes it as .tflite with seeded input records, and runs the golden executor.',
  options: {
    out: { type: 'string', valueName: 'DIR', help: 'where to write the model and records', default: 'build/example' },
    count: { type: 'string', valueName: 'N', help: 'records to generate', default: '4' },
    json: JSON_OPT,
  },
  async run(v) {
    const dir = (v.out as string | undefined) ?? join('build', 'example');
    const count = positiveInt(v.count, 'count') ?? 4;
    checkOutputDir(dir, 'the example');
    const file = join(dir, `${EXAMPLE_NAME}.tflite`);
    writeFileArg(file, writeTflite(buildExampleModel()));
    const g = readValidatedTfliteFile(file);
    const records = randomRecords(g, count, { model: EXAMPLE_NAME });
    writeFileArg(join(dir, 'inputs.bin'), records);
    const ex = new GoldenExecutor(g, { file });
    const out = ex.runRecords(records);
    writeFileArg(join(dir, 'outputs.golden.bin'), out);
    const info = describeModel(g, file, g.info.subgraphCount);
    const top = topOutputs(g, out, 3);
    if (v.json) {
      process.stdout.write(JSON.stringify({ model: file, inputs: join(dir, 'inputs.bin'), outputs: join(dir, 'outputs.golden.bin'), info, top }, null, 1) + '\n');
    } else {
      process.stdout.write(formatModelInfo(info) + '\n\ngolden executor, top outputs:\n' + formatTopOutputs(top) + '\n');
    }
    return 0;
  },
};

export const COMMANDS: Command[] = [inspect, run, compile, deployCmd, example, evalCommand, goldenCommand, requantCommand, benchCommand];
