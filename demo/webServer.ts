// Runs inside one router's namespace: answers every HTTP request on
// 0.0.0.0:80 with "served by NODE", so the client can tell which router holds
// the VIP. Usage: webServer.ts NAMESPACE NODE LIFETIME_SECONDS (the namespace
// is only in argv so that `ps` shows which lab a process belongs to).

import { createServer } from 'node:http';
import { endWithParent, positiveNumber } from './childGuard.js';

const [, , namespace, node, lifetimeText] = process.argv;
if (namespace === undefined || node === undefined) {
  process.stderr.write('usage: webServer.ts NAMESPACE NODE LIFETIME_SECONDS\n');
  process.exit(2);
}
const lifetimeSeconds = positiveNumber(lifetimeText, 'LIFETIME_SECONDS');

const server = createServer((request, response) => {
  request.resume();
  // One request per connection: each of the client's requests finds the VIP anew.
  response.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  response.end(`served by ${node}\n`);
});
server.on('error', (error) => {
  process.stderr.write(`web server ${node}: ${error.message}\n`);
  process.exit(1);
});
server.listen(80, '0.0.0.0', () => process.stdout.write(`listening on 0.0.0.0:80 in ${namespace}\n`));
endWithParent(lifetimeSeconds, () => server.close());
