/**
 * The generated C against TensorFlow Lite Micro, per model, measured in one run:
 *
 *   1. arena: the planned arena peak (summary.arenaBytes) next to TFLM's arena and the
 *      liveness bound (summary.livenessBound), and which operators ran in place;
 *   2. instructions per inference of the host build (gcc, -O2) under valgrind's callgrind:
 *      the project runs on one record and on two records of the model's inputs.bin and the
 *      difference of the two total Ir counts is one inference (start-up and file I/O cancel),
 *      with the per-kernel, per-function, per-operator and per-source-line breakdown;
 *   3. compile time: compileModel wall time, median of 5 in-process runs after a warm-up.
 *
 * The only figures not measured here are TFLite Micro's (arena, instructions per inference)
 * and its liveness bounds, in TFLM_REFERENCE below and labelled "(ref)" in the output.
 *
 *   pnpm bench:codegen [MODEL ...] [--only] [--all] [--json]
 *
 * MODEL ...  models from the shared models folder, benchmarked after the defaults
 * --only     benchmark only the MODELs named
 * --all      also run callgrind on mobilenet_v2 (and any model above 100 M MACs; ~50x slowdown)
 * --json     machine-readable output on stdout (progress still goes to stderr)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { byteSize, readTfliteFile, type Graph } from '@mliflow/ir';
import { compileModel, writeProject, type CompileSummary, type GeneratedProject, type TargetSpec } from '@mliflow/codegen-c';
import { detectTool, loadBoard } from '@mliflow/harness';
import { MODELS, VECTORS } from '../test/paths.js';

const run = promisify(execFile);

const DEFAULT_MODELS = ['kws_ref_model', 'pretrainedResnet_quant', 'vww_96_int8', 'person_detect', 'mobilenet_v2_quantized_1x3x224x224'];

/**
 * TFLite Micro's reference figures (not measured here): arena measured with TFLM's
 * recording allocator, instructions per inference of TFLM's reference kernels, and the
 * reference liveness bounds.
 */
const TFLM_REFERENCE: Record<string, { arena: number; bound: number; ir?: number }> = {
  kws_ref_model: { arena: 24000, bound: 16000, ir: 209e6 },
  pretrainedResnet_quant: { arena: 55712, bound: 49152, ir: 872e6 },
  vww_96_int8: { arena: 103392, bound: 55296, ir: 582e6 },
  person_detect: { arena: 85024, bound: 55296 },
  mobilenet_v2_quantized_1x3x224x224: { arena: 2606896, bound: 2451840 },
};

const IR_GOAL = 0.1;
const COMPILE_RUNS = 5;
/** callgrind runs ~50x slower than native; models above this many MACs need --all. */
const HEAVY_MACS = 100e6;
const compileGoalMs = (model: string): number => (/mobilenet/i.test(model) ? 5000 : 1000);

// ---------------------------------------------------------------------------------------------
// Results

interface ArenaResult {
  arenaBytes: number;
  livenessBound: number;
  tflmArena: number | null;
  refBound: number | null;
  ratioTflm: number | null;
  ratioBound: number;
  kernels: number;
  inPlace: { index: number; kind: string; kernel: string }[];
  notInPlace: { index: number; kind: string; kernel: string }[];
  removed: { index: number; kind: string; why: string }[];
}

interface KernelRow {
  kernel: string;
  callsPerInference: number;
  ir: number;
  share: number;
  macs: number;
  irPerMac: number | null;
}

interface OpRow {
  index: number;
  kind: string;
  kernel: string;
  ir: number;
  share: number;
  macs: number;
  irPerMac: number | null;
}

interface InstrResult {
  cflags: string[];
  recordBytes: number;
  ir1: number;
  ir2: number;
  irPerInference: number;
  /** Ir inside mliflow_model_invoke for one inference; the rest of irPerInference is one record's I/O. */
  invokeIr: number;
  tflmIr: number | null;
  ratioTflm: number | null;
  macs: number;
  irPerMac: number | null;
  /** Outputs of the two records against TFLM's reference outputs (expected.tflm.bin). */
  bitExact: boolean | null;
  kernels: KernelRow[];
  functions: { name: string; ir: number; share: number }[];
  operators: OpRow[];
  hotLines: { file: string; line: number; ir: number; share: number; text: string }[];
  buildMs: number;
  callgrindMs: number;
}

interface ModelResult {
  model: string;
  error?: string;
  arena?: ArenaResult;
  instructions?: InstrResult | { skipped: string };
  compile?: { medianMs: number; minMs: number; maxMs: number; runsMs: number[]; goalMs: number };
}

// ---------------------------------------------------------------------------------------------
// Helpers

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

const num = (s: string): number => Number(s.replace(/,/g, ''));

/** "0-2,4,6-9" */
function ranges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(j > i ? `${xs[i]}-${xs[j]}` : `${xs[i]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** "conv_2d×5, softmax×1" */
function countKinds(xs: { kind: string }[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x.kind, (m.get(x.kind) ?? 0) + 1);
  return [...m].map(([k, n]) => `${k}×${n}`).join(', ');
}

/** Instruction and MAC counts: "24.73 M", "3.3 k", "512". */
const mIr = (n: number): string =>
  Math.abs(n) >= 1e5 ? `${(n / 1e6).toFixed(2)} M` : Math.abs(n) >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(Math.round(n));
const pct = (f: number): string => `${(100 * f).toFixed(1)}%`;
const fix = (n: number | null, d = 2): string => (n === null ? '—' : n.toFixed(d));

// ---------------------------------------------------------------------------------------------
// Callgrind

/**
 * What callgrind_annotate prints: self Ir per function (merged over the files gcc attributes
 * inlined code to), and the functions mliflow_model_invoke calls with their inclusive Ir and
 * call counts (its --tree=calling view).
 */
interface Annotated {
  selfByFn: Map<string, number>;
  invokeCallees: Map<string, { ir: number; calls: number }>;
}

async function annotate(outFile: string): Promise<Annotated> {
  const opts = { maxBuffer: 256 << 20, env: { ...process.env, LC_ALL: 'C' } };
  const base = ['--threshold=100', '--show-percs=no', '--auto=no'];
  const [flat, tree] = await Promise.all([
    run('callgrind_annotate', [...base, outFile], opts),
    run('callgrind_annotate', [...base, '--tree=calling', outFile], opts),
  ]);

  const selfByFn = new Map<string, number>();
  const lines = flat.stdout.split('\n');
  let i = lines.findIndex((l) => /^Ir\s+file:function\s*$/.test(l));
  if (i < 0) throw new Error(`callgrind_annotate ${outFile}: no "file:function" table in its output`);
  for (i += 2; i < lines.length && lines[i].trim() !== ''; i++) {
    const m = /^\s*([\d,]+)\s+(.*?)(?:\s+\[[^\]]*\])?\s*$/.exec(lines[i]);
    if (!m) continue;
    const fn = m[2].slice(m[2].indexOf(':') + 1);
    selfByFn.set(fn, (selfByFn.get(fn) ?? 0) + num(m[1]));
  }

  const invokeCallees = new Map<string, { ir: number; calls: number }>();
  const t = tree.stdout.split('\n');
  const at = t.findIndex((l) => /^\s*[\d,]+\s+\*\s+\S*:mliflow_model_invoke\b/.test(l));
  if (at < 0) throw new Error(`callgrind_annotate --tree=calling ${outFile}: mliflow_model_invoke not found`);
  for (let k = at + 1; k < t.length && t[k].trim() !== ''; k++) {
    const m = /^\s*([\d,]+)\s+>\s+(.*):(\S+) \((\d+)x\)/.exec(t[k]);
    if (!m) continue;
    const prev = invokeCallees.get(m[3]) ?? { ir: 0, calls: 0 };
    invokeCallees.set(m[3], { ir: prev.ir + num(m[1]), calls: prev.calls + Number(m[4]) });
  }
  return { selfByFn, invokeCallees };
}

/**
 * The parts of a callgrind out file that callgrind_annotate does not print in a usable form:
 * self Ir per source line (inlined code included), and the inclusive Ir of each call site in
 * mliflow_model_invoke by its line in model.c (one call site = one operator).
 */
interface RawProfile {
  total: number;
  selfByLine: Map<string, number>;
  invokeSites: Map<number, { callee: string; ir: number; calls: number }>;
}

function parseCallgrindOut(text: string): RawProfile {
  const names = { file: new Map<string, string>(), fn: new Map<string, string>(), ob: new Map<string, string>() };
  const resolve = (ns: Map<string, string>, spec: string): string => {
    const m = /^\((\d+)\)(?:\s+(.*))?$/.exec(spec.trim());
    if (!m) return spec.trim();
    if (m[2] !== undefined) ns.set(m[1], m[2]);
    return ns.get(m[1]) ?? `(${m[1]})`;
  };
  let positions = 1;
  let total = 0;
  let fnFile = '';
  let curFile = '';
  let curFn = '';
  let callee = '';
  let pendingCalls = -1;
  let pos = 0;
  const selfByLine = new Map<string, number>();
  const invokeSites = new Map<number, { callee: string; ir: number; calls: number }>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const c = line.charCodeAt(0);
    const isCost = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42; // digit + - *
    if (isCost) {
      const parts = line.trim().split(/\s+/);
      const p = parts[0];
      pos = p === '*' ? pos : p[0] === '+' || p[0] === '-' ? pos + Number(p) : Number(p);
      const ir = Number(parts[positions] ?? 0);
      if (pendingCalls >= 0) {
        if (curFn === 'mliflow_model_invoke') {
          const prev = invokeSites.get(pos);
          invokeSites.set(pos, { callee, ir: (prev?.ir ?? 0) + ir, calls: (prev?.calls ?? 0) + pendingCalls });
        }
        pendingCalls = -1;
      } else {
        const key = `${curFile}:${pos}`;
        selfByLine.set(key, (selfByLine.get(key) ?? 0) + ir);
      }
      continue;
    }
    const eq = line.indexOf('=');
    const colon = line.indexOf(':');
    if (eq > 0 && (colon < 0 || eq < colon)) {
      const key = line.slice(0, eq);
      const val = line.slice(eq + 1);
      switch (key) {
        case 'fl':
          fnFile = curFile = resolve(names.file, val);
          break;
        case 'fi':
        case 'fe':
          curFile = resolve(names.file, val);
          break;
        case 'fn':
          curFn = resolve(names.fn, val);
          curFile = fnFile;
          break;
        case 'cfi':
        case 'cfl':
          resolve(names.file, val);
          break;
        case 'cfn':
          callee = resolve(names.fn, val);
          break;
        case 'ob':
        case 'cob':
          resolve(names.ob, val);
          break;
        case 'calls':
          pendingCalls = Number(val.trim().split(/\s+/)[0]);
          break;
      }
      continue;
    }
    if (line.startsWith('positions:')) positions = line.slice(10).trim().split(/\s+/).length;
    else if (line.startsWith('totals:') || line.startsWith('summary:')) total = Number(line.slice(line.indexOf(':') + 1).trim().split(/\s+/)[0]);
  }
  return { total, selfByLine, invokeSites };
}

/** Per-key difference b - a (two records minus one record = one inference). */
function diff<K>(a: Map<K, number>, b: Map<K, number>): Map<K, number> {
  const out = new Map<K, number>();
  for (const [k, v] of b) out.set(k, v - (a.get(k) ?? 0));
  for (const [k, v] of a) if (!b.has(k)) out.set(k, -v);
  return out;
}

async function callgrind(dir: string, exe: string, input: string, output: string, outFile: string): Promise<void> {
  try {
    await run('valgrind', ['--tool=callgrind', `--callgrind-out-file=${outFile}`, exe, input, output], {
      cwd: dir,
      maxBuffer: 64 << 20,
      timeout: 3_600_000,
    });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`valgrind --tool=callgrind ${exe} ${input} failed: ${err.message}\n${String(err.stderr ?? '').split('\n').slice(-10).join('\n')}`);
  }
  if (!existsSync(outFile)) throw new Error(`callgrind wrote no ${outFile}`);
}

// ---------------------------------------------------------------------------------------------
// Per model

/** An int8/int16 model: integer inputs and outputs (outputs may be int32, as SVDF models' are). */
function isQuantized(g: Graph): boolean {
  const ok = (id: number): boolean => g.tensors[id].dtype !== 'float32';
  return g.inputs.every(ok) && g.outputs.every(ok) && g.tensors.some((t) => t.dtype === 'int8' || t.dtype === 'int16');
}

function arenaOf(s: CompileSummary): ArenaResult {
  const ref = TFLM_REFERENCE[s.model];
  const withKernel = s.operators.filter((o) => !o.kernel.startsWith('none'));
  return {
    arenaBytes: s.arenaBytes,
    livenessBound: s.livenessBound,
    tflmArena: ref?.arena ?? null,
    refBound: ref?.bound ?? null,
    ratioTflm: ref ? s.arenaBytes / ref.arena : null,
    ratioBound: s.arenaBytes / s.livenessBound,
    kernels: withKernel.length,
    inPlace: withKernel.filter((o) => o.inPlace).map(({ index, kind, kernel }) => ({ index, kind, kernel })),
    notInPlace: withKernel.filter((o) => !o.inPlace).map(({ index, kind, kernel }) => ({ index, kind, kernel })),
    removed: s.operators
      .filter((o) => o.kernel.startsWith('none'))
      .map(({ index, kind, kernel }) => ({ index, kind, why: kernel.replace(/^none \(?|\)$/g, '') })),
  };
}

function timeCompile(model: string, target: TargetSpec): { project: GeneratedProject; runsMs: number[] } {
  const file = join(MODELS, `${model}.tflite`);
  // Warm-up: JIT, templates and the kernel library are loaded once per process.
  const project = compileModel(readTfliteFile(file), { target, file: `${model}.tflite` });
  const runsMs: number[] = [];
  for (let i = 0; i < COMPILE_RUNS; i++) {
    const g = readTfliteFile(file); // a fresh graph each run, read outside the timing
    const t0 = performance.now();
    compileModel(g, { target, file: `${model}.tflite` });
    runsMs.push(performance.now() - t0);
  }
  return { project, runsMs };
}

async function measureInstructions(
  model: string,
  g: Graph,
  project: GeneratedProject,
  target: TargetSpec,
  work: string,
  log: (s: string) => void,
): Promise<InstrResult> {
  const board = loadBoard('host');
  const dir = join(work, model);
  writeProject(project, dir);
  const t0 = performance.now();
  const built = await board.build(dir, { executable: project.summary.executable });
  const buildMs = performance.now() - t0;
  const exe = built.executable!;

  const recordBytes = g.inputs.reduce((s, id) => s + byteSize(g.tensors[id]), 0);
  const outBytes = g.outputs.reduce((s, id) => s + byteSize(g.tensors[id]), 0);
  const vecDir = join(VECTORS, model);
  const inputs = readFileSync(join(vecDir, 'inputs.bin'));
  if (inputs.length < 2 * recordBytes) throw new Error(`${vecDir}/inputs.bin holds fewer than two ${recordBytes}-byte records`);
  writeFileSync(join(dir, 'in1.bin'), inputs.subarray(0, recordBytes));
  writeFileSync(join(dir, 'in2.bin'), inputs.subarray(0, 2 * recordBytes));

  log(`  callgrind: ${model} on 1 and 2 records...`);
  const t1 = performance.now();
  const cg1 = join(dir, 'callgrind.1.out');
  const cg2 = join(dir, 'callgrind.2.out');
  await Promise.all([
    callgrind(dir, exe, join(dir, 'in1.bin'), join(dir, 'out1.bin'), cg1),
    callgrind(dir, exe, join(dir, 'in2.bin'), join(dir, 'out2.bin'), cg2),
  ]);
  const callgrindMs = performance.now() - t1;

  const expectedPath = join(vecDir, 'expected.tflm.bin');
  let bitExact: boolean | null = null;
  if (existsSync(expectedPath)) {
    const expected = readFileSync(expectedPath).subarray(0, 2 * outBytes);
    bitExact = Buffer.compare(readFileSync(join(dir, 'out2.bin')), expected) === 0;
  }

  const [a1, a2] = await Promise.all([annotate(cg1), annotate(cg2)]);
  const r1 = parseCallgrindOut(readFileSync(cg1, 'utf8'));
  const r2 = parseCallgrindOut(readFileSync(cg2, 'utf8'));
  const irPerInference = r2.total - r1.total;
  const s = project.summary;
  const macs = s.operators.reduce((t, o) => t + o.macs, 0);
  const share = (n: number): number => n / irPerInference;
  const perMac = (ir: number, m: number): number | null => (m > 0 ? ir / m : null);

  const kernels: KernelRow[] = [...a2.invokeCallees]
    .map(([kernel, v]) => {
      const one = a1.invokeCallees.get(kernel) ?? { ir: 0, calls: 0 };
      const ir = v.ir - one.ir;
      const kmacs = s.operators.filter((o) => o.kernel === kernel).reduce((t, o) => t + o.macs, 0);
      return { kernel, callsPerInference: v.calls - one.calls, ir, share: share(ir), macs: kmacs, irPerMac: perMac(ir, kmacs) };
    })
    .sort((x, y) => y.ir - x.ir);
  const invokeIr = kernels.reduce((t, k) => t + k.ir, 0);

  const functions = [...diff(a1.selfByFn, a2.selfByFn)]
    .filter(([, ir]) => ir > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 16)
    .map(([name, ir]) => ({ name, ir, share: share(ir) }));

  // Call sites in mliflow_model_invoke -> operators, through the "&mlf_p<index>" argument in model.c.
  const modelC = (project.files.get('model.c') ?? '').split('\n');
  const opOfLine = (line: number): number | null => {
    const m = /&mlf_p(\d+)\b/.exec(modelC[line - 1] ?? '');
    return m ? Number(m[1]) : null;
  };
  const operators: OpRow[] = [];
  for (const [line, v] of r2.invokeSites) {
    const ir = v.ir - (r1.invokeSites.get(line)?.ir ?? 0);
    const idx = opOfLine(line);
    const op = idx === null ? undefined : s.operators[idx];
    operators.push({
      index: idx ?? -1,
      kind: op?.kind ?? '?',
      kernel: op?.kernel ?? v.callee,
      ir,
      share: share(ir),
      macs: op?.macs ?? 0,
      irPerMac: perMac(ir, op?.macs ?? 0),
    });
  }
  operators.sort((x, y) => y.ir - x.ir);

  const hotLines = [...diff(r1.selfByLine, r2.selfByLine)]
    .filter(([, ir]) => ir > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 24)
    .map(([key, ir]) => {
      const at = key.lastIndexOf(':');
      const file = basename(key.slice(0, at));
      const line = Number(key.slice(at + 1));
      const text = (project.files.get(file)?.split('\n')[line - 1] ?? '').trim();
      return { file, line, ir, share: share(ir), text };
    });

  const tflmIr = TFLM_REFERENCE[model]?.ir ?? null;
  return {
    cflags: target.cflags,
    recordBytes,
    ir1: r1.total,
    ir2: r2.total,
    irPerInference,
    invokeIr,
    tflmIr,
    ratioTflm: tflmIr ? irPerInference / tflmIr : null,
    macs,
    irPerMac: perMac(irPerInference, macs),
    bitExact,
    kernels,
    functions,
    operators,
    hotLines,
    buildMs,
    callgrindMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Output

interface RunInfo {
  date: string;
  gcc: string;
  valgrind: string | null;
  cflags: string[];
  missing: string | null;
  /** sha256 of the kernel sources the generated projects contain (they change as codegen-c evolves). */
  kernels: { sha256: string; files: string[] };
}

function printText(rows: ModelResult[], env: RunInfo): void {
  const W = Math.max(20, ...rows.map((r) => r.model.length));
  const L = (s: string): string => s.padEnd(W);
  const R = (s: string, n: number): string => s.padStart(n);
  const ok = rows.filter((r) => r.arena && r.compile);

  console.log(`mliflow codegen-c bench, ${env.date} — host: ${env.gcc}; valgrind: ${env.valgrind ?? 'missing'}`);
  console.log(`kernel sources measured: sha256 ${env.kernels.sha256.slice(0, 16)} over ${env.kernels.files.join(' ')}`);
  console.log('(ref) = TensorFlow Lite Micro reference figures and its liveness bounds, fixed constants (a TFLM build is not part of mliflow), not measured here\n');

  console.log('ARENA (bytes)');
  console.log(`${L('model')} ${R('arena', 9)} ${R('TFLM(ref)', 12)} ${R('÷TFLM', 6)} ${R('bound', 9)} ${R('bound(ref)', 12)} ${R('÷bound', 7)} ${R('in place', 9)}`);
  for (const r of ok) {
    const a = r.arena!;
    const mark = a.refBound !== null && a.refBound !== a.livenessBound ? ' *' : '';
    console.log(
      `${L(r.model)} ${R(String(a.arenaBytes), 9)} ${R(a.tflmArena === null ? '—' : String(a.tflmArena), 12)} ${R(fix(a.ratioTflm), 6)} ` +
        `${R(String(a.livenessBound), 9)} ${R((a.refBound === null ? '—' : String(a.refBound)) + mark, 12)} ${R(fix(a.ratioBound), 7)} ` +
        `${R(`${a.inPlace.length}/${a.kernels}`, 9)}`,
    );
  }
  if (ok.some((r) => r.arena!.refBound !== null && r.arena!.refBound !== r.arena!.livenessBound)) {
    console.log('  * summary.livenessBound differs from the reference bound; ÷bound uses summary.livenessBound');
  }
  console.log('  operators run in place (kernels writing over their input), not in place, and without a kernel:');
  for (const r of ok) {
    const a = r.arena!;
    console.log(`  ${r.model}: in place ${countKinds(a.inPlace) || 'none'} [#${ranges(a.inPlace.map((o) => o.index))}]`);
    if (a.notInPlace.length) console.log(`      not in place: ${a.notInPlace.map((o) => `#${o.index} ${o.kind} (${o.kernel})`).join(', ')}`);
    if (a.removed.length) {
      const byWhy = new Map<string, number>();
      for (const o of a.removed) {
        const why = o.why.startsWith('fused') ? 'fused' : o.why;
        byWhy.set(`${o.kind} ${why}`, (byWhy.get(`${o.kind} ${why}`) ?? 0) + 1);
      }
      console.log(`      no kernel: ${[...byWhy].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ')}`);
    }
  }

  console.log(`\nINSTRUCTIONS per inference (callgrind Ir, host gcc ${env.cflags.join(' ')}; Ir(2 records) − Ir(1 record))`);
  if (env.missing) console.log(`  ${env.missing}`);
  console.log(
    `${L('model')} ${R('Ir 1 rec', 13)} ${R('Ir 2 rec', 13)} ${R('Ir/inference', 13)} ${R('TFLM(ref)', 12)} ${R('÷TFLM', 6)} ${R('MACs', 9)} ${R('Ir/MAC', 7)} ${R('bit-exact', 9)}`,
  );
  for (const r of ok) {
    const x = r.instructions;
    if (!x) {
      if (r.error) console.log(`${L(r.model)} failed (see FAILED below)`);
      continue;
    }
    if ('skipped' in x) {
      console.log(`${L(r.model)} skipped: ${x.skipped}`);
      continue;
    }
    console.log(
      `${L(r.model)} ${R(x.ir1.toLocaleString('en-US'), 13)} ${R(x.ir2.toLocaleString('en-US'), 13)} ${R(mIr(x.irPerInference), 13)} ` +
        `${R(x.tflmIr === null ? '—' : mIr(x.tflmIr), 12)} ${R(fix(x.ratioTflm, 3), 6)} ${R(mIr(x.macs), 9)} ${R(fix(x.irPerMac), 7)} ` +
        `${R(x.bitExact === null ? 'no ref' : x.bitExact ? 'yes' : 'NO', 9)}`,
    );
  }
  console.log('  bit-exact: both records\' outputs against expected.tflm.bin (TFLM reference kernels)');
  for (const r of ok) {
    const x = r.instructions;
    if (!x || 'skipped' in x) continue;
    console.log(
      `\n  ${r.model}: ${mIr(x.irPerInference)} Ir/inference, ${mIr(x.invokeIr)} inside mliflow_model_invoke ` +
        `(${(x.irPerInference - x.invokeIr).toLocaleString('en-US')} for one record's I/O and reset)`,
    );
    console.log(`    ${'kernel (callgrind_annotate --tree=calling)'.padEnd(44)} ${R('calls', 5)} ${R('Ir/inference', 13)} ${R('share', 6)} ${R('MACs', 9)} ${R('Ir/MAC', 7)}`);
    for (const k of x.kernels) {
      console.log(
        `    ${k.kernel.padEnd(44)} ${R(String(k.callsPerInference), 5)} ${R(mIr(k.ir), 13)} ${R(pct(k.share), 6)} ${R(k.macs ? mIr(k.macs) : '—', 9)} ${R(fix(k.irPerMac), 7)}`,
      );
    }
    console.log(`    functions, self Ir (callgrind_annotate): ${x.functions.slice(0, 6).map((f) => `${f.name} ${mIr(f.ir)} ${pct(f.share)}`).join(', ')}`);
    console.log('    costliest operators:');
    for (const o of x.operators.slice(0, 5)) {
      console.log(`      #${o.index} ${o.kind} ${o.kernel}: ${mIr(o.ir)} ${pct(o.share)}, ${mIr(o.macs)} MACs, ${fix(o.irPerMac)} Ir/MAC`);
    }
    console.log('    hottest source lines (self Ir):');
    for (const h of x.hotLines.slice(0, 5)) {
      console.log(`      ${`${h.file}:${h.line}`.padEnd(20)} ${R(mIr(h.ir), 9)} ${R(pct(h.share), 6)}  ${h.text.slice(0, 90)}`);
    }
  }

  console.log(`\nCOMPILE TIME compileModel, in-process (median of ${COMPILE_RUNS} after a warm-up)`);
  console.log(`${L('model')} ${R('median ms', 10)} ${R('min', 8)} ${R('max', 8)} ${R('goal ms', 8)}`);
  for (const r of ok) {
    const c = r.compile!;
    console.log(`${L(r.model)} ${R(c.medianMs.toFixed(1), 10)} ${R(c.minMs.toFixed(1), 8)} ${R(c.maxMs.toFixed(1), 8)} ${R(String(c.goalMs), 8)}`);
  }

  const failed = rows.filter((r) => r.error);
  if (failed.length) {
    console.log('\nFAILED');
    for (const r of failed) console.log(`  ${r.model}: ${r.error}`);
  }

  console.log('\nGOALS');
  for (const line of goalLines(rows, env.missing)) console.log(line);
}

function goalLines(rows: ModelResult[], missing: string | null): string[] {
  const ok = rows.filter((r) => r.arena && r.compile);
  const out: string[] = [];
  const verdict = (met: boolean): string => (met ? 'met' : 'NOT MET');
  const failed = rows.filter((r) => r.error).map((r) => r.model);
  const failedNote = failed.length ? `; failed: ${failed.join(', ')}` : '';

  const arenaRows = ok.filter((r) => r.arena!.ratioTflm !== null);
  const overTflm = arenaRows.filter((r) => r.arena!.ratioTflm! > 1);
  const overBound = ok.filter((r) => r.arena!.ratioBound > 1);
  out.push(
    `arena ≤ TFLM arena (ref) and ≤ liveness bound: ${verdict(!overTflm.length && !overBound.length && ok.length > 0)} — ` +
      ok.map((r) => `${r.model} ${r.arena!.ratioTflm === null ? '' : `${fix(r.arena!.ratioTflm)}×TFLM `}${fix(r.arena!.ratioBound)}×bound`).join(', ') +
      failedNote,
  );

  const measured = ok.filter((r) => r.instructions && !('skipped' in r.instructions) && r.instructions.ratioTflm !== null);
  const withRef = rows.filter((r) => TFLM_REFERENCE[r.model]?.ir !== undefined);
  const irOf = (r: ModelResult): InstrResult => r.instructions as InstrResult;
  if (!measured.length) {
    const why = missing ? 'valgrind missing: install the Debian package valgrind' : withRef.length ? 'callgrind runs skipped or failed' : 'no model with a TFLM figure';
    out.push(`instructions < ${IR_GOAL}× TFLM reference kernels: not measured (${why})`);
  } else {
    const met = measured.filter((r) => irOf(r).ratioTflm! < IR_GOAL && irOf(r).bitExact !== false);
    const unmeasured = withRef.filter((r) => !measured.includes(r)).map((r) => r.model);
    out.push(
      `instructions < ${IR_GOAL}× TFLM reference kernels: ${verdict(met.length === measured.length && !unmeasured.length)} (${met.length}/${withRef.length}) — ` +
        measured
          .map((r) => `${r.model} ${fix(irOf(r).ratioTflm, 3)} (${mIr(irOf(r).irPerInference)} vs ${mIr(irOf(r).tflmIr!)}${irOf(r).bitExact === false ? ', outputs NOT bit-exact' : ''})`)
          .join(', ') +
        (unmeasured.length ? `; not measured: ${unmeasured.join(', ')}` : ''),
    );
  }

  const timed = rows.filter((r) => r.compile);
  const slow = timed.filter((r) => r.compile!.medianMs >= r.compile!.goalMs);
  out.push(
    `compile time < 1 s (MLPerf Tiny and small models), < 5 s (mobilenet_v2): ${verdict(!slow.length && timed.length > 0)} — ` +
      timed.map((r) => `${r.model} ${(r.compile!.medianMs / 1000).toFixed(3)} s`).join(', '),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const all = args.includes('--all');
  const only = args.includes('--only');
  const unknown = args.filter((a) => a.startsWith('--') && !['--json', '--all', '--only'].includes(a));
  if (unknown.length) {
    process.stderr.write(`unknown option ${unknown.join(' ')}; usage: pnpm bench:codegen [MODEL ...] [--only] [--all] [--json]\n`);
    process.exitCode = 2;
    return;
  }
  const named = args.filter((a) => !a.startsWith('--')).map((a) => basename(a).replace(/\.tflite$/, ''));
  if (only && !named.length) {
    process.stderr.write('--only needs at least one MODEL\n');
    process.exitCode = 2;
    return;
  }
  const models = [...new Set(only ? named : [...DEFAULT_MODELS, ...named])];
  const log = (s: string): void => void process.stderr.write(s + '\n');

  const board = loadBoard('host');
  const base = board.target();
  // -O2 as the reference figures assume, -g so callgrind can attribute Ir to source lines.
  const cflags = [...base.cflags.filter((f) => !/^-O/.test(f) && f !== '-g'), '-O2', '-g'];
  const target: TargetSpec = { ...base, cflags };

  const [gcc, valgrind, annotateTool] = await Promise.all([detectTool(target.cc), detectTool('valgrind'), detectTool('callgrind_annotate')]);
  let missing: string | null = null;
  if (!valgrind || !annotateTool) {
    const what = [!valgrind && 'valgrind', !annotateTool && 'callgrind_annotate'].filter(Boolean).join(' and ');
    missing = `${what} not found on PATH: instructions per inference not measured; install the Debian package valgrind (apt-get install -y valgrind)`;
    log(missing);
  }
  if (!gcc) log(`${target.cc} not found on PATH: host builds need the Debian package gcc`);

  const work = mkdtempSync(join(tmpdir(), 'mliflow-bench-codegen-'));
  const cleanup = (): void => rmSync(work, { recursive: true, force: true });
  const onSignal = (sig: NodeJS.Signals): void => {
    cleanup();
    process.kill(process.pid, sig);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const rows: ModelResult[] = [];
  const kernelSources = new Map<string, string>();
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  try {
    // Compile-time first, with nothing else running in the background.
    const compiled = new Map<string, { g: Graph; project: GeneratedProject }>();
    for (const model of models) {
      const file = join(MODELS, `${model}.tflite`);
      if (!existsSync(file)) {
        rows.push({ model, error: `${file} does not exist` });
        continue;
      }
      try {
        const g = readTfliteFile(file);
        if (!isQuantized(g)) {
          rows.push({ model, error: 'not an int8/int16 model (float inputs or outputs)' });
          continue;
        }
        log(`compiling ${model} (1 warm-up + ${COMPILE_RUNS} timed runs)...`);
        const { project, runsMs } = timeCompile(model, target);
        compiled.set(model, { g, project });
        rows.push({
          model,
          arena: arenaOf(project.summary),
          compile: { medianMs: median(runsMs), minMs: Math.min(...runsMs), maxMs: Math.max(...runsMs), runsMs, goalMs: compileGoalMs(model) },
        });
      } catch (e) {
        rows.push({ model, error: `compileModel: ${(e as Error).message}` });
      }
    }

    for (const { project } of compiled.values()) {
      for (const [f, text] of project.files) if (/^mlf_.*\.[ch]$/.test(f)) kernelSources.set(f, text);
    }
    for (const r of rows) {
      const c = compiled.get(r.model);
      if (!c) continue;
      const macs = c.project.summary.operators.reduce((t, o) => t + o.macs, 0);
      if (missing) {
        r.instructions = { skipped: 'valgrind missing (Debian package valgrind)' };
      } else if (!gcc) {
        r.instructions = { skipped: `${target.cc} missing (Debian package gcc)` };
      } else if (macs > HEAVY_MACS && !all) {
        r.instructions = { skipped: `${(macs / 1e6).toFixed(0)} M MACs: callgrind is slow here (~50x); rerun with --all` };
      } else if (!existsSync(join(VECTORS, r.model, 'inputs.bin'))) {
        r.instructions = { skipped: `no ${join(VECTORS, r.model, 'inputs.bin')}` };
      } else {
        log(`building ${r.model} (host, ${cflags.join(' ')})...`);
        try {
          r.instructions = await measureInstructions(r.model, c.g, c.project, target, work, log);
          if (r.instructions.bitExact === false) process.exitCode = 1;
        } catch (e) {
          r.error = (e as Error).message;
        }
        rmSync(join(work, r.model), { recursive: true, force: true });
      }
    }
  } finally {
    cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (rows.some((r) => r.error)) process.exitCode = 1;

  const hash = createHash('sha256');
  const files = [...kernelSources.keys()].sort();
  for (const f of files) hash.update(`${f}\0${kernelSources.get(f)}\0`);
  const info: RunInfo = {
    date,
    gcc: gcc?.versionLine ?? `${target.cc} missing`,
    valgrind: valgrind?.versionLine ?? null,
    cflags,
    missing,
    kernels: { sha256: hash.digest('hex'), files },
  };

  if (json) {
    const out = {
      run: info,
      tflmReference: TFLM_REFERENCE,
      models: rows,
      goals: goalLines(rows, missing),
    };
    process.stdout.write(JSON.stringify(out, null, 1) + '\n');
    return;
  }
  printText(rows, info);
}

await main();
