// hcheck: check a real server as keepalived's checkers do and answer with an
// exit status: 0 up, 1 down, 2 usage or configuration error. One-shot mode
// (`hcheck CHECK TARGET`) is in oneShot.ts; the daemon mode (`hcheck -f
// keepalived.conf`, running the virtual_server checkers) starts in
// daemonMain.ts. A vrrp_script may run this every second: nothing native or
// large is loaded before it is needed.

import { ExitCode, runMain, usageError } from '@keepalived-ts/cli';
import { overviewText, runOneShot, shapeOf } from './oneShot.js';

await runMain('hcheck', async () => {
  const argv = process.argv.slice(2);
  const shape = shapeOf(argv);
  switch (shape.kind) {
    case 'daemon': {
      const { runDaemon } = await import('./daemonMain.js');
      return runDaemon(argv);
    }
    case 'check':
      return runOneShot(argv, shape.index);
    case 'none':
      if (argv.includes('--help') || argv.includes('-h')) {
        process.stdout.write(overviewText());
        return ExitCode.ok;
      }
      if (argv.length === 0) {
        process.stderr.write(overviewText());
        return ExitCode.usage;
      }
      throw usageError('give a check: tcp, http, https, smtp, dns, udp, ping or misc (see hcheck --help)');
  }
});
