// keepalived's parameter substitution (lib/parser.c check_definition(),
// replace_param()): `$NAME=value` defines, a trailing `\` continues a
// definition over several lines, and `$NAME` or `${NAME}` anywhere in a later
// line is replaced. Names are [A-Za-z_][A-Za-z0-9_]*; an undefined name is
// left as written. Definitions are global across included files, as in
// keepalived.

import { ConfigError } from './diagnostics.js';
import { locationAt, type MappedText } from './lexer.js';

interface Definition {
  readonly value: string;
  /** Lines after the first of a multi-line definition. */
  readonly moreLines: readonly string[];
}

export interface Substituted {
  readonly mapped: MappedText;
  readonly changed: boolean;
  /** Further lines produced by a multi-line definition used at the end of the line. */
  readonly extraLines: readonly string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
/** keepalived accepts a plain `$NAME` only when one of these follows it. */
const NAME_END = new Set([' ', '\t', ',', ')']);
const MAX_PASSES = 32;

export class ParameterTable {
  readonly #definitions = new Map<string, Definition>();
  #pending: { name: string; lines: string[] } | undefined;

  /** keepalived's standard definitions that make sense without a running daemon. */
  constructor(instanceName = '') {
    this.#definitions.set('_HASH', { value: '#', moreLines: [] });
    this.#definitions.set('_BANG', { value: '!', moreLines: [] });
    this.#definitions.set('_INSTANCE', { value: instanceName, moreLines: [] });
  }

  get size(): number {
    return this.#definitions.size;
  }

  has(name: string): boolean {
    return this.#definitions.has(name);
  }

  /** True while the lines of a multi-line definition are being collected. */
  get collecting(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Tries the line as a definition. Returns false when it is not one, so the
   * caller treats it as an ordinary line.
   */
  tryDefine(text: string, continued: boolean): boolean {
    if (text[0] !== '$' || !NAME_START.test(text[1] ?? '')) return false;
    let i = 2;
    while (i < text.length && NAME_CHAR.test(text[i]!)) i++;
    if (text[i] !== '=') return false;
    const name = text.slice(1, i);
    const value = text.slice(i + 1).replace(/^[ \t]+/, '');
    if (continued) {
      this.#pending = { name, lines: value.replace(/[ \t]+$/, '') === '' ? [] : [value.replace(/[ \t]+$/, '')] };
    } else {
      this.#definitions.set(name, { value, moreLines: [] });
    }
    return true;
  }

  /** Adds one line to the multi-line definition being collected. */
  continueDefinition(text: string, continued: boolean): void {
    const pending = this.#pending;
    if (!pending) return;
    const line = continued ? text.replace(/[ \t]+$/, '') : text;
    if (line !== '') pending.lines.push(line);
    if (!continued) this.finishDefinition();
  }

  /** A blank line or the end of a file ends a multi-line definition. */
  finishDefinition(): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    const [first = '', ...rest] = pending.lines;
    this.#definitions.set(pending.name, { value: first, moreLines: rest });
  }

  /** Replaces every `$NAME` / `${NAME}` that has a definition; replaced text takes the column of its `$`. */
  substitute(input: MappedText): Substituted {
    let mapped = input;
    let changed = false;
    let extraLines: readonly string[] = [];
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const result = this.#substituteOnce(mapped);
      if (!result.changed) return { mapped, changed, extraLines };
      changed = true;
      mapped = result.mapped;
      if (result.extraLines.length > 0) extraLines = result.extraLines;
      if (!mapped.text.includes('$')) return { mapped, changed, extraLines };
    }
    throw new ConfigError(locationAt(input, input.text.indexOf('$')), 'parameter substitution does not end (a definition refers to itself)');
  }

  #substituteOnce(input: MappedText): Substituted {
    const text = input.text;
    let out = '';
    const columns: number[] = [];
    let changed = false;
    let extraLines: readonly string[] = [];
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      const reference = ch === '$' ? this.#referenceAt(text, i) : undefined;
      if (!reference) {
        out += ch;
        columns.push(input.columns[i]!);
        i++;
        continue;
      }
      changed = true;
      const column = input.columns[i]!;
      for (const _ of reference.definition.value) columns.push(column);
      out += reference.definition.value;
      if (reference.definition.moreLines.length > 0) extraLines = reference.definition.moreLines;
      i = reference.end;
    }
    columns.push(input.columns[text.length] ?? input.columns[input.columns.length - 1] ?? 1);
    return { mapped: { file: input.file, line: input.line, text: out, columns }, changed, extraLines };
  }

  #referenceAt(text: string, dollar: number): { definition: Definition; end: number } | undefined {
    const braced = text[dollar + 1] === '{';
    const start = dollar + (braced ? 2 : 1);
    if (!NAME_START.test(text[start] ?? '')) return undefined;
    let end = start + 1;
    while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
    const name = text.slice(start, end);
    if (braced) {
      if (text[end] !== '}') return undefined;
      end++;
    } else if (end < text.length && !NAME_END.has(text[end]!)) {
      return undefined;
    }
    const definition = this.#definitions.get(name);
    if (!definition) return undefined;
    // As in keepalived, a multi-line value expands only when its reference ends the line.
    if (definition.moreLines.length > 0 && end !== text.length) return undefined;
    return { definition, end };
  }
}
