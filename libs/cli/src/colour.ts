// Colour only on a TTY, never with NO_COLOR (https://no-color.org) or
// --no-color: chalk 5 does not look at NO_COLOR, so the level is decided here.

import { Chalk, supportsColor, type ChalkInstance } from 'chalk';

export type Colour = ChalkInstance;

export function colourFor(stream: NodeJS.WriteStream, noColorFlag: boolean): Colour {
  const env = process.env['NO_COLOR'];
  const wanted = stream.isTTY === true && !noColorFlag && (env === undefined || env === '');
  const level = wanted ? (supportsColor === false ? 1 : supportsColor.level) : 0;
  return new Chalk({ level });
}
