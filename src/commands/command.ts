/** What every CLI command module exports as `command`. */
export interface Command {
  describe: string;
  /** Runs the command; resolves with the process exit code. */
  run(args: string[]): Promise<number>;
}
