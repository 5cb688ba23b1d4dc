export * from './errors.js';
export * from './graph.js';
export * from './ops.js';
export * from './quant.js';
export * from './vectors.js';
export { readTflite, readTfliteFile, MAX_TENSOR_BYTES, type ReadInfo } from './tflite/reader.js';
export { GoldenExecutor, totalMacs, type ExecutorOptions, type Numerics, type OpTrace, type RunResult } from './golden/executor.js';
export type { Kernel, Buffers, Evaluate, PrepareContext, TensorData } from './golden/kernel.js';
