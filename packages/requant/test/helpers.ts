/** Shared by the requant tests: output views. */
import { typedView, type Graph } from '@mliflow/ir';

export const isPow2 = (s: number): boolean => s > 0 && 2 ** Math.round(Math.log2(s)) === s;

/** The first output's values of one record. */
export function outputValues(g: Graph, bytes: Uint8Array): Int8Array | Int16Array {
  return typedView(g.tensors[g.outputs[0]].dtype, bytes.slice()) as Int8Array | Int16Array;
}
