/** What every CLI command module exports as `command`. */
export interface Command {
  describe: string;
  /** What `nps-bot <command> --help` lists: `--flag VALUE` → what it does (defaults in the text). */
  options?: Readonly<Record<string, string>>;
  /** Runs the command; resolves with the process exit code. */
  run(args: string[]): Promise<number>;
}
