/**
 * The MLI op plan: for one IR operator, either the embARC MLI 2.0.2 call that runs it with the
 * model's semantics (function, every tensor's sa8/sa32 params, the cfg struct's values, the
 * weight layout to produce) or the reason it stays on the portable kernels.
 *
 * A plan is plain data. The codegen MLI backend lowers it; the golden `mli` numerics interpret
 * it with MLI's integer arithmetic. Both read the same plan, so they cannot disagree on a
 * parameter. Shapes follow MLI's HWC convention: the batch of 1 is dropped.
 */
import {
  MliflowError,
  constView,
  convParams,
  depthwiseParams,
  elementCount,
  fullyConnectedParams,
  meanParams,
  opLabel,
  padParams,
  poolParams,
  type Activation,
  type Graph,
  type Op,
  type OpKind,
  type Tensor,
} from '@mliflow/ir';
import { avepoolParams, convLikeParams, MliParamsError, reluBounds, tensorParams, type MliRelu, type MliSaParams, type MliVariant, type MultiplierReport } from './params.js';

/** An IR tensor as one MLI call sees it. `tensor` is -1 for a bias the model omits (zeros). */
export interface MliTensorRef {
  tensor: number;
  /** MLI's shape for the call (HWC without the batch, HWCN weights, [in][out] fc weights). */
  shape: number[];
  params: MliSaParams;
}

/** mli_conv2d_cfg: every value is a uint8_t in MLI. */
export interface MliConvCfg {
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  dilationH: number;
  dilationW: number;
  relu: MliRelu;
}

/** mli_pool_cfg. */
export interface MliPoolCfg {
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

interface PlanBase {
  op: number;
  /** The exact MLI 2.0.2 function, e.g. mli_krn_conv2d_hwcn_sa8_sa8_sa32_k3x3. */
  fn: string;
}

export interface MliConvPlan extends PlanBase {
  kind: 'conv2d' | 'depthwise_conv2d';
  input: MliTensorRef;
  weights: MliTensorRef;
  bias: MliTensorRef;
  output: MliTensorRef;
  cfg: MliConvCfg;
  /**
   * conv: TFLite's OHWI filter to HWCN; depthwise: 1HWC to HW1N (the same bytes). A depthwise
   * over a single input channel with a depth multiplier is a plain conv: its 1HWC filter is
   * already HWCN with C = 1 ('1HWC->HWCN', bytes unchanged).
   */
  weightLayout: 'OHWI->HWCN' | '1HWC->HW1N' | '1HWC->HWCN';
  /** What the fused ReLU clamps to, as MLI derives it from the output's params. */
  reluBounds: [number, number];
  report: MultiplierReport;
  /**
   * The PAD operator whose rows and columns the cfg's padding took over (the input is then the
   * PAD's input), or null. MLI pads with the input zero point, as that PAD did; a PAD whose
   * padding MLI cannot take stays its own step and the conv reads the padded tensor.
   */
  foldedPad: number | null;
}

export interface MliFullyConnectedPlan extends PlanBase {
  kind: 'fully_connected';
  input: MliTensorRef;
  weights: MliTensorRef;
  bias: MliTensorRef;
  output: MliTensorRef;
  /** mli_fully_connected_cfg.relu */
  relu: MliRelu;
  weightLayout: 'OI->IO';
  reluBounds: [number, number];
  report: MultiplierReport;
}

export interface MliPoolPlan extends PlanBase {
  /** MEAN over height and width is an average pool over the whole map. */
  kind: 'maxpool' | 'avepool';
  input: MliTensorRef;
  output: MliTensorRef;
  cfg: MliPoolCfg;
  /** avepool: the worst error of a full window's output, in output steps (0 for maxpool). */
  maxError: number;
}

export interface MliPermutePlan extends PlanBase {
  kind: 'permute';
  input: MliTensorRef;
  output: MliTensorRef;
  /** mli_permute_cfg.perm_dim: output dimension i is input dimension perm[i]. */
  perm: number[];
}

export interface MliEltwisePlan extends PlanBase {
  kind: 'eltwise_add';
  inputs: [MliTensorRef, MliTensorRef];
  output: MliTensorRef;
  /** MLI's eltwise has no ReLU: a fused one is a following mli_krn_relu_sa8 over the output. */
  relu: MliRelu;
  reluFn: 'mli_krn_relu_sa8' | null;
  reluBounds: [number, number];
}

export interface MliSoftmaxPlan extends PlanBase {
  kind: 'softmax';
  /** The input's params carry TFLite's beta folded into its scale. */
  input: MliTensorRef;
  /** Always scale 2^-8, zero point -128: MLI sets them, and TFLite's int8 softmax has them. */
  output: MliTensorRef;
  /** mli_softmax_cfg.axis: the last dimension. */
  axis: number;
  /** The LUT to make once at init: mli_krn_softmax_get_lut_size bytes, filled by the create function. */
  lut: { create: 'mli_krn_softmax_create_lut'; size: 'mli_krn_softmax_get_lut_size' };
}

export type MliOpPlan = MliConvPlan | MliFullyConnectedPlan | MliPoolPlan | MliPermutePlan | MliEltwisePlan | MliSoftmaxPlan;

export interface MliRefusal {
  reason: string;
}

export type MliPlanOptions = MliVariant;

export function isMliPlan(p: MliOpPlan | MliRefusal): p is MliOpPlan {
  return 'fn' in p;
}

/** A cfg field MLI holds in a uint8_t. */
const U8 = 255;

class Refuse extends Error {}
const refuse = (reason: string): never => {
  throw new Refuse(reason);
};

/**
 * Plan one operator on MLI, or say why it cannot run there. Errors in the model itself
 * (what the golden executor would refuse too) are refusals here, with the golden's message.
 */
export function planMli(g: Graph, opIndex: number, opts: MliPlanOptions): MliOpPlan | MliRefusal {
  const op = g.ops[opIndex];
  try {
    const planner = PLANNERS[op.kind];
    if (!planner) return { reason: NO_KERNEL[op.kind] ?? `MLI 2.0.2 has no kernel for ${op.kind.toUpperCase()}` };
    const plan = planner(g, op, opIndex, opts);
    if (planTensors(plan).some((r) => r.shape.length === 0)) refuse('a rank-0 tensor: MLI 2.0.2 is undefined on rank 0 (its stride helper writes out of bounds)');
    return plan;
  } catch (e) {
    if (e instanceof Refuse) return { reason: e.message };
    if (e instanceof MliflowError || e instanceof MliParamsError) {
      const label = `${opLabel(opIndex, op)}: `;
      return { reason: e.message.startsWith(label) ? e.message.slice(label.length) : e.message };
    }
    throw e;
  }
}

/** Every tensor a plan's call reads or writes. */
export function planTensors(p: MliOpPlan): MliTensorRef[] {
  switch (p.kind) {
    case 'conv2d':
    case 'depthwise_conv2d':
    case 'fully_connected':
      return [p.input, p.weights, p.bias, p.output];
    case 'eltwise_add':
      return [...p.inputs, p.output];
    default:
      return [p.input, p.output];
  }
}

/** One row of the per-operator summary: where it runs, through which MLI function, or why not. */
export interface MliRoute {
  index: number;
  kind: OpKind;
  backend: 'mli' | 'portable';
  fn: string | null;
  reason: string | null;
}

export function mliRoutes(g: Graph, opts: MliPlanOptions): MliRoute[] {
  return g.ops.map((op, index) => {
    const p = planMli(g, index, opts);
    return isMliPlan(p)
      ? { index, kind: op.kind, backend: 'mli', fn: p.fn, reason: null }
      : { index, kind: op.kind, backend: 'portable', fn: null, reason: p.reason };
  });
}

/** Kinds without a planner: the reason they stay portable. */
const NO_KERNEL: Partial<Record<OpKind, string>> = {
  svdf: 'MLI 2.0.2 has no SVDF kernel',
  unidirectional_sequence_lstm: "MLI's lstm_cell has a different gate layout and arithmetic from TFLite's LSTM",
  reshape: 'a reshape moves no data; it needs no MLI call',
  pad: "PAD has no MLI call: it stays portable unless the following conv or depthwise's plan takes it over as padding",
  quantize: 'MLI 2.0.2 has no sa8 requantize kernel with TFLite semantics',
  dequantize: 'MLI 2.0.2 has no float output kernel',
  relu: "TFLite's standalone RELU requantizes; mli_krn_relu_sa8 does not",
  relu6: "TFLite's standalone RELU6 requantizes; mli_krn_relu_sa8 does not",
};

type Planner = (g: Graph, op: Op, index: number, opts: MliPlanOptions) => MliOpPlan;

const PLANNERS: Partial<Record<OpKind, Planner>> = {
  conv_2d: planConv,
  depthwise_conv_2d: planConv,
  fully_connected: planFullyConnected,
  max_pool_2d: planPool,
  average_pool_2d: planPool,
  mean: planMean,
  transpose: planPermute,
  add: planAdd,
  softmax: planSoftmax,
};

function int8Only(g: Graph, op: Op): void {
  for (const id of [op.inputs[0], op.outputs[0]]) {
    const t = g.tensors[id];
    if (t.dtype !== 'int8') refuse(`${t.dtype} tensor "${t.name}": MLI's sa8 kernels take int8`);
  }
}

function quantOf(t: Tensor): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length !== 1) return refuse(`tensor "${t.name}" needs per-tensor quantization`);
  return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0 };
}

function reluOf(act: Activation): MliRelu {
  switch (act) {
    case 'none':
      return 'none';
    case 'relu':
      return 'gen';
    case 'relu6':
      return 'relu6';
    case 'relu_n1_to_1':
      return 'relu1';
    default:
      return refuse(`fused activation ${act} has no MLI ReLU type`);
  }
}

function checkU8(what: string, ...values: number[]): void {
  if (values.some((v) => v > U8)) refuse(`${what} ${values.join('x')} does not fit MLI's uint8 cfg field`);
}

function batchOne(t: Tensor): void {
  if (t.shape[0] !== 1) refuse(`batch ${t.shape[0]}: MLI's HWC kernels take one image`);
}

/** MLI 2.0.2's specialised conv and depthwise entry points by kernel size. */
function convFn(kind: 'conv2d' | 'depthwise_conv2d', kH: number, kW: number): string {
  const base = kind === 'conv2d' ? 'mli_krn_conv2d_hwcn_sa8_sa8_sa32' : 'mli_krn_depthwise_conv2d_hwcn_sa8_sa8_sa32';
  const sizes = kind === 'conv2d' ? [1, 3, 5] : [3, 5];
  return kH === kW && sizes.includes(kH) ? `${base}_k${kH}x${kH}` : base;
}

function planConv(g: Graph, op: Op, index: number, opts: MliPlanOptions): MliConvPlan {
  int8Only(g, op);
  const fromDepthwise = op.kind === 'depthwise_conv_2d';
  const p = fromDepthwise ? depthwiseParams(g, op, index) : convParams(g, op, index);
  const w = p.window;
  const multiplier = fromDepthwise ? (p as ReturnType<typeof depthwiseParams>).depthMultiplier : 1;
  if (multiplier !== 1 && w.inC !== 1) refuse(`depth multiplier ${multiplier} over ${w.inC} channels: MLI's depthwise maps each input channel to one output channel`);
  // One input channel: a depthwise with a multiplier is an ordinary conv.
  const depthwise = fromDepthwise && multiplier === 1;
  const kind = depthwise ? 'depthwise_conv2d' : 'conv2d';
  if (!fromDepthwise && (p as ReturnType<typeof convParams>).filterC !== w.inC) refuse('grouped convolution: MLI 2.0.2 has group_conv2d, not planned yet');
  batchOne(g.tensors[op.inputs[0]]);
  const attrs = (op as Op<'conv_2d'>).attrs;
  const relu = reluOf(attrs.activation);
  checkU8('stride', w.strideH, w.strideW);
  checkU8('dilation', w.dilH, w.dilW);
  const own: ConvPadding = {
    padTop: w.padTop,
    padBottom: Math.max(0, (w.outH - 1) * w.strideH + (w.kH - 1) * w.dilH + 1 - w.inH - w.padTop),
    padLeft: w.padLeft,
    padRight: Math.max(0, (w.outW - 1) * w.strideW + (w.kW - 1) * w.dilW + 1 - w.inW - w.padLeft),
  };
  const effH = (w.kH - 1) * w.dilH + 1;
  const effW = (w.kW - 1) * w.dilW + 1;
  const fitsKernel = (c: ConvPadding) => c.padTop < effH && c.padBottom < effH && c.padLeft < effW && c.padRight < effW;
  if (!fitsKernel(own)) refuse('padding as large as the kernel: MLI requires it smaller');
  // A zero-point PAD before the conv becomes more of its padding only where MLI takes the sum.
  let padding = own;
  let inputRef = { tensor: op.inputs[0], shape: [w.inH, w.inW, w.inC] };
  let foldedPad: number | null = null;
  const pad = padBefore(g, op.inputs[0]);
  if (pad) {
    const folded = { padTop: own.padTop + pad.top, padBottom: own.padBottom + pad.bottom, padLeft: own.padLeft + pad.left, padRight: own.padRight + pad.right };
    if (fitsKernel(folded)) {
      padding = folded;
      inputRef = { tensor: pad.source, shape: [w.inH - pad.top - pad.bottom, w.inW - pad.left - pad.right, w.inC] };
      foldedPad = pad.op;
    }
  }
  const filter = g.tensors[op.inputs[1]];
  const input = g.tensors[op.inputs[0]];
  const output = g.tensors[op.outputs[0]];
  const qi = quantOf(input);
  const qo = quantOf(output);
  if (filter.quant!.zeroPoint.some((z) => z !== 0)) refuse('the filter has a non-zero zero point; MLI weights are symmetric');
  const params = convLikeParams(
    { inScale: qi.scale, inZeroPoint: qi.zeroPoint, weightScales: filter.quant!.scale, outScale: qo.scale, outZeroPoint: qo.zeroPoint, weightDim: 3 },
    opts,
    { relu, bounds: [p.actMin, p.actMax] },
  );
  if (fromDepthwise && filter.quant!.scale.length > 1 && filter.quant!.axis !== 3) refuse(`depthwise filter quantized on axis ${filter.quant!.axis}, not 3`);
  const biasId = op.inputs.length > 2 ? op.inputs[2] : -1;
  const cfg: MliConvCfg = {
    strideH: w.strideH,
    strideW: w.strideW,
    ...padding,
    dilationH: w.dilH,
    dilationW: w.dilW,
    relu,
  };
  return {
    kind,
    op: index,
    fn: w.dilH === 1 && w.dilW === 1 ? convFn(kind, w.kH, w.kW) : convFn(kind, 0, 0),
    input: { ...inputRef, params: params.input },
    weights: { tensor: op.inputs[1], shape: depthwise ? [w.kH, w.kW, 1, p.outC] : [w.kH, w.kW, w.inC, p.outC], params: params.weights },
    bias: { tensor: biasId, shape: [p.outC], params: params.bias },
    output: { tensor: op.outputs[0], shape: [w.outH, w.outW, p.outC], params: params.output },
    cfg,
    weightLayout: depthwise ? '1HWC->HW1N' : fromDepthwise ? '1HWC->HWCN' : 'OHWI->HWCN',
    reluBounds: reluBounds(relu, params.output),
    report: params.report,
    foldedPad,
  };
}

type ConvPadding = Pick<MliConvCfg, 'padTop' | 'padBottom' | 'padLeft' | 'padRight'>;

/** Rows and columns a PAD adds in front of and behind H and W. */
export interface HwPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * A PAD that only pads H and W of an int8 NHWC tensor with its zero point, keeping the
 * quantization: the zero taps a conv's own padding stands for. Null for any other PAD.
 */
export function zeroPointPad(g: Graph, index: number): HwPadding | null {
  const op = g.ops[index];
  if (op.kind !== 'pad') return null;
  let p: ReturnType<typeof padParams>;
  try {
    p = padParams(g, op, index);
  } catch (e) {
    if (e instanceof MliflowError) return null;
    throw e;
  }
  const a = g.tensors[op.inputs[0]];
  const b = g.tensors[op.outputs[0]];
  if (a.dtype !== 'int8' || a.shape.length !== 4 || !a.quant || !b.quant) return null;
  const zp = b.quant.zeroPoint[0] ?? 0;
  if (a.quant.scale[0] !== b.quant.scale[0] || (a.quant.zeroPoint[0] ?? 0) !== zp) return null;
  if (p.before[0] || p.after[0] || p.before[3] || p.after[3] || p.value !== zp) return null;
  return { top: p.before[1], bottom: p.after[1], left: p.before[2], right: p.after[2] };
}

/** The zero-point PAD that writes `id` for one reader only (not a graph output), or null. */
function padBefore(g: Graph, id: number): (HwPadding & { op: number; source: number }) | null {
  if (g.outputs.includes(id)) return null;
  const op = g.ops.findIndex((o) => o.outputs.includes(id));
  if (op < 0 || g.ops.filter((o) => o.inputs.includes(id)).length !== 1) return null;
  const pad = zeroPointPad(g, op);
  return pad && { ...pad, op, source: g.ops[op].inputs[0] };
}

function planFullyConnected(g: Graph, op: Op, index: number, opts: MliPlanOptions): MliFullyConnectedPlan {
  int8Only(g, op);
  const p = fullyConnectedParams(g, op, index);
  if (p.batches !== 1) refuse(`batch ${p.batches}: MLI's fully connected takes one vector`);
  const filter = g.tensors[op.inputs[1]];
  if (filter.quant!.zeroPoint.some((z) => z !== 0)) refuse('the filter has a non-zero zero point; MLI weights are symmetric');
  const relu = reluOf((op as Op<'fully_connected'>).attrs.activation);
  const qi = quantOf(g.tensors[op.inputs[0]]);
  const qo = quantOf(g.tensors[op.outputs[0]]);
  const params = convLikeParams(
    { inScale: qi.scale, inZeroPoint: qi.zeroPoint, weightScales: filter.quant!.scale, outScale: qo.scale, outZeroPoint: qo.zeroPoint, weightDim: 1 },
    opts,
    { relu, bounds: [p.actMin, p.actMax] },
  );
  const biasId = op.inputs.length > 2 ? op.inputs[2] : -1;
  return {
    kind: 'fully_connected',
    op: index,
    fn: 'mli_krn_fully_connected_sa8_sa8_sa32',
    input: { tensor: op.inputs[0], shape: [p.accum], params: params.input },
    weights: { tensor: op.inputs[1], shape: [p.accum, p.outDepth], params: params.weights },
    bias: { tensor: biasId, shape: [p.outDepth], params: params.bias },
    output: { tensor: op.outputs[0], shape: [p.outDepth], params: params.output },
    relu,
    weightLayout: 'OI->IO',
    reluBounds: reluBounds(relu, params.output),
    report: params.report,
  };
}

/**
 * MLI 2.0.2's pooling writes outside the output, and maxpool gets in-range outputs wrong, when
 * a padded border strip is taller or wider than the output: mli_krn_pool_hwc_pad walks each
 * padded side over CEIL_DIV(pad, stride) rows or columns without clamping them to the output.
 * The bottom and right paddings are the ones MLI recomputes from the output size.
 */
export function poolBorderOverrun(c: MliPoolCfg, inH: number, inW: number, outH: number, outW: number): string | null {
  const ceil = (a: number, b: number) => Math.ceil(a / b);
  const bottom = Math.max(0, outH * c.strideH + c.kernelH - c.strideH - inH - c.padTop);
  const right = Math.max(0, outW * c.strideW + c.kernelW - c.strideW - inW - c.padLeft);
  const sides: [string, number, number, number][] = [
    ['top', c.padTop, c.strideH, outH],
    ['bottom', bottom, c.strideH, outH],
    ['left', c.padLeft, c.strideW, outW],
    ['right', right, c.strideW, outW],
  ];
  for (const [side, pad, stride, out] of sides) {
    if (ceil(pad, stride) > out) {
      return `${side} padding ${pad} with stride ${stride} spans ${ceil(pad, stride)} output rows or columns of ${out}: MLI 2.0.2's pooling overruns its output there`;
    }
  }
  return null;
}

function poolFn(kind: 'maxpool' | 'avepool', kH: number, kW: number): string {
  const base = `mli_krn_${kind}_hwc_sa8`;
  return kH === kW && (kH === 2 || kH === 3) ? `${base}_k${kH}x${kH}` : base;
}

function planPool(g: Graph, op: Op, index: number, opts: MliPlanOptions): MliPoolPlan {
  int8Only(g, op);
  const kind = op.kind === 'max_pool_2d' ? 'maxpool' : 'avepool';
  const p = poolParams(g, op, index);
  const w = p.window;
  batchOne(g.tensors[op.inputs[0]]);
  if ((op as Op<'max_pool_2d'>).attrs.activation !== 'none') refuse(`fused ${(op as Op<'max_pool_2d'>).attrs.activation}: MLI's pooling has no ReLU`);
  const cfg: MliPoolCfg = {
    kernelH: w.fH,
    kernelW: w.fW,
    strideH: w.sH,
    strideW: w.sW,
    padTop: w.padTop,
    padBottom: Math.max(0, (w.outH - 1) * w.sH + w.fH - w.inH - w.padTop),
    padLeft: w.padLeft,
    padRight: Math.max(0, (w.outW - 1) * w.sW + w.fW - w.inW - w.padLeft),
  };
  checkU8('kernel', cfg.kernelH, cfg.kernelW);
  checkU8('stride', cfg.strideH, cfg.strideW);
  const overrun = poolBorderOverrun(cfg, w.inH, w.inW, w.outH, w.outW);
  if (overrun) refuse(overrun);
  const qi = quantOf(g.tensors[op.inputs[0]]);
  const qo = quantOf(g.tensors[op.outputs[0]]);
  const sa =
    kind === 'avepool'
      ? avepoolParams({ inScale: qi.scale, inZeroPoint: qi.zeroPoint, outScale: qo.scale, outZeroPoint: qo.zeroPoint }, cfg.kernelH * cfg.kernelW, opts.roundMode)
      : { input: tensorParams(qi.scale, qi.zeroPoint), output: tensorParams(qo.scale, qo.zeroPoint), maxError: 0 };
  return {
    kind,
    op: index,
    fn: poolFn(kind, cfg.kernelH, cfg.kernelW),
    input: { tensor: op.inputs[0], shape: [w.inH, w.inW, w.C], params: sa.input },
    output: { tensor: op.outputs[0], shape: [w.outH, w.outW, w.C], params: sa.output },
    cfg,
    maxError: sa.maxError,
  };
}

function planMean(g: Graph, op: Op, index: number, opts: MliPlanOptions): MliPoolPlan {
  int8Only(g, op);
  const p = meanParams(g, op, index);
  const input = g.tensors[op.inputs[0]];
  if (input.shape.length !== 4 || p.axes.join() !== '1,2') refuse(`MEAN over axes [${p.axes}] of a ${input.shape.length}-D tensor: only height and width of NHWC map to an average pool`);
  batchOne(input);
  const [, h, w, c] = input.shape;
  checkU8('kernel', h, w);
  const qi = quantOf(input);
  const qo = quantOf(g.tensors[op.outputs[0]]);
  const cfg: MliPoolCfg = { kernelH: h, kernelW: w, strideH: 1, strideW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 };
  const sa = avepoolParams({ inScale: qi.scale, inZeroPoint: qi.zeroPoint, outScale: qo.scale, outZeroPoint: qo.zeroPoint }, h * w, opts.roundMode);
  return {
    kind: 'avepool',
    op: index,
    fn: poolFn('avepool', h, w),
    input: { tensor: op.inputs[0], shape: [h, w, c], params: sa.input },
    output: { tensor: op.outputs[0], shape: [1, 1, c], params: sa.output },
    cfg,
    maxError: sa.maxError,
  };
}

function planPermute(g: Graph, op: Op, index: number): MliPermutePlan {
  int8Only(g, op);
  const input = g.tensors[op.inputs[0]];
  const output = g.tensors[op.outputs[0]];
  const permT = g.tensors[op.inputs[1]];
  if (!permT.data || permT.dtype !== 'int32') refuse('perm must be a constant int32 tensor');
  const perm = Array.from(constView(permT) as Int32Array);
  if (perm.length !== input.shape.length || perm.length > 4) refuse(`rank ${perm.length}: MLI tensors have at most 4 dimensions`);
  const qi = quantOf(input);
  const qo = quantOf(output);
  if (qi.zeroPoint !== qo.zeroPoint || Math.abs(qi.scale - qo.scale) > 1e-6 * qi.scale) refuse('input and output quantization differ');
  if (elementCount(input.shape) !== elementCount(output.shape)) refuse('output size differs from input');
  return {
    kind: 'permute',
    op: index,
    fn: 'mli_krn_permute_sa8',
    input: { tensor: op.inputs[0], shape: [...input.shape], params: tensorParams(qi.scale, qi.zeroPoint) },
    output: { tensor: op.outputs[0], shape: [...output.shape], params: tensorParams(qo.scale, qo.zeroPoint) },
    perm,
  };
}

function planAdd(g: Graph, op: Op, index: number): MliEltwisePlan {
  const [ia, ib] = op.inputs;
  const a = g.tensors[ia];
  const b = g.tensors[ib];
  const out = g.tensors[op.outputs[0]];
  for (const t of [a, b, out]) if (t.dtype !== 'int8') refuse(`${t.dtype} tensor "${t.name}": MLI's sa8 kernels take int8`);
  const same = (x: number[], y: number[]) => x.length === y.length && x.every((d, i) => d === y[i]);
  if (!same(a.shape, out.shape) || !same(b.shape, out.shape)) refuse(`broadcast [${a.shape}] + [${b.shape}]: MLI's eltwise takes equal shapes`);
  if (a.shape.length > 4) refuse(`rank ${a.shape.length}: MLI tensors have at most 4 dimensions`);
  const relu = reluOf((op as Op<'add'>).attrs.activation);
  const qa = quantOf(a);
  const qb = quantOf(b);
  const qo = quantOf(out);
  const output = { tensor: op.outputs[0], shape: [...out.shape], params: tensorParams(qo.scale, qo.zeroPoint) };
  return {
    kind: 'eltwise_add',
    op: index,
    fn: 'mli_krn_eltwise_add_sa8',
    inputs: [
      { tensor: ia, shape: [...a.shape], params: tensorParams(qa.scale, qa.zeroPoint) },
      { tensor: ib, shape: [...b.shape], params: tensorParams(qb.scale, qb.zeroPoint) },
    ],
    output,
    relu,
    reluFn: relu === 'none' ? null : 'mli_krn_relu_sa8',
    reluBounds: reluBounds(relu, output.params),
  };
}

function planSoftmax(g: Graph, op: Op, index: number): MliSoftmaxPlan {
  int8Only(g, op);
  const input = g.tensors[op.inputs[0]];
  const output = g.tensors[op.outputs[0]];
  if (input.shape.length < 1 || input.shape.length > 4) refuse(`rank ${input.shape.length}: MLI tensors have 1 to 4 dimensions`);
  const qi = quantOf(input);
  const qo = quantOf(output);
  if (qo.zeroPoint !== -128 || Math.abs(qo.scale - 1 / 256) > 1e-9) {
    refuse(`output scale ${qo.scale} and zero point ${qo.zeroPoint}: MLI's softmax always gives 1/256 and -128`);
  }
  const beta = (op as Op<'softmax'>).attrs.beta;
  if (!(beta > 0)) refuse(`beta ${beta} is not positive`);
  return {
    kind: 'softmax',
    op: index,
    fn: 'mli_krn_softmax_sa8',
    input: { tensor: op.inputs[0], shape: [...input.shape], params: tensorParams(qi.scale * beta, qi.zeroPoint) },
    output: { tensor: op.outputs[0], shape: [...output.shape], params: tensorParams(qo.scale, qo.zeroPoint) },
    axis: input.shape.length - 1,
    lut: { create: 'mli_krn_softmax_create_lut', size: 'mli_krn_softmax_get_lut_size' },
  };
}
