/**
 * plan-memory: static offsets for every activation in one arena.
 *
 * 1. Buffers: tensors sharing storage through aliases form one buffer; its lifetime
 *    spans the first to the last call touching any of them (graph inputs from the first
 *    call, graph outputs to the last).
 * 2. In place: when a kernel allows writing its output over an input and that input's
 *    buffer dies at the call, the output joins the input's buffer.
 * 3. Offsets: greedy placement, several orders (by size, by lifetime, by first use) and
 *    two gap rules (first fit, best fit); the plan with the smallest peak wins.
 *
 * The liveness bound is the peak of the sum of live buffer sizes before in-place
 * merging: no plan without in-place execution can go below it.
 */
import { byteSize } from '@mliflow/ir';
import type { KernelCall } from '../lir.js';
import { rootOf, type Module } from '../module.js';

export interface PlannedBuffer {
  id: number;
  /** Root tensors stored in this buffer (aliases of them too), with their offset in it. */
  roots: number[];
  rel: Map<number, number>;
  size: number;
  first: number;
  last: number;
  offset: number;
  scratchOf?: number;
}

export interface MemoryPlan {
  arenaBytes: number;
  livenessBound: number;
  strategy: string;
  buffers: PlannedBuffer[];
  /** root tensor -> its buffer */
  bufferOf: Map<number, PlannedBuffer>;
  /** root tensor -> arena offset */
  offsetOf: Map<number, number>;
  /** call position -> scratch buffer */
  scratch: Map<number, PlannedBuffer>;
  /** call positions that run in place */
  inPlace: Set<number>;
  /** root tensor -> [first, last] call position */
  lifetimes: Map<number, [number, number]>;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Whether a tensor lives in the arena: not constant, not persistent state. */
export function isArenaTensor(m: Module, id: number): boolean {
  const t = m.graph.tensors[id];
  return !t.isVariable && !t.data && !m.folded.has(id);
}

/** Writing `output` at `delta` bytes before `input`'s start, at call `pos`. */
interface Merge {
  pos: number;
  input: number;
  output: number;
  delta: number;
}

export function planMemory(m: Module, calls: KernelCall[], alignment: number): MemoryPlan {
  const n = calls.length;
  const last = Math.max(n - 1, 0);
  const life = new Map<number, [number, number]>();
  const size = new Map<number, number>();
  const touch = (id: number, pos: number): void => {
    if (id < 0 || !isArenaTensor(m, id)) return;
    const r = rootOf(m, id);
    const l = life.get(r);
    if (l) {
      l[0] = Math.min(l[0], pos);
      l[1] = Math.max(l[1], pos);
    } else life.set(r, [pos, pos]);
    size.set(r, Math.max(size.get(r) ?? 0, alignUp(byteSize(m.graph.tensors[id]), alignment)));
  };
  for (const id of m.graph.inputs) touch(id, 0);
  calls.forEach((c, pos) => c.args.forEach((a) => touch(a.tensor, pos)));
  for (const id of m.graph.outputs) touch(id, last);
  const roots = [...life.keys()].sort((a, b) => a - b);

  // The bound, before any sharing.
  const liveSum = new Array<number>(Math.max(n, 1)).fill(0);
  for (const r of roots) {
    const [f, l] = life.get(r)!;
    for (let p = f; p <= l; p++) liveSum[p] += size.get(r)!;
  }
  calls.forEach((c, pos) => {
    if (c.scratchBytes > 0) liveSum[pos] += alignUp(c.scratchBytes, alignment);
  });
  const livenessBound = Math.max(0, ...liveSum);

  // In-place candidates, in call order: exact ones first within a call.
  const candidates: Merge[] = [];
  calls.forEach((c, pos) => {
    const ok = (a: number, b: number): boolean => isArenaTensor(m, a) && isArenaTensor(m, b);
    for (const p of c.inPlaceOk) if (ok(p.input, p.output)) candidates.push({ pos, input: rootOf(m, p.input), output: rootOf(m, p.output), delta: 0 });
    const sl = c.slide;
    if (sl && ok(sl.input, sl.output)) {
      // Keep the output aligned: round the distance up to the alignment.
      candidates.push({ pos, input: rootOf(m, sl.input), output: rootOf(m, sl.output), delta: alignUp(sl.delta, alignment) });
    }
  });
  const outputRoots = new Set(m.graph.outputs.map((o) => rootOf(m, o)));

  const build = (merges: Merge[]): { buffers: PlannedBuffer[]; bufferOf: Map<number, PlannedBuffer>; done: Set<number> } | null => {
    const buffers: PlannedBuffer[] = [];
    const bufferOf = new Map<number, PlannedBuffer>();
    for (const r of roots) {
      const [f, l] = life.get(r)!;
      const b: PlannedBuffer = { id: 0, roots: [r], rel: new Map([[r, 0]]), size: size.get(r)!, first: f, last: l, offset: 0 };
      buffers.push(b);
      bufferOf.set(r, b);
    }
    const done = new Set<number>();
    for (const mg of merges) {
      if (done.has(mg.pos)) return null;
      const bi = bufferOf.get(mg.input);
      const bo = bufferOf.get(mg.output);
      if (!bi || !bo || bi === bo || bi.last !== mg.pos || bo.first !== mg.pos || bo.roots.length !== 1) return null;
      if (bi.roots.some((r) => outputRoots.has(r))) return null;
      let relOut = bi.rel.get(mg.input)! - mg.delta;
      if (relOut < 0) {
        for (const [r, o] of bi.rel) bi.rel.set(r, o - relOut);
        bi.size -= relOut;
        relOut = 0;
      }
      bi.rel.set(mg.output, relOut);
      bi.roots.push(mg.output);
      bi.size = Math.max(bi.size, relOut + bo.size);
      bi.last = bo.last;
      bufferOf.set(mg.output, bi);
      buffers.splice(buffers.indexOf(bo), 1);
      done.add(mg.pos);
    }
    calls.forEach((c, pos) => {
      if (c.scratchBytes <= 0) return;
      buffers.push({ id: 0, roots: [], rel: new Map(), size: alignUp(c.scratchBytes, alignment), first: pos, last: pos, offset: 0, scratchOf: pos });
    });
    buffers.forEach((b, i) => (b.id = i));
    return { buffers, bufferOf, done };
  };

  // Accept each candidate only if the arena does not grow.
  let accepted: Merge[] = [];
  let built = build(accepted)!;
  const rectsOf = (bs: PlannedBuffer[]): Rect[][] =>
    bs.map((b) =>
      b.scratchOf !== undefined
        ? [{ rel: 0, size: b.size, first: b.first, last: b.last }]
        : b.roots.map((r) => ({ rel: b.rel.get(r)!, size: size.get(r)!, first: life.get(r)![0], last: life.get(r)![1] })),
    );
  let best = place(built.buffers, rectsOf(built.buffers));
  for (const cand of candidates) {
    const trial = build([...accepted, cand]);
    if (!trial) continue;
    const r = place(trial.buffers, rectsOf(trial.buffers));
    if (r.peak <= best.peak) {
      accepted = [...accepted, cand];
      built = trial;
      best = r;
    }
  }
  const { buffers, bufferOf, done } = built;
  buffers.forEach((b, i) => (b.offset = best.offsets[i]));
  const offsetOf = new Map<number, number>();
  for (const b of buffers) for (const [r, o] of b.rel) offsetOf.set(r, b.offset + o);
  const scratch = new Map<number, PlannedBuffer>();
  for (const b of buffers) if (b.scratchOf !== undefined) scratch.set(b.scratchOf, b);
  m.passes.push('plan-memory');
  return { arenaBytes: best.peak, livenessBound, strategy: best.strategy, buffers, bufferOf, offsetOf, scratch, inPlace: done, lifetimes: life };
}
type Order = (a: PlannedBuffer, b: PlannedBuffer) => number;

const span = (b: PlannedBuffer): number => b.last - b.first + 1;
const ORDERS: [string, Order][] = [
  ['size', (a, b) => b.size - a.size || a.first - b.first || a.id - b.id],
  ['size*lifetime', (a, b) => b.size * span(b) - a.size * span(a) || a.id - b.id],
  ['lifetime', (a, b) => span(b) - span(a) || b.size - a.size || a.id - b.id],
  ['first-use', (a, b) => a.first - b.first || b.size - a.size || a.id - b.id],
];

/** A buffer's footprint: each member tensor at its offset, for its own lifetime. */
interface Rect {
  rel: number;
  size: number;
  first: number;
  last: number;
}

function place(buffers: PlannedBuffer[], rects: Rect[][]): { peak: number; offsets: number[]; strategy: string } {
  let best: { peak: number; offsets: number[]; strategy: string } | null = null;
  for (const [name, order] of ORDERS) {
    for (const fit of ['best-fit', 'first-fit'] as const) {
      const r = placeWith([...buffers].sort(order), rects, buffers.length, fit);
      if (!best || r.peak < best.peak) best = { ...r, strategy: `greedy by ${name}, ${fit}` };
    }
  }
  return best ?? { peak: 0, offsets: [], strategy: 'empty' };
}

function placeWith(sorted: PlannedBuffer[], rects: Rect[][], count: number, fit: 'best-fit' | 'first-fit'): { peak: number; offsets: number[] } {
  const offsets = new Array<number>(count).fill(0);
  const placed: PlannedBuffer[] = [];
  let peak = 0;
  for (const b of sorted) {
    // Offsets O forbidden for b: open intervals (lo, hi) from every pair of members that
    // live at the same time.
    const forbidden: [number, number][] = [];
    for (const p of placed) {
      if (p.first > b.last || b.first > p.last) continue;
      for (const mb of rects[b.id]) {
        for (const mp of rects[p.id]) {
          if (mp.first > mb.last || mb.first > mp.last) continue;
          const base = offsets[p.id] + mp.rel - mb.rel;
          forbidden.push([base - mb.size, base + mp.size]);
        }
      }
    }
    forbidden.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let start = 0;
    let chosen = -1;
    let chosenRoom = Infinity;
    for (const [lo, hi] of forbidden) {
      if (hi <= start) continue;
      if (lo >= start) {
        const room = lo - start;
        if (fit === 'first-fit') {
          chosen = start;
          break;
        }
        if (room < chosenRoom) {
          chosen = start;
          chosenRoom = room;
        }
      }
      start = Math.max(start, hi);
    }
    if (chosen < 0) chosen = start;
    offsets[b.id] = chosen;
    peak = Math.max(peak, chosen + b.size);
    placed.push(b);
  }
  return { peak, offsets };
}
