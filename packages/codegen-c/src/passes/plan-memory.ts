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
  /** Root tensors stored in this buffer (aliases of them too). */
  roots: number[];
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
  /** root tensor -> buffer */
  bufferOf: Map<number, PlannedBuffer>;
  /** call position -> scratch buffer */
  scratch: Map<number, PlannedBuffer>;
  /** call positions that run in place */
  inPlace: Set<number>;
  /** root tensor -> [first, last] call position, before in-place merging */
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
  const order = [...life.keys()].sort((a, b) => a - b);

  // The bound, before any sharing.
  const liveSum = new Array<number>(Math.max(n, 1)).fill(0);
  for (const r of order) {
    const [f, l] = life.get(r)!;
    for (let p = f; p <= l; p++) liveSum[p] += size.get(r)!;
  }
  calls.forEach((c, pos) => {
    if (c.scratchBytes > 0) liveSum[pos] += alignUp(c.scratchBytes, alignment);
  });
  const livenessBound = Math.max(0, ...liveSum);

  // Buffers, then in-place merging in call order.
  const buffers: PlannedBuffer[] = [];
  const bufferOf = new Map<number, PlannedBuffer>();
  for (const r of order) {
    const [f, l] = life.get(r)!;
    const b: PlannedBuffer = { id: buffers.length, roots: [r], size: size.get(r)!, first: f, last: l, offset: 0 };
    buffers.push(b);
    bufferOf.set(r, b);
  }
  const outputRoots = new Set(m.graph.outputs.map((o) => rootOf(m, o)));
  const inPlace = new Set<number>();
  calls.forEach((c, pos) => {
    for (const pair of c.inPlaceOk) {
      if (!isArenaTensor(m, pair.input) || !isArenaTensor(m, pair.output)) continue;
      const bi = bufferOf.get(rootOf(m, pair.input))!;
      const bo = bufferOf.get(rootOf(m, pair.output))!;
      if (bi === bo || bi.last !== pos || bo.first !== pos || bo.roots.length !== 1) continue;
      if (bi.roots.some((r) => outputRoots.has(r)) || bo.size > bi.size) continue;
      bi.roots.push(...bo.roots);
      bi.last = bo.last;
      for (const r of bo.roots) bufferOf.set(r, bi);
      buffers.splice(buffers.indexOf(bo), 1);
      inPlace.add(pos);
      break;
    }
  });
  const scratch = new Map<number, PlannedBuffer>();
  calls.forEach((c, pos) => {
    if (c.scratchBytes <= 0) return;
    const b: PlannedBuffer = { id: 0, roots: [], size: alignUp(c.scratchBytes, alignment), first: pos, last: pos, offset: 0, scratchOf: pos };
    buffers.push(b);
    scratch.set(pos, b);
  });
  buffers.forEach((b, i) => (b.id = i));

  const { peak, offsets, strategy } = place(buffers);
  buffers.forEach((b, i) => (b.offset = offsets[i]));
  m.passes.push('plan-memory');
  return { arenaBytes: peak, livenessBound, strategy, buffers, bufferOf, scratch, inPlace, lifetimes: life };
}

type Order = (a: PlannedBuffer, b: PlannedBuffer) => number;

const ORDERS: [string, Order][] = [
  ['size', (a, b) => b.size - a.size || a.first - b.first || a.id - b.id],
  ['size*lifetime', (a, b) => b.size * (b.last - b.first + 1) - a.size * (a.last - a.first + 1) || a.id - b.id],
  ['lifetime', (a, b) => b.last - b.first - (a.last - a.first) || b.size - a.size || a.id - b.id],
  ['first-use', (a, b) => a.first - b.first || b.size - a.size || a.id - b.id],
];

function place(buffers: PlannedBuffer[]): { peak: number; offsets: number[]; strategy: string } {
  let best: { peak: number; offsets: number[]; strategy: string } | null = null;
  for (const [name, order] of ORDERS) {
    for (const fit of ['best-fit', 'first-fit'] as const) {
      const r = placeWith([...buffers].sort(order), buffers.length, fit);
      if (!best || r.peak < best.peak) best = { ...r, strategy: `greedy by ${name}, ${fit}` };
    }
  }
  return best ?? { peak: 0, offsets: [], strategy: 'empty' };
}

function placeWith(sorted: PlannedBuffer[], count: number, fit: 'best-fit' | 'first-fit'): { peak: number; offsets: number[] } {
  const offsets = new Array<number>(count).fill(0);
  const placed: PlannedBuffer[] = [];
  let peak = 0;
  for (const b of sorted) {
    const busy = placed
      .filter((p) => p.first <= b.last && b.first <= p.last)
      .map((p) => [offsets[p.id], offsets[p.id] + p.size] as const)
      .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let start = 0;
    let chosen = -1;
    let chosenGap = Infinity;
    for (const [lo, hi] of busy) {
      const gap = lo - start;
      if (gap >= b.size) {
        if (fit === 'first-fit') {
          chosen = start;
          break;
        }
        if (gap < chosenGap) {
          chosen = start;
          chosenGap = gap;
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
