import { describe, expect, it } from 'vitest';
import { convParams, depthwiseParams, fullyConnectedParams, GoldenExecutor, prng, readTfliteFile, type Graph, type Op, type Tensor } from '@mliflow/ir';
import { isMliPlan, mliNumerics, mliRoutes, planMli, poolBorderOverrun, type MliVariant } from '@mliflow/requant';
import { join } from 'node:path';
import { MODELS } from '../../../test/paths.js';

const V: MliVariant = { roundMode: 'convergent', fullAccu: true };

function t(name: string, shape: number[], scale = 0.1, zp = -4): Tensor {
  return { name, dtype: 'int8', shape, data: null, quant: { scale: [scale], zeroPoint: [zp], axis: 0 }, isVariable: false };
}
function pool(kind: 'max_pool_2d' | 'average_pool_2d', inShape: number[], outShape: number[], attrs: object): Graph {
  const op = { kind, inputs: [0], outputs: [1], attrs: { activation: 'none', ...attrs }, intermediates: [], version: 1 } as unknown as Op;
  return { tensors: [t('in', inShape), t('out', outShape)], ops: [op], inputs: [0], outputs: [1], description: '', version: 3, metadata: [], subgraphName: '' };
}

describe('planMli', () => {
  it('keeps pooling that trips MLI 2.0.2\'s border overrun on the portable kernels, with the reason, and runs it right', () => {
    // 1x14 input, 5x5 SAME: the top and bottom paddings of 2 span two output rows of one.
    const g = pool('max_pool_2d', [1, 1, 14, 3], [1, 1, 14, 3], { padding: 'same', strideH: 1, strideW: 1, filterH: 5, filterW: 5 });
    const p = planMli(g, 0, V);
    expect(isMliPlan(p)).toBe(false);
    expect((p as { reason: string }).reason).toMatch(/top padding 2 .* overruns/);
    // 16x1 input, 2x3 window with left/right padding 0/2.
    expect(poolBorderOverrun({ kernelH: 2, kernelW: 3, strideH: 1, strideW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 2 }, 16, 1, 15, 1)).toMatch(/right padding 2/);
    // The golden falls back to TFLite's kernel for it: the same bytes as 'tflite' numerics.
    const r = prng(5);
    const input = new Uint8Array(42).map(() => Math.floor(r() * 256));
    const a = new GoldenExecutor(g, { numerics: mliNumerics(V) }).run([input]).outputs[0];
    const b = new GoldenExecutor(g).run([input]).outputs[0];
    expect(a).toEqual(b);
    // Without padding the same pool runs on MLI, through the 2.0.2 specialisation where there is one.
    const ok = planMli(pool('average_pool_2d', [1, 6, 6, 2], [1, 3, 3, 2], { padding: 'valid', strideH: 2, strideW: 2, filterH: 2, filterW: 2 }), 0, V);
    expect(isMliPlan(ok) && ok.fn).toBe('mli_krn_avepool_hwc_sa8_k2x2');
  });

  it('refuses an operator with a rank-0 tensor, with the reason, and the golden keeps TFLite\'s kernel for it', () => {
    const op = { kind: 'add', inputs: [0, 1], outputs: [2], attrs: { activation: 'none', potScaleInt16: false }, intermediates: [], version: 1 } as unknown as Op;
    const g: Graph = { tensors: [t('a', []), t('b', [], 0.07, 3), t('out', [], 0.2, -1)], ops: [op], inputs: [0, 1], outputs: [2], description: '', version: 3, metadata: [], subgraphName: '' };
    const p = planMli(g, 0, V);
    expect(isMliPlan(p)).toBe(false);
    expect((p as { reason: string }).reason).toMatch(/rank-0 tensor: MLI 2\.0\.2 is undefined on rank 0/);
    const inputs = [Uint8Array.of(200), Uint8Array.of(17)];
    expect(new GoldenExecutor(g, { numerics: mliNumerics(V) }).run(inputs).outputs).toEqual(new GoldenExecutor(g).run(inputs).outputs);
  });

  it('routes every conv, depthwise, fully connected and pool of the MLPerf Tiny models to MLI', () => {
    for (const m of ['kws_ref_model', 'vww_96_int8', 'pretrainedResnet_quant', 'ad01_int8', 'person_detect']) {
      const g = readTfliteFile(join(MODELS, `${m}.tflite`));
      const routes = mliRoutes(g, V);
      for (const r of routes) {
        if (['conv_2d', 'depthwise_conv_2d', 'fully_connected', 'average_pool_2d', 'max_pool_2d'].includes(r.kind)) {
          expect({ m, ...r }).toMatchObject({ backend: 'mli' });
          expect(r.fn).toMatch(/^mli_krn_/);
        }
        if (r.backend === 'portable') expect(r.reason).toBeTruthy();
      }
    }
  });

  it('names the specialised conv functions and keeps the weight layouts and cfg', () => {
    const g = readTfliteFile(join(MODELS, 'vww_96_int8.tflite'));
    const fns = new Set(mliRoutes(g, V).map((r) => r.fn));
    expect(fns).toContain('mli_krn_conv2d_hwcn_sa8_sa8_sa32_k1x1');
    expect(fns).toContain('mli_krn_depthwise_conv2d_hwcn_sa8_sa8_sa32_k3x3');
    const p = planMli(g, 0, V);
    if (!isMliPlan(p) || p.kind !== 'conv2d') throw new Error('op 0 should be an MLI conv');
    expect(p.weightLayout).toBe('OHWI->HWCN');
    expect(p.cfg.relu).toBe('gen');
    expect(p.report.maxRelError).toBeLessThan(1e-4);
  });

  it('keeps TFLite\'s fused ReLU bounds: the output mantissa moves where MLI\'s truncation would clip one step early', () => {
    let moved = 0;
    for (const m of ['mobilenet_v2_quantized_1x3x224x224', 'person_detect', 'vww_96_int8', 'kws_ref_model']) {
      const g = readTfliteFile(join(MODELS, `${m}.tflite`));
      g.ops.forEach((op, i) => {
        const p = planMli(g, i, V);
        if (!isMliPlan(p) || !('reluBounds' in p) || p.kind === 'eltwise_add') return;
        const t = op.kind === 'conv_2d' ? convParams(g, op, i) : op.kind === 'depthwise_conv_2d' ? depthwiseParams(g, op, i) : fullyConnectedParams(g, op, i);
        expect({ m, i, bounds: p.reluBounds }).toEqual({ m, i, bounds: [t.actMin, t.actMax] });
        if (p.output.params.scale[0] !== Math.round(g.tensors[op.outputs[0]].quant!.scale[0] * 2 ** p.output.params.scaleFracBits[0])) moved++;
        expect(p.report.maxRelError).toBeLessThan(1e-4);
      });
    }
    // mobilenet_v2's operator 4 (RELU6 to 6/scale = 62.99...) is the one.
    expect(moved).toBe(1);
  });
});

