/**
 * Which operators MLI runs, and with what: the MLI function (specialised variant where the
 * 2.0.2 headers have one for the case), every tensor's sa8/sa32 params from @mliflow/requant,
 * and the cfg values; or the reason MLI cannot run the operator with the model's exact
 * semantics, which keeps it on the portable kernels.
 */
import { convParams, depthwiseParams, fullyConnectedParams, poolParams, type Graph, type Op } from '@mliflow/ir';
import { convLikeParams, tensorParams, type MliSaParams, type MliVariant } from '@mliflow/requant';
import type { WorkOp } from '../../module.js';

interface Common {
  fn: string;
  cfg: Record<string, number | string>;
  input: MliSaParams;
  output: MliSaParams;
}
export interface ConvPlan extends Common {
  family: 'conv';
  weights: MliSaParams;
  bias: MliSaParams;
}
export interface FcPlan extends Common {
  family: 'fc';
  weights: MliSaParams;
  bias: MliSaParams;
}
export interface PoolPlan extends Common {
  family: 'pool';
}
export interface EltwisePlan extends Common {
  family: 'eltwise';
  input2: MliSaParams;
}
export type OpPlan = ConvPlan | FcPlan | PoolPlan | EltwisePlan;
export type PlanResult = { plan: OpPlan } | { reason: string };

const RELU: Record<string, string> = {
  none: '{ .type = MLI_RELU_NONE }',
  relu: '{ .type = MLI_RELU_GEN }',
  relu6: '{ .type = MLI_RELU_6 }',
  relu_n1_to_1: '{ .type = MLI_RELU_1 }',
};

class NoMli extends Error {}
const no = (reason: string): never => {
  throw new NoMli(reason);
};

/** Padding before and after so that MLI's own output size equals TFLite's. */
function pads(inSize: number, outSize: number, k: number, stride: number, dil: number, before: number): [number, number] {
  const after = Math.max(0, (outSize - 1) * stride + (k - 1) * dil + 1 - inSize - before);
  return [before, after];
}

function u8(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 255) no(`${what} ${v} does not fit MLI's 8-bit cfg field`);
  return v;
}

function tensorQ(g: Graph, id: number, what: string): { scale: number; zp: number } {
  const t = g.tensors[id];
  if (t.dtype !== 'int8') no(`${what} is ${t.dtype}; MLI's sa8 kernels take int8`);
  if (!t.quant || t.quant.scale.length !== 1) no(`${what} needs one scale and zero point`);
  return { scale: t.quant!.scale[0], zp: t.quant!.zeroPoint[0] };
}

/**
 * The plan for one operator of the module (after fuse-pad: a conv may read the PAD's input,
 * with `w.padFusion` saying how much the PAD added in front).
 */
export function planOp(g: Graph, w: WorkOp, v: MliVariant): PlanResult {
  try {
    return { plan: plan(g, w, v) };
  } catch (e) {
    if (e instanceof NoMli) return { reason: e.message };
    if (e instanceof Error && 'exitCode' in e) return { reason: e.message.replace(/^.*?: /, '') };
    throw e;
  }
}

function plan(g: Graph, w: WorkOp, v: MliVariant): OpPlan {
  const op = w.op;
  const source: Op = w.padFusion ? g.ops[w.index] : op;
  switch (op.kind) {
    case 'conv_2d':
    case 'depthwise_conv_2d': {
      const depthwise = op.kind === 'depthwise_conv_2d';
      const p = depthwise ? depthwiseParams(g, source, w.index) : convParams(g, source, w.index);
      const a = (op as Op<'conv_2d'>).attrs;
      const [batches, inH, inW, inC] = g.tensors[op.inputs[0]].shape;
      if (batches !== 1) no(`batch ${batches}; MLI's HWC kernels take one image`);
      if ('filterC' in p && p.filterC !== inC) no('grouped convolution');
      // A depthwise conv of a one-channel input is a plain conv (its 1HWC filter is HWCN with
      // one input channel); otherwise MLI's depthwise maps each input channel to one output.
      const asConv = depthwise && inC === 1;
      if ('depthMultiplier' in p && p.depthMultiplier !== 1 && !asConv) no(`depth multiplier ${p.depthMultiplier}`);
      if (!(a.activation in RELU)) no(`fused activation ${a.activation}`);
      const filter = g.tensors[op.inputs[1]];
      if (filter.dtype !== 'int8' || !filter.quant) no('the filter is not int8');
      if (filter.quant!.zeroPoint.some((z) => z !== 0)) no('the filter has a nonzero zero point');
      if (op.inputs[2] >= 0 && g.tensors[op.inputs[2]].dtype !== 'int32') no('the bias is not int32');
      const i = tensorQ(g, op.inputs[0], 'the input');
      const o = tensorQ(g, op.outputs[0], 'the output');
      const { outH, outW, kH, kW } = p.window;
      const f = w.padFusion;
      const [pt, pb] = pads(inH, outH, kH, a.strideH, a.dilationH, p.window.padTop + (f ? f.top : 0));
      const [pl, pr] = pads(inW, outW, kW, a.strideW, a.dilationW, p.window.padLeft + (f ? f.left : 0));
      const q = convLikeParams({ inScale: i.scale, inZeroPoint: i.zp, weightScales: filter.quant!.scale, outScale: o.scale, outZeroPoint: o.zp, weightDim: 3 }, v);
      const dw = depthwise && !asConv;
      const k = kH === kW && (kH === 1 || kH === 3 || kH === 5) && !(dw && kH === 1) ? `_k${kH}x${kW}` : '';
      return {
        family: 'conv',
        fn: `mli_krn_${dw ? 'depthwise_conv2d' : 'conv2d'}_hwcn_sa8_sa8_sa32${k}`,
        cfg: {
          relu: RELU[a.activation],
          stride_width: u8(a.strideW, 'stride'),
          stride_height: u8(a.strideH, 'stride'),
          padding_left: u8(pl, 'padding'),
          padding_right: u8(pr, 'padding'),
          padding_top: u8(pt, 'padding'),
          padding_bottom: u8(pb, 'padding'),
          dilation_width: u8(a.dilationW, 'dilation'),
          dilation_height: u8(a.dilationH, 'dilation'),
        },
        input: q.input,
        weights: q.weights,
        bias: q.bias,
        output: q.output,
      };
    }
    case 'fully_connected': {
      const p = fullyConnectedParams(g, op, w.index);
      const a = (op as Op<'fully_connected'>).attrs;
      if (p.batches !== 1) no(`batch ${p.batches}; MLI's fully connected takes one vector`);
      if (!(a.activation in RELU)) no(`fused activation ${a.activation}`);
      const filter = g.tensors[op.inputs[1]];
      if (filter.dtype !== 'int8' || !filter.quant) no('the filter is not int8');
      if (filter.quant!.zeroPoint.some((z) => z !== 0)) no('the filter has a nonzero zero point');
      if (op.inputs[2] >= 0 && g.tensors[op.inputs[2]].dtype !== 'int32') no('the bias is not int32');
      const i = tensorQ(g, op.inputs[0], 'the input');
      const o = tensorQ(g, op.outputs[0], 'the output');
      const q = convLikeParams({ inScale: i.scale, inZeroPoint: i.zp, weightScales: filter.quant!.scale, outScale: o.scale, outZeroPoint: o.zp, weightDim: 1 }, v);
      return { family: 'fc', fn: 'mli_krn_fully_connected_sa8_sa8_sa32', cfg: { relu: RELU[a.activation] }, input: q.input, weights: q.weights, bias: q.bias, output: q.output };
    }
    case 'average_pool_2d':
    case 'max_pool_2d': {
      const p = poolParams(g, op, w.index);
      const a = (op as Op<'max_pool_2d'>).attrs;
      const { batches, inH, inW, outH, outW, padTop, padLeft } = p.window;
      if (batches !== 1) no(`batch ${batches}; MLI's HWC kernels take one image`);
      if (a.activation !== 'none') no(`fused activation ${a.activation}: MLI's pooling has none`);
      const i = tensorQ(g, op.inputs[0], 'the input');
      const [pt, pb] = pads(inH, outH, a.filterH, a.strideH, 1, padTop);
      const [pl, pr] = pads(inW, outW, a.filterW, a.strideW, 1, padLeft);
      // MLI 2.0.2's padded-border loops run CEIL_DIV(pad, stride) rows or columns without
      // clamping to the output: past the output size they write outside it.
      const border = (b: number, e: number, s: number, out: number): boolean => (b > 0 || e > 0) && Math.ceil(b / s) + Math.ceil(e / s) > out;
      if (border(pt, pb, a.strideH, outH) || border(pl, pr, a.strideW, outW)) {
        no(`padding ${pt},${pb},${pl},${pr} (top, bottom, left, right) with a ${outH}x${outW} output trips MLI 2.0.2's pooling border overrun`);
      }
      const k = a.filterH === a.filterW && (a.filterH === 2 || a.filterH === 3) ? `_k${a.filterH}x${a.filterW}` : '';
      const params = tensorParams(i.scale, i.zp);
      return {
        family: 'pool',
        fn: `mli_krn_${op.kind === 'average_pool_2d' ? 'avepool' : 'maxpool'}_hwc_sa8${k}`,
        cfg: {
          kernel_width: u8(a.filterW, 'kernel width'),
          kernel_height: u8(a.filterH, 'kernel height'),
          stride_width: u8(a.strideW, 'stride'),
          stride_height: u8(a.strideH, 'stride'),
          padding_left: u8(pl, 'padding'),
          padding_right: u8(pr, 'padding'),
          padding_top: u8(pt, 'padding'),
          padding_bottom: u8(pb, 'padding'),
        },
        input: params,
        output: params,
      };
    }
    case 'add': {
      const a = (op as Op<'add'>).attrs;
      if (a.activation !== 'none') no(`fused activation ${a.activation}: MLI's eltwise add has none`);
      const [x, y] = op.inputs;
      const sx = g.tensors[x].shape;
      const sy = g.tensors[y].shape;
      if (sx.length !== sy.length || sx.some((d, k) => d !== sy[k])) no('broadcasting: MLI adds equal shapes');
      if (sx.length === 0 || sx.length > 4) no(`rank ${sx.length}`);
      const i1 = tensorQ(g, x, 'input 0');
      const i2 = tensorQ(g, y, 'input 1');
      const o = tensorQ(g, op.outputs[0], 'the output');
      return { family: 'eltwise', fn: 'mli_krn_eltwise_add_sa8', cfg: {}, input: tensorParams(i1.scale, i1.zp), input2: tensorParams(i2.scale, i2.zp), output: tensorParams(o.scale, o.zp) };
    }
    default:
      return no(`no MLI kernel for ${op.kind.toUpperCase()} in this backend`);
  }
}
