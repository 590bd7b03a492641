// Golden VRRP captures from the reference implementation: Debian's keepalived
// 2.2.7 runs in namespaces made here and tcpdump records its adverts, one pcap
// per case. Needs root.
//
//   node --import tsx --conditions=source test/golden/capture.ts OUTDIR
//
// captures into OUTDIR (OUTDIR/<case>.pcap and OUTDIR/cases.json) and prints
// the case list.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  readPcapText,
  startKeepalived,
  startTcpdump,
  uniquePrefix,
  waitFor,
  withLab,
  type Lab,
} from '@keepalived-ts/test-utils';
import { parseTcpdumpVrrp, type TcpdumpVrrpRecord } from './tcpdumpText.js';

export type GoldenCaseName =
  | 'v2-pass'
  | 'v2-noauth'
  | 'v2-multi-vip'
  | 'v3-ipv4'
  | 'v3-ipv6'
  | 'v2-unicast'
  | 'prio0-stop';

/** What keepalived was configured to send: the truth a decoder's output is checked against. */
export interface GoldenExpectation {
  readonly version: 2 | 3;
  readonly family: 'ipv4' | 'ipv6';
  readonly vrid: number;
  /** The configured priority (every advert but a final priority-0 one carries it). */
  readonly priority: number;
  /** VRRPv3 has no authentication: always 'none' there. */
  readonly authType: 'none' | 'pass';
  /** The PASS password as configured (keepalived sends it NUL-padded to 8 bytes). */
  readonly authPass: string | undefined;
  /** `advert_int` as written in the config, in seconds. */
  readonly advertIntSeconds: number;
  /** The same in centiseconds, the unit of VRRPv3's Max Adver Int field. */
  readonly advertIntervalCs: number;
  /** The virtual addresses, in config order (which is the order in the advert). */
  readonly vips: readonly string[];
  /** The address keepalived sends from (for IPv6, the interface's link-local address). */
  readonly source: string;
  /** Where adverts go: the VRRP multicast group, or the unicast peer. */
  readonly destination: string;
  readonly unicastPeer: string | undefined;
  /** The capture ends with the priority-0 advert of a master stopped by SIGTERM. */
  readonly endsWithPriorityZero: boolean;
}

export interface GoldenCase {
  readonly name: GoldenCaseName;
  readonly description: string;
  /** Absolute path of the pcap file (Ethernet link type, VRRP packets only). */
  readonly pcapFile: string;
  readonly expected: GoldenExpectation;
  /** The keepalived.conf that produced the capture. */
  readonly config: string;
  /** VRRP packets in the pcap file, as tcpdump counts them. */
  readonly advertsCaptured: number;
  /** keepalived's log, without dates: what it said about this config. */
  readonly keepalivedLog: readonly string[];
}

/** Adverts each capture holds at least (the priority-0 one not counted). */
export const MIN_ADVERTS = 3;

interface CaseSpec {
  readonly name: GoldenCaseName;
  readonly description: string;
  /** The namespace keepalived runs in; the peer namespace is `<ns>p`. */
  readonly ns: string;
  /** Addresses on the keepalived node's eth0 and on its peer's, with prefix length. */
  readonly nodeAddresses: readonly string[];
  readonly peerAddresses: readonly string[];
  readonly expected: GoldenExpectation;
  readonly config: (expected: GoldenExpectation) => string;
}

const VRRP_V4_GROUP = '224.0.0.18';
const VRRP_V6_GROUP = 'ff02::12';

// Everything lives in 10.77.0.0/16 and fd77::/16, inside the lab's namespaces
// only. `advert_int 1` keeps VRRPv2 legal (whole seconds); the VRRPv3 cases
// use sub-second intervals, which only v3 can express, and which keep them quick.
// keepalived starts every instance in BACKUP, even with `state MASTER`, and
// becomes master after the master-down interval (3 x advert_int + skew), so a
// v2 capture takes about 3.6 s + 3 s.
const CASES: readonly CaseSpec[] = [
  {
    name: 'v2-pass',
    description: 'VRRPv2 over IPv4 multicast, simple password authentication (auth_type PASS), one VIP',
    ns: 'v2pass',
    nodeAddresses: ['10.77.1.1/24'],
    peerAddresses: ['10.77.1.2/24'],
    expected: v4Expectation({ vrid: 51, priority: 150, authType: 'pass', authPass: 's3cret', advertIntSeconds: 1, source: '10.77.1.1', vips: ['10.77.1.100'] }),
    config: (e) => `
vrrp_instance golden_v2_pass {
    state MASTER
    interface eth0
    virtual_router_id ${e.vrid}
    priority ${e.priority}
    advert_int ${e.advertIntSeconds}
    authentication {
        auth_type PASS
        auth_pass ${e.authPass}
    }
    virtual_ipaddress {
        ${e.vips.map((vip) => `${vip}/32`).join('\n        ')}
    }
}
`,
  },
  {
    name: 'v2-noauth',
    description: 'VRRPv2 over IPv4 multicast, no authentication block, one VIP',
    ns: 'v2noauth',
    nodeAddresses: ['10.77.2.1/24'],
    peerAddresses: ['10.77.2.2/24'],
    expected: v4Expectation({ vrid: 52, priority: 100, advertIntSeconds: 1, source: '10.77.2.1', vips: ['10.77.2.100'] }),
    config: (e) => `
vrrp_instance golden_v2_noauth {
    state MASTER
    interface eth0
    virtual_router_id ${e.vrid}
    priority ${e.priority}
    advert_int ${e.advertIntSeconds}
    virtual_ipaddress {
        ${e.vips.map((vip) => `${vip}/32`).join('\n        ')}
    }
}
`,
  },
  {
    name: 'v2-multi-vip',
    description: 'VRRPv2 over IPv4 multicast, PASS authentication, four VIPs in one advert',
    ns: 'v2multi',
    nodeAddresses: ['10.77.3.1/24'],
    peerAddresses: ['10.77.3.2/24'],
    expected: v4Expectation({
      vrid: 53,
      priority: 200,
      authType: 'pass',
      authPass: 'multi',
      advertIntSeconds: 1,
      source: '10.77.3.1',
      vips: ['10.77.3.100', '10.77.3.101', '10.77.3.102', '10.77.33.7'],
    }),
    config: (e) => `
vrrp_instance golden_v2_multi_vip {
    state MASTER
    interface eth0
    virtual_router_id ${e.vrid}
    priority ${e.priority}
    advert_int ${e.advertIntSeconds}
    authentication {
        auth_type PASS
        auth_pass ${e.authPass}
    }
    virtual_ipaddress {
        ${e.vips.map((vip) => `${vip}/32`).join('\n        ')}
    }
}
`,
  },
  {
    name: 'v3-ipv4',
    description: 'VRRPv3 over IPv4 multicast (version 3 in the instance), advert_int 0.5 s = 50 cs, two VIPs',
    ns: 'v3ipv4',
    nodeAddresses: ['10.77.4.1/24'],
    peerAddresses: ['10.77.4.2/24'],
    expected: v4Expectation({ version: 3, vrid: 54, priority: 120, advertIntSeconds: 0.5, source: '10.77.4.1', vips: ['10.77.4.100', '10.77.4.101'] }),
    config: (e) => `
vrrp_instance golden_v3_ipv4 {
    version ${e.version}
    state MASTER
    interface eth0
    virtual_router_id ${e.vrid}
    priority ${e.priority}
    advert_int ${e.advertIntSeconds}
    virtual_ipaddress {
        ${e.vips.map((vip) => `${vip}/32`).join('\n        ')}
    }
}
`,
  },
  {
    name: 'v3-ipv6',
    description: 'VRRPv3 over IPv6 multicast ff02::12 from the link-local address, advert_int 0.1 s = 10 cs, two IPv6 VIPs',
    ns: 'v3ipv6',
    // keepalived sends VRRPv3 over IPv6 from the interface's link-local
    // address; a fixed one (and no automatic one) makes the source predictable.
    nodeAddresses: ['fe80::77:1/64', 'fd77::5:1/64'],
    peerAddresses: ['fe80::77:2/64', 'fd77::5:2/64'],
    expected: {
      version: 3,
      family: 'ipv6',
      vrid: 55,
      priority: 110,
      authType: 'none',
      authPass: undefined,
      advertIntSeconds: 0.1,
      advertIntervalCs: 10,
      vips: ['fd77::5:100', 'fd77::5:101'],
      source: 'fe80::77:1',
      destination: VRRP_V6_GROUP,
      unicastPeer: undefined,
      endsWithPriorityZero: false,
    },
    config: (e) => `
vrrp_instance golden_v3_ipv6 {
    version ${e.version}
    state MASTER
    interface eth0
    virtual_router_id ${e.vrid}
    priority ${e.priority}
    advert_int ${e.advertIntSeconds}
    virtual_ipaddress {
        ${e.vips.map((vip) => `${vip}/128`).join('\n        ')}
    }
}
`,
  },
  {
    name: 'v2-unicast',
    description: 'VRRPv2 sent by unicast (unicast_src_ip, unicast_peer) to a peer namespace, PASS authentication, one VIP',
    ns: 'v2ucast',
    nodeAddresses: ['10.77.6.1/24'],
    peerAddresses: ['10.77.6.2/24'],
    expected: {
      ...v4Expectation({ vrid: 56, priority: 90, authType: 'pass', authPass: 'ucast', advertIntSeconds: 1, source: '10.77.6.1', vips: ['10.77.6.100'] }),
      destination: '10.77.6.2',
      unicastPeer: '10.77.6.2',
    },
    config: (e) => `
vrrp_instance golden_v2_unicast {
    state MASTER
    interface eth0
    virtual_router_id ${e.vrid}
    priority ${e.priority}
    advert_int ${e.advertIntSeconds}
    unicast_src_ip ${e.source}
    unicast_peer {
        ${e.unicastPeer}
    }
    authentication {
        auth_type PASS
        auth_pass ${e.authPass}
    }
    virtual_ipaddress {
        ${e.vips.map((vip) => `${vip}/32`).join('\n        ')}
    }
}
`,
  },
  {
    name: 'prio0-stop',
    description: 'VRRPv2 master stopped with SIGTERM: its adverts, then the priority-0 advert it sends on the way out',
    ns: 'prio0',
    nodeAddresses: ['10.77.7.1/24'],
    peerAddresses: ['10.77.7.2/24'],
    expected: { ...v4Expectation({ vrid: 57, priority: 130, advertIntSeconds: 1, source: '10.77.7.1', vips: ['10.77.7.100'] }), endsWithPriorityZero: true },
    config: (e) => `
vrrp_instance golden_prio0_stop {
    state MASTER
    interface eth0
    virtual_router_id ${e.vrid}
    priority ${e.priority}
    advert_int ${e.advertIntSeconds}
    virtual_ipaddress {
        ${e.vips.map((vip) => `${vip}/32`).join('\n        ')}
    }
}
`,
  },
];

/** Every golden case as defined (no capture needed): what a capture of it must show. */
export interface GoldenCaseDefinition {
  readonly name: GoldenCaseName;
  readonly description: string;
  readonly expected: GoldenExpectation;
  readonly config: string;
}

export const GOLDEN_CASES: readonly GoldenCaseDefinition[] = CASES.map((spec) => ({
  name: spec.name,
  description: spec.description,
  expected: spec.expected,
  config: renderConfig(spec),
}));

function renderConfig(spec: CaseSpec): string {
  return spec.config(spec.expected).trimStart();
}

function v4Expectation(fields: {
  readonly version?: 2 | 3;
  readonly vrid: number;
  readonly priority: number;
  readonly authType?: 'none' | 'pass';
  readonly authPass?: string;
  readonly advertIntSeconds: number;
  readonly source: string;
  readonly vips: readonly string[];
}): GoldenExpectation {
  return {
    version: fields.version ?? 2,
    family: 'ipv4',
    vrid: fields.vrid,
    priority: fields.priority,
    authType: fields.authType ?? 'none',
    authPass: fields.authPass,
    advertIntSeconds: fields.advertIntSeconds,
    advertIntervalCs: Math.round(fields.advertIntSeconds * 100),
    vips: fields.vips,
    source: fields.source,
    destination: VRRP_V4_GROUP,
    unicastPeer: undefined,
    endsWithPriorityZero: false,
  };
}

/** The VRRP packets in `pcapFile` so far, as tcpdump reads them. */
async function readAdverts(pcapFile: string): Promise<TcpdumpVrrpRecord[]> {
  const result = await readPcapText(pcapFile, ['-nn', '-v']);
  return parseTcpdumpVrrp(result.stdout);
}

const ADVERT_TIMEOUT_MS = 20_000;

async function captureCase(lab: Lab, spec: CaseSpec, outDir: string): Promise<GoldenCase> {
  const node = await lab.addNamespace(spec.ns);
  const peer = await lab.addNamespace(`${spec.ns}p`);
  await lab.connect(node, peer, { up: false });
  for (const [ns, addresses] of [[node, spec.nodeAddresses], [peer, spec.peerAddresses]] as const) {
    if (spec.expected.family === 'ipv6') {
      // No kernel-made link-local address: ours (added below) is the only one.
      await lab.exec(ns, ['ip', 'link', 'set', 'eth0', 'addrgenmode', 'none'], { check: true });
    }
    await lab.linkUp(ns, 'eth0');
    for (const cidr of addresses) await lab.addAddress(ns, 'eth0', cidr);
  }

  const pcapFile = resolve(outDir, `${spec.name}.pcap`);
  const config = renderConfig(spec);
  const tcpdump = await startTcpdump(lab, node, 'eth0', pcapFile);
  const keepalived = await startKeepalived(lab, node, config, { name: spec.ns });

  const logTail = (): string => keepalived.logLines().slice(-10).join('\n  ');
  const advertsSeen = async (predicate: (adverts: TcpdumpVrrpRecord[]) => boolean, what: string): Promise<void> => {
    try {
      await waitFor(async () => predicate(await readAdverts(pcapFile)), { timeoutMs: ADVERT_TIMEOUT_MS, intervalMs: 200, what });
    } catch (error) {
      throw new Error(`${spec.name}: ${(error as Error).message}; keepalived said:\n  ${logTail()}`, { cause: error });
    }
  };

  await advertsSeen((adverts) => adverts.length >= MIN_ADVERTS, `${MIN_ADVERTS} adverts from keepalived (${spec.name})`);
  if (spec.expected.endsWithPriorityZero) {
    // The order matters here: keepalived first, so its last words are captured.
    await keepalived.stop('SIGTERM');
    await advertsSeen((adverts) => adverts.at(-1)?.vrrp.prio === 0, `the priority-0 advert (${spec.name})`);
    await tcpdump.stop();
  } else {
    // And here tcpdump first, so that a capture holds only steady-state adverts.
    await tcpdump.stop();
    await keepalived.stop('SIGTERM');
  }

  return {
    name: spec.name,
    description: spec.description,
    pcapFile,
    expected: spec.expected,
    config,
    advertsCaptured: (await readAdverts(pcapFile)).length,
    keepalivedLog: keepalived.logLines(),
  };
}

export interface CaptureOptions {
  /** Name prefix for the lab (default `uniquePrefix('gold')`), e.g. to check afterwards that nothing is left. */
  readonly prefix?: string;
}

/**
 * Runs real keepalived for every golden case, all at once in one lab (each in
 * its own pair of namespaces), and captures its adverts into `outDir/<case>.pcap`.
 * Takes about 8 s. Writes `outDir/cases.json` too.
 */
export async function captureKeepalivedGolden(outDir: string, options: CaptureOptions = {}): Promise<GoldenCase[]> {
  await mkdir(outDir, { recursive: true });
  const cases = await withLab(options.prefix ?? uniquePrefix('gold'), async (lab) => {
    const settled = await Promise.allSettled(CASES.map((spec) => captureCase(lab, spec, outDir)));
    const failures = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    if (failures.length > 0) throw new AggregateError(failures, `golden capture: ${failures.length} case(s) failed: ${failures.map(String).join('; ')}`);
    return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  });
  await writeFile(resolve(outDir, 'cases.json'), `${JSON.stringify(cases, null, 2)}\n`);
  return cases;
}

async function main(argv: readonly string[]): Promise<number> {
  const [outDir] = argv;
  if (outDir === undefined || argv.length !== 1) {
    process.stderr.write('usage: capture.ts OUTDIR\n');
    return 2;
  }
  const started = Date.now();
  const cases = await captureKeepalivedGolden(resolve(outDir));
  for (const golden of cases) {
    process.stdout.write(`${golden.name.padEnd(13)} ${String(golden.advertsCaptured).padStart(3)} adverts  ${golden.pcapFile}\n`);
    process.stdout.write(`${''.padEnd(13)} ${golden.description}\n`);
  }
  process.stdout.write(`${cases.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`capture.ts: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
