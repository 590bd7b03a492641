// Builds the guest's bash script (one boot, many steps, a delimited
// transcript) and reads the transcript back. Pure, so the plan is testable.

export interface Step {
  readonly id: string;
  /** Arguments after the program name; `<` FILE redirects stdin. */
  readonly args: readonly string[];
  readonly stdin?: string;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The seeded generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random but valid-looking ipvsadm operation sequence: many succeed, some fail as they should. */
export function randomOps(seed: number, count: number): string[][] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const services = [
    ['-t', '10.1.0.1:80'],
    ['-t', '10.1.0.2:443'],
    ['-u', '10.1.0.3:53'],
    ['-t', '192.168.7.9:8080'],
    ['--sctp-service', '10.1.0.4:3868'],
    ['-t', '[2001:db8::10]:80'],
    ['-u', '[2001:db8::11]:53'],
    ['-f', '7'],
    ['-f', '300'],
  ] as const;
  const v4 = ['10.2.0.1', '10.2.0.2', '172.16.0.5', '192.168.9.1', '10.2.0.3'];
  const v6 = ['[2001:db8::20]', '[2001:db8::21]', '[2001:db8:1::5]'];
  const ops: string[][] = [];
  for (let i = 0; i < count; i++) {
    const svc = pick(services);
    const isV6 = svc[1].startsWith('[');
    const roll = r();
    if (roll < 0.22) {
      const cmd = r() < 0.7 ? '-A' : '-E';
      const args = [cmd, ...svc, '-s', pick(['rr', 'wrr', 'lc', 'wlc', 'sh'])];
      if (r() < 0.35) {
        args.push('-p', String(1 + Math.floor(r() * 900)));
        if (r() < 0.4) args.push('-M', isV6 ? String(48 + Math.floor(r() * 80)) : pick(['255.255.255.0', '255.255.0.0', '255.255.255.255']));
      }
      if (svc[0] === '-u' && r() < 0.3) args.push('-o');
      if (args.includes('sh') && r() < 0.3) args.push('-b', pick(['sh-port', 'sh-fallback', 'sh-fallback,sh-port']));
      ops.push(args);
    } else if (roll < 0.3) {
      ops.push(['-D', ...svc]);
    } else if (roll < 0.75) {
      const cmd = r() < 0.65 ? '-a' : r() < 0.6 ? '-e' : '-d';
      const host = isV6 || (svc[0] === '-f' && r() < 0.2 && false) ? pick(v6) : pick(v4);
      const rs = r() < 0.5 ? `${host}:${pick(['80', '8080', '443', '53'])}` : host;
      const args = [cmd, ...svc, '-r', rs];
      if (cmd !== '-d') {
        const fwd = pick(['-m', '-g', '-i', '']);
        if (fwd) args.push(fwd);
        if (r() < 0.7) args.push('-w', String(Math.floor(r() * 200)));
        if (r() < 0.3) args.push('-x', String(Math.floor(r() * 5000)), '-y', String(Math.floor(r() * 100)));
      }
      ops.push(args);
    } else if (roll < 0.8) {
      ops.push(r() < 0.5 ? ['-Z'] : ['-Z', ...svc]);
    } else if (roll < 0.82) {
      ops.push(['-C']);
    } else if (roll < 0.9) {
      ops.push(['-L', '-n', ...svc]);
    } else {
      // Command-line errors: both must refuse with the same words and status.
      ops.push(
        pick([
          ['-A', '-t', '10.9.9.9:0', '-s', 'rr'],
          ['-a', '-t', '10.1.0.1:80'],
          ['-A', '-t', 'nonsense!', '-s', 'rr'],
          ['-a', ...svc, '-r', '10.2.0.1', '-w', '2147483648'],
          ['-A', '-t', '10.9.9.9:80', '-p', 'abc'],
          ['-A', '-f', '0'],
          ['-A', '-t', '10.9.9.9:80', '-s', 'nosuchsched'],
          ['-L', '-c', '--stats'],
          ['-A', '-t', '10.9.9.9:80', '-o'],
          ['-D', '-t', '10.9.9.9:80', '-s', 'rr'],
        ]),
      );
    }
  }
  return ops;
}

/**
 * A bash script: `$T` is the tool under test for the changes; every step
 * prints `@@@STEP id`, the command's stdout, stderr and status, and then
 * whatever `after` prints (listings by either tool).
 */
export function buildScript(tool: string, steps: readonly Step[], after: (id: string) => string): string {
  const lines = [
    'cd /tmp',
    `T=${quote(tool)}`,
    'run() { "$@" >/tmp/o 2>/tmp/e; rc=$?; echo "@@OUT"; cat /tmp/o; echo "@@ERR"; cat /tmp/e; echo "@@RC $rc"; }',
  ];
  for (const step of steps) {
    lines.push(`echo "@@@STEP ${step.id}"`);
    const cmd = `$T ${step.args.map(quote).join(' ')}`;
    if (step.stdin !== undefined) lines.push(`printf '%s' ${quote(step.stdin)} > /tmp/stdin`, `run ${cmd} < /tmp/stdin`);
    else lines.push(`run ${cmd}`);
    lines.push(after(step.id));
  }
  lines.push('echo "@@@END"');
  return lines.join('\n') + '\n';
}

/** `@@@STEP id` sections, each cut into its `@@NAME` parts. */
export function parseTranscript(text: string): Map<string, Map<string, string>> {
  const steps = new Map<string, Map<string, string>>();
  let parts: Map<string, string> | undefined;
  let part = '';
  for (const line of text.split('\n')) {
    const step = /^@@@STEP (.*)$/.exec(line);
    if (step) {
      parts = new Map();
      steps.set(step[1]!, parts);
      part = '';
      continue;
    }
    if (line === '@@@END') {
      parts = undefined;
      continue;
    }
    const head = /^@@(\S+)(?: (.*))?$/.exec(line);
    if (head && parts) {
      part = head[1]!;
      parts.set(part, head[2] ?? '');
      continue;
    }
    if (parts && part) parts.set(part, (parts.get(part) ?? '') + line + '\n');
  }
  return steps;
}
