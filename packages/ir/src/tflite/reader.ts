/** .tflite bytes to the graph IR. Every index and size from the file is checked. */
import { readFileSync } from 'node:fs';
import { MliflowError, ModelFormatError, UnsupportedError } from '../errors.js';
import { DTYPE_BYTES, type Graph, type Metadata, type Quantization, type Tensor } from '../graph.js';
import type { Op, OpAttrs, OpKind } from '../ops.js';
import { FbTable, rootTable } from './fb.js';
import {
  ACTIVATIONS,
  BUILTIN_NAMES,
  CONTROL_FLOW_BUILTINS,
  F,
  FILE_IDENTIFIER,
  PADDINGS,
  SPEC_BY_BUILTIN,
  TENSOR_TYPES,
  TENSOR_TYPE_NAMES,
  type FieldSpec,
} from './schema.js';

/** Largest tensor mliflow will plan for; a corrupt dimension must not exhaust memory. */
export const MAX_TENSOR_BYTES = 512 * 1024 * 1024;

export interface ReadInfo {
  /** How many subgraphs the file has; only the first is read. */
  subgraphCount: number;
}

export function readTfliteFile(path: string): Graph & { info: ReadInfo } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new MliflowError(`${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return readTflite(bytes, path);
}

export function readTflite(bytes: Uint8Array, file = '<model>'): Graph & { info: ReadInfo } {
  const model = rootTable(bytes, FILE_IDENTIFIER, file);
  const fail = (msg: string): never => {
    throw new ModelFormatError(`${file}: ${msg}`);
  };

  const buffers = model.tables(F.Model.buffers, 'buffers');
  const bufferData = (index: number, what: string): Uint8Array | null => {
    if (index === 0) return null;
    if (index >= buffers.length) fail(`${what} refers to buffer ${index}, but the model has ${buffers.length} buffers`);
    const b = buffers[index];
    const offset = b.uint64(F.Buffer.offset);
    if (offset > 1n) fail(`${what}: buffer ${index} is stored outside the flatbuffer (models over 2 GB are not supported)`);
    const data = b.bytes(F.Buffer.data, 'data');
    return data && data.length > 0 ? data : null;
  };

  const codes = model.tables(F.Model.operator_codes, 'operator_codes').map((c) => {
    // builtin_code supersedes the byte-sized deprecated field; old files set only the latter.
    const dep = c.int8(F.OperatorCode.deprecated_builtin_code);
    const ext = c.int32(F.OperatorCode.builtin_code);
    return { builtin: Math.max(dep, ext), version: c.int32(F.OperatorCode.version, 1), custom: printable(c.string(F.OperatorCode.custom_code, 'custom_code') ?? '') };
  });

  const subgraphs = model.tables(F.Model.subgraphs, 'subgraphs');
  if (subgraphs.length === 0) fail('the model has no subgraphs');
  const sg = subgraphs[0];

  const tensorTables = sg.tables(F.SubGraph.tensors, 'tensors');
  const tensors: Tensor[] = tensorTables.map((t, i) => readTensor(t, i, file, bufferData));
  const nT = tensors.length;
  const checkIndex = (idx: number, what: string, optional: boolean): number => {
    if (optional && idx === -1) return idx;
    if (!Number.isInteger(idx) || idx < 0 || idx >= nT) fail(`${what} refers to tensor ${idx}, but subgraph 0 has ${nT} tensors`);
    return idx;
  };

  const inputs = (sg.int32s(F.SubGraph.inputs, 'inputs') ?? []).map((x, i) => checkIndex(x, `subgraph input ${i}`, false));
  const outputs = (sg.int32s(F.SubGraph.outputs, 'outputs') ?? []).map((x, i) => checkIndex(x, `subgraph output ${i}`, false));

  const ops: Op[] = sg.tables(F.SubGraph.operators, 'operators').map((o, i) => {
    const codeIndex = o.uint32(F.Operator.opcode_index);
    if (codeIndex >= codes.length) fail(`operator #${i} uses operator code ${codeIndex}, but the model has ${codes.length}`);
    const code = codes[codeIndex];
    const name = code.builtin === 32 ? `CUSTOM "${code.custom}"` : (BUILTIN_NAMES[code.builtin] ?? `builtin ${code.builtin}`);
    if (CONTROL_FLOW_BUILTINS.has(code.builtin)) {
      throw new UnsupportedError(
        `${file}: operator #${i} (${name}) calls another subgraph; mliflow runs subgraph 0 of ${subgraphs.length} and supports no control flow`,
      );
    }
    const spec = SPEC_BY_BUILTIN.get(code.builtin);
    if (!spec) {
      throw new UnsupportedError(`${file}: operator #${i} is ${name}, which mliflow does not support (no golden kernel and no C kernel)`);
    }
    const label = `operator #${i} (${name})`;
    const opInputs = (o.int32s(F.Operator.inputs, 'inputs') ?? []).map((x, k) => checkIndex(x, `${label} input ${k}`, true));
    const opOutputs = (o.int32s(F.Operator.outputs, 'outputs') ?? []).map((x, k) => checkIndex(x, `${label} output ${k}`, false));
    const intermediates = (o.int32s(F.Operator.intermediates, 'intermediates') ?? []).map((x, k) =>
      checkIndex(x, `${label} intermediate ${k}`, false),
    );
    const optType = o.uint8(F.Operator.builtin_options_type);
    let options: FbTable | null = null;
    if (spec.optionsType !== 0 && optType === spec.optionsType) options = o.table(F.Operator.builtin_options, 'builtin_options');
    else if (optType !== 0 && spec.optionsType !== 0) fail(`${label} carries options of union type ${optType}, expected ${spec.optionsType}`);
    const attrs = readAttrs(spec.fields, options, label, file);
    return { kind: spec.kind, inputs: opInputs, outputs: opOutputs, attrs, intermediates, version: code.version } as Op;
  });

  const metadata: Metadata[] = model.tables(F.Model.metadata, 'metadata').map((m, i) => ({
    name: m.string(F.Metadata.name, 'name') ?? '',
    data: bufferData(m.uint32(F.Metadata.buffer), `metadata ${i}`)?.slice() ?? new Uint8Array(0),
  }));

  return {
    tensors,
    ops,
    inputs,
    outputs,
    description: printable(model.string(F.Model.description, 'description') ?? ''),
    version: model.uint32(F.Model.version),
    metadata,
    subgraphName: printable(sg.string(F.SubGraph.name, 'name') ?? ''),
    info: { subgraphCount: subgraphs.length },
  };
}

/** Names go into one-line messages and generated C: line breaks and controls become '?'. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

function readTensor(t: FbTable, i: number, file: string, bufferData: (index: number, what: string) => Uint8Array | null): Tensor {
  const name = printable(t.string(F.Tensor.name, 'name') ?? `tensor_${i}`);
  const label = `tensor ${i} "${name}"`;
  const typeCode = t.int8(F.Tensor.type);
  const dtype = TENSOR_TYPES[typeCode];
  if (!dtype) {
    throw new UnsupportedError(`${file}: ${label} has type ${TENSOR_TYPE_NAMES[typeCode] ?? typeCode}, which mliflow does not support`);
  }
  if (t.has(F.Tensor.sparsity)) throw new UnsupportedError(`${file}: ${label} is sparse, which mliflow does not support`);
  const shape = t.int32s(F.Tensor.shape, 'shape') ?? [];
  let elements = 1;
  for (const d of shape) {
    if (d < 0) throw new ModelFormatError(`${file}: ${label} has a negative dimension in shape [${shape.join(',')}]`);
    // Saturate: an overflow to Infinity times a later 0 would be NaN and pass the limit.
    elements = Math.min(elements * d, Number.MAX_SAFE_INTEGER);
  }
  const bytes = elements * DTYPE_BYTES[dtype];
  if (bytes > MAX_TENSOR_BYTES) {
    throw new ModelFormatError(`${file}: ${label} shape [${shape.join(',')}] needs ${bytes} bytes, over the ${MAX_TENSOR_BYTES}-byte limit`);
  }
  const raw = bufferData(t.uint32(F.Tensor.buffer), label);
  if (raw && raw.length !== bytes) {
    throw new ModelFormatError(`${file}: ${label} shape [${shape.join(',')}] of ${dtype} needs ${bytes} bytes, but its buffer holds ${raw.length}`);
  }
  const q = t.table(F.Tensor.quantization, 'quantization');
  let quant: Quantization | null = null;
  if (q) {
    if (q.uint8(F.Quantization.details_type) !== 0) {
      throw new UnsupportedError(`${file}: ${label} uses custom quantization details, which mliflow does not support`);
    }
    const scale = q.float32s(F.Quantization.scale, 'scale') ?? [];
    const zp = (q.int64s(F.Quantization.zero_point, 'zero_point') ?? []).map(Number);
    const axis = q.int32(F.Quantization.quantized_dimension);
    const min = q.float32s(F.Quantization.min, 'min') ?? undefined;
    const max = q.float32s(F.Quantization.max, 'max') ?? undefined;
    if (scale.length > 0) {
      if (zp.length !== scale.length && zp.length !== 0) {
        throw new ModelFormatError(`${file}: ${label} has ${scale.length} scales but ${zp.length} zero points`);
      }
      // TFLite's converter leaves 1-D biases with their filter's axis (person_detect has
      // axis 3 on shape [8]); TFLite Micro accepts that, so mliflow does too.
      const fits = (axis >= 0 && axis < shape.length && shape[axis] === scale.length) || (shape.length === 1 && shape[0] === scale.length);
      if (scale.length > 1 && !fits) {
        throw new ModelFormatError(
          `${file}: ${label} has ${scale.length} per-channel scales on axis ${axis}, which does not match shape [${shape.join(',')}]`,
        );
      }
      quant = { scale, zeroPoint: zp.length ? zp : scale.map(() => 0), axis };
      if (min) quant.min = min;
      if (max) quant.max = max;
    }
  }
  const sig = t.int32s(F.Tensor.shape_signature, 'shape_signature');
  // Copy into its own ArrayBuffer so typed views are aligned and the file can be released.
  const data = raw ? raw.slice() : null;
  const tensor: Tensor = { name, dtype, shape, data, quant, isVariable: t.bool(F.Tensor.is_variable) };
  if (sig) tensor.shapeSignature = sig;
  return tensor;
}

function readAttrs(fields: FieldSpec[], t: FbTable | null, label: string, file: string): OpAttrs[OpKind] {
  const attrs: Record<string, unknown> = {};
  for (const fs of fields) {
    switch (fs.type) {
      case 'int32':
        attrs[fs.attr] = t ? t.int32(fs.id, fs.dflt as number) : fs.dflt;
        break;
      case 'float32':
        attrs[fs.attr] = t ? t.float32(fs.id, fs.dflt as number) : fs.dflt;
        break;
      case 'bool':
        attrs[fs.attr] = t ? t.bool(fs.id, fs.dflt as boolean) : fs.dflt;
        break;
      case 'uint8':
        attrs[fs.attr] = t ? t.uint8(fs.id, fs.dflt as number) : fs.dflt;
        break;
      case 'int32[]':
        attrs[fs.attr] = t ? t.int32s(fs.id, fs.attr) : null;
        break;
      case 'padding': {
        const v = t ? t.int8(fs.id) : 0;
        if (!PADDINGS[v]) throw new ModelFormatError(`${file}: ${label} has unknown padding ${v}`);
        attrs[fs.attr] = PADDINGS[v];
        break;
      }
      case 'activation': {
        const v = t ? t.int8(fs.id) : 0;
        if (!ACTIVATIONS[v]) throw new ModelFormatError(`${file}: ${label} has unknown fused activation ${v}`);
        attrs[fs.attr] = ACTIVATIONS[v];
        break;
      }
    }
  }
  return attrs as OpAttrs[OpKind];
}
