/** Shared by the requant tests: which shared models are int8, and output views. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { typedView, type Graph, type VectorSet } from '@mliflow/ir';
import { VECTORS, sharedModels } from '../../../test/paths.js';

/** Shared models with int8 inputs and outputs (the ones requant takes). */
export function int8Models(): string[] {
  return sharedModels().filter((m) => {
    const mf = join(VECTORS, m, 'manifest.json');
    if (!existsSync(mf)) return false;
    const v = JSON.parse(readFileSync(mf, 'utf8')) as VectorSet['manifest'];
    return [...v.inputs, ...v.outputs].every((t) => t.dtype === 'int8');
  });
}

export const isPow2 = (s: number): boolean => s > 0 && 2 ** Math.round(Math.log2(s)) === s;

/** The first output's values of one record. */
export function outputValues(g: Graph, bytes: Uint8Array): Int8Array | Int16Array {
  return typedView(g.tensors[g.outputs[0]].dtype, bytes.slice()) as Int8Array | Int16Array;
}
