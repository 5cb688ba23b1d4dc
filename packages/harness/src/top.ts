/** The largest outputs of each record, dequantized: what a person checks first. */
import { byteSize, typedView, type Graph } from '@mliflow/ir';

export interface TopEntry {
  record: number;
  output: number;
  top: { index: number; raw: number; value: number }[];
}

export function topOutputs(g: Graph, records: Uint8Array, k: number): TopEntry[] {
  const sizes = g.outputs.map((id) => byteSize(g.tensors[id]));
  const rec = sizes.reduce((a, b) => a + b, 0);
  const res: TopEntry[] = [];
  for (let r = 0; r * rec < records.length; r++) {
    let off = r * rec;
    g.outputs.forEach((id, o) => {
      const t = g.tensors[id];
      const view = typedView(t.dtype, records.slice(off, off + sizes[o]));
      off += sizes[o];
      const scale = t.quant?.scale[0] ?? 1;
      const zp = t.quant?.zeroPoint[0] ?? 0;
      const vals = Array.from(view as ArrayLike<number | bigint>, (x, index) => {
        const raw = Number(x);
        return { index, raw, value: t.dtype === 'float32' ? raw : (raw - zp) * scale };
      });
      vals.sort((a, b) => b.value - a.value || a.index - b.index);
      res.push({ record: r, output: o, top: vals.slice(0, k) });
    });
  }
  return res;
}

export function formatTopOutputs(entries: TopEntry[], indent = '  '): string {
  return entries
    .map(
      (e) =>
        `${indent}record ${e.record}${e.output ? ` output ${e.output}` : ''}: ` +
        e.top.map((t) => `[${t.index}] ${t.value.toFixed(4)}`).join('  '),
    )
    .join('\n');
}
