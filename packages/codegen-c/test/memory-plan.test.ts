/**
 * Static memory plans: the arena peak never exceeds the liveness bound (the largest sum
 * of live tensor sizes at one operator, without sharing), nor the bound of the original
 * TFLite graph; and no two tensors that live at the same time overlap, except an
 * operator's input and output where it runs in place.
 */
import { describe, expect, it } from 'vitest';
import { hostTarget, type CompileSummary } from '../src/index.js';
import { compileShared } from './helpers.js';

/** Liveness bounds of the original graphs (before any pass). */
const ORIGINAL_BOUND: Record<string, number> = {
  kws_ref_model: 16000,
  pretrainedResnet_quant: 49152,
  vww_96_int8: 55296,
  person_detect: 55296,
  mobilenet_v2_quantized_1x3x224x224: 2451840,
};

function checkOverlaps(s: CompileSummary): string[] {
  const inPlace = new Set(s.operators.filter((o) => o.inPlace).map((o) => o.index));
  const bad: string[] = [];
  const ts = s.tensors;
  for (let i = 0; i < ts.length; i++) {
    for (let j = i + 1; j < ts.length; j++) {
      const a = ts[i];
      const b = ts[j];
      const sameBuffer = a.offset === b.offset && a.size === b.size && a.firstOp === b.firstOp && a.lastOp === b.lastOp;
      if (sameBuffer) continue; // aliases (reshapes) share one buffer
      const timeOverlap = a.firstOp <= b.lastOp && b.firstOp <= a.lastOp;
      const spaceOverlap = a.offset < b.offset + b.size && b.offset < a.offset + a.size;
      if (!timeOverlap || !spaceOverlap) continue;
      const handover = (a.lastOp === b.firstOp && inPlace.has(a.lastOp)) || (b.lastOp === a.firstOp && inPlace.has(b.lastOp));
      if (!handover) bad.push(`t${a.id} and t${b.id}`);
    }
  }
  return bad;
}

describe('memory plan', () => {
  it.each(Object.keys(ORIGINAL_BOUND))('%s: arena <= liveness bound, no illegal overlap', (name) => {
    const s = compileShared(name, hostTarget({ alignment: 4 })).summary;
    expect(s.arenaBytes).toBeLessThanOrEqual(s.livenessBound);
    expect(s.arenaBytes).toBeLessThanOrEqual(ORIGINAL_BOUND[name]);
    expect(checkOverlaps(s)).toEqual([]);
    for (const t of s.tensors) expect(t.offset + t.size).toBeLessThanOrEqual(s.arenaBytes);
    const inPlace = s.operators.filter((o) => o.inPlace && !o.kernel.startsWith('none')).map((o) => `#${o.index} ${o.kind}`);
    console.log(
      `${name}: arena ${s.arenaBytes} B, liveness bound ${s.livenessBound} B, original-graph bound ${ORIGINAL_BOUND[name]} B` +
        (s.arenaBytes < s.livenessBound ? `; beats the bound in place: ${inPlace.join(', ')}` : '; meets the bound'),
    );
  });

  it('honours the target alignment', () => {
    const s = compileShared('kws_ref_model', hostTarget({ alignment: 64 })).summary;
    for (const t of s.tensors) expect(t.offset % 64).toBe(0);
  });
});
