// keepalived.conf lines into words, the way keepalived's read_line(),
// decomment() and alloc_strvec() do it (lib/parser.c): a line is the unit,
// `#` and `!` start a comment wherever they appear outside double quotes,
// `{` and `}` always stand alone (so `VI_1{` and `1111}` work), and a
// double-quoted string is one word without its quotes.

import { ConfigError, type SourceLocation } from './diagnostics.js';

/** A piece of text that remembers, per character, the column it came from. */
export interface MappedText {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** columns[i] is the 1-based source column of text[i]; one extra entry for the end. */
  readonly columns: readonly number[];
}

export interface Word {
  readonly text: string;
  /** True when the word was written in double quotes (it may then hold spaces, or be empty). */
  readonly quoted: boolean;
  readonly location: SourceLocation;
}

export type Token =
  | { readonly kind: 'word'; readonly word: Word; readonly start: number; readonly end: number }
  | { readonly kind: 'open' | 'close'; readonly location: SourceLocation; readonly start: number; readonly end: number };

const BLANK = new Set([' ', '\t', '\f', '\v', '\r', '\n']);
export const isBlank = (ch: string | undefined): boolean => ch !== undefined && BLANK.has(ch);

export function mapLine(file: string, line: number, text: string): MappedText {
  const columns = Array.from({ length: text.length + 1 }, (_, i) => i + 1);
  return { file, line, text, columns };
}

export function locationAt(mapped: MappedText, index: number): SourceLocation {
  const column = mapped.columns[Math.min(index, mapped.columns.length - 1)] ?? 1;
  return { file: mapped.file, line: mapped.line, column };
}

export function sliceMapped(mapped: MappedText, start: number, end = mapped.text.length): MappedText {
  return {
    file: mapped.file,
    line: mapped.line,
    text: mapped.text.slice(start, end),
    columns: [...mapped.columns.slice(start, end), mapped.columns[end] ?? mapped.columns[mapped.columns.length - 1] ?? 1],
  };
}

export interface Decommented {
  readonly mapped: MappedText;
  /** The line ended in a backslash: only multi-line `$NAME=` definitions use it. */
  readonly continued: boolean;
}

/**
 * Removes the comment, the escaping of `\#` and `\!`, and leading and
 * trailing blanks, like keepalived's decomment(). An unterminated `"` is an
 * error here (keepalived reports it and then misreads the line).
 */
export function decomment(input: MappedText): Decommented {
  const text = input.text;
  let out = '';
  const columns: number[] = [];
  let quote = false;
  let quoteStart = -1;
  let continued = false;
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      quote = !quote;
      if (quote) quoteStart = i;
    } else if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) {
        continued = true;
        break;
      }
      if (!quote && (next === '#' || next === '!')) {
        out += next;
        columns.push(input.columns[i + 1]!);
        i++;
        continue;
      }
      out += ch + next;
      columns.push(input.columns[i]!, input.columns[i + 1]!);
      i++;
      continue;
    } else if (!quote && (ch === '#' || ch === '!')) {
      break;
    }
    out += ch;
    columns.push(input.columns[i]!);
  }
  if (quote) throw new ConfigError(locationAt(input, quoteStart), 'unterminated quoted string (missing closing ")');
  let end = out.length;
  while (end > 0 && (out[end - 1] === ' ' || out[end - 1] === '\t')) end--;
  const endColumn = input.columns[Math.min(i, input.columns.length - 1)] ?? 1;
  return {
    mapped: { file: input.file, line: input.line, text: out.slice(0, end), columns: [...columns.slice(0, end), columns[end] ?? endColumn] },
    continued,
  };
}

/**
 * Splits a decommented line into words and braces. Words end at blanks,
 * quotes and braces; a quoted word ends at the next `"` (no escapes, as in
 * keepalived's alloc_strvec_r()).
 */
export function tokenize(mapped: MappedText): Token[] {
  const text = mapped.text;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (isBlank(ch)) {
      i++;
      continue;
    }
    if (ch === '{' || ch === '}') {
      tokens.push({ kind: ch === '{' ? 'open' : 'close', location: locationAt(mapped, i), start: i, end: i + 1 });
      i++;
      continue;
    }
    if (ch === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) throw new ConfigError(locationAt(mapped, i), 'unterminated quoted string (missing closing ")');
      tokens.push({ kind: 'word', word: { text: text.slice(i + 1, close), quoted: true, location: locationAt(mapped, i) }, start: i, end: close + 1 });
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !isBlank(text[j]) && text[j] !== '"' && text[j] !== '{' && text[j] !== '}') j++;
    tokens.push({ kind: 'word', word: { text: text.slice(i, j), quoted: false, location: locationAt(mapped, i) }, start: i, end: j });
    i = j;
  }
  return tokens;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * Splits a script command line into its argv the way keepalived does for
 * `script` and `notify*` (alloc_strvec_quoted_escaped()): blanks separate
 * words, '...' and "..." group, and backslash escapes work everywhere.
 * Returns undefined for an unterminated quote, which keepalived refuses.
 */
export function splitScriptWords(source: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < source.length) {
    while (i < source.length && isBlank(source[i])) i++;
    if (i >= source.length) break;
    let word = '';
    let quote: string | undefined;
    for (; i < source.length; i++) {
      const ch = source[i]!;
      if (ch === '\\') {
        i++;
        const next = source[i];
        if (next === undefined) return undefined;
        if (next === 'x' && /[0-9a-fA-F]/.test(source[i + 1] ?? '')) {
          let code = 0;
          while (/[0-9a-fA-F]/.test(source[i + 1] ?? '')) code = ((code << 4) | parseInt(source[++i]!, 16)) & 0xff;
          word += String.fromCharCode(code);
        } else if (next === 'c' && source[i + 1] !== undefined) {
          word += String.fromCharCode(source.charCodeAt(++i) & 0x1f);
        } else if (next >= '0' && next <= '7') {
          let code = next.charCodeAt(0) - 48;
          for (let k = 0; k < 2 && (source[i + 1] ?? '') >= '0' && (source[i + 1] ?? '') <= '7'; k++) code = ((code << 3) + source.charCodeAt(++i) - 48) & 0xff;
          word += String.fromCharCode(code);
        } else {
          word += SIMPLE_ESCAPES[next] ?? next;
        }
        continue;
      }
      if (quote) {
        if (ch === quote) quote = undefined;
        else word += ch;
        continue;
      }
      if (ch === '"' || ch === "'") {
        quote = ch;
        continue;
      }
      if (isBlank(ch)) break;
      word += ch;
    }
    if (quote) return undefined;
    words.push(word);
  }
  return words;
}
