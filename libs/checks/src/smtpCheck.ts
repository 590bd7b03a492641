// keepalived's SMTP_CHECK: connect, read the server's 220 greeting, send
// `HELO helo_name`, read its 250, send QUIT and read one more reply (its
// code is not judged, as in keepalived). connect_timeout bounds the whole
// conversation.

import net from 'node:net';
import type { CheckResult, CommonCheckOptions } from './checkResult.js';
import { ReplyReader, type LineReply } from './lineProtocol.js';
import { assertBindTo, assertPort, formatEndpoint, ipFamily, runExchange } from './socket.js';

/** keepalived's SMTP_DEFAULT_HELO. */
export const SMTP_DEFAULT_HELO = 'smtpchecker.keepalived.org';
export const SMTP_DEFAULT_PORT = 25;

export interface SmtpCheckOptions extends CommonCheckOptions {
  readonly host: string;
  /** Default 25. */
  readonly port?: number;
  /** helo_name; default smtpchecker.keepalived.org. */
  readonly heloName?: string;
}

interface Step {
  /** What the reply answers, for details. */
  readonly answers: 'greeting' | 'HELO' | 'QUIT';
  readonly waitingFor: string;
  /** The code that lets the conversation go on; undefined takes any reply. */
  readonly expect: number | undefined;
  /** What to send once the reply is good; undefined ends the check, up. */
  readonly send: string | undefined;
}

const conversation = (heloName: string): readonly Step[] => [
  { answers: 'greeting', waitingFor: 'the SMTP greeting', expect: 220, send: `HELO ${heloName}\r\n` },
  { answers: 'HELO', waitingFor: 'the reply to HELO', expect: 250, send: 'QUIT\r\n' },
  { answers: 'QUIT', waitingFor: 'the reply to QUIT', expect: undefined, send: undefined },
];

export function smtpCheck(options: SmtpCheckOptions): Promise<CheckResult> {
  const family = ipFamily(options.host, 'connect_ip');
  assertBindTo(options.bindTo, family);
  const port = options.port ?? SMTP_DEFAULT_PORT;
  assertPort(port);
  const heloName = options.heloName ?? SMTP_DEFAULT_HELO;
  if (!/^[\x21-\x7e]+$/.test(heloName)) throw new RangeError(`helo_name ${JSON.stringify(heloName)} must be one word of printable ASCII`);
  const steps = conversation(heloName);

  return runExchange(options, (exchange) => {
    exchange.phase = `the connection to ${formatEndpoint(options.host, port)}`;
    const socket = net.connect({ host: options.host, port, family, localAddress: options.bindTo });
    const reader = new ReplyReader();
    let step = 0;
    let greeting: LineReply | undefined;

    const onReply = (reply: LineReply): void => {
      const current = steps[step]!;
      if (current.expect !== undefined && reply.code !== current.expect) {
        exchange.down('protocol', `SMTP said ${`${reply.code} ${reply.text}`.trimEnd()}, expected ${current.expect} (${current.answers})`);
        return;
      }
      if (step === 0) greeting = reply;
      if (current.send === undefined) {
        exchange.up(`SMTP ${greeting?.code} ${greeting?.text ?? ''}`.trimEnd());
        return;
      }
      step += 1;
      exchange.phase = steps[step]!.waitingFor;
      socket.write(current.send);
    };

    socket.once('connect', () => {
      exchange.phase = steps[0]!.waitingFor;
    });
    socket.on('data', (chunk: Buffer) => {
      for (const event of reader.push(chunk)) {
        if (exchange.settled) return;
        if (!event.ok) exchange.down('protocol', `SMTP: ${event.reason} (waiting for ${steps[step]!.waitingFor})`);
        else onReply(event.reply);
      }
    });
    socket.once('end', () => exchange.down('protocol', `connection closed by the server while waiting for ${steps[step]!.waitingFor}`));
    socket.once('error', (error) => exchange.fail(error));
    return () => socket.destroy();
  });
}
