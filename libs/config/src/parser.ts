// Statements into a tree of blocks. A statement followed by `{` owns
// everything up to the matching `}`; any depth is allowed, and a block may
// open in one file and close in an included one, as keepalived permits.
// Which keywords take a block is left to the model: here every block is kept.

import { ConfigError, type SourceLocation } from './diagnostics.js';
import type { Statement } from './include.js';
import type { Word } from './lexer.js';

export interface ConfigNode {
  readonly keyword: string;
  /** The words after the keyword, quotes removed. */
  readonly args: readonly string[];
  /** All words of the statement (keyword first), each with its location. */
  readonly words: readonly Word[];
  /** The statement as written (after comments and substitution, quotes kept). */
  readonly raw: string;
  /** The block's statements; undefined when the statement has no block. */
  readonly children: readonly ConfigNode[] | undefined;
  readonly location: SourceLocation;
  /** Where the block's `{` is, when it has one. */
  readonly blockLocation: SourceLocation | undefined;
}

interface MutableNode {
  keyword: string;
  args: string[];
  words: readonly Word[];
  raw: string;
  children: MutableNode[] | undefined;
  location: SourceLocation;
  blockLocation: SourceLocation | undefined;
}

export function parseStatements(statements: readonly Statement[]): ConfigNode[] {
  const root: MutableNode[] = [];
  const open: MutableNode[] = [];
  let previous: Statement | undefined;
  let lastNode: MutableNode | undefined;
  for (const statement of statements) {
    const container = open.length > 0 ? open[open.length - 1]!.children! : root;
    if (statement.kind === 'words') {
      const [keyword, ...args] = statement.words;
      lastNode = {
        keyword: keyword!.text,
        args: args.map((w) => w.text),
        words: statement.words,
        raw: statement.raw,
        children: undefined,
        location: statement.location,
        blockLocation: undefined,
      };
      container.push(lastNode);
    } else if (statement.kind === 'open') {
      if (previous?.kind !== 'words' || !lastNode || lastNode.children) {
        throw new ConfigError(statement.location, "unexpected '{' (a block must follow a keyword)");
      }
      lastNode.children = [];
      lastNode.blockLocation = statement.location;
      open.push(lastNode);
    } else {
      if (open.length === 0) throw new ConfigError(statement.location, "unbalanced '}': no block is open");
      open.pop();
    }
    previous = statement;
  }
  const unclosed = open[open.length - 1];
  if (unclosed) {
    throw new ConfigError(unclosed.blockLocation ?? unclosed.location, `unbalanced '{': block '${unclosed.keyword}' is never closed`);
  }
  return root;
}
