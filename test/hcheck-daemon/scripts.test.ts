// MISC_CHECK and the notify scripts: notify_up / notify_down and quorum_up
// / quorum_down run with exactly the arguments configured (keepalived adds
// none); misc_dynamic's exit status sets the weight; with omega, stopping
// runs notify_down and quorum_down too.

import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { uniquePrefix, waitFor, withLab } from '@keepalived-ts/test-utils';
import { lbLab, service, skip, startHcheck } from './hcheckLab.js';

describe('hcheck -f: MISC_CHECK and notify scripts', { skip }, () => {
  it('runs the scripts with their configured arguments and follows the exit status', async () => {
    await withLab(uniquePrefix('hcscr'), async (lab) => {
      const env = await lbLab(lab, 84, 1);
      const status = join(env.dir, 'status');
      const calls = join(env.dir, 'calls');
      const check = join(env.dir, 'check.sh');
      const notify = join(env.dir, 'notify.sh');
      await writeFile(status, '0\n');
      await writeFile(check, `#!/bin/sh\nexit $(cat ${status})\n`);
      // One line per call: the arguments, each in brackets, so word splitting shows.
      await writeFile(notify, `#!/bin/sh\nfor a in "$@"; do printf '[%s]' "$a"; done >> ${calls}\necho >> ${calls}\n`);
      await chmod(check, 0o755);
      await chmod(notify, 0o755);
      const rs = `${env.net}.2`;
      const vs = `[${env.net}.100]:tcp:80`;
      const config = `global_defs {
    script_user root
    enable_script_security
}
${service(
  `${env.net}.100 80`,
  `    real_server ${rs} 80 {
        notify_up "${notify} up ${rs}"
        notify_down "${notify} 'down now' ${rs}"
        MISC_CHECK {
            misc_path ${check}
            misc_timeout 2
            misc_dynamic
        }
    }
`,
  `    omega\n    quorum_up "${notify} quorum-up"\n    quorum_down "${notify} quorum-down"\n`,
)}`;
      const hcheck = await startHcheck(env, config);
      await hcheck.log(`Misc check for [[${rs}]:tcp:80 VS ${vs}] by [${check}] succeeded.`);
      // keepalived runs quorum_up at start, when the first real server makes the quorum.
      await waitFor(async () => (await readFile(calls, 'utf8').catch(() => '')).includes('[quorum-up]'), { timeoutMs: 5_000, what: 'quorum_up at start' });

      await writeFile(status, '7\n');
      await hcheck.log(`Changing weight from 1 to 5 for active service [${rs}]:tcp:80 of VS ${vs}`);
      await hcheck.command(`ipvsadm -e -t ${env.net}.100:80 -r ${rs}:80 -g -w 5`);

      await writeFile(status, '1\n');
      await hcheck.log(`Misc check for [[${rs}]:tcp:80 VS ${vs}] by [${check}] failed (exited with status 1).`);
      await hcheck.log(`Removing service [${rs}]:tcp:80 from VS ${vs}`);
      await hcheck.log(`Lost quorum 1-0=1 > 0 for VS ${vs}`);
      await waitFor(async () => (await readFile(calls, 'utf8')).includes('[quorum-down]'), { timeoutMs: 5_000, what: 'quorum_down' });

      await writeFile(status, '0\n');
      await hcheck.log(`Adding service [${rs}]:tcp:80 to VS ${vs}`);
      // Exit 0 with misc_dynamic is the configured weight again.
      await hcheck.log(`Changing weight from 5 to 1 for inactive service [${rs}]:tcp:80 of VS ${vs}`);
      const lines = async (): Promise<string[]> => (await readFile(calls, 'utf8')).split('\n').filter(Boolean);
      await waitFor(async () => (await lines()).length === 5, { timeoutMs: 5_000, what: 'five script calls' });
      // Scripts run side by side, as keepalived forks them: compare the calls, not their order.
      assert.deepEqual((await lines()).sort(), ['[quorum-up]', '[quorum-up]', '[quorum-down]', `[down now][${rs}]`, `[up][${rs}]`].sort());
      // omega: the way out runs the down scripts, before the process ends.
      assert.deepEqual(await hcheck.process.stop('SIGTERM'), { code: 0, signal: null });
      assert.deepEqual((await lines()).slice(5).sort(), ['[quorum-down]', `[down now][${rs}]`].sort());
    });
  });
});
