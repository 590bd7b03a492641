import { runCommand } from './command.js';

/**
 * The names of the host's network namespaces (`ip netns list`), optionally
 * only those starting with `prefix`: how a test proves a lab left nothing.
 */
export async function listNamespaces(prefix = ''): Promise<string[]> {
  const result = await runCommand(['ip', 'netns', 'list'], { check: true });
  // Lines read "name" or "name (id: 3)".
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '' && name.startsWith(prefix));
}
