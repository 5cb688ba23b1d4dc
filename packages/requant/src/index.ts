/**
 * @mliflow/requant: quantization parameters in the forms target kernels take, and whole-model
 * re-quantization between schemes. It sits between the IR and code generation.
 *
 * The portable C backend takes TFLite's own multipliers and shifts, which the IR's golden
 * kernels already derive (@mliflow/ir); this package starts with the MLI backend: MLI's
 * 16-bit scale + shift and power-of-two Q-formats.
 */
export * from './mli/math.js';
export * from './mli/params.js';
export * from './mli/plan.js';
export { mliNumerics, mliNumericsName, mliKernel } from './mli/golden/index.js';
export { softmaxLut, SOFTMAX_LUT } from './mli/golden/softmax.js';
export * from './mli/library.js';
