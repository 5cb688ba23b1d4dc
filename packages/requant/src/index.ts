/**
 * @mliflow/requant: quantization parameters in the forms target kernels take, and whole-model
 * re-quantization between schemes. It sits between the IR and code generation.
 *
 * The portable C backend takes TFLite's own multipliers and shifts, which the IR's golden
 * kernels already derive (@mliflow/ir); this package starts with the MLI backend: MLI's
 * 16-bit scale + shift and power-of-two Q-formats.
 */
export {};
export * from './schemes/index.js';
