// Reads the main file and everything it includes into one stream of
// statements, the way keepalived's read_line() does: comments, `@id`
// prefixes, `$NAME` definitions and substitution, `include PATTERN` (relative
// patterns resolved against the including file's directory, because
// keepalived chdir()s there), and braces split off as statements of their own.

import { posix } from 'node:path';
import { ConfigError, type DiagnosticSink, type SourceLocation } from './diagnostics.js';
import { expandGlob, hasWildcard, type GlobFileSystem } from './glob.js';
import { decomment, mapLine, tokenize, type MappedText, type Word } from './lexer.js';
import { ParameterTable } from './params.js';

/** How the reader reaches files; loadKeepalivedConfig passes the real file system. */
export interface ConfigFileSystem extends GlobFileSystem {
  /** The file's text (UTF-8); throws when it cannot be read. */
  readFile(path: string): string;
}

export type Statement =
  | {
      readonly kind: 'words';
      readonly words: readonly Word[];
      /** The statement's text after comments and substitution, quotes kept: scripts are re-split from it. */
      readonly raw: string;
      readonly location: SourceLocation;
    }
  | { readonly kind: 'open' | 'close'; readonly location: SourceLocation };

export interface ReadOptions {
  /** keepalived's `-i` config id: lines starting `@ID` are kept only when it matches, `@^ID` only when it does not. */
  readonly configId?: string | undefined;
}

export interface ReadResult {
  readonly statements: readonly Statement[];
  /** Every file read, in the order opened. */
  readonly files: readonly string[];
}

export function readStatements(mainFile: string, fs: ConfigFileSystem, diagnostics: DiagnosticSink, options: ReadOptions = {}): ReadResult {
  const reader = new StatementReader(fs, diagnostics, options);
  reader.readFile(mainFile, undefined);
  return { statements: reader.statements, files: reader.files };
}

class StatementReader {
  readonly statements: Statement[] = [];
  readonly files: string[] = [];
  readonly #open: string[] = [];
  readonly #params: ParameterTable;

  constructor(
    private readonly fs: ConfigFileSystem,
    private readonly diagnostics: DiagnosticSink,
    private readonly options: ReadOptions,
  ) {
    this.#params = new ParameterTable(options.configId ?? '');
  }

  readFile(path: string, includedFrom: SourceLocation | undefined): void {
    const key = posix.normalize(path);
    if (this.#open.includes(key)) {
      const chain = [...this.#open.slice(this.#open.indexOf(key)), key].join(' -> ');
      throw new ConfigError(includedFrom ?? { file: path, line: 1, column: 1 }, `include cycle: ${chain}`);
    }
    let text: string;
    try {
      text = this.fs.readFile(path);
    } catch (error) {
      if (!includedFrom) throw error;
      this.diagnostics.add({ severity: 'warning', kind: 'logged', location: includedFrom, message: `configuration file '${path}' open problem (${describe(error)}) - skipping` });
      return;
    }
    this.#open.push(key);
    this.files.push(path);
    const lines = text.split('\n');
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index]!.replace(/\r+$/, '');
      this.#readLine(mapLine(path, index + 1, line));
    }
    this.#params.finishDefinition();
    this.#open.pop();
  }

  #readLine(physical: MappedText): void {
    if (physical.text === '') {
      this.#params.finishDefinition();
      return;
    }
    const { mapped: decommented, continued } = decomment(physical);
    if (this.#params.collecting) {
      if (decommented.text !== '') this.#params.continueDefinition(decommented.text, continued);
      return;
    }
    let mapped = decommented;
    let extraLines: readonly string[] = [];
    for (;;) {
      if (mapped.text === '') return;
      if (mapped.text.startsWith('@')) {
        const kept = this.#configIdLine(mapped);
        if (!kept) return;
        mapped = kept;
        continue;
      }
      if (this.#params.tryDefine(mapped.text, continued)) return;
      if (mapped.text.startsWith('~SEQ') || mapped.text.startsWith('~LST')) {
        this.diagnostics.add({
          severity: 'error',
          kind: 'logged',
          location: { file: mapped.file, line: mapped.line, column: mapped.columns[0] ?? 1 },
          message: `${mapped.text.slice(0, 4)} is not supported by this reader - line ignored`,
        });
        return;
      }
      if (!mapped.text.includes('$')) break;
      const substituted = this.#params.substitute(mapped);
      if (!substituted.changed) break;
      mapped = decomment(substituted.mapped).mapped;
      extraLines = substituted.extraLines;
      if (!mapped.text.startsWith('@')) break;
    }
    if (/^include[ \t]/.test(mapped.text)) {
      this.#include(mapped);
    } else {
      this.#emit(mapped);
    }
    const column = mapped.columns[0] ?? 1;
    for (const extra of extraLines) {
      this.#readLine({ file: mapped.file, line: mapped.line, text: extra, columns: Array.from({ length: extra.length + 1 }, () => column) });
    }
  }

  #configIdLine(mapped: MappedText): MappedText | undefined {
    const text = mapped.text;
    const reverse = text[1] === '^';
    const idStart = reverse ? 2 : 1;
    const blank = text.slice(idStart).search(/[ \t]/);
    if (blank < 0) return undefined;
    const id = text.slice(idStart, idStart + blank);
    const matches = this.options.configId !== undefined && id === this.options.configId;
    if (matches === reverse) return undefined;
    let start = idStart + blank;
    while (text[start] === ' ' || text[start] === '\t') start++;
    return { ...mapped, text: text.slice(start), columns: mapped.columns.slice(start) };
  }

  #include(mapped: MappedText): void {
    const location: SourceLocation = { file: mapped.file, line: mapped.line, column: mapped.columns[0] ?? 1 };
    const pattern = mapped.text.slice('include'.length).replace(/^[ \t]+/, '');
    const resolved = pattern.startsWith('/') ? pattern : posix.join(posix.dirname(mapped.file), pattern);
    const matches = expandGlob(resolved, this.fs);
    if (matches.length === 0) {
      // keepalived 2.2.7 only logs this; `keepalived -t` still exits 0.
      const message = hasWildcard(resolved) && this.fs.kindOf(posix.dirname(resolved)) === 'directory' ? `no config files matched '${pattern}'` : `config files missing '${pattern}'`;
      this.diagnostics.add({ severity: 'warning', kind: 'logged', location, message });
      return;
    }
    for (const file of matches) {
      const kind = this.fs.kindOf(file);
      if (kind !== 'file') {
        this.diagnostics.add({ severity: 'warning', kind: 'logged', location, message: `configuration file '${file}' is not a regular non-executable file - skipping` });
        continue;
      }
      this.readFile(file, location);
    }
  }

  #emit(mapped: MappedText): void {
    const tokens = tokenize(mapped);
    let words: Word[] = [];
    let start = 0;
    let end = 0;
    const flush = (): void => {
      if (words.length === 0) return;
      this.statements.push({ kind: 'words', words, raw: mapped.text.slice(start, end), location: words[0]!.location });
      words = [];
    };
    for (const token of tokens) {
      if (token.kind === 'word') {
        if (words.length === 0) start = token.start;
        words.push(token.word);
        end = token.end;
        continue;
      }
      flush();
      this.statements.push({ kind: token.kind, location: token.location });
    }
    flush();
  }
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}
