import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly argv: readonly string[];
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status; null when the process was ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when `timeoutMs` passed and the command was killed. */
  readonly timedOut: boolean;
}

export interface RunOptions {
  /** Kill the command (SIGKILL) after this long. Default 10 s. */
  readonly timeoutMs?: number;
  /** Written to the command's standard input, which is then closed. */
  readonly input?: string;
  /** Throw a `CommandError` unless the command exits 0. Default false. */
  readonly check?: boolean;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/** Output beyond this is dropped, so a runaway command cannot exhaust memory. */
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/** A command that failed, timed out or could not be started; carries its whole result. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(readonly result: CommandResult) {
    super(describeFailure(result));
  }
}

function describeFailure(result: CommandResult): string {
  const how = result.timedOut
    ? 'timed out'
    : result.signal !== null
      ? `was killed by ${result.signal}`
      : `exited ${result.code}`;
  const stderr = result.stderr.trim();
  return `\`${result.argv.join(' ')}\` ${how}${stderr ? `: ${stderr.slice(0, 2000)}` : ''}`;
}

/**
 * Runs `argv` (no shell, so nothing needs quoting) to completion and returns
 * its output. It never hangs: the command is killed after `timeoutMs`.
 */
export function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new RangeError('runCommand: empty argv');
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let timedOut = false;
    let settled = false;

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      if (stdoutBytes < MAX_OUTPUT_BYTES) stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes < MAX_OUTPUT_BYTES) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    // EPIPE when the command exits without reading its input is not our failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');

    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const result: CommandResult = {
        argv,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: spawnError ? spawnError.message : Buffer.concat(stderr).toString('utf8'),
        code,
        signal,
        timedOut,
      };
      if (spawnError || (options.check === true && (code !== 0 || timedOut))) reject(new CommandError(result));
      else resolve(result);
    };
    child.on('error', (error) => finish(null, null, error));
    child.on('close', (code, signal) => finish(code, signal));
  });
}
