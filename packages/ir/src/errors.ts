/**
 * Errors a user can act on. Each carries a one-line message naming the file, tensor or
 * operator and what is wrong; the CLI prints `message` alone and exits with `exitCode`.
 */
/** The CLI's exit codes, in one place. */
export const EXIT = {
  ok: 0,
  /** A check failed: outputs differ from the golden executor, or the project does not fit the board. */
  checkFailed: 1,
  /** Bad input or usage: a model, a file or an option. */
  usage: 2,
  /** A tool the board needs is not installed. */
  missingTool: 3,
  /** The board runs only on its hardware; the flow stopped after the compile check. */
  needsHardware: 4,
  /** The generated project failed to build or to run. */
  generatedCode: 5,
  /** A bug in mliflow. */
  internal: 70,
} as const;

export class MliflowError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'MliflowError';
    this.exitCode = exitCode;
  }
}

/** The file is not a well-formed .tflite: truncated, wrong identifier, bad offsets. */
export class ModelFormatError extends MliflowError {
  override name = 'ModelFormatError';
}

/** The model is well formed but uses something mliflow does not handle. */
export class UnsupportedError extends MliflowError {
  override name = 'UnsupportedError';
}

/** Inputs or options given on the command line do not fit the model. */
export class UsageError extends MliflowError {
  override name = 'UsageError';
}
