// Script command lines as keepalived reads them (core/notify.c
// notify_script_init(), set_script_params_array()): the whole statement is
// re-split with quotes and escapes; the second word is the command, itself
// split into argv; for notify scripts the next two words are USER [GROUP].

import type { BuildContext } from './environment.js';
import { splitScriptWords } from './lexer.js';
import type { ScriptCommand, ScriptUser } from './model.js';
import type { ConfigNode } from './parser.js';

export function readScriptCommand(node: ConfigNode, context: BuildContext, options: { withUser: boolean }): ScriptCommand | undefined {
  const { diagnostics } = context;
  const words = splitScriptWords(node.raw);
  const text = words?.[1];
  const argv = text === undefined ? undefined : splitScriptWords(text);
  if (!words || text === undefined || !argv || argv.length === 0) {
    diagnostics.warn(node.location, `unable to parse ${node.keyword} script '${node.args.join(' ')}' - ignoring`);
    return undefined;
  }
  let user: ScriptUser | undefined;
  const userName = words[2];
  if (options.withUser && userName !== undefined) {
    const group = words[3];
    const { userExists, groupExists } = context.environment;
    if ((userExists && !userExists(userName)) || (group !== undefined && groupExists && !groupExists(group))) {
      diagnostics.note(node.location, `invalid user/group for ${node.keyword} script ${argv[0]} - ignoring the script`);
      return undefined;
    }
    user = { user: userName, group };
  }
  return { text, argv, user, location: node.location };
}
