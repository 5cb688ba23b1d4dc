/**
 * `mliflow deploy`: compile for a board, build with its toolchain, run there, and compare
 * every output byte with the golden executor on the same records.
 */
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import {
  buildExampleModel,
  byteSize,
  concatBytes,
  EXIT,
  GoldenExecutor,
  MliflowError,
  randomRecords,
  readValidatedTfliteFile,
  recordBytes,
  recordCount,
  typedView,
  writeTflite,
  type Graph,
} from '@mliflow/ir';
import type { MliLibrary } from '@mliflow/codegen-c';
import { mliNumerics } from '@mliflow/requant';
import type { Board } from './boards/index.js';
import { buildFirmware, clearFirmware, findQemu, mliflowVersion, startFirmware, writeFirmware, type FirmwareIdentity, type FirmwareSession } from './boards/firmware.js';
import { MlperfClient } from './transport/mlperf.js';
import { detectHardware, loadCommands } from './boards/hardware.js';
import { shellCommand } from './toolchain.js';
import { progress } from './progress.js';
import { connectFirmware, openBoardRunner } from './session.js';
import { SerialLink, type LinkStats } from './transport/link.js';
import type { Identity } from './transport/protocol.js';
import { compileForBoard, type CompileResult } from './compile.js';
import { readFileArg, writeFileArg } from './files.js';
import { formatBytes, table } from './format.js';
import { formatSizeReport } from './size-report.js';
import { formatTopOutputs, topOutputs, type TopEntry } from './top.js';

export const EXAMPLE_NAME = 'example_kws';

export interface OutputComparison {
  output: number;
  name: string;
  bytes: number;
  differing: number;
  firstDifference: { record: number; byte: number } | null;
}

export interface DeployResult {
  board: string;
  model: string;
  projectDir: string;
  compile: CompileResult;
  build: { command: string; ms: number; image: string } | null;
  run: { records: number; ms: number; inputs: string; outputs: string } | null;
  comparison: OutputComparison[] | null;
  bitExact: boolean | null;
  top: TopEntry[];
  /** Every record over the link, in order. */
  records: RecordRow[];
  /** What the records' `count` counts on this board (null: the board has no counter). */
  counter: 'instructions' | 'cycles' | null;
  link: LinkReport | null;
  /** On a mismatch: where the board first departs from the golden executor. */
  diagnosis?: Diagnosis | { record: number; error: string };
  /** Why the flow stopped before running, when it did (a board without a way to run here). */
  stopped?: string;
}

export interface DeployOptions {
  model?: string;
  board: Board;
  outDir: string;
  inputs?: string;
  count?: number;
  /** Serial port of a real board (default: found by the board's USB id). */
  port?: string;
  baud?: number;
  /** QEMU for qemu boards (default: the board's environment variable, then PATH). */
  qemu?: string;
  /** Kernel backend (default portable); with mli, `mli` names the library and the golden executor takes its numerics. */
  kernels?: 'mli' | 'portable';
  mli?: MliLibrary;
  /** mliflow's framed protocol (default), or the MLPerf Tiny / EEMBC runner's ASCII commands. */
  protocol?: 'mliflow' | 'mlperf-tiny';
  /** Seconds one invoke may take on the board before the link gives up on it. */
  invokeTimeoutS?: number;
  log: (line: string) => void;
  /** Called after each record with the number done and the total. */
  onRecord?: (done: number, total: number) => void;
  /** On a mismatch, re-run the first differing record on a debug build (default true). */
  diagnose?: boolean;
  /** Tests: changes a generated project before it is built (to plant a fault). */
  alterProject?: (projectDir: string) => void;
}

/** The first operator whose output on the board differs from the golden executor's. */
export interface Diagnosis {
  record: number;
  operator: number;
  kind: string;
  tensor: string;
  elements: number;
  differing: number;
  first: { index: number; board: number; golden: number };
  /** Operators before it whose outputs were compared and matched. */
  matched: number;
}

/** One record on the board: pass, or which output elements differ from the golden executor. */
export interface RecordRow {
  record: number;
  pass: boolean;
  /** Per output: elements that differ, and the first one's index with both values. */
  outputs: { output: number; elements: number; differing: number; first: { index: number; board: number; golden: number } | null }[];
  /** Instructions (ARC under QEMU) or cycles of the invoke alone; null where the board has no counter. */
  count: number | null;
  /** Wall time of the record over the link: upload, invoke, read back. */
  ms: number;
}

/** The serial link, measured over the whole run. */
export interface LinkReport {
  port: string;
  baud: number;
  firmware: Identity;
  /** Record bytes carried (inputs up, outputs down) over the bytes on the wire for them, both ways. */
  payloadBytes: number;
  wireBytes: number;
  efficiency: number;
  /** Bytes of the start (the firmware's BOOT frames, HELLO and its reply), not in wireBytes. */
  handshakeBytes: number;
  recordsPerSecond: number;
  stats: LinkStats;
  /** Records that had to go round again (the board lost inputs or results, e.g. it restarted). */
  restarts: number;
}

export async function deploy(opts: DeployOptions): Promise<DeployResult> {
  const { board, log } = opts;
  const outDir = resolve(opts.outDir);
  // A missing emulator is known before anything is compiled.
  if (board.spec.run.kind === 'qemu') findQemu(board, opts.qemu);
  let g: Graph;
  let file: string;
  let name: string;
  if (opts.model) {
    file = opts.model;
    g = readValidatedTfliteFile(file);
    name = basename(file).replace(/\.tflite$/, '');
  } else {
    // The example is built with the IR and goes through the writer and reader like any model.
    name = EXAMPLE_NAME;
    file = join(outDir, `${name}.tflite`);
    writeFileArg(file, writeTflite(buildExampleModel()));
    g = readValidatedTfliteFile(file);
    log(`example model written to ${file}`);
  }

  let records: Uint8Array;
  let inputsPath: string;
  if (opts.inputs) {
    inputsPath = opts.inputs;
    records = readFileArg(inputsPath, 'the inputs');
  } else {
    records = randomRecords(g, opts.count ?? 4, { model: name });
    inputsPath = join(outDir, 'inputs.bin');
    writeFileArg(inputsPath, records);
  }
  const kernels = opts.kernels ?? 'portable';
  if (kernels === 'mli' && !opts.mli) throw new MliflowError('deploy --kernels mli needs the MLI library (findMli)', EXIT.internal);
  // The board's numerics: MLI's arithmetic (its rounding and FULL_ACCU) where MLI runs, else TFLite's.
  const numerics = kernels === 'mli' && opts.mli ? mliNumerics({ roundMode: opts.mli.roundMode, fullAccu: opts.mli.fullAccu }) : 'tflite';
  const golden = new GoldenExecutor(g, { file, numerics });
  const recIn = recordBytes(g, 'inputs');
  const n = recordCount(records.length, recIn, `${inputsPath} (inputs of ${file})`, opts.inputs ? opts.count : undefined);
  if (n * recIn !== records.length) {
    records = records.subarray(0, n * recIn);
    inputsPath = join(outDir, 'inputs.bin');
    writeFileArg(inputsPath, records);
  }

  const projectDir = join(outDir, 'project');
  log(`compiling ${name} for board ${board.name}`);
  clearFirmware(projectDir);
  const compiled = await compileForBoard(g, file, board, projectDir, { modelName: name, log, kernels, ...(opts.mli ? { mli: opts.mli } : {}) });
  log(`  arena ${formatBytes(compiled.summary.arenaBytes)}, weights ${formatBytes(compiled.summary.weightsBytes)}, ${compiled.summary.operators.length} operators`);

  const result: DeployResult = {
    board: board.name,
    model: file,
    projectDir,
    compile: compiled,
    build: null,
    run: null,
    comparison: null,
    bitExact: null,
    top: [],
    records: [],
    counter: board.spec.run.kind === 'qemu' ? 'instructions' : board.spec.run.kind === 'hardware' ? 'cycles' : null,
    link: null,
  };

  const fw = board.spec.run.firmware;
  if (compiled.sizeReport && !compiled.sizeReport.fits) {
    result.stopped = `stopped: the project does not fit board ${board.name}'s memory`;
    return result;
  }
  if (!fw) {
    result.stopped = `stopped after the compile check: ${await hardwareNeeds(board, opts.port)}`;
    return result;
  }

  const identity = {
    modelHash: modelHash(file),
    model: name,
    version: mliflowVersion(),
    kernels,
    numerics: golden.numerics,
    debug: false,
    inputs: g.inputs.length,
    outputs: g.outputs.length,
    protocol: opts.protocol ?? 'mliflow',
  };
  writeFirmware(board, projectDir, identity);
  opts.alterProject?.(projectDir);
  log(`building the firmware with ${board.spec.toolchain.cc}`);
  const built = await buildFirmware(board, projectDir);
  result.build = { command: built.command, ms: built.durationMs, image: join(projectDir, 'build', fw.image) };
  if (board.spec.run.kind === 'hardware') {
    // The image is worth having without the board: say where it is, then what is missing.
    log(`firmware image: ${result.build.image}`);
    const found = await detectHardware(board, opts.port);
    if (found.missing.length) {
      result.stopped = `stopped after building the firmware: ${result.build.image} (to load it without a debugger: ${board.spec.run.flash}); ${needsSentence(board, found.missing)}`;
      return result;
    }
  }

  const started = performance.now();
  const expected = new Uint8Array(n * recordBytes(g, 'outputs'));
  const actual = new Uint8Array(expected.length);
  log(`starting the firmware on ${board.name}`);
  const session = await startFirmware(board, projectDir, { qemu: opts.qemu, port: opts.port, log });
  if (identity.protocol === 'mlperf-tiny') {
    try {
      await runMlperf(opts, g, name, identity, session, records, n, recIn, result, expected, actual, golden, started);
    } finally {
      await session.stop();
    }
    return finish(result, g, outDir, inputsPath, n, actual, expected, started);
  }
  let link: SerialLink | null = null;
  try {
    const connected = await connectFirmware(session, g, identity, opts);
    link = connected.link;
    const { client, id } = connected;
    log(`${board.name}: firmware for ${id.model} (${id.kernels} kernels, ${id.numerics} numerics, mliflow ${id.version}) on ${link.path}`);
    const handshakeBytes = link.stats.wireTx + link.stats.wireRx;
    const bar = progress(`records on ${board.name}`);
    const outRec = recordBytes(g, 'outputs');
    let restarts = 0;
    for (let r = 0; r < n; r++) {
      const input = records.subarray(r * recIn, (r + 1) * recIn);
      const t0 = performance.now();
      const got = await client.runRecord(input);
      const ms = performance.now() - t0;
      restarts += got.restarts;
      const want = goldenRecord(golden, g, input);
      expected.set(want, r * outRec);
      actual.set(got.output, r * outRec);
      result.records.push(compareRecord(g, r, got.output, want, got.count, ms));
      bar.update(r + 1, n);
      opts.onRecord?.(r + 1, n);
    }
    bar.done();
    const seconds = (performance.now() - started) / 1000;
    const payloadBytes = n * (recIn + outRec);
    const wireBytes = link.stats.wireTx + link.stats.wireRx - handshakeBytes;
    result.link = {
      port: link.path,
      baud: opts.baud ?? session.baud,
      firmware: id,
      payloadBytes,
      wireBytes,
      efficiency: wireBytes ? payloadBytes / wireBytes : 0,
      handshakeBytes,
      recordsPerSecond: n / seconds,
      stats: { ...link.stats },
      restarts,
    };
  } finally {
    await link?.shutdown();
    await session.stop();
  }
  finish(result, g, outDir, inputsPath, n, actual, expected, started);
  const bad = result.records.find((r) => !r.pass);
  if (bad && opts.diagnose !== false) {
    log(`record ${bad.record} differs: running it again on a debug build that returns every operator's output`);
    try {
      result.diagnosis = await diagnose(opts, g, file, name, identity, records.subarray(bad.record * recIn, (bad.record + 1) * recIn), bad.record, join(outDir, 'debug-project'));
    } catch (e) {
      if (!(e instanceof MliflowError)) throw e;
      result.diagnosis = { record: bad.record, error: e.message };
    }
  }
  return result;
}

function finish(result: DeployResult, g: Graph, outDir: string, inputsPath: string, n: number, actual: Uint8Array, expected: Uint8Array, started: number): DeployResult {
  const outputsPath = join(outDir, 'outputs.bin');
  writeFileArg(outputsPath, actual);
  writeFileArg(join(outDir, 'expected.golden.bin'), expected);
  result.run = { records: n, ms: performance.now() - started, inputs: inputsPath, outputs: outputsPath };
  result.comparison = compareRecords(g, actual, expected);
  result.bitExact = result.records.every((r) => r.pass);
  result.top = topOutputs(g, actual, 3);
  return result;
}

/** The records over the MLPerf Tiny runner's protocol (db load, db HEX, infer 1 0). */
async function runMlperf(
  opts: DeployOptions,
  g: Graph,
  name: string,
  identity: FirmwareIdentity,
  session: FirmwareSession,
  records: Uint8Array,
  n: number,
  recIn: number,
  result: DeployResult,
  expected: Uint8Array,
  actual: Uint8Array,
  golden: GoldenExecutor,
  started: number,
): Promise<void> {
  const client = await MlperfClient.open(opts.port ?? session.port, opts.baud ?? session.baud, (opts.invokeTimeoutS ?? 600) * 1000);
  try {
    const dead = client;
    void session.exited.then(() => void dead.shutdown());
    await client.connect({
      modelHash: identity.modelHash,
      model: name,
      inputBytes: g.inputs.map((i) => byteSize(g.tensors[i])),
      outputBytes: g.outputs.map((i) => byteSize(g.tensors[i])),
      kernels: identity.kernels,
    });
    opts.log(`${opts.board.name}: firmware for ${name} answers the MLPerf Tiny runner's commands on ${client.path}`);
    const outRec = recordBytes(g, 'outputs');
    const bar = progress(`records on ${opts.board.name}`);
    for (let r = 0; r < n; r++) {
      const input = records.subarray(r * recIn, (r + 1) * recIn);
      const t0 = performance.now();
      const got = await client.runRecord(input);
      const ms = performance.now() - t0;
      const want = goldenRecord(golden, g, input);
      expected.set(want, r * outRec);
      if (got.output.length === outRec) actual.set(got.output, r * outRec);
      result.records.push(compareRecord(g, r, got.output, want, got.count, ms));
      bar.update(r + 1, n);
      opts.onRecord?.(r + 1, n);
    }
    bar.done();
    const wireBytes = client.stats.wireTx + client.stats.wireRx;
    const payloadBytes = n * (recIn + outRec);
    result.link = {
      port: client.path,
      baud: opts.baud ?? session.baud,
      firmware: {
        protocol: 0,
        hasCounter: result.records.some((x) => x.count !== null),
        debug: false,
        maxData: 32,
        modelHash: identity.modelHash,
        inputBytes: g.inputs.map((i) => byteSize(g.tensors[i])),
        outputBytes: g.outputs.map((i) => byteSize(g.tensors[i])),
        model: name,
        version: identity.version,
        kernels: identity.kernels,
        numerics: identity.numerics,
        board: opts.board.name,
      },
      payloadBytes,
      wireBytes,
      efficiency: wireBytes ? payloadBytes / wireBytes : 0,
      handshakeBytes: 0,
      recordsPerSecond: n / ((performance.now() - started) / 1000),
      stats: { frameBytes: 0, wireTx: client.stats.wireTx, wireRx: client.stats.wireRx, requests: client.stats.commands, resends: 0, timeouts: 0, naks: 0, badFrames: 0, boots: 0 },
      restarts: 0,
    };
  } finally {
    await client.shutdown();
  }
}

/** The dtypes the C project can hand out as model outputs (codegen's integer C types). */
const INTEGER_DTYPES = new Set<string>(['int8', 'uint8', 'int16', 'int32']);

/**
 * Re-runs one record on a debug build: the same model with every operator's output made a model
 * output, so the board returns them all (and none is overwritten in the arena). The first
 * operator, in execution order, whose output differs from the golden executor's is the culprit.
 */
async function diagnose(
  opts: DeployOptions,
  g: Graph,
  file: string,
  name: string,
  identity: FirmwareIdentity,
  input: Uint8Array,
  record: number,
  projectDir: string,
): Promise<Diagnosis> {
  const extra: number[] = [];
  for (const op of g.ops) {
    for (const id of op.outputs) {
      const t = g.tensors[id];
      if (!t.isVariable && INTEGER_DTYPES.has(t.dtype) && !g.outputs.includes(id) && !extra.includes(id)) extra.push(id);
    }
  }
  const dg: Graph = { ...g, outputs: [...g.outputs, ...extra] };
  const runner = await openBoardRunner({
    ...opts,
    g: dg,
    file,
    projectDir,
    identity: { ...identity, model: name, debug: true, outputs: dg.outputs.length, protocol: 'mliflow' },
  });
  let out: Uint8Array;
  try {
    out = (await runner.runRecord(input)).output;
  } finally {
    await runner.close();
  }
  const offsets = new Map<number, number>();
  let off = 0;
  for (const id of dg.outputs) {
    offsets.set(id, off);
    off += byteSize(dg.tensors[id]);
  }
  const golden = new GoldenExecutor(g, { file, numerics: opts.kernels === 'mli' && opts.mli ? mliNumerics({ roundMode: opts.mli.roundMode, fullAccu: opts.mli.fullAccu }) : 'tflite' });
  const parts: Uint8Array[] = [];
  let p = 0;
  for (const id of g.inputs) {
    parts.push(input.slice(p, p + byteSize(g.tensors[id])));
    p += byteSize(g.tensors[id]);
  }
  const trace = golden.run(parts, { trace: true }).trace!;
  let matched = 0;
  for (const step of trace) {
    const op = g.ops[step.index];
    for (let k = 0; k < op.outputs.length; k++) {
      const id = op.outputs[k];
      const at = offsets.get(id);
      if (at === undefined) continue;
      const t = g.tensors[id];
      const bytes = byteSize(t);
      const a = typedView(t.dtype, out.slice(at, at + bytes)) as ArrayLike<number>;
      const b = typedView(t.dtype, step.outputs[k]) as ArrayLike<number>;
      let differing = 0;
      let first: Diagnosis['first'] | null = null;
      for (let i = 0; i < b.length; i++) {
        if (a[i] !== b[i]) {
          differing++;
          first ??= { index: i, board: a[i], golden: b[i] };
        }
      }
      if (first) return { record, operator: step.index, kind: op.kind.toUpperCase(), tensor: t.name, elements: b.length, differing, first, matched };
    }
    matched++;
  }
  throw new MliflowError(`record ${record} differs, but on the debug build every operator's output equals the golden executor's (the difference depends on the arena layout)`, EXIT.checkFailed);
}

/** First 8 bytes of the model file's SHA-256: what the firmware reports and the harness checks. */
export function modelHash(file: string): string {
  return createHash('sha256').update(readFileArg(file, 'the model')).digest('hex').slice(0, 16);
}

/** The golden executor's outputs for one input record (all inputs' bytes in order), state reset first. */
export function goldenRecord(golden: GoldenExecutor, g: Graph, input: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let off = 0;
  for (const id of g.inputs) {
    const b = byteSize(g.tensors[id]);
    parts.push(input.slice(off, off + b));
    off += b;
  }
  golden.resetState();
  return concatBytes(golden.run(parts).outputs);
}

/** One record's outputs against the golden executor's, element by element. */
export function compareRecord(g: Graph, record: number, got: Uint8Array, want: Uint8Array, count: number | null, ms: number): RecordRow {
  let off = 0;
  const outputs = g.outputs.map((id, o) => {
    const t = g.tensors[id];
    const bytes = byteSize(t);
    const a = typedView(t.dtype, got.slice(off, off + bytes)) as ArrayLike<number>;
    const b = typedView(t.dtype, want.slice(off, off + bytes)) as ArrayLike<number>;
    off += bytes;
    let differing = 0;
    let first: RecordRow['outputs'][number]['first'] = null;
    for (let i = 0; i < b.length; i++) {
      if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) {
        differing++;
        first ??= { index: i, board: a[i], golden: b[i] };
      }
    }
    return { output: o, elements: b.length, differing, first };
  });
  // Bit-exact is about bytes: a float output's bytes must match too (NaN payloads included).
  const pass = got.length === want.length && got.every((x, i) => x === want[i]);
  return { record, pass, outputs, count, ms };
}

/** What a hardware board needs that is not here: its tools, or the board on a serial port. */
export async function hardwareNeeds(board: Board, port?: string): Promise<string> {
  if (board.spec.run.kind !== 'hardware') return `board ${board.name} has no firmware to run`;
  return needsSentence(board, (await detectHardware(board, port)).missing);
}

function needsSentence(board: Board, missing: string[]): string {
  const run = board.spec.run;
  return `running on ${board.name}${run.kind === 'hardware' ? ` (${run.transport})` : ''} needs ${missing.join('; ')}. See deploy --dry-run for the whole plan.`;
}

/** The commands deploy would run on a hardware board, one per line (deploy --dry-run). */
export function hardwarePlan(board: Board, projectDir: string, opts: { port?: string; baud?: number; model: string }): string[] {
  const run = board.spec.run;
  const baud = opts.baud ?? run.serial?.baud ?? 115200;
  const lines = [`# deploy ${opts.model} on ${board.name}: the plan`, `1. compile: mliflow compile ${opts.model} --board ${board.name} --out ${projectDir}`];
  const image = run.firmware ? `build/${run.firmware.image}` : 'build/app.elf';
  if (run.firmware) {
    const { cc, ar } = board.spec.toolchain;
    lines.push(`2. build the firmware (protocol loop, startup, UART driver, linker script from boards/${board.name}/board.json run.firmware): make -C ${projectDir} -f firmware.mk CC=${cc} AR=${ar} ${image}`);
    lines.push(`   the image: ${projectDir}/${image}`);
  } else {
    lines.push(`2. build the firmware: not possible yet: boards/${board.name}/board.json has no run.firmware (startup code, UART driver, linker script for this board), so app.elf must come from the board's own runtime`);
  }
  if (run.kind === 'hardware' && run.flashPlan) {
    const c = loadCommands(run.flashPlan, image);
    lines.push(`3. load and start it (in ${projectDir}), either with OpenOCD and gdb (ARC GNU toolchain):`);
    lines.push(`     ${shellCommand(c.openocd)} &`);
    lines.push(`     ${shellCommand(c.gdb)}`);
    lines.push(`   or with the MetaWare debugger: ${shellCommand(c.mdb)}`);
    lines.push(`   or by hand: ${run.flash}`);
  } else if (run.kind === 'hardware') {
    lines.push(`3. load it: ${run.flash}`);
  }
  const usb = run.serial?.usb;
  lines.push(
    `4. open the console UART at ${baud} baud, 8N1: ${opts.port ?? (usb ? `the port with USB id ${usb.vendor}:${usb.product} (${usb.description ?? ''}), or --port DEV` : '--port DEV')}`,
  );
  lines.push('5. hello: check the firmware\'s model hash, tensor sizes and kernels; then per record: upload the inputs in 1 KiB chunks, invoke, read the outputs and the cycle count back');
  lines.push('6. compare every output with the golden executor; write the per-record table and the reports; exit 1 on any difference');
  return lines;
}

/** Differing bytes per output tensor across all records. */
export function compareRecords(g: Graph, actual: Uint8Array, expected: Uint8Array): OutputComparison[] {
  const sizes = g.outputs.map((id) => byteSize(g.tensors[id]));
  const rec = sizes.reduce((a, b) => a + b, 0);
  const n = expected.length / rec;
  return g.outputs.map((id, o) => {
    const start = sizes.slice(0, o).reduce((a, b) => a + b, 0);
    let differing = 0;
    let first: OutputComparison['firstDifference'] = null;
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < sizes[o]; k++) {
        const i = r * rec + start + k;
        if (i >= actual.length || actual[i] !== expected[i]) {
          differing++;
          first ??= { record: r, byte: k };
        }
      }
    }
    return { output: o, name: g.tensors[id].name, bytes: sizes[o] * n, differing, firstDifference: first };
  });
}

export function formatDeployResult(r: DeployResult): string {
  const lines = [`deploy ${r.model} on ${r.board}`];
  const s = r.compile.summary;
  lines.push(`  project   ${r.projectDir} (compiled in ${r.compile.compileMs.toFixed(0)} ms)`);
  lines.push(`  memory    arena ${formatBytes(s.arenaBytes)} (liveness bound, every live tensor apart: ${formatBytes(s.livenessBound)}), weights ${formatBytes(s.weightsBytes)}`);
  const kernels = new Map<string, number>();
  for (const o of s.operators) kernels.set(o.backend, (kernels.get(o.backend) ?? 0) + 1);
  lines.push(`  operators ${s.operators.length} (${[...kernels].map(([b, k]) => `${k} ${b}`).join(', ')})`);
  if (r.build) lines.push(`  build     ${(r.build.ms / 1000).toFixed(1)} s: ${r.build.command}`);
  if (r.run) lines.push(`  run       ${r.run.records} records in ${r.run.ms.toFixed(0)} ms -> ${r.run.outputs}`);
  if (r.link) {
    const l = r.link;
    lines.push(
      `  link      ${l.port} at ${l.baud} baud: ${l.recordsPerSecond.toFixed(1)} records/s, wire efficiency ${(l.efficiency * 100).toFixed(1)}% ` +
        `(${l.payloadBytes} record bytes in ${l.wireBytes} wire bytes; start ${l.handshakeBytes} bytes), ${l.stats.resends} resends, ${l.restarts} record restarts`,
    );
    lines.push(`  firmware  ${l.firmware.model} (hash ${l.firmware.modelHash}), ${l.firmware.kernels} kernels, ${l.firmware.numerics} numerics, mliflow ${l.firmware.version}`);
  }
  if (r.records.length) lines.push('', recordTable(r.records, r.counter ?? 'count'), '');
  if (r.comparison) {
    for (const c of r.comparison) {
      const status = c.differing === 0 ? 'bit-exact' : `${c.differing} of ${c.bytes} bytes differ (first: record ${c.firstDifference!.record} byte ${c.firstDifference!.byte})`;
      lines.push(`  output ${c.output} "${c.name}": ${status} against the golden executor`);
    }
  }
  if (r.top.length) lines.push('  top outputs:', formatTopOutputs(r.top.filter((e) => e.record < 4), '    '));
  if (r.compile.sizeReport) lines.push('', formatSizeReport(r.compile.sizeReport), '');
  if (r.diagnosis) lines.push(`  diagnosis ${describeDiagnosis(r.diagnosis)}`);
  if (r.stopped) lines.push(r.stopped);
  lines.push(r.bitExact === true ? 'PASS: every output byte equals the golden executor' : r.bitExact === false ? 'FAIL: outputs differ from the golden executor' : '');
  return lines.join('\n').trimEnd();
}

/** Where the board first departs from the golden executor, in one line. */
export function describeDiagnosis(d: NonNullable<DeployResult['diagnosis']>): string {
  return 'error' in d
    ? `record ${d.record}: ${d.error}`
    : `record ${d.record}: operator #${d.operator} ${d.kind} is the first to differ: ${d.differing} of ${d.elements} elements of "${d.tensor}" (first [${d.first.index}] board ${d.first.board}, golden ${d.first.golden}); the ${d.matched} operators before it match`;
}

/** The per-record table: pass or the differing elements, and the invoke's instruction or cycle count. */
export function recordTable(rows: RecordRow[], counter: string, limit = 40): string {
  const shown = rows.length > limit ? [...rows.filter((r) => !r.pass).slice(0, limit), ...rows.filter((r) => r.pass).slice(0, Math.max(0, limit - rows.filter((r) => !r.pass).length))].sort((a, b) => a.record - b.record) : rows;
  const body = table(
    ['record', 'result', counter, 'ms'],
    shown.map((r) => [String(r.record), recordVerdict(r), r.count === null ? '-' : String(r.count), r.ms.toFixed(1)]),
    ['r', 'l', 'r', 'r'],
  );
  return rows.length > shown.length ? `${body}
(${rows.length - shown.length} more passing records not shown; all are in the JSON report)` : body;
}

export function recordVerdict(r: RecordRow): string {
  if (r.pass) return 'pass';
  return r.outputs
    .filter((o) => o.differing > 0)
    .map((o) => `output ${o.output}: ${o.differing} of ${o.elements} differ (first [${o.first!.index}] board ${o.first!.board}, golden ${o.first!.golden})`)
    .join('; ') || 'bytes differ';
}
