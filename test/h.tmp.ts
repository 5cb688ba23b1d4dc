import { GoldenExecutor, readTfliteFile, loadVectors } from '@mliflow/ir';
import { modelCase } from './cases16x8.js';
for (const name of ['pretrainedResnet_quant', 'kws_ref_model', 'vww_96_int8']) {
  const c = modelCase(name, 20);
  const vec = loadVectors(`/work/shared/vectors/${name}`);
  const g8 = readTfliteFile(`/work/shared/models/${vec.manifest.model}`);
  const per8 = vec.inputs.length / vec.manifest.count;
  const e8 = new GoldenExecutor(g8); const e16 = new GoldenExecutor(c.graph);
  e8.runRecords(vec.inputs.subarray(0, per8 * 2), { count: 2 }); e16.runRecords(c.records.subarray(0, 2 * c.records.length / c.count), { count: 2 });
  let t = performance.now(); e8.runRecords(vec.inputs.subarray(0, per8 * c.count), { count: c.count }); const t8 = (performance.now() - t) / c.count;
  t = performance.now(); e16.runRecords(c.records, { count: c.count }); const t16 = (performance.now() - t) / c.count;
  console.log(name, 'ms/record int8', t8.toFixed(2), '16x8', t16.toFixed(2));
}
