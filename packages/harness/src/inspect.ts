/** `mliflow inspect`: what a model holds, as data for --json and as a table for people. */
import {
  byteSize,
  GoldenExecutor,
  MliflowError,
  type Graph,
  type Quantization,
  type Tensor,
} from '@mliflow/ir';
import { formatBytes, formatCount, table } from './format.js';

export interface TensorInfo {
  id: number;
  name: string;
  dtype: string;
  shape: number[];
  bytes: number;
  constant: boolean;
  variable: boolean;
  quantization: { scale: number[]; zeroPoint: number[]; axis: number | null } | null;
}

export interface OperatorInfo {
  index: number;
  kind: string;
  inputs: number[];
  outputs: number[];
  /** null when the golden executor cannot prepare the model (see ModelInfo.macsError). */
  macs: number | null;
  weightBytes: number;
  attrs: Record<string, unknown>;
}

export interface ModelInfo {
  file: string;
  description: string;
  subgraphs: number;
  operators: OperatorInfo[];
  tensors: TensorInfo[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  totals: { operators: number; macs: number | null; weightBytes: number; activationBytes: number };
  macsError?: string;
  operatorCounts: Record<string, number>;
}

function quantInfo(q: Quantization | null): TensorInfo['quantization'] {
  if (!q) return null;
  return { scale: q.scale, zeroPoint: q.zeroPoint, axis: q.scale.length > 1 ? q.axis : null };
}

function tensorInfo(t: Tensor, id: number): TensorInfo {
  return {
    id,
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    bytes: byteSize(t),
    constant: t.data !== null && !t.isVariable,
    variable: t.isVariable,
    quantization: quantInfo(t.quant),
  };
}

export function describeModel(g: Graph, file: string, subgraphs: number): ModelInfo {
  // MACs come from the golden kernels' prepare; a model they refuse is still worth inspecting.
  let macs: number[] | null = null;
  let macsError: string | undefined;
  try {
    macs = new GoldenExecutor(g, { file }).macs;
  } catch (e) {
    if (!(e instanceof MliflowError)) throw e;
    macsError = e.message;
  }
  const tensors = g.tensors.map(tensorInfo);
  const operators = g.ops.map((op, index) => ({
    index,
    kind: op.kind,
    inputs: op.inputs,
    outputs: op.outputs,
    macs: macs ? macs[index] : null,
    weightBytes: op.inputs.filter((i) => i >= 0 && tensors[i].constant).reduce((s, i) => s + tensors[i].bytes, 0),
    attrs: op.attrs as Record<string, unknown>,
  }));
  const operatorCounts: Record<string, number> = {};
  for (const op of g.ops) operatorCounts[op.kind] = (operatorCounts[op.kind] ?? 0) + 1;
  return {
    file,
    description: g.description,
    subgraphs,
    operators,
    tensors,
    inputs: g.inputs.map((i) => tensors[i]),
    outputs: g.outputs.map((i) => tensors[i]),
    totals: {
      operators: g.ops.length,
      macs: macs ? macs.reduce((s, m) => s + m, 0) : null,
      weightBytes: tensors.filter((t) => t.constant).reduce((s, t) => s + t.bytes, 0),
      activationBytes: tensors.filter((t) => !t.constant).reduce((s, t) => s + t.bytes, 0),
    },
    operatorCounts,
    ...(macsError ? { macsError } : {}),
  };
}

function shapeStr(t: TensorInfo): string {
  return `${t.dtype}[${t.shape.join(',')}]`;
}

function quantStr(t: TensorInfo): string {
  const q = t.quantization;
  if (!q) return '';
  if (q.scale.length === 1) return `scale ${q.scale[0].toPrecision(6)} zp ${q.zeroPoint[0]}`;
  return `per-channel axis ${q.axis} (${q.scale.length})`;
}

export function formatModelInfo(m: ModelInfo): string {
  const lines: string[] = [];
  lines.push(`${m.file}`);
  if (m.description) lines.push(`  ${m.description}`);
  lines.push(
    `  ${m.totals.operators} operators, ${m.totals.macs === null ? '?' : formatCount(m.totals.macs)} MACs, weights ${formatBytes(m.totals.weightBytes)}, ` +
      `activations ${formatBytes(m.totals.activationBytes)} (sum of all), subgraphs ${m.subgraphs}`,
  );
  lines.push(
    `  operators: ${Object.entries(m.operatorCounts)
      .map(([k, n]) => `${k} x${n}`)
      .join(', ')}`,
  );
  lines.push('');
  const io = (label: string, ts: TensorInfo[]): void => {
    for (const t of ts) lines.push(`  ${label} ${t.id} "${t.name}" ${shapeStr(t)} ${quantStr(t)}`.trimEnd());
  };
  io('input ', m.inputs);
  io('output', m.outputs);
  lines.push('');
  const t = m.tensors;
  lines.push(
    table(
      ['#', 'operator', 'output', 'output quantization', 'weight quantization', 'MACs', 'weights'],
      m.operators.map((o) => {
        const out = t[o.outputs[0]];
        const w = o.inputs.map((i) => t[i]).find((x) => x && x.constant && x.quantization && x.shape.length > 1);
        return [
          String(o.index),
          o.kind,
          out ? shapeStr(out) : '',
          out ? quantStr(out) : '',
          w ? quantStr(w) : '',
          o.macs === null ? '?' : formatCount(o.macs),
          formatBytes(o.weightBytes),
        ];
      }),
      ['r', 'l', 'l', 'l', 'l', 'r', 'r'],
    ),
  );
  if (m.macsError) lines.push('', `MACs unknown: ${m.macsError}`);
  return lines.join('\n');
}
