/**
 * Seeded mutations of the shared models through reader, validation and (small models) one
 * golden run. Each must end in a clean one-line MliflowError naming the file, or succeed:
 * no other exception, no hang, no unbounded allocation. Mutations aim at the FlatBuffer's
 * structure (offsets, vtables, lengths) and at the indices and sizes the reader checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoldenExecutor, MliflowError, ModelFormatError, byteSize, prng, readTflite, validateGraph, writeTflite, type Graph } from '../src/index.js';
import { prepareContext } from '../src/golden/kernel.js';
import { KERNELS } from '../src/golden/kernels/index.js';
import { F } from '../src/tflite/schema.js';
import { MODELS, sharedModels } from '../../../test/paths.js';

const SEED = 20240611;
/** Cases per model: small files are cheap and can also run, so they get more. MLIFLOW_FUZZ_SCALE multiplies both. */
const SCALE = Number(process.env.MLIFLOW_FUZZ_SCALE ?? 1);
const CASES_SMALL = Math.round(110 * SCALE);
const CASES_LARGE = Math.round(40 * SCALE);
const SMALL_FILE = 64 * 1024;
/** A mutated graph runs only when its activations stay within this factor of the original's. */
const RUN_GROWTH = 4;

const KINDS = ['truncate', 'byte-flip', 'offset', 'huge-dim', 'tensor-index', 'buffer-index', 'field-value', 'name'] as const;
type Kind = (typeof KINDS)[number];
type Outcome = 'format-error' | 'unsupported' | 'other-mliflow-error' | 'rejected-by-validate' | 'rejected-by-kernel' | 'ran' | 'valid-not-run';

/** Byte positions in a valid model worth corrupting, found by walking its FlatBuffer. */
interface Targets {
  /** uoffsets, soffsets (table to vtable), vtable entries (2 bytes) and vector lengths. */
  offsets: { pos: number; size: 2 | 4 }[];
  dims: number[];
  tensorIndices: number[];
  bufferIndices: number[];
  /** Tensor types, opcode indices, quantized dimensions and options fields. */
  fields: { pos: number; size: 1 | 4 }[];
  /** [start, end) of constant data, which byte flips mostly avoid. */
  data: [number, number][];
  /** [start, end) of tensor names, which messages quote. */
  names: [number, number][];
  tensorCount: number;
  bufferCount: number;
}

function walk(bytes: Uint8Array): Targets {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t: Targets = { offsets: [], dims: [], tensorIndices: [], bufferIndices: [], fields: [], data: [], names: [], tensorCount: 0, bufferCount: 0 };
  const table = (pos: number) => {
    t.offsets.push({ pos, size: 4 });
    const vt = pos - dv.getInt32(pos, true);
    const vtSize = dv.getUint16(vt, true);
    for (let o = 4; o < vtSize; o += 2) t.offsets.push({ pos: vt + o, size: 2 });
    const field = (id: number): number => {
      const o = 4 + 2 * id < vtSize ? dv.getUint16(vt + 4 + 2 * id, true) : 0;
      return o ? pos + o : 0;
    };
    const ref = (id: number): number => {
      const p = field(id);
      if (!p) return 0;
      t.offsets.push({ pos: p, size: 4 });
      return p + dv.getUint32(p, true);
    };
    const vec = (id: number): { start: number; length: number } | null => {
      const v = ref(id);
      if (!v) return null;
      t.offsets.push({ pos: v, size: 4 });
      return { start: v + 4, length: dv.getUint32(v, true) };
    };
    const elems = (id: number, size: number): number[] => {
      const v = vec(id);
      return v ? Array.from({ length: v.length }, (_, i) => v.start + size * i) : [];
    };
    const tables = (id: number) => elems(id, 4).map((p) => table(p + dv.getUint32(p, true)));
    return { field, ref, vec, elems, tables };
  };

  const model = table(dv.getUint32(0, true));
  for (const code of model.tables(F.Model.operator_codes)) {
    const p = code.field(F.OperatorCode.builtin_code);
    if (p) t.fields.push({ pos: p, size: 4 });
  }
  const buffers = model.tables(F.Model.buffers);
  t.bufferCount = buffers.length;
  for (const b of buffers) {
    const v = b.vec(F.Buffer.data);
    if (v && v.length > 0) t.data.push([v.start, v.start + v.length]);
  }
  for (const m of model.tables(F.Model.metadata)) {
    m.ref(F.Metadata.name);
    const p = m.field(F.Metadata.buffer);
    if (p) t.bufferIndices.push(p);
  }
  model.ref(F.Model.description);
  const sg = model.tables(F.Model.subgraphs)[0];
  const tensors = sg.tables(F.SubGraph.tensors);
  t.tensorCount = tensors.length;
  for (const tensor of tensors) {
    t.dims.push(...tensor.elems(F.Tensor.shape, 4));
    tensor.elems(F.Tensor.shape_signature, 4);
    const name = tensor.vec(F.Tensor.name);
    if (name && name.length > 0) t.names.push([name.start, name.start + name.length]);
    const type = tensor.field(F.Tensor.type);
    if (type) t.fields.push({ pos: type, size: 1 });
    const buf = tensor.field(F.Tensor.buffer);
    if (buf) t.bufferIndices.push(buf);
    const qp = tensor.ref(F.Tensor.quantization);
    if (qp) {
      const q = table(qp);
      q.elems(F.Quantization.scale, 4);
      q.elems(F.Quantization.zero_point, 8);
      const axis = q.field(F.Quantization.quantized_dimension);
      if (axis) t.fields.push({ pos: axis, size: 4 });
    }
  }
  t.tensorIndices.push(...sg.elems(F.SubGraph.inputs, 4), ...sg.elems(F.SubGraph.outputs, 4));
  for (const op of sg.tables(F.SubGraph.operators)) {
    const code = op.field(F.Operator.opcode_index);
    if (code) t.fields.push({ pos: code, size: 4 });
    for (const id of [F.Operator.inputs, F.Operator.outputs, F.Operator.intermediates]) t.tensorIndices.push(...op.elems(id, 4));
    const opt = op.ref(F.Operator.builtin_options);
    if (opt) {
      const o = table(opt);
      for (let id = 0; id < 8; id++) {
        const p = o.field(id);
        if (p) t.fields.push({ pos: p, size: p % 4 === 0 ? 4 : 1 });
      }
    }
  }
  return t;
}

interface Case {
  kind: Kind;
  bytes: Uint8Array;
}

function mutate(orig: Uint8Array, t: Targets, kind: Kind, rand: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const u32 = (): number => Math.floor(rand() * 2 ** 32);
  if (kind === 'truncate') return { kind, bytes: orig.slice(0, Math.floor(rand() * orig.length)) };
  const b = orig.slice();
  const dv = new DataView(b.buffer);
  const inData = (p: number): boolean => t.data.some(([s, e]) => p >= s && p < e);
  const put32 = (pos: number, v: number): void => dv.setUint32(pos, v >>> 0, true);
  switch (kind) {
    case 'byte-flip': {
      const n = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < n; i++) {
        let p = Math.floor(rand() * b.length);
        // Mostly hit the structure: flips inside weights only change numbers.
        for (let tries = 0; tries < 20 && inData(p) && rand() < 0.9; tries++) p = Math.floor(rand() * b.length);
        b[p] ^= 1 + Math.floor(rand() * 255);
      }
      break;
    }
    case 'offset': {
      const { pos, size } = pick(t.offsets);
      const old = size === 4 ? dv.getUint32(pos, true) : dv.getUint16(pos, true);
      const choices = [u32(), old + pick([-8, -4, -2, -1, 1, 2, 4, 8, 64, -64]), 0, 0xffffffff, 0x7fffffff, 0x80000000, b.length, old * 2, b.length - pos];
      const v = pick(choices);
      if (size === 4) put32(pos, v);
      else dv.setUint16(pos, v & 0xffff, true);
      break;
    }
    case 'huge-dim': {
      const n = 1 + Math.floor(rand() * 2);
      for (let i = 0; i < n && t.dims.length; i++) put32(pick(t.dims), pick([0x7fffffff, 2 ** 30, 2 ** 24, 65536, 1_000_000, 0xffffffff, 0, 0x80000000, 1 + Math.floor(rand() * 4096)]));
      break;
    }
    case 'tensor-index': {
      const n = 1 + Math.floor(rand() * 2);
      for (let i = 0; i < n; i++) {
        const v = pick([t.tensorCount, t.tensorCount + 1 + Math.floor(rand() * 1000), -1, -2, 0x7fffffff, 0x80000000, Math.floor(rand() * t.tensorCount)]);
        put32(pick(t.tensorIndices), v);
      }
      break;
    }
    case 'buffer-index': {
      if (t.bufferIndices.length === 0) break;
      put32(pick(t.bufferIndices), pick([t.bufferCount, t.bufferCount + 7, 0xffffffff, 0x7fffffff, 0, Math.floor(rand() * t.bufferCount)]));
      break;
    }
    case 'field-value': {
      const { pos, size } = pick(t.fields);
      if (size === 1) b[pos] = pick([Math.floor(rand() * 256), Math.floor(rand() * 21), 255, 127]);
      else put32(pos, pick([u32(), 0x7fffffff, 0xffffffff, 0, 1 + Math.floor(rand() * 8), 100_000, 0x80000000]));
      break;
    }
    case 'name': {
      // Every name gets a line break (also as UTF-8 U+2028), a control or a non-UTF-8 byte,
      // then another mutation provokes a message that quotes one.
      for (const [start, end] of t.names) {
        const bad = pick([[0x0a], [0x0d], [0x00], [0x1b], [0xe2, 0x80, 0xa8], [0xff], [0xc3]]).slice(0, end - start);
        b.set(bad, start + Math.floor(rand() * (end - start - bad.length + 1)));
      }
      return { kind, bytes: mutate(b, t, pick(['tensor-index', 'field-value', 'huge-dim', 'buffer-index'] as const), rand).bytes };
    }
  }
  return { kind, bytes: b };
}

function activationBytes(g: Graph): number {
  let n = 0;
  for (const t of g.tensors) if (!t.data) n += byteSize(t);
  return n;
}

interface Result {
  outcome: Outcome;
  /** Set when the case broke the contract; the test fails on any. */
  bug?: string;
  /** A golden kernel's prepare threw something other than an MliflowError (which the executor wraps). */
  kernelBug?: string;
}

function attempt(bytes: Uint8Array, file: string, small: boolean, origActivation: number): Result {
  let stage = 'read';
  try {
    const g = readTflite(bytes, file);
    stage = 'validate';
    validateGraph(g, file);
    if (!small || activationBytes(g) > RUN_GROWTH * origActivation) return { outcome: 'valid-not-run' };
    stage = 'prepare';
    const ex = new GoldenExecutor(g, { file });
    stage = 'run';
    ex.run(ex.inputSizes.map((s) => new Uint8Array(s)));
    return { outcome: 'ran' };
  } catch (e) {
    if (!(e instanceof MliflowError)) return { outcome: 'ran', bug: `${stage}: ${(e as Error).stack ?? String(e)}` };
    if (e.message.includes('\n') || !e.message.startsWith(`${file}: `)) return { outcome: 'ran', bug: `${stage}: message is not one line naming the file: ${JSON.stringify(e.message)}` };
    if (stage === 'prepare') return { outcome: 'rejected-by-kernel', kernelBug: rawPrepareError(readTflite(bytes, file)) };
    if (stage === 'run') return { outcome: 'ran', bug: `run threw ${e.name}: ${e.message}` };
    if (stage === 'validate') return { outcome: 'rejected-by-validate' };
    return { outcome: e.name === 'ModelFormatError' ? 'format-error' : e.name === 'UnsupportedError' ? 'unsupported' : 'other-mliflow-error' };
  }
}

/**
 * The executor turns every prepare error into an MliflowError; calling the kernels directly
 * shows whether one threw something else (a TypeError, a RangeError), which is a kernel bug.
 */
function rawPrepareError(g: Graph): string | undefined {
  for (const [i, op] of g.ops.entries()) {
    try {
      KERNELS[op.kind].prepare(prepareContext(g, op, i));
    } catch (e) {
      return e instanceof MliflowError ? undefined : `${op.kind}: ${(e as Error).name}: ${(e as Error).message}`;
    }
  }
  return undefined;
}

describe('fuzz: mutated models', () => {
  it('end in a clean error or a valid graph, never a crash', () => {
    const stats = new Map<Kind, Map<Outcome, number>>(KINDS.map((k) => [k, new Map()]));
    const bugs: string[] = [];
    const kernelBugs = new Map<string, number>();
    let cases = 0;
    const t0 = performance.now();
    for (const [mi, name] of sharedModels().entries()) {
      const orig = new Uint8Array(readFileSync(join(MODELS, `${name}.tflite`)));
      const small = orig.length <= SMALL_FILE;
      const targets = walk(orig);
      const origActivation = activationBytes(readTflite(orig, name));
      const n = small ? CASES_SMALL : CASES_LARGE;
      for (let i = 0; i < n; i++) {
        const seed = SEED + mi * 100_003 + i;
        const rand = prng(seed);
        const kind = KINDS[i % KINDS.length];
        const c = mutate(orig, targets, kind, rand);
        const file = `${name}.tflite~${kind}#${seed}`;
        const r = attempt(c.bytes, file, small, origActivation);
        const per = stats.get(kind)!;
        per.set(r.outcome, (per.get(r.outcome) ?? 0) + 1);
        if (r.bug) bugs.push(`${file}: ${r.bug}`);
        if (r.kernelBug) {
          const key = r.kernelBug.slice(0, 160);
          kernelBugs.set(key, (kernelBugs.get(key) ?? 0) + 1);
        }
        cases++;
      }
    }
    const ms = performance.now() - t0;

    const outcomes: Outcome[] = ['format-error', 'unsupported', 'other-mliflow-error', 'rejected-by-validate', 'rejected-by-kernel', 'ran', 'valid-not-run'];
    const lines = [`${cases} cases in ${(ms / 1000).toFixed(1)} s`, `${'kind'.padEnd(14)}${outcomes.map((o) => o.padStart(22)).join('')}`];
    for (const [kind, per] of stats) lines.push(`${kind.padEnd(14)}${outcomes.map((o) => String(per.get(o) ?? 0).padStart(22)).join('')}`);
    if (kernelBugs.size) {
      lines.push('golden kernels whose prepare threw a non-MliflowError (the executor wraps it; report to the kernel owners):');
      for (const [msg, count] of kernelBugs) lines.push(`  ${count}x ${msg}`);
    }
    console.log(lines.join('\n'));

    expect(cases).toBeGreaterThanOrEqual(1000);
    expect(bugs.slice(0, 10), `${bugs.length} cases broke the contract`).toEqual([]);
  });

  it('refuses a small file whose tensors all point at one big buffer', () => {
    // 2000 tensors sharing a 4 MB buffer would have the reader copy 8 GB.
    const big = 4 << 20;
    const tensors = [{ name: 'big', dtype: 'int8' as const, shape: [big], data: new Uint8Array(big), quant: null, isVariable: false }];
    for (let i = 0; i < 2000; i++) tensors.push({ name: `t${i}`, dtype: 'int8', shape: [1], data: Uint8Array.of(i), quant: null, isVariable: false });
    const g: Graph = { tensors, ops: [], inputs: [], outputs: [], description: '', version: 3, metadata: [], subgraphName: '' };
    const bytes = writeTflite(g);
    const dv = new DataView(bytes.buffer);
    const t = walk(bytes);
    for (const p of t.dims) dv.setInt32(p, big, true);
    for (const p of t.bufferIndices) dv.setUint32(p, 1, true);
    const t0 = performance.now();
    expect(() => readTflite(bytes, 'shared.tflite')).toThrow(ModelFormatError);
    expect(() => readTflite(bytes, 'shared.tflite')).toThrow(/^shared\.tflite: .*reuses them/);
    // Generous on purpose (2 loaded cores); unguarded, this file took 27 s and 8 GB.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
