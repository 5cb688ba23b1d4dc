export { main } from './cli.js';
export { describeModel, formatModelInfo, type ModelInfo } from './inspect.js';
export { choosePlacements, compileForBoard, formatCompileResult, formatPlacement, type CompileResult, type PlacementChoice } from './compile.js';
export { deploy, formatDeployResult, type DeployResult } from './deploy.js';
export * from './boards/index.js';
export { detectTool, findOnPath, requireTools, ToolchainError, type ToolInfo } from './toolchain.js';
export { formatSizeReport, sizeReport, type SizeReport } from './size-report.js';
