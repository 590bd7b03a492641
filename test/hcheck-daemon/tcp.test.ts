// TCP_CHECK against socat listeners: a real server that stops answering goes
// down after its retries and the IPVS change is printed (a delete, or weight
// 0 with inhibit_on_failure); it comes back; alpha keeps a new real server
// out until its first check passes; SIGTERM takes everything out and exits 0.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { lbLab, service, skip, startHcheck, tcpRealServer, tcpServer } from './hcheckLab.js';

describe('hcheck -f: TCP_CHECK', { skip }, () => {
  it('removes a real server that stops answering after its retries, and adds it back', async () => {
    await withLab(uniquePrefix('hctcp'), async (lab) => {
      const env = await lbLab(lab, 81, 2);
      const vip = `${env.net}.100 80`;
      const a = `${env.net}.2`;
      const b = `${env.net}.3`;
      let serverA = await tcpServer(env, a, 80);
      await tcpServer(env, b, 80);
      const hcheck = await startHcheck(env, service(vip, tcpRealServer(a, 80, '        weight 2\n') + tcpRealServer(b, 80)));
      await hcheck.command(`ipvsadm -a -t ${env.net}.100:80 -r ${b}:80 -g -w 1`);
      assert.deepEqual(hcheck.ipvsadm(), [`ipvsadm -A -t ${env.net}.100:80 -s rr`, `ipvsadm -a -t ${env.net}.100:80 -r ${a}:80 -g -w 2`, `ipvsadm -a -t ${env.net}.100:80 -r ${b}:80 -g -w 1`]);
      await hcheck.log(`TCP connection to [${a}]:tcp:80 success.`);

      await serverA.stop('SIGKILL');
      await hcheck.log(`TCP_CHECK on service [${a}]:tcp:80 failed after 1 retries.`);
      await hcheck.log(`Removing service [${a}]:tcp:80 from VS [${env.net}.100]:tcp:80`);
      await hcheck.command(`ipvsadm -d -t ${env.net}.100:80 -r ${a}:80`);

      serverA = await tcpServer(env, a, 80);
      await hcheck.log(`Adding service [${a}]:tcp:80 to VS [${env.net}.100]:tcp:80`);
      await hcheck.command(new RegExp(`ipvsadm -a -t ${env.net.replace(/\./g, '\\.')}\\.100:80 -r ${a.replace(/\./g, '\\.')}:80 -g -w 2$`));
      const changes = (await hcheck.events()).filter((e) => e['event'] === 'realServer' && e['realServer'] === `[${a}]:tcp:80`);
      assert.deepEqual(changes.map((e) => [e['from'], e['to'], e['weight']]), [['init', 'up', 2], ['up', 'down', 2], ['down', 'up', 2]]);
      assert.equal(changes[1]!['reason'], 'connection refused');
      assert.equal(changes[1]!['virtualServer'], `[${env.net}.100]:tcp:80`);
      assert.match(String(changes[1]!['time']), /^\d{4}-\d\d-\d\dT/);

      const exit = await hcheck.process.stop('SIGTERM');
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.deepEqual(hcheck.ipvsadm().slice(-3), [`ipvsadm -d -t ${env.net}.100:80 -r ${a}:80`, `ipvsadm -d -t ${env.net}.100:80 -r ${b}:80`, `ipvsadm -D -t ${env.net}.100:80`]);
      await hcheck.log(`Shutting down service [${b}]:tcp:80 from VS [${env.net}.100]:tcp:80`);
    });
  });

  it('inhibit_on_failure sets weight 0 instead; alpha keeps a server out until it passes', async () => {
    await withLab(uniquePrefix('hcinh'), async (lab) => {
      const env = await lbLab(lab, 82, 2);
      const a = `${env.net}.2`;
      const b = `${env.net}.3`;
      const serverA = await tcpServer(env, a, 80);
      const hcheck = await startHcheck(env, service(`${env.net}.100 80`, tcpRealServer(a, 80, '        weight 3\n        inhibit_on_failure\n') + tcpRealServer(b, 80, '        alpha\n')));
      // b (alpha) is not added at start; a is.
      await hcheck.log(`Activating healthchecker for service [${b}]:tcp:80 for VS [${env.net}.100]:tcp:80`);
      await hcheck.command(`ipvsadm -a -t ${env.net}.100:80 -r ${a}:80 -g -w 3`);
      assert.deepEqual(hcheck.ipvsadm(), [`ipvsadm -A -t ${env.net}.100:80 -s rr`, `ipvsadm -a -t ${env.net}.100:80 -r ${a}:80 -g -w 3`]);
      await serverA.stop('SIGKILL');
      await hcheck.log(`Disabling service [${a}]:tcp:80 of VS [${env.net}.100]:tcp:80`);
      await hcheck.command(`ipvsadm -e -t ${env.net}.100:80 -r ${a}:80 -g -w 0`);
      assert.ok(!hcheck.ipvsadm().some((line) => line.startsWith('ipvsadm -d')), hcheck.ipvsadm().join('\n'));

      await tcpServer(env, b, 80);
      await hcheck.log(`TCP connection to [${b}]:tcp:80 success.`);
      await hcheck.log(`Adding service [${b}]:tcp:80 to VS [${env.net}.100]:tcp:80`);
      await hcheck.command(`ipvsadm -a -t ${env.net}.100:80 -r ${b}:80 -g -w 1`);
      await tcpServer(env, a, 80);
      await hcheck.log(`Enabling service [${a}]:tcp:80 of VS [${env.net}.100]:tcp:80`);
      await hcheck.command(`ipvsadm -e -t ${env.net}.100:80 -r ${a}:80 -g -w 3`);
      assert.deepEqual(await hcheck.process.stop('SIGTERM'), { code: 0, signal: null });
    });
  });
});
