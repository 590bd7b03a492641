// Runs one httpCheck with the options given as JSON and prints its result as
// JSON: how a test runs the check inside a network namespace it made.
//
//   node --import tsx --conditions=source runHttpCheck.ts '{"host":...}'

import { httpCheck, type HttpCheckOptions } from '@keepalived-ts/checks';

const options = JSON.parse(process.argv[2] ?? '{}') as HttpCheckOptions;
process.stdout.write(`${JSON.stringify(await httpCheck(options))}\n`);
