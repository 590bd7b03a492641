// Errors a person caused (a bad flag, a missing file, no permission) end the
// command with one line `tool: message` and a documented status, never a
// stack trace. Anything else is a bug and keeps its stack.

export class UserError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'UserError';
  }
}

/** Exit statuses shared by the tools; each man page lists the ones its tool uses. */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const;

export function usageError(message: string): UserError {
  return new UserError(message, ExitCode.usage);
}

/** Runs a tool's main, turning UserError into `tool: message` and its status. */
export async function runMain(tool: string, main: () => Promise<number | void>): Promise<void> {
  try {
    const code = await main();
    process.exitCode = code ?? ExitCode.ok;
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`${tool}: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}
