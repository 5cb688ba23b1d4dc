/**
 * @mliflow/requant: quantization parameters in the forms target kernels take, and whole-model
 * re-quantization between schemes. It sits between the IR and code generation.
 *
 * - mli/: TFLite's scales as MLI 2.0.2's sa8/sa32 parameters, the MLI op plan (which call, with
 *   which parameters, or why not) and the golden executor's `mli` numerics that interpret it.
 * - schemes/: sym8, pow2-8 and pow2-16x8 re-quantization with weight correction and
 *   rounding-error folding.
 * The portable C backend takes TFLite's own multipliers and shifts, derived by the IR's golden
 * kernels (@mliflow/ir).
 */
export * from './mli/math.js';
export * from './mli/params.js';
export * from './mli/plan.js';
export { mliNumerics, mliNumericsName, mliKernel } from './mli/golden/index.js';
export { softmaxLut, SOFTMAX_LUT } from './mli/golden/softmax.js';
export * from './mli/library.js';
export * from './schemes/index.js';
