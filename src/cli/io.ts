import type { Env } from '../config.js';

/** Where a command writes: the process's stdout/stderr from the shell, buffers in tests. One call, one line. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** What every command receives besides its arguments: the environment it reads and where it writes. */
export interface CliContext {
  env: Env;
  io: CliIo;
}

export type CliCommand = (args: string[], context: CliContext) => Promise<number>;

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
