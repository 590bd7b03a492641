// Runs inside the client namespace: asks http://VIP/ every INTERVAL_MS, each
// request on a new connection with a TIMEOUT_MS deadline, and prints one JSON
// line per request as it ends, with wall-clock times (Date.now(), comparable
// with the demo's own clock):
//   {"seq":12,"start":1700000000123,"end":1700000000125,"ok":true,"node":"node1"}
//   {"seq":13,"start":...,"end":...,"ok":false,"error":"ECONNREFUSED"}
// Usage: httpClient.ts NAMESPACE URL INTERVAL_MS TIMEOUT_MS LIFETIME_SECONDS

import { request } from 'node:http';
import { endWithParent, positiveNumber } from './childGuard.js';

const [, , namespace, url, intervalText, timeoutText, lifetimeText] = process.argv;
if (namespace === undefined || url === undefined) {
  process.stderr.write('usage: httpClient.ts NAMESPACE URL INTERVAL_MS TIMEOUT_MS LIFETIME_SECONDS\n');
  process.exit(2);
}
const intervalMs = positiveNumber(intervalText, 'INTERVAL_MS');
const timeoutMs = positiveNumber(timeoutText, 'TIMEOUT_MS');
const lifetimeSeconds = positiveNumber(lifetimeText, 'LIFETIME_SECONDS');

export interface RequestResult {
  readonly seq: number;
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  readonly node?: string;
  readonly error?: string;
}

let seq = 0;

function ask(): void {
  seq += 1;
  const mine = seq;
  const start = Date.now();
  let done = false;
  const finish = (outcome: { ok: true; node: string } | { ok: false; error: string }): void => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    const result: RequestResult = { seq: mine, start, end: Date.now(), ...outcome };
    process.stdout.write(JSON.stringify(result) + '\n');
  };
  // agent: false, so no connection is reused across a failover.
  const req = request(url!, { agent: false }, (response) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < 1000) body += chunk;
    });
    response.on('end', () => {
      const served = /served by (\S+)/.exec(body);
      if (response.statusCode === 200 && served) finish({ ok: true, node: served[1]! });
      else finish({ ok: false, error: `HTTP ${response.statusCode}` });
    });
    response.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: error.code ?? error.message }));
  });
  const deadline = setTimeout(() => {
    finish({ ok: false, error: 'timeout' });
    req.destroy();
  }, timeoutMs);
  req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: error.code ?? error.message }));
  req.end();
}

// A fixed rhythm, whatever the answers: at most TIMEOUT_MS / INTERVAL_MS requests are ever in flight.
const ticker = setInterval(ask, intervalMs);
ask();
endWithParent(lifetimeSeconds, () => clearInterval(ticker));
