/**
 * The graph IR to .tflite bytes, driven by the same schema tables as the reader. The
 * output depends only on the graph, so the same graph always gives the same bytes.
 */
import * as flatbuffers from 'flatbuffers';
import type { Graph, Quantization, Tensor } from '../graph.js';
import type { Op } from '../ops.js';
import {
  ACTIVATIONS,
  BUFFER_DATA_ALIGN,
  F,
  FILE_IDENTIFIER,
  PADDINGS,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  SPEC_BY_KIND,
  tensorTypeCode,
  type FieldSpec,
} from './schema.js';

type Offset = flatbuffers.Offset;

export function writeTflite(g: Graph): Uint8Array {
  let dataBytes = 0;
  for (const t of g.tensors) dataBytes += t.data?.length ?? 0;
  for (const m of g.metadata) dataBytes += m.data.length;
  const b = new flatbuffers.Builder(dataBytes + 64 * 1024);

  // Buffer 0 is the empty sentinel; each constant and each metadata entry gets its own.
  const bufferData: Uint8Array[] = [new Uint8Array(0)];
  const tensorBuffer = g.tensors.map((t) => (t.data && t.data.length > 0 ? bufferData.push(t.data) - 1 : 0));
  const metadataBuffer = g.metadata.map((m) => bufferData.push(m.data) - 1);
  const buffers = bufferData.map((d) => {
    const data = d.length > 0 ? alignedBytes(b, d) : 0;
    b.startObject(1);
    if (data) b.addFieldOffset(F.Buffer.data, data, 0);
    return b.endObject();
  });

  const tensors = g.tensors.map((t, i) => writeTensor(b, t, tensorBuffer[i]));

  // Operator codes in order of first use, one per (builtin, version).
  const codeIndex = new Map<string, number>();
  const codes: { builtin: number; version: number }[] = [];
  const operators = g.ops.map((op) => {
    const spec = SPEC_BY_KIND.get(op.kind);
    if (!spec) throw new Error(`writeTflite: no schema entry for operator kind ${op.kind}`);
    const key = `${spec.builtin}:${op.version}`;
    let idx = codeIndex.get(key);
    if (idx === undefined) {
      idx = codes.push({ builtin: spec.builtin, version: op.version }) - 1;
      codeIndex.set(key, idx);
    }
    return writeOperator(b, op, idx, spec.optionsType, spec.fields);
  });

  const sgName = b.createString(g.subgraphName);
  const sgTensors = offsetVector(b, tensors);
  const sgInputs = int32Vector(b, g.inputs);
  const sgOutputs = int32Vector(b, g.outputs);
  const sgOps = offsetVector(b, operators);
  b.startObject(5);
  b.addFieldOffset(F.SubGraph.tensors, sgTensors, 0);
  b.addFieldOffset(F.SubGraph.inputs, sgInputs, 0);
  b.addFieldOffset(F.SubGraph.outputs, sgOutputs, 0);
  b.addFieldOffset(F.SubGraph.operators, sgOps, 0);
  b.addFieldOffset(F.SubGraph.name, sgName, 0);
  const subgraph = b.endObject();

  const opCodes = codes.map((c) => {
    b.startObject(4);
    b.addFieldInt8(F.OperatorCode.deprecated_builtin_code, Math.min(c.builtin, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
    b.addFieldInt32(F.OperatorCode.version, c.version, 1);
    b.addFieldInt32(F.OperatorCode.builtin_code, c.builtin, 0);
    return b.endObject();
  });

  const metadata = g.metadata.map((m, i) => {
    const name = b.createString(m.name);
    b.startObject(2);
    b.addFieldOffset(F.Metadata.name, name, 0);
    b.addFieldInt32(F.Metadata.buffer, metadataBuffer[i], 0);
    return b.endObject();
  });

  const description = b.createString(g.description);
  const codesVec = offsetVector(b, opCodes);
  const subgraphsVec = offsetVector(b, [subgraph]);
  const buffersVec = offsetVector(b, buffers);
  const metadataVec = metadata.length > 0 ? offsetVector(b, metadata) : 0;
  b.startObject(7);
  b.addFieldInt32(F.Model.version, g.version, 0);
  b.addFieldOffset(F.Model.operator_codes, codesVec, 0);
  b.addFieldOffset(F.Model.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(F.Model.description, description, 0);
  b.addFieldOffset(F.Model.buffers, buffersVec, 0);
  if (metadataVec) b.addFieldOffset(F.Model.metadata, metadataVec, 0);
  b.finish(b.endObject(), FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

function writeTensor(b: flatbuffers.Builder, t: Tensor, buffer: number): Offset {
  const name = b.createString(t.name);
  const shape = int32Vector(b, t.shape);
  const sig = t.shapeSignature ? int32Vector(b, t.shapeSignature) : 0;
  const quant = t.quant ? writeQuantization(b, t.quant) : 0;
  b.startObject(8);
  b.addFieldOffset(F.Tensor.shape, shape, 0);
  b.addFieldInt8(F.Tensor.type, tensorTypeCode(t.dtype), 0);
  b.addFieldInt32(F.Tensor.buffer, buffer, 0);
  b.addFieldOffset(F.Tensor.name, name, 0);
  if (quant) b.addFieldOffset(F.Tensor.quantization, quant, 0);
  b.addFieldInt8(F.Tensor.is_variable, t.isVariable ? 1 : 0, 0);
  if (sig) b.addFieldOffset(F.Tensor.shape_signature, sig, 0);
  return b.endObject();
}

function writeQuantization(b: flatbuffers.Builder, q: Quantization): Offset {
  const min = q.min ? float32Vector(b, q.min) : 0;
  const max = q.max ? float32Vector(b, q.max) : 0;
  const scale = float32Vector(b, q.scale);
  b.startVector(8, q.zeroPoint.length, 8);
  for (let i = q.zeroPoint.length - 1; i >= 0; i--) b.addInt64(BigInt(q.zeroPoint[i]));
  const zp = b.endVector();
  b.startObject(7);
  if (min) b.addFieldOffset(F.Quantization.min, min, 0);
  if (max) b.addFieldOffset(F.Quantization.max, max, 0);
  b.addFieldOffset(F.Quantization.scale, scale, 0);
  b.addFieldOffset(F.Quantization.zero_point, zp, 0);
  b.addFieldInt32(F.Quantization.quantized_dimension, q.axis, 0);
  return b.endObject();
}

function writeOperator(b: flatbuffers.Builder, op: Op, opcode: number, optionsType: number, fields: FieldSpec[]): Offset {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const intermediates = op.intermediates.length > 0 ? int32Vector(b, op.intermediates) : 0;
  const options = optionsType !== 0 ? writeOptions(b, op.attrs as unknown as Record<string, unknown>, fields) : 0;
  b.startObject(9);
  b.addFieldInt32(F.Operator.opcode_index, opcode, 0);
  b.addFieldOffset(F.Operator.inputs, inputs, 0);
  b.addFieldOffset(F.Operator.outputs, outputs, 0);
  b.addFieldInt8(F.Operator.builtin_options_type, optionsType, 0);
  if (options) b.addFieldOffset(F.Operator.builtin_options, options, 0);
  if (intermediates) b.addFieldOffset(F.Operator.intermediates, intermediates, 0);
  return b.endObject();
}

function writeOptions(b: flatbuffers.Builder, attrs: Record<string, unknown>, fields: FieldSpec[]): Offset {
  // Vectors must be finished before the table that points at them is started.
  const vectors = new Map<number, Offset>();
  for (const fs of fields) {
    const v = attrs[fs.attr];
    if (fs.type === 'int32[]' && Array.isArray(v)) vectors.set(fs.id, int32Vector(b, v as number[]));
  }
  b.startObject(fields.reduce((n, fs) => Math.max(n, fs.id + 1), 0));
  for (const fs of fields) {
    const v = attrs[fs.attr];
    // Defaults are omitted as the schema allows; Object.is keeps -0.0 apart from 0.
    if (fs.type !== 'int32[]' && Object.is(v, fs.dflt)) continue;
    switch (fs.type) {
      case 'int32':
        b.addFieldInt32(fs.id, v as number, null);
        break;
      case 'float32':
        b.addFieldFloat32(fs.id, v as number, null);
        break;
      case 'bool':
        b.addFieldInt8(fs.id, v ? 1 : 0, null);
        break;
      case 'uint8':
        b.addFieldInt8(fs.id, v as number, null);
        break;
      case 'padding':
        b.addFieldInt8(fs.id, enumIndex(PADDINGS, v, fs.attr), null);
        break;
      case 'activation':
        b.addFieldInt8(fs.id, enumIndex(ACTIVATIONS, v, fs.attr), null);
        break;
      case 'int32[]': {
        const off = vectors.get(fs.id);
        if (off !== undefined) b.addFieldOffset(fs.id, off, 0);
        break;
      }
    }
  }
  return b.endObject();
}

function enumIndex(values: readonly string[], v: unknown, attr: string): number {
  const i = values.indexOf(v as string);
  if (i < 0) throw new Error(`writeTflite: ${attr} ${String(v)} has no schema value`);
  return i;
}

function alignedBytes(b: flatbuffers.Builder, data: Uint8Array): Offset {
  // Runtimes use weights in place. createByteVector's own 4-byte prep adds no padding once
  // the data's end is aligned, and finish() aligns the whole file to the largest alignment.
  b.prep(BUFFER_DATA_ALIGN, data.length);
  return b.createByteVector(data);
}

function offsetVector(b: flatbuffers.Builder, offs: Offset[]): Offset {
  b.startVector(4, offs.length, 4);
  for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i]);
  return b.endVector();
}

function int32Vector(b: flatbuffers.Builder, xs: readonly number[]): Offset {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]);
  return b.endVector();
}

function float32Vector(b: flatbuffers.Builder, xs: readonly number[]): Offset {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addFloat32(xs[i]);
  return b.endVector();
}
