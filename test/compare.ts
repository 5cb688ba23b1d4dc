/** Output comparisons with statistics, shared by the golden, round-trip and codegen tests. */

export interface ByteDiff {
  differing: number;
  first: number;
  summary: string;
}

export function diffBytes(actual: Uint8Array, expected: Uint8Array): ByteDiff {
  if (actual.length !== expected.length) {
    return { differing: -1, first: 0, summary: `length ${actual.length} != expected ${expected.length}` };
  }
  let differing = 0;
  let first = -1;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      differing++;
      if (first < 0) first = i;
    }
  }
  const summary = differing === 0 ? '0 differing bytes' : `${differing} of ${actual.length} bytes differ, first at byte ${first}`;
  return { differing, first, summary };
}

export interface FloatDiff {
  violations: number;
  maxAbs: number;
  maxRel: number;
  argmaxMismatches: number;
}

/** Within 1e-5 relative or 1e-6 absolute per element; argmax compared per record. */
export function compareFloat(actual: Uint8Array, expected: Uint8Array, recordFloats: number): FloatDiff {
  const a = new Float32Array(actual.buffer.slice(actual.byteOffset, actual.byteOffset + actual.length));
  const e = new Float32Array(expected.buffer.slice(expected.byteOffset, expected.byteOffset + expected.length));
  let violations = a.length === e.length ? 0 : Math.max(a.length, e.length);
  let maxAbs = 0;
  let maxRel = 0;
  let argmaxMismatches = 0;
  const n = Math.min(a.length, e.length);
  for (let i = 0; i < n; i++) {
    const abs = Math.abs(a[i] - e[i]);
    const rel = abs / Math.max(Math.abs(e[i]), 1e-30);
    maxAbs = Math.max(maxAbs, abs);
    maxRel = Math.max(maxRel, Math.min(rel, 1e30));
    if (!(abs <= 1e-6 || rel <= 1e-5)) violations++;
  }
  for (let r = 0; r + recordFloats <= n; r += recordFloats) {
    if (argmax(a, r, recordFloats) !== argmax(e, r, recordFloats)) argmaxMismatches++;
  }
  return { violations, maxAbs, maxRel, argmaxMismatches };
}

function argmax(x: Float32Array, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
  return best;
}
