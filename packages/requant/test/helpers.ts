/** Shared by the requant tests: output views, a re-quantized shared model with its records. */
import { join } from 'node:path';
import { loadVectors, readTflite, readTfliteFile, typedView, writeTflite, type Graph } from '@mliflow/ir';
import { reencodeRecords, requantize, type SchemeName } from '../src/index.js';
import { MODELS, VECTORS } from '../../../test/paths.js';

export const isPow2 = (s: number): boolean => s > 0 && 2 ** Math.round(Math.log2(s)) === s;

/** The first output's values of one record. */
export function outputValues(g: Graph, bytes: Uint8Array): Int8Array | Int16Array {
  return typedView(g.tensors[g.outputs[0]].dtype, bytes.slice()) as Int8Array | Int16Array;
}

/**
 * A shared model re-quantized with `scheme`, written and read back, and the first `limit` records
 * of its shared vectors re-encoded for the new input quantization.
 */
export function requantizedCase(name: string, scheme: SchemeName, limit = Infinity): { file: string; g: Graph; inputs: Uint8Array; records: number } {
  const vec = loadVectors(join(VECTORS, name));
  const file = vec.manifest.model;
  const original = readTfliteFile(join(MODELS, file));
  const g = readTflite(writeTflite(requantize(original, { scheme, file }).graph), `${name} ${scheme}`);
  const n = Math.min(vec.manifest.count, limit);
  const inputs = reencodeRecords(original, g, vec.inputs.subarray(0, (vec.inputs.length / vec.manifest.count) * n));
  return { file, g, inputs, records: n };
}
