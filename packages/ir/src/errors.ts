/**
 * Errors a user can act on. Each carries a one-line message naming the file, tensor or
 * operator and what is wrong; the CLI prints `message` alone and exits with `exitCode`.
 */
export class MliflowError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
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
