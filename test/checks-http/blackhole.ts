// An address whose packets vanish: namespace `cli` routes 10.X.1.0/24 through
// namespace `gw`, which forwards it into a blackhole route. A SYN sent there
// is dropped without an answer, so a connect can only time out.

import type { Lab } from '@keepalived-ts/test-utils';

export interface Blackhole {
  /** The namespace to run clients in. */
  readonly client: string;
  /** An address nothing answers for. */
  readonly address: string;
}

export async function blackholeLab(lab: Lab, octet: number): Promise<Blackhole> {
  const client = await lab.addNamespace('cli');
  const gateway = await lab.addNamespace('gw');
  await lab.connect(client, gateway);
  await lab.addAddress(client, 'eth0', `10.${octet}.0.1/24`);
  await lab.addAddress(gateway, 'eth0', `10.${octet}.0.2/24`);
  await lab.exec(client, ['ip', 'route', 'add', `10.${octet}.1.0/24`, 'via', `10.${octet}.0.2`], { check: true });
  await lab.exec(gateway, ['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'], { check: true });
  await lab.exec(gateway, ['ip', 'route', 'add', 'blackhole', `10.${octet}.1.0/24`], { check: true });
  return { client, address: `10.${octet}.1.5` };
}
