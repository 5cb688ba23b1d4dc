/**
 * `mliflow bench`: MLPerf Tiny's two scenarios on a board, over the same firmware session as
 * deploy and eval. single-stream: one record at a time, latency percentiles (the invoke's
 * instructions or cycles, and the host's wall time per round trip). offline: every record back
 * to back, throughput including the serial link. Every output is held to the golden executor:
 * a benchmark of wrong answers is not a result.
 */
import { basename, join } from 'node:path';
import { EXIT, GoldenExecutor, MliflowError, randomRecords, readValidatedTfliteFile, recordBytes, recordCount, UsageError } from '@mliflow/ir';
import { mliNumerics } from '@mliflow/requant';
import { DEFAULT_BOARD } from '../boards/index.js';
import { findQemu, mliflowVersion } from '../boards/firmware.js';
import type { Board } from '../boards/index.js';
import type { MliLibrary } from '@mliflow/codegen-c';
import type { Kernels } from '../mli.js';
import type { Command } from '../commands.js';
import { positiveInt } from '../args.js';
import { loadBoardArg } from '../compile.js';
import { detectHardware } from '../boards/hardware.js';
import { compareRecord, goldenRecord, hardwareNeeds, modelHash, recordVerdict } from '../deploy.js';
import { checkOutputDir, checkOutputFile, readFileArg, writeFileArg } from '../files.js';
import { formatCount, table } from '../format.js';
import { progress } from '../progress.js';
import { distribution, type Distribution } from '../stats.js';
import { openBoardRunner } from '../session.js';
import type { Identity } from '../transport/protocol.js';
import { deployCmd, findKernels, inputsArg, parseKernelArgs } from './deploy.js';

export type Scenario = 'single-stream' | 'offline';
const SCENARIOS: Scenario[] = ['single-stream', 'offline'];

export interface BenchRecord {
  record: number;
  pass: boolean;
  /** Instructions (QEMU) or cycles (a board) of the invoke alone; null without a counter. */
  count: number | null;
  /** Host-side round trip: upload, invoke, read back. */
  ms: number;
  /** Bytes on the wire for this record, both ways. */
  wireBytes: number;
}

export interface BenchResult {
  model: string;
  board: string;
  scenario: Scenario;
  kernels: string;
  numerics: string;
  records: number;
  /** Untimed runs of record 0 before the measured ones, and their counts. */
  warmup: number;
  warmupCounts: (number | null)[];
  /** What `count` counts: instructions under QEMU's -icount, cycles on a board, null without a counter. */
  counter: 'instructions' | 'cycles' | null;
  firmware: Identity;
  port: string;
  baud: number;
  /** single-stream: per-inference distributions. */
  latency?: {
    count: Distribution | null;
    ms: Distribution;
    /** The record's wire bytes at the board's baud (8N1, 10 bits a byte): the link's share on a real UART. */
    linkMsAtBaud: Distribution;
  };
  /** offline: all records back to back, the link included. */
  throughput?: {
    seconds: number;
    recordsPerSecond: number;
    payloadBytes: number;
    wireBytes: number;
    payloadBytesPerSecond: number;
    wireBytesPerSecond: number;
    /** Payload over wire bytes. */
    efficiency: number;
    /** Mean instructions or cycles per inference. */
    meanCount: number | null;
  };
  perRecord: BenchRecord[];
  /** Every output equals the golden executor's under the firmware's numerics. */
  bitExact: boolean;
  failing: { record: number; verdict: string }[];
}

const o = deployCmd.options;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'MLPerf Tiny style benchmark on a board: single-stream latency percentiles, offline throughput over the link',
  usage:
    'bench MODEL.tflite --board BOARD [--scenario single-stream|offline] [--count N | --vectors DIR | --inputs IN.bin] [--warmup N] [--kernels mli|portable] [--mli DIR] [--round-mode up|convergent] [--full-accu on|off] [--qemu PATH] [--port DEV] [--baud N] [--out DIR] [--report FILE.json] [--json]',
  description:
    'Builds and starts the firmware as deploy does, then runs a scenario in the spirit of MLPerf Tiny:\n' +
    '  single-stream  one record at a time: min, median, p90, p99, max and mean of the invoke\'s instructions (QEMU, -icount)\n' +
    '                 or cycles (a board), of the host\'s wall time per round trip, and of the link\'s share at the board\'s baud;\n' +
    '  offline        every record back to back: records and bytes per second over the link, and wire efficiency\n' +
    '                 (the protocol keeps one record in flight, so this is the sustained rate of link and board together).\n' +
    'Every output is compared with the golden executor under the kernels\' numerics; any difference makes the exit code 1.',
  options: {
    board: o.board,
    scenario: { type: 'string', valueName: 'NAME', help: 'single-stream or offline', default: 'single-stream' },
    count: { type: 'string', valueName: 'N', help: 'records (default: all of --inputs/--vectors, else 20 seeded random records)' },
    warmup: { type: 'string', valueName: 'N', help: 'runs of the first record before the clock starts, as the MLPerf Tiny runner\'s warm-up (checked too, not timed)', default: '1' },
    vectors: o.vectors,
    inputs: o.inputs,
    kernels: o.kernels,
    mli: o.mli,
    'round-mode': o['round-mode'],
    'full-accu': o['full-accu'],
    qemu: o.qemu,
    port: o.port,
    baud: o.baud,
    out: { type: 'string', valueName: 'DIR', help: 'working folder', default: 'build/bench/<model>-<board>' },
    report: { type: 'string', valueName: 'FILE.json', help: 'write the JSON document there too' },
    json: o.json,
  },
  async run(v, pos) {
    if (pos.length !== 1) throw new UsageError('bench takes one MODEL.tflite (see --help)');
    const file = pos[0];
    const scenario = (v.scenario as string | undefined) ?? 'single-stream';
    if (!SCENARIOS.includes(scenario as Scenario)) throw new UsageError(`--scenario ${scenario} is not known; available: ${SCENARIOS.join(', ')}`);
    const board = loadBoardArg(v.board ?? DEFAULT_BOARD);
    const asked = parseKernelArgs(v, board);
    const count = positiveInt(v.count, 'count');
    const baud = positiveInt(v.baud, 'baud');
    const warmup = v.warmup === '0' ? 0 : (positiveInt(v.warmup, 'warmup') ?? 1);
    const inputs = inputsArg(v);
    const name = basename(file).replace(/\.tflite$/, '');
    const outDir = typeof v.out === 'string' ? v.out : join('build', 'bench', `${name}-${board.name}`);
    checkOutputDir(outDir, 'the bench folder');
    if (typeof v.report === 'string') checkOutputFile(v.report, 'the report');
    const log = (line: string): void => {
      if (!v.json) process.stderr.write(line + '\n');
    };
    if (board.spec.run.kind === 'qemu') findQemu(board, v.qemu as string | undefined);
    // A board mliflow cannot start or load here: say what is missing before compiling anything.
    if (!board.spec.run.firmware || (board.spec.run.kind === 'hardware' && (await detectHardware(board, v.port as string | undefined)).missing.length)) {
      throw new MliflowError(await hardwareNeeds(board, v.port as string | undefined), EXIT.needsHardware);
    }
    const { kernels, mli } = findKernels(v, board, asked, log);
    const result = await bench({
      file,
      board,
      scenario: scenario as Scenario,
      ...(inputs ? { inputs } : {}),
      ...(count ? { count } : {}),
      warmup,
      kernels,
      ...(mli ? { mli } : {}),
      qemu: v.qemu as string | undefined,
      port: v.port as string | undefined,
      ...(baud ? { baud } : {}),
      outDir,
      log,
      progress: !v.json,
    });
    if (typeof v.report === 'string') {
      writeFileArg(v.report, JSON.stringify(result, null, 1) + '\n');
      log(`report: ${v.report}`);
    }
    process.stdout.write((v.json ? JSON.stringify(result, null, 1) : formatBench(result)) + '\n');
    return benchExit(result);
  },
};

export interface BenchOptions {
  file: string;
  board: Board;
  scenario: Scenario;
  /** Input records' file (--inputs, --vectors); without it, `count` seeded random records. */
  inputs?: string;
  count?: number;
  warmup: number;
  kernels: Kernels;
  mli?: MliLibrary;
  qemu?: string;
  port?: string;
  baud?: number;
  outDir: string;
  log: (line: string) => void;
  progress?: boolean;
  /** Tests: changes the generated project before it is built (to plant a fault). */
  alterProject?: (projectDir: string) => void;
}

/** Builds and starts the firmware, runs the scenario, then checks every output against the golden executor. */
export async function bench(opts: BenchOptions): Promise<BenchResult> {
  const { file, board, scenario, inputs, count, warmup, kernels, mli, baud, outDir, log } = opts;
  const name = basename(file).replace(/\.tflite$/, '');
  const g = readValidatedTfliteFile(file);
  const recIn = recordBytes(g, 'inputs');
  let records: Uint8Array;
  if (inputs) {
    records = readFileArg(inputs, 'the inputs');
    records = records.subarray(0, recIn * recordCount(records.length, recIn, `${inputs} (inputs of ${file})`, count));
  } else {
    records = randomRecords(g, count ?? 20, { model: name });
  }
  const n = records.length / recIn;
      const golden = new GoldenExecutor(g, { file, numerics: mli ? mliNumerics({ roundMode: mli.roundMode, fullAccu: mli.fullAccu }) : 'tflite' });

  const runner = await openBoardRunner({
    board,
    g,
    file,
    projectDir: join(outDir, 'project'),
    identity: { modelHash: modelHash(file), model: name, version: mliflowVersion(), kernels, numerics: golden.numerics, debug: false, inputs: g.inputs.length, outputs: g.outputs.length },
    kernels,
    ...(mli ? { mli } : {}),
    qemu: opts.qemu,
    port: opts.port,
    ...(opts.alterProject ? { alterProject: opts.alterProject } : {}),
    baud,
    log,
  });
  const outputs: Uint8Array[] = [];
  const rows: BenchRecord[] = [];
  const warm: { output: Uint8Array; count: number | null }[] = [];
  let seconds = 0;
  let port = '';
  try {
    const { link } = runner;
    port = link.path;
    const wire = (): number => link.stats.wireTx + link.stats.wireRx;
    // Warm-up: QEMU translates the code on its first run, a board fills its caches.
    for (let w = 0; w < warmup; w++) warm.push(await runner.runRecord(records.subarray(0, recIn)));
    const bar = progress(`${scenario} on ${board.name}`, opts.progress ?? true);
    const started = performance.now();
    for (let r = 0; r < n; r++) {
      const before = wire();
      const t0 = performance.now();
      const got = await runner.runRecord(records.subarray(r * recIn, (r + 1) * recIn));
      const ms = performance.now() - t0;
      outputs.push(got.output);
      rows.push({ record: r, pass: false, count: got.count, ms, wireBytes: wire() - before });
      // The bar writes to stderr between records; offline counts that in, as a runner's logging would be.
      bar.update(r + 1, n);
    }
    seconds = (performance.now() - started) / 1000;
    bar.done();
  } finally {
    await runner.close();
  }

  // Checked after the clock stopped, so the golden executor's time is in no figure.
  const failing: BenchResult['failing'] = [];
  for (const row of rows) {
    const want = goldenRecord(golden, g, records.subarray(row.record * recIn, (row.record + 1) * recIn));
    const cmp = compareRecord(g, row.record, outputs[row.record], want, row.count, row.ms);
    row.pass = cmp.pass;
    if (!cmp.pass) failing.push({ record: row.record, verdict: recordVerdict(cmp) });
  }
  for (const w of warm) {
    const cmp = compareRecord(g, 0, w.output, goldenRecord(golden, g, records.subarray(0, recIn)), null, 0);
    if (!cmp.pass) failing.push({ record: 0, verdict: `warm-up run: ${recordVerdict(cmp)}` });
  }

  const lineBaud = baud ?? board.spec.run.serial?.baud ?? 115200;
  const counts = rows.flatMap((r) => (r.count === null ? [] : [r.count]));
  const result: BenchResult = {
    model: file,
    board: board.name,
    scenario: scenario as Scenario,
    kernels,
    numerics: golden.numerics,
    records: n,
    warmup,
    warmupCounts: warm.map((w) => w.count),
    counter: runner.id.hasCounter ? counterKind(board) : null,
    firmware: runner.id,
    port,
    baud: lineBaud,
    perRecord: rows,
    bitExact: failing.length === 0,
    failing,
  };
  if (scenario === 'single-stream') {
    result.latency = {
      count: counts.length === n ? distribution(counts) : null,
      ms: distribution(rows.map((r) => r.ms)),
      linkMsAtBaud: distribution(rows.map((r) => (r.wireBytes * 10 * 1000) / lineBaud)),
    };
  } else {
    const payloadBytes = n * (recIn + recordBytes(g, 'outputs'));
    const wireBytes = rows.reduce((a, r) => a + r.wireBytes, 0);
    result.throughput = {
      seconds,
      recordsPerSecond: n / seconds,
      payloadBytes,
      wireBytes,
      payloadBytesPerSecond: payloadBytes / seconds,
      wireBytesPerSecond: wireBytes / seconds,
      efficiency: wireBytes ? payloadBytes / wireBytes : 0,
      meanCount: counts.length === n ? counts.reduce((a, b) => a + b, 0) / n : null,
    };
  }
  return result;
}

/** QEMU's -icount counter counts instructions; a real board's counts cycles. */
function counterKind(board: Board): 'instructions' | 'cycles' {
  const run = board.spec.run;
  if (run.kind === 'qemu') return run.counter === 'cycles' ? 'cycles' : 'instructions';
  return 'cycles';
}

/** A benchmark of wrong answers is not a result: exit 1 on any difference. */
export const benchExit = (r: BenchResult): number => (r.bitExact ? EXIT.ok : EXIT.checkFailed);

export function formatBench(r: BenchResult): string {
  const lines = [
    `bench ${r.model} on ${r.board}, ${r.scenario}: ${r.records} records (after ${r.warmup} warm-up), ${r.kernels} kernels, ${r.numerics} numerics`,
    `  firmware ${r.firmware.model} (hash ${r.firmware.modelHash}) on ${r.port} at ${r.baud} baud`,
    '',
  ];
  if (r.latency) {
    const L = r.latency;
    const ms = (x: number): string => x.toFixed(3);
    const row = (what: string, d: Distribution, f: (x: number) => string): string[] => [what, f(d.min), f(d.median), f(d.p90), f(d.p99), f(d.max), f(d.mean)];
    const body: string[][] = [];
    if (L.count) body.push(row(`${r.counter} per inference`, L.count, (x) => String(Math.round(x))));
    body.push(row('wall ms per round trip', L.ms, ms));
    body.push(row(`link ms at ${r.baud} baud`, L.linkMsAtBaud, ms));
    lines.push(table(['', 'min', 'median', 'p90', 'p99', 'max', 'mean'], body, ['l', 'r', 'r', 'r', 'r', 'r', 'r']));
    if (!L.count) lines.push(`  (${r.board} has no instruction or cycle counter: wall time only)`);
    lines.push('  wall time: the host\'s round trip (upload, invoke, read back); link at baud: the record\'s wire bytes on a real UART (8N1)');
  }
  if (r.throughput) {
    const t = r.throughput;
    lines.push(
      `  ${t.recordsPerSecond.toFixed(1)} records/s (${r.records} in ${t.seconds.toFixed(3)} s, link included)`,
      `  ${(t.payloadBytesPerSecond / 1024).toFixed(1)} KiB/s of record bytes, ${(t.wireBytesPerSecond / 1024).toFixed(1)} KiB/s on the wire`,
      `  wire efficiency ${(t.efficiency * 100).toFixed(1)}% (${t.payloadBytes} record bytes in ${t.wireBytes} wire bytes)`,
    );
    if (t.meanCount !== null) lines.push(`  mean ${formatCount(Math.round(t.meanCount))} ${r.counter} per inference`);
  }
  lines.push('');
  lines.push(
    r.bitExact
      ? 'PASS: every output byte equals the golden executor'
      : `FAIL: ${r.failing.length} records differ from the golden executor (first: record ${r.failing[0].record}: ${r.failing[0].verdict}); the figures above are not a result`,
  );
  return lines.join('\n');
}
