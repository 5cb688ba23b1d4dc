/**
 * Partitioning on synthetic graphs: a pooling whose padding trips MLI 2.0.2's border
 * overrun stays on the portable kernels with that reason and is right; forcing it onto MLI
 * names the operator and the reason; the rest of the graph still runs on MLI. A zero-point
 * PAD before an MLI conv is folded into its padding only where planMli folds it, and a
 * rank-0 operator stays portable because planMli refuses it: in each case the generated C
 * equals the golden `mli` numerics, which interpret the same plans.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GoldenExecutor, UnsupportedError, type Graph } from '@mliflow/ir';
import { isMliPlan, mliNumerics, planMli, type MliVariant } from '@mliflow/requant';
import { diffBytes } from '../../../test/compare.js';
import { compileModel, hostTarget, writeProject } from '../src/index.js';
import { GraphBuilder, randomRecords } from './graph-builder.js';
import { hostMli, make, run } from './helpers.js';

const V: MliVariant = { roundMode: 'convergent', fullAccu: true };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** 1x14 input: a 5x5 SAME pool pads 2 rows above a 1-row output (MLI writes outside it); then a conv MLI can run. */
function overrunGraph(kind: 'average_pool_2d' | 'max_pool_2d'): Graph {
  const b = new GraphBuilder(5);
  const x = b.act('x', [1, 1, 14, 8], 0.05, -3);
  const p = b.act('p', [1, 1, 14, 8], 0.05, -3);
  b.op(kind, [x], [p], { padding: 'same', strideW: 1, strideH: 1, filterW: 5, filterH: 5, activation: 'none' });
  const { w, b: bias } = b.weights('c', [4, 1, 3, 8], 0, 4, true, 0.05);
  const y = b.act('y', [1, 1, 12, 4], 0.07, 5);
  b.op('conv_2d', [p, w, bias], [y], { padding: 'valid', strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, activation: 'relu' });
  return b.graph([x], [y]);
}

/** Compiles with kernels mli, builds, runs `records` and compares with the golden mli numerics. */
async function agreesWithGolden(g: Graph, name: string, records: number) {
  const p = compileModel(g, { target: hostTarget({ mli: hostMli(V) }), file: `${name}.tflite`, kernels: 'mli' });
  const dir = mkdtempSync(join(tmpdir(), `mlf-${name}-`));
  dirs.push(dir);
  writeProject(p, dir);
  await make(dir);
  const inputs = randomRecords(g, records);
  writeFileSync(join(dir, 'in.bin'), inputs);
  await run(join(dir, 'build', 'model'), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
  const golden = new GoldenExecutor(g, { file: `${name}.tflite`, numerics: mliNumerics(V) }).runRecords(inputs);
  expect(diffBytes(new Uint8Array(readFileSync(join(dir, 'out.bin'))), golden).summary).toBe('0 differing bytes');
  return p.summary;
}

/** 6x6x4 input, a zero-point PAD of `pad` rows and columns on every side, then a 3x3 conv (or depthwise) with `padding`. */
function padConvGraph(kind: 'conv_2d' | 'depthwise_conv_2d', pad: number, padding: 'same' | 'valid'): Graph {
  const b = new GraphBuilder(11);
  const x = b.act('x', [1, 6, 6, 4], 0.05, -3);
  const pads = b.int32ConstShaped('pads', [4, 2], [0, 0, pad, pad, pad, pad, 0, 0]);
  const n = 6 + 2 * pad;
  const p = b.act('p', [1, n, n, 4], 0.05, -3);
  b.op('pad', [x, pads], [p], {});
  const out = padding === 'same' ? n : n - 2;
  const y = b.act('y', [1, out, out, 4], 0.07, 5);
  const conv = { padding, strideW: 1, strideH: 1, dilationW: 1, dilationH: 1, activation: 'relu' as const };
  if (kind === 'conv_2d') {
    const { w, b: bias } = b.weights('c', [4, 3, 3, 4], 0, 4, true, 0.05);
    b.op('conv_2d', [p, w, bias], [y], conv);
  } else {
    const { w, b: bias } = b.weights('d', [1, 3, 3, 4], 3, 4, true, 0.05);
    b.op('depthwise_conv_2d', [p, w, bias], [y], { ...conv, depthMultiplier: 1 });
  }
  return b.graph([x], [y]);
}

describe.each(['conv_2d', 'depthwise_conv_2d'] as const)('a zero-point PAD before an MLI %s', (kind) => {
  it('whose padding with the conv\'s own would reach the kernel size stays its own step; the conv runs on MLI over the padded tensor', async () => {
    // PAD 2 plus SAME's 1 is 3 on each side: not smaller than the 3x3 kernel.
    const g = padConvGraph(kind, 2, 'same');
    const plan = planMli(g, 1, V);
    if (!isMliPlan(plan) || (plan.kind !== 'conv2d' && plan.kind !== 'depthwise_conv2d')) throw new Error('the conv should plan on MLI');
    expect(plan.foldedPad).toBeNull();
    expect(plan.input.tensor).toBe(g.ops[1].inputs[0]);
    expect(plan.cfg.padTop).toBe(1);
    const [pad, conv] = await agreesWithGolden(g, `pad2-${kind}`, 4).then((s) => s.operators);
    expect(pad).toMatchObject({ kind: 'pad', backend: 'portable' });
    expect(pad.kernel).not.toMatch(/^none/);
    expect(conv.backend).toBe('mli');
    // Nothing is refused, so forcing MLI compiles too.
    expect(() => compileModel(g, { target: hostTarget({ mli: hostMli(V) }), file: 'pad2.tflite', kernels: 'mli-only' })).not.toThrow();
  });

  it('whose padding MLI can take is folded into the conv\'s cfg, in the plan and in the generated code', async () => {
    // PAD 1 plus VALID's 0: padding 1 on each side of a 3x3 kernel.
    const g = padConvGraph(kind, 1, 'valid');
    const plan = planMli(g, 1, V);
    if (!isMliPlan(plan) || (plan.kind !== 'conv2d' && plan.kind !== 'depthwise_conv2d')) throw new Error('the conv should plan on MLI');
    expect(plan.foldedPad).toBe(0);
    expect(plan.input).toMatchObject({ tensor: g.ops[0].inputs[0], shape: [6, 6, 4] });
    expect([plan.cfg.padTop, plan.cfg.padBottom, plan.cfg.padLeft, plan.cfg.padRight]).toEqual([1, 1, 1, 1]);
    const [pad, conv] = await agreesWithGolden(g, `pad1-${kind}`, 4).then((s) => s.operators);
    expect(pad.kernel).toMatch(/^none \(fused into operator #1/);
    expect(conv.backend).toBe('mli');
  });
});

describe('a rank-0 ADD', () => {
  it('stays portable because planMli refuses rank 0, and the generated C equals the golden mli numerics', async () => {
    const b = new GraphBuilder(3);
    const x = b.act('x', [], 0.05, -3);
    const y = b.act('y', [], 0.04, 2);
    const z = b.act('z', [], 0.08, 1);
    b.op('add', [x, y], [z], { activation: 'none', potScaleInt16: false });
    const g = b.graph([x, y], [z]);
    const plan = planMli(g, 0, V);
    expect(isMliPlan(plan)).toBe(false);
    expect((plan as { reason: string }).reason).toMatch(/rank-0 tensor/);
    const [add] = (await agreesWithGolden(g, 'rank0-add', 64)).operators;
    expect(add).toMatchObject({ backend: 'portable', reason: expect.stringMatching(/rank-0 tensor/) });
  });
});

describe.each(['average_pool_2d', 'max_pool_2d'] as const)('%s with padding past a 1-row output', (kind) => {
  it('stays on the portable kernels with the reason, the conv after it runs on MLI, and the outputs are right', async () => {
    const g = overrunGraph(kind);
    const p = compileModel(g, { target: hostTarget({ mli: hostMli(V) }), file: 'overrun.tflite', kernels: 'mli' });
    const [pool, conv] = p.summary.operators;
    expect(pool.backend).toBe('portable');
    expect(pool.reason).toMatch(/overrun/);
    expect(conv.backend).toBe('mli');
    const dir = mkdtempSync(join(tmpdir(), 'mlf-overrun-'));
    dirs.push(dir);
    writeProject(p, dir);
    await make(dir);
    const inputs = randomRecords(g, 4);
    writeFileSync(join(dir, 'in.bin'), inputs);
    await run(join(dir, 'build', 'model'), [join(dir, 'in.bin'), join(dir, 'out.bin')]);
    const golden = new GoldenExecutor(g, { file: 'overrun.tflite', numerics: mliNumerics(V) }).runRecords(inputs);
    expect(diffBytes(new Uint8Array(readFileSync(join(dir, 'out.bin'))), golden).summary).toBe('0 differing bytes');
  });

  it('forced onto MLI, fails naming the operator and the reason', () => {
    const g = overrunGraph(kind);
    const compile = () => compileModel(g, { target: hostTarget({ mli: hostMli(V) }), file: 'overrun.tflite', kernels: 'mli-only' });
    expect(compile).toThrow(UnsupportedError);
    expect(compile).toThrow(new RegExp(`overrun\\.tflite: operator #0 \\(${kind.toUpperCase()}\\): cannot run on MLI: .*overrun`));
  });
});
