// A load balancer and its real servers for `hcheck -f`: namespace `lb`
// runs hcheck, namespace `rs` holds the real servers (socat TCP listeners,
// python's http.server, scripts), joined by one veth pair on
// 10.<subnet>.0.0/24 (lb .1, real servers .2 and up). The daemon's stdout
// (the ipvsadm commands of its dry run), stderr (keepalived's log lines)
// and --events file are what the tests read.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor, type Lab, type ProcessHandle } from '@keepalived-ts/test-utils';

export const HCHECK = fileURLToPath(new URL('../../tools/hcheck/dist/hcheck.js', import.meta.url));
export const SOCAT = '/usr/bin/socat';
export const PYTHON = '/usr/bin/python3';

export const skip = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

export interface LbLab {
  readonly lab: Lab;
  readonly lb: string;
  readonly rs: string;
  /** 10.<subnet>.0 */
  readonly net: string;
  readonly dir: string;
}

/** lb (10.N.0.1) and rs (10.N.0.2 .. 10.N.0.(1 + servers)). */
export async function lbLab(lab: Lab, subnet: number, servers = 3): Promise<LbLab> {
  const lb = await lab.addNamespace('lb');
  const rs = await lab.addNamespace('rs');
  await lab.connect(lb, rs);
  const net = `10.${subnet}.0`;
  await lab.addAddress(lb, 'eth0', `${net}.1/24`);
  for (let i = 0; i < servers; i++) await lab.addAddress(rs, 'eth0', `${net}.${i + 2}/24`);
  const dir = await lab.tempDir('hcheck');
  return { lab, lb, rs, net, dir };
}

/** A TCP listener on address:port in the rs namespace; stop() makes connections refused. */
export async function tcpServer(env: LbLab, address: string, port: number): Promise<ProcessHandle> {
  const handle = await env.lab.spawn(env.rs, [SOCAT, `TCP-LISTEN:${port},bind=${address},fork,reuseaddr`, 'SYSTEM:echo ok']);
  await waitFor(async () => (await env.lab.exec(env.rs, [SOCAT, '-u', '/dev/null', `TCP:${address}:${port},connect-timeout=1`])).code === 0, {
    timeoutMs: 5_000,
    intervalMs: 50,
    what: `socat listening on ${address}:${port}`,
  });
  return handle;
}

export interface Hcheck {
  readonly process: ProcessHandle;
  readonly configFile: string;
  readonly eventsFile: string;
  /** The ipvsadm commands printed so far. */
  ipvsadm(): string[];
  /** The parsed --events lines so far. */
  events(): Promise<Record<string, unknown>[]>;
  /** Waits for a log line (stderr). */
  log(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  /** Waits for an ipvsadm command (stdout). */
  command(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
}

export async function startHcheck(env: LbLab, config: string, extraArgs: readonly string[] = [], name = 'keepalived.conf'): Promise<Hcheck> {
  const configFile = join(env.dir, name);
  const eventsFile = join(env.dir, `${name}.events`);
  await writeFile(configFile, config);
  const child = await env.lab.spawn(env.lb, [process.execPath, HCHECK, '-f', configFile, '--events', eventsFile, ...extraArgs]);
  await child.waitForLine(/IPVS: dry run/, { timeoutMs: 10_000, stream: 'stderr' });
  return {
    process: child,
    configFile,
    eventsFile,
    ipvsadm: () => child.lines('stdout').map((line) => line.text).filter((text) => text.startsWith('ipvsadm ')),
    async events() {
      const text = await readFile(eventsFile, 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    async log(pattern, timeoutMs = 10_000) {
      await child.waitForLine(pattern, { timeoutMs, stream: 'stderr' });
    },
    async command(pattern, timeoutMs = 10_000) {
      await child.waitForLine(pattern, { timeoutMs, stream: 'stdout' });
    },
  };
}

/** Runs `hcheck ARGS` in the lb namespace to completion. */
export async function runHcheck(env: LbLab, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = await env.lab.exec(env.lb, [process.execPath, HCHECK, ...args], { timeoutMs: 20_000 });
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

/** A service block with the short timings these tests use. */
export function service(vip: string, body: string, head = ''): string {
  return `virtual_server ${vip} {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
${head}${body}
}
`;
}

export function tcpRealServer(address: string, port: number, inner = ''): string {
  return `    real_server ${address} ${port} {
${inner}        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 0.2
        }
    }
`;
}
