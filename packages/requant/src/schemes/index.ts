export {
  requantize,
  selectOps,
  SCHEME_NAMES,
  type SchemeName,
  type RequantOptions,
  type RequantResult,
  type LayerReport,
  type QuantSummary,
} from './requantize.js';
export { measureStats, representableRange, type TensorStats } from './stats.js';
export { reencodeRecords } from './records.js';
