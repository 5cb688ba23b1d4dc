export { main } from './cli.js';
export { describeModel, formatModelInfo, type ModelInfo } from './inspect.js';
