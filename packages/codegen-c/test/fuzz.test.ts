/**
 * Codegen under fuzz: seeded mutations of small shared models, in the IR (attributes,
 * quantization, activation shapes, dtypes, operator wiring) and in the .tflite bytes, go
 * through readTflite + validateGraph + compileModel. Each case must give a project or an
 * MliflowError whose message is one line naming the file (and, from codegen, the operator):
 * never a TypeError, RangeError or other plain exception, never a hang. A few projects that
 * compile are built with gcc and run on one record against the golden executor: a compiled
 * project agrees bit for bit, or the graph is refused.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GoldenExecutor,
  MliflowError,
  prng,
  readTflite,
  validateGraph,
  type Activation,
  type DType,
  type Graph,
} from '@mliflow/ir';
import { MODELS } from '../../../test/paths.js';
import { compileModel, hostTarget, type GeneratedProject } from '../src/index.js';
import { make, run, tempProject } from './helpers.js';

const MODELS_FUZZED = ['kws_ref_model', 'micro_speech_quantized', 'hello_world_int8', 'ad01_int8', 'keyword_scrambled_8bit', 'trained_lstm_int8'];
const SEED = 20250301;
const SCALE = Number(process.env.MLIFLOW_FUZZ_SCALE ?? 1);
const CASES_PER_MODEL = Math.round(200 * SCALE);
/** Cases slower than this count as hangs: compiling these models takes milliseconds. */
const SLOW_MS = 3000;
/** Compiled mutants built with gcc and run against the golden executor (MLIFLOW_FUZZ_RUN for more). */
const RUN_CASES = Number(process.env.MLIFLOW_FUZZ_RUN ?? 6);

const KINDS = ['attrs', 'quant', 'shape', 'dtype', 'wiring', 'bytes'] as const;
type Kind = (typeof KINDS)[number];
type Outcome = 'compiled' | 'read-error' | 'validate-error' | 'codegen-error';

const DTYPES: DType[] = ['int8', 'uint8', 'int16', 'int32', 'int64', 'float32', 'bool'];
const ACTIVATIONS = ['none', 'relu', 'relu_n1_to_1', 'relu6', 'tanh', 'sign_bit'] as Activation[];

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (rand: Rand, n: number): number => Math.floor(rand() * n);

/** Odd integers as well as plausible ones: codegen must refuse the former cleanly. */
function oddInt(rand: Rand, around: number): number {
  return pick(rand, [0, -1, 1, 2, 3, around + 1, around * 2, 7, 65536, 2 ** 31, -(2 ** 31), 1.5, NaN]);
}

function mutateAttrs(g: Graph, rand: Rand): void {
  const op = pick(rand, g.ops);
  const a = op.attrs as unknown as Record<string, unknown>;
  const keys = Object.keys(a);
  if (keys.length === 0) return;
  const key = pick(rand, keys);
  const v = a[key];
  if (key === 'activation') a[key] = pick(rand, [...ACTIVATIONS, 'bogus']);
  else if (key === 'padding') a[key] = pick(rand, ['same', 'valid', 'bogus']);
  else if (typeof v === 'boolean') a[key] = !v;
  else if (typeof v === 'number') a[key] = rand() < 0.5 ? oddInt(rand, v) : pick(rand, [v + 1, Math.max(1, v - 1), v * 2, NaN, Infinity, -v]);
  else if (Array.isArray(v)) a[key] = rand() < 0.5 ? [...v].reverse() : v.map((x: number) => (rand() < 0.3 ? oddInt(rand, x) : x));
  else if (v === null) a[key] = [int(rand, 10), -1];
}

function mutateQuant(g: Graph, rand: Rand): void {
  const ts = g.tensors.filter((t) => t.quant);
  if (ts.length === 0) return;
  const q = pick(rand, ts).quant!;
  const r = rand();
  const i = int(rand, q.scale.length);
  if (r < 0.35) q.scale[i] = pick(rand, [0, -1, NaN, Infinity, 1e-30, 1e30, 2 ** -40, 2 ** 20, q.scale[i] * (0.5 + rand() * 2)]);
  else if (r < 0.7) q.zeroPoint[i % q.zeroPoint.length] = pick(rand, [-129, 128, 255, -128, 127, 1, -1000, 100_000, NaN, 0.5, int(rand, 256) - 128]);
  else if (r < 0.8) q.axis = pick(rand, [-1, 0, 1, 3, 9]);
  else if (r < 0.9) q.scale.push(q.scale[0] ?? 1);
  else q.zeroPoint.push(0);
}

function mutateShape(g: Graph, rand: Rand): void {
  const ids = g.tensors.map((t, id) => ({ t, id })).filter(({ t }) => !t.data || rand() < 0.15);
  const { t } = pick(rand, ids);
  const r = rand();
  if (r < 0.6 && t.shape.length) {
    const d = int(rand, t.shape.length);
    t.shape[d] = pick(rand, [0, -1, 1, 2, 3, t.shape[d] + 1, t.shape[d] * 2, Math.max(1, t.shape[d] - 1), 1_000_000]);
  } else if (r < 0.8) t.shape.push(pick(rand, [1, 2]));
  else t.shape.pop();
}

function mutateDtype(g: Graph, rand: Rand): void {
  const t = pick(rand, g.tensors);
  t.dtype = pick(rand, DTYPES.filter((d) => d !== t.dtype));
}

function mutateWiring(g: Graph, rand: Rand): void {
  const op = pick(rand, g.ops);
  const list = rand() < 0.7 || op.outputs.length === 0 ? op.inputs : op.outputs;
  if (list.length === 0) return;
  const i = int(rand, list.length);
  const r = rand();
  if (r < 0.6) list[i] = int(rand, g.tensors.length);
  else if (r < 0.8) list[i] = -1;
  else if (r < 0.9) list.splice(i, 1);
  else list.push(int(rand, g.tensors.length));
}

function mutateBytes(orig: Uint8Array, rand: Rand): Uint8Array {
  const r = rand();
  if (r < 0.15) return orig.slice(0, int(rand, orig.length));
  const b = orig.slice();
  const dv = new DataView(b.buffer);
  const n = 1 + int(rand, 8);
  for (let k = 0; k < n; k++) {
    // Most of a small model is weights: aim half the writes at the first KiBs, where tables live.
    const span = rand() < 0.5 ? Math.min(b.length, 4096) : b.length;
    const p = int(rand, span - 4);
    if (rand() < 0.6) b[p] ^= 1 + int(rand, 255);
    else dv.setUint32(p, pick(rand, [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, int(rand, 64), int(rand, 2 ** 32)]), true);
  }
  return b;
}

const IR_MUTATORS: Record<Exclude<Kind, 'bytes'>, (g: Graph, rand: Rand) => void> = {
  attrs: mutateAttrs,
  quant: mutateQuant,
  shape: mutateShape,
  dtype: mutateDtype,
  wiring: mutateWiring,
};

interface Result {
  outcome: Outcome;
  bug?: string;
  project?: GeneratedProject;
  graph?: Graph;
}

/** Signs of wrong C: JavaScript values that leaked into the source text. */
const BAD_C = /\b(NaN|undefined|Infinity|null)\b|\[object /;

function attempt(kind: Kind, orig: Uint8Array, base: Graph, file: string, rand: Rand): Result {
  let stage: 'read' | 'validate' | 'codegen' = 'read';
  try {
    let g: Graph;
    if (kind === 'bytes') {
      g = readTflite(mutateBytes(orig, rand), file);
    } else {
      g = structuredClone(base);
      const n = 1 + (rand() < 0.3 ? 1 : 0);
      for (let k = 0; k < n; k++) IR_MUTATORS[kind](g, rand);
    }
    stage = 'validate';
    validateGraph(g, file);
    stage = 'codegen';
    const project = compileModel(g, { target: hostTarget(), file });
    for (const [name, text] of project.files) {
      const m = BAD_C.exec(text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''));
      if (m && name.endsWith('.c')) return { outcome: 'compiled', bug: `${name} contains "${m[0]}"` };
    }
    return { outcome: 'compiled', project, graph: g };
  } catch (e) {
    if (!(e instanceof MliflowError)) return { outcome: 'codegen-error', bug: `${stage} threw ${(e as Error).stack ?? String(e)}` };
    const msg = e.message;
    if (/[\n\r\u2028\u2029]/.test(msg) || !msg.startsWith(`${file}: `)) {
      return { outcome: 'codegen-error', bug: `${stage}: message is not one line naming the file: ${JSON.stringify(msg)}` };
    }
    // Codegen's refusals are about operators (validation names tensors and fields itself).
    if (stage === 'codegen' && !/operator #\d+ \([A-Z_0-9]+\)/.test(msg)) {
      return { outcome: 'codegen-error', bug: `codegen message names no operator: ${JSON.stringify(msg)}` };
    }
    return { outcome: stage === 'read' ? 'read-error' : stage === 'validate' ? 'validate-error' : 'codegen-error' };
  }
}

interface Compiled {
  file: string;
  kind: Kind;
  graph: Graph;
  project: GeneratedProject;
}

describe('fuzz: codegen on mutated models', () => {
  const toRun: Compiled[] = [];

  it('gives a project or a clean one-line MliflowError, never a crash or a hang', () => {
    const stats = new Map<Kind, Map<Outcome, number>>(KINDS.map((k) => [k, new Map()]));
    const bugs: string[] = [];
    const slow: string[] = [];
    let cases = 0;
    const t0 = performance.now();
    for (const [mi, name] of MODELS_FUZZED.entries()) {
      const orig = new Uint8Array(readFileSync(join(MODELS, `${name}.tflite`)));
      const base = readTflite(orig, `${name}.tflite`);
      for (let i = 0; i < CASES_PER_MODEL; i++) {
        const seed = SEED + mi * 100_003 + i;
        const kind = KINDS[i % KINDS.length];
        const file = `${name}.tflite~${kind}#${seed}`;
        const started = performance.now();
        const r = attempt(kind, orig, base, file, prng(seed));
        const ms = performance.now() - started;
        if (ms > SLOW_MS) slow.push(`${file}: ${ms.toFixed(0)} ms`);
        const per = stats.get(kind)!;
        per.set(r.outcome, (per.get(r.outcome) ?? 0) + 1);
        if (r.bug) bugs.push(`${file}: ${r.bug}`);
        // Compiled IR mutants to build and run, spread over models and kinds.
        const perModel = Math.ceil(RUN_CASES / MODELS_FUZZED.length);
        const mine = toRun.filter((c) => c.file.startsWith(`${name}.tflite~`));
        if (r.project && kind !== 'bytes' && toRun.length < RUN_CASES && mine.length < perModel && !mine.some((c) => c.kind === kind)) {
          toRun.push({ file, kind, graph: r.graph!, project: r.project });
        }
        cases++;
      }
    }
    const ms = performance.now() - t0;
    const outcomes: Outcome[] = ['compiled', 'read-error', 'validate-error', 'codegen-error'];
    const lines = [`${cases} cases in ${(ms / 1000).toFixed(1)} s`, `${'kind'.padEnd(8)}${outcomes.map((o) => o.padStart(16)).join('')}`];
    for (const [kind, per] of stats) lines.push(`${kind.padEnd(8)}${outcomes.map((o) => String(per.get(o) ?? 0).padStart(16)).join('')}`);
    if (bugs.length) lines.push(`${bugs.length} broke the contract:`, ...bugs.map((b) => `  ${b.split("\n").slice(0, 3).join(" | ")}`));
    console.log(lines.join('\n'));

    expect(cases).toBeGreaterThanOrEqual(500);
    expect(slow).toEqual([]);
    expect(bugs.slice(0, 5), `${bugs.length} cases broke the contract`).toEqual([]);
    // The mutations must reach codegen, not only the reader and validation.
    const compiled = [...stats.values()].reduce((a, per) => a + (per.get('compiled') ?? 0), 0);
    expect(compiled).toBeGreaterThan(cases / 10);
  });

  it('builds a few compiled mutants with gcc: bit-exact with the golden executor, or refused by it', async () => {
    expect(toRun.length).toBeGreaterThan(0);
    const report: string[] = [];
    await Promise.all(
      toRun.map(async (c) => {
        let golden: GoldenExecutor;
        try {
          golden = new GoldenExecutor(c.graph, { file: c.file });
        } catch (e) {
          // Codegen accepted a graph the golden executor refuses: what would it be checked against?
          report.push(`${c.file}: compiled, but the golden executor refuses it: ${(e as Error).message}`);
          return;
        }
        const rand = prng(7);
        const inputs = golden.inputSizes.map((n) => Uint8Array.from({ length: n }, () => int(rand, 256)));
        const expected = golden.run(inputs);
        const dir = tempProject(c.project, 'fuzz');
        try {
          await make(dir);
          const inBytes = new Uint8Array(inputs.reduce((a, x) => a + x.length, 0));
          let o = 0;
          for (const x of inputs) inBytes.set(x, (o += x.length) - x.length);
          writeFileSync(join(dir, 'in.bin'), inBytes);
          await run(join(dir, c.project.summary.executable), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
          const got = new Uint8Array(readFileSync(join(dir, 'out.bin')));
          const want = Buffer.concat(expected.outputs.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength)));
          const diff = got.reduce((a, b, i) => a + (b !== want[i] ? 1 : 0), Math.abs(got.length - want.length));
          if (diff) report.push(`${c.file}: ${diff} of ${want.length} output bytes differ from the golden executor`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    );
    console.log(`${toRun.length} compiled mutants built and run: ${toRun.map((c) => c.file).join(', ')}`);
    expect(report).toEqual([]);
  });
});
