/**
 * Input records of a model re-expressed for its re-quantized version: each value goes back
 * to its real value under the old input quantization and is quantized again under the new
 * one (as TFLite's kernels quantize: float32 quotient, rounded half away from zero, clamped).
 */
import { byteSize, clampTo, quantizeValue, recordBytes, recordCount, typedView, UsageError, type Graph } from '@mliflow/ir';

export function reencodeRecords(from: Graph, to: Graph, records: Uint8Array, what = 'records'): Uint8Array {
  if (from.inputs.length !== to.inputs.length) throw new UsageError(`${what}: the models have different numbers of inputs`);
  const n = recordCount(records.length, recordBytes(from, 'inputs'), what);
  const out = new Uint8Array(n * recordBytes(to, 'inputs'));
  let src = 0;
  let dst = 0;
  for (let r = 0; r < n; r++) {
    from.inputs.forEach((id, k) => {
      const a = from.tensors[id];
      const b = to.tensors[to.inputs[k]];
      const inBytes = byteSize(a);
      const outBytes = byteSize(b);
      const qa = a.quant!;
      const qb = b.quant!;
      // new Uint8Array copies (a Node Buffer's slice would be a view of the whole pool).
      const va = typedView(a.dtype, new Uint8Array(records.subarray(src, src + inBytes))) as Int8Array | Int16Array;
      const vb = typedView(b.dtype, out.subarray(dst, dst + outBytes)) as Int8Array | Int16Array;
      const za = qa.zeroPoint[0] ?? 0;
      for (let i = 0; i < va.length; i++) {
        vb[i] = clampTo(b.dtype, quantizeValue(qa.scale[0] * (va[i] - za), qb.scale[0], qb.zeroPoint[0] ?? 0));
      }
      if (vb.buffer !== out.buffer) out.set(new Uint8Array(vb.buffer, vb.byteOffset, outBytes), dst);
      src += inBytes;
      dst += outBytes;
    });
  }
  return out;
}
