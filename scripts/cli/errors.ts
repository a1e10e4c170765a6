/**
 * A failure the CLI reports in one message and an exit code: 1 when the user must change
 * something (input, key, the batch), 2 when the chain or the API could not be reached.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: 1 | 2;
  constructor(exitCode: 1 | 2, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}
