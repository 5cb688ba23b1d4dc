/** `mliflow deploy`: the whole flow on one board, with a per-record table and reports. */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '@mliflow/ir';
import { DEFAULT_BOARD, listBoards, type Board } from '../boards/index.js';
import type { Command, Values } from '../commands.js';
import { positiveInt } from '../commands.js';
import { loadBoardArg } from '../compile.js';
import { findMli, parseKernels, type Kernels, type RoundMode } from '../mli.js';
import { parseFullAccu, parseRoundMode } from '../numerics.js';
import { deploy, EXAMPLE_NAME, formatDeployResult, hardwarePlan } from '../deploy.js';
import { checkOutputDir, checkOutputFile, writeFileArg } from '../files.js';
import { deployHtml, deployMarkdown } from '../report.js';
import { EXIT, MliflowError } from '@mliflow/ir';
import type { MliLibrary } from '@mliflow/codegen-c';

export const deployCmd: Command = {
  name: 'deploy',
  summary: 'compile, build and run on a board over its serial link; compare every output with the golden executor',
  usage: 'deploy [MODEL.tflite] --board BOARD [--vectors DIR | --inputs IN.bin] [--count N] [--port DEV] [--baud N] [--kernels mli|portable] [--mli DIR] [--round-mode up|convergent] [--full-accu on|off] [--protocol mliflow|mlperf-tiny] [--qemu PATH] [--report FILE.json] [--dry-run] [--json]',
  description:
    'The whole flow on one board: compile, build the firmware, start it (a host process, QEMU) or load it (a real board),\n' +
    'stream every record over the serial link and compare each output with the golden executor.\n' +
    'Without MODEL it deploys the example network that mliflow builds itself; without --inputs or --vectors, --count seeded random records.\n' +
    'Exit code 1 when any output element differs; 4 when the board needs hardware or tools that are not here.',
  options: {
    board: { type: 'string', valueName: 'BOARD', help: `target board (${listBoards().join(', ')})`, default: DEFAULT_BOARD },
    vectors: { type: 'string', valueName: 'DIR', help: 'a vectors folder (its inputs.bin), as in ../shared/vectors/<model>' },
    inputs: { type: 'string', valueName: 'IN.bin', help: 'input records (default: seeded random records)' },
    count: { type: 'string', valueName: 'N', help: 'records to run (default: all of --inputs/--vectors, else 4)' },
    port: { type: 'string', valueName: 'DEV', help: 'serial port of a real board (default: found by its USB id)' },
    baud: { type: 'string', valueName: 'N', help: 'baud rate (default: the board\'s)' },
    kernels: { type: 'string', valueName: 'NAME', help: "kernel backend: mli or portable (default: the board's)" },
    mli: { type: 'string', valueName: 'DIR', help: 'embARC MLI build: include/ and lib/<variant>/libmli.a (default: $MLI_ROOT)' },
    'round-mode': { type: 'string', valueName: 'MODE', help: "MLI rounding: up or convergent (default: the board's)" },
    'full-accu': { type: 'string', valueName: 'on|off', help: "MLI FULL_ACCU (default: the board's)" },
    protocol: { type: 'string', valueName: 'NAME', help: "serial protocol: mliflow (framed, CRC-32, retries) or mlperf-tiny (the EEMBC runner's ASCII commands)", default: 'mliflow' },
    qemu: { type: 'string', valueName: 'PATH', help: 'qemu-system-arc for qemu boards (default: $MLIFLOW_QEMU_ARC, then PATH)' },
    report: { type: 'string', valueName: 'FILE.json', help: 'write the JSON report there, and beside it one to read: FILE.md and FILE.html' },
    'dry-run': { type: 'boolean', help: 'print the plan (compile, build, load, serial port) and stop' },
    out: { type: 'string', valueName: 'DIR', help: 'working folder', default: 'build/deploy/<model>-<board>' },
    json: { type: 'boolean', help: 'print a machine-readable JSON document on stdout' },
  },
  async run(v, pos) {
    if (pos.length > 1) throw new UsageError('deploy takes at most one MODEL.tflite (see --help)');
    const model = pos[0];
    const board = loadBoardArg(v.board ?? DEFAULT_BOARD);
    const asked = parseKernelArgs(v, board);
    const name = model ? basename(model).replace(/\.tflite$/, '') : EXAMPLE_NAME;
    const outDir = typeof v.out === 'string' ? v.out : join('build', 'deploy', `${name}-${board.name}`);
    checkOutputDir(outDir, 'the deploy folder');
    if (typeof v.report === 'string') checkOutputFile(v.report, 'the report');
    const inputs = inputsArg(v);
    const baud = positiveInt(v.baud, 'baud');
    const protocol = (v.protocol as string | undefined) ?? 'mliflow';
    if (protocol !== 'mliflow' && protocol !== 'mlperf-tiny') throw new UsageError(`--protocol ${protocol} is not known; available: mliflow, mlperf-tiny`);
    const log = (line: string): void => {
      if (!v.json) process.stderr.write(line + '\n');
    };
    if (v['dry-run']) {
      const plan = hardwarePlan(board, join(outDir, 'project'), { model: model ?? `(the example network)`, port: v.port as string | undefined, baud });
      process.stdout.write((v.json ? JSON.stringify({ board: board.name, plan }, null, 1) : plan.join('\n')) + '\n');
      return EXIT.ok;
    }
    const { kernels, mli } = findKernels(v, board, asked, log);
    const r = await deploy({
      kernels,
      ...(mli ? { mli } : {}),
      model,
      board,
      outDir,
      inputs,
      count: positiveInt(v.count, 'count'),
      port: v.port as string | undefined,
      baud,
      qemu: v.qemu as string | undefined,
      protocol,
      log,
    });
    if (typeof v.report === 'string') {
      const base = v.report.replace(/\.json$/i, '');
      writeFileArg(v.report, JSON.stringify(r, null, 1) + '\n');
      writeFileArg(`${base}.md`, deployMarkdown(r));
      writeFileArg(`${base}.html`, deployHtml(r));
      log(`reports: ${v.report}, ${base}.md and ${base}.html`);
    }
    process.stdout.write((v.json ? JSON.stringify(r, null, 1) : formatDeployResult(r)) + '\n');
    if (r.compile.sizeReport && !r.compile.sizeReport.fits) return EXIT.checkFailed;
    if (r.stopped) return EXIT.needsHardware;
    return r.bitExact ? EXIT.ok : EXIT.checkFailed;
  },
};

/** --vectors DIR or --inputs IN.bin as the input records' file, or undefined for seeded random records. */
export function inputsArg(v: Values): string | undefined {
  if (v.vectors !== undefined && v.inputs !== undefined) throw new UsageError('give --vectors DIR or --inputs IN.bin, not both');
  if (typeof v.vectors !== 'string') return v.inputs as string | undefined;
  const inputs = join(v.vectors, 'inputs.bin');
  if (!existsSync(v.vectors) || !statSync(v.vectors).isDirectory()) throw new UsageError(`--vectors ${v.vectors}: not a folder`);
  if (!existsSync(inputs)) throw new UsageError(`--vectors ${v.vectors}: it has no inputs.bin`);
  return inputs;
}

/** --kernels, --round-mode and --full-accu, checked (before anything runs). */
export function parseKernelArgs(v: Values, board: Board): { kernels: Kernels; roundMode?: RoundMode; fullAccu?: boolean } {
  return { kernels: parseKernels(v.kernels, board.spec), roundMode: parseRoundMode(v['round-mode']), fullAccu: parseFullAccu(v['full-accu']) };
}

/** The MLI library for --kernels mli; when MLI is only the board's default and is missing, the portable kernels instead. */
export function findKernels(v: Values, board: Board, asked: ReturnType<typeof parseKernelArgs>, log: (line: string) => void): { kernels: Kernels; mli?: MliLibrary } {
  if (asked.kernels !== 'mli') return { kernels: asked.kernels };
  try {
    return { kernels: 'mli', mli: findMli(board.spec, { root: v.mli as string | undefined, roundMode: asked.roundMode, fullAccu: asked.fullAccu }) };
  } catch (e) {
    // The board's default, not the user's choice: say so and go on with the portable kernels.
    if (v.kernels !== undefined || !(e instanceof MliflowError)) throw e;
    log(`${e.message}; using the portable kernels instead`);
    return { kernels: 'portable' };
  }
}
