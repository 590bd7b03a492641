// Bundles each tool into one ES module with a node shebang: libraries are
// inlined from their TypeScript sources, native packages stay external and are
// loaded only by the code paths that need them, so `--help` starts fast.
import { build } from 'esbuild';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const NATIVE = ['pcap', 'raw-socket', 'netlink'];
const root = new URL('..', import.meta.url).pathname;
const tools = readdirSync(join(root, 'tools')).filter((name) => existsSync(join(root, 'tools', name, 'src', 'main.ts')));

await Promise.all(
  tools.map(async (name) => {
    const outfile = join(root, 'tools', name, 'dist', `${name}.js`);
    await build({
      entryPoints: [join(root, 'tools', name, 'src', 'main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      external: NATIVE,
      banner: { js: '#!/usr/bin/env node' },
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    chmodSync(outfile, 0o755);
  }),
);
console.log(`built ${tools.length} tools: ${tools.join(', ')}`);
