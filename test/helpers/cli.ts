import { runCli } from '../../src/cli.js';
import type { Env } from '../../src/config.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a `crew` command line in this process (no loader to start), capturing what it prints. */
export async function crewInProcess(args: string[], env: Env): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, env, { out: (line) => out.push(line), err: (line) => err.push(line) });
  const text = (lines: string[]) => lines.map((line) => `${line}\n`).join('');
  return { code, stdout: text(out), stderr: text(err) };
}
