// The reader: comments, quotes, braces, includes with globs, $VARIABLES,
// and every syntax error with its FILE:LINE:COL.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, formatDiagnostic, loadKeepalivedConfig, memoryFileSystem, parseKeepalivedConfig, parseKeepalivedConfigText, type ConfigNode, type ParseResult } from './index.js';
import { decomment, mapLine, splitScriptWords, tokenize } from './lexer.js';
import { expandBraces, expandGlob, matchSegment } from './glob.js';

const parse = (text: string, files?: Record<string, string>): ParseResult => parseKeepalivedConfigText(text, files ? { files } : {});
const messages = (result: ParseResult): string[] => result.diagnostics.map(formatDiagnostic);

function syntaxError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

const instance = (body: string): string => `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    10.0.0.1\n  }\n${body}\n}\n`;

describe('lexer', () => {
  it('cuts comments at # and ! anywhere outside quotes, keeping UTF-8 before them', () => {
    const line = (text: string): string => decomment(mapLine('f', 1, text)).mapped.text;
    assert.equal(line('    auth_pass dWc4Tddl      ## 密码'), 'auth_pass dWc4Tddl');
    assert.equal(line('state MASTER #指定该节点为主节点'), 'state MASTER');
    assert.equal(line('priority 100#comment'), 'priority 100');
    assert.equal(line('!include conf/*.conf'), '');
    assert.equal(line('label "a#b" # real comment'), 'label "a#b"');
    assert.equal(line('auth_pass ab\\#cd'), 'auth_pass ab#cd');
  });

  it('keeps the source column of every character through comment removal', () => {
    const { mapped } = decomment(mapLine('f', 3, '\t  interface  eth0 # x'));
    const tokens = tokenize(mapped);
    assert.deepEqual(
      tokens.map((t) => (t.kind === 'word' ? [t.word.text, t.word.location.column] : [t.kind, t.location.column])),
      [['interface', 4], ['eth0', 15]],
    );
  });

  it('splits braces glued to words and quoted strings into their own tokens', () => {
    const tokens = tokenize(mapLine('f', 1, 'vrrp_instance VI_180{ auth_pass 1111} script "/bin/a b"x'));
    assert.deepEqual(
      tokens.map((t) => (t.kind === 'word' ? `${t.word.quoted ? 'q:' : ''}${t.word.text}` : t.kind)),
      ['vrrp_instance', 'VI_180', 'open', 'auth_pass', '1111', 'close', 'script', 'q:/bin/a b', 'x'],
    );
  });

  it('splits script command lines as keepalived does (quotes group, escapes work)', () => {
    assert.deepEqual(splitScriptWords(`notify_master "/bin/echo 'a b' \\"c\\"" root`), ['notify_master', `/bin/echo 'a b' "c"`, 'root']);
    assert.deepEqual(splitScriptWords(`/bin/echo 'a b' "c"`), ['/bin/echo', 'a b', 'c']);
    assert.deepEqual(splitScriptWords('a\\tb \\x41 \\101'), ['a\tb', 'A', 'A']);
    assert.equal(splitScriptWords('"open'), undefined);
  });
});

describe('syntax errors carry FILE:LINE:COL', () => {
  it('a block never closed', () => {
    assert.equal(syntaxError(() => parse('global_defs {\n  router_id A\n')), "keepalived.conf:1:13: unbalanced '{': block 'global_defs' is never closed");
  });
  it('a missing } inside a block leaves the outer block open', () => {
    assert.equal(syntaxError(() => parse(instance('  track_interface {\n    eth1\n'))), "keepalived.conf:1:20: unbalanced '{': block 'vrrp_instance' is never closed");
  });
  it('a } with nothing open', () => {
    assert.equal(syntaxError(() => parse('global_defs {\n}\n  }\n')), "keepalived.conf:3:3: unbalanced '}': no block is open");
  });
  it('a { with no keyword before it', () => {
    assert.equal(syntaxError(() => parse('global_defs {\n}\n{\n}\n')), "keepalived.conf:3:1: unexpected '{' (a block must follow a keyword)");
  });
  it('an unterminated quote', () => {
    assert.equal(syntaxError(() => parse(instance('  notify_master "/bin/true x'))), 'keepalived.conf:7:17: unterminated quoted string (missing closing ")');
  });
  it('an include cycle, at the include that closes it', () => {
    const files = { 'conf/a.conf': 'include b.conf\n', 'conf/b.conf': '\n\ninclude ../keepalived.conf\n' };
    assert.equal(syntaxError(() => parse('include conf/a.conf\n', files)), 'conf/b.conf:3:1: include cycle: keepalived.conf -> conf/a.conf -> conf/b.conf -> keepalived.conf');
  });
  it('a file including itself', () => {
    assert.equal(syntaxError(() => parse('global_defs {\n}\n  include keepalived.conf\n')), 'keepalived.conf:3:3: include cycle: keepalived.conf -> keepalived.conf');
  });
  it('a parameter that expands to itself', () => {
    assert.match(syntaxError(() => parse('$A=$A x\nglobal_defs {\n router_id $A\n}\n')), /^keepalived\.conf:3:12: parameter substitution does not end/);
  });
  it('an unclosed block in an included file is reported where it opens', () => {
    assert.equal(syntaxError(() => parse('include inc.conf\n', { 'inc.conf': 'vrrp_script s {\n' })), "inc.conf:1:15: unbalanced '{': block 'vrrp_script' is never closed");
  });
});

describe('blocks', () => {
  it('nests blocks of any depth and keeps every location', () => {
    const unknown = parse('a {\n b {\n  c 1\n }\n}\n');
    assert.deepEqual(messages(unknown), ["keepalived.conf:1: unknown keyword 'a'"]);
    const tree = parseKeepalivedConfigText('virtual_server 1.2.3.4 80 {\n b {\n  c {\n   d {\n    e 1 "two words"\n   }\n  }\n }\n}\n').config.virtualServers[0]!;
    const node: ConfigNode = tree.children![0]!.children![0]!.children![0]!.children![0]!;
    assert.equal(node.keyword, 'e');
    assert.deepEqual(node.args, ['1', 'two words']);
    assert.deepEqual(node.words[2]!.location, { file: 'keepalived.conf', line: 5, column: 9 });
    assert.equal(node.raw, 'e 1 "two words"');
  });

  it('reads a whole block written on one line', () => {
    const result = parse('vrrp_instance V { interface eth0 \n virtual_router_id 51\n virtual_ipaddress { 10.0.0.1 }\n}\n');
    assert.deepEqual(messages(result), []);
    assert.deepEqual(result.config.vrrpInstances[0]!.virtualIpaddress.map((v) => v.address), ['10.0.0.1']);
  });
});

describe('$VARIABLES', () => {
  it('substitutes $NAME and ${NAME}, with the column of the $', () => {
    const result = parse('$IF=eth0\n$VRID=51\nvrrp_instance VI_1 {\n  interface $IF\n  virtual_router_id ${VRID}\n  virtual_ipaddress {\n    10.0.0.1\n  }\n}\n');
    assert.deepEqual(messages(result), []);
    const vrrp = result.config.vrrpInstances[0]!;
    assert.equal(vrrp.interface, 'eth0');
    assert.equal(vrrp.virtualRouterId, 51);
  });

  it('leaves undefined names alone and lets later definitions win', () => {
    const result = parse('$P=90\n$P=80\nvrrp_instance V {\n interface eth0\n virtual_router_id 51\n priority $P\n virtual_ipaddress {\n 10.0.0.1\n }\n notify "/bin/echo $UNSET"\n}\n');
    assert.equal(result.config.vrrpInstances[0]!.priority, 80);
    assert.deepEqual(result.config.vrrpInstances[0]!.notify!.argv, ['/bin/echo', '$UNSET']);
  });

  it('expands a multi-line definition (trailing \\) into several lines', () => {
    const result = parse('$VIPS=10.0.0.1/24 dev eth0 \\\n  10.0.0.2 \\\n  10.0.0.3\n\nvrrp_instance V {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  $VIPS\n }\n}\n');
    assert.deepEqual(messages(result), []);
    assert.deepEqual(result.config.vrrpInstances[0]!.virtualIpaddress.map((v) => `${v.address}/${v.prefixLength}`), ['10.0.0.1/24', '10.0.0.2/32', '10.0.0.3/32']);
  });

  it('shares definitions with included files, which may use them', () => {
    const result = parse('$ID=7\ninclude inst/*.conf\n', { 'inst/v.conf': 'vrrp_instance V {\n interface eth0\n virtual_router_id $ID\n virtual_ipaddress {\n 10.0.0.7\n }\n}\n' });
    assert.equal(result.config.vrrpInstances[0]!.virtualRouterId, 7);
    assert.equal(result.config.vrrpInstances[0]!.location.file, 'inst/v.conf');
  });

  it('keeps @ID lines only for the matching config id, @^ID for the others', () => {
    const text = 'vrrp_instance V {\n interface eth0\n virtual_router_id 51\n @node1 priority 150\n @^node1 priority 50\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n';
    assert.equal(parseKeepalivedConfigText(text, { configId: 'node1' }).config.vrrpInstances[0]!.priority, 150);
    assert.equal(parseKeepalivedConfigText(text, { configId: 'node2' }).config.vrrpInstances[0]!.priority, 50);
  });
});

describe('include', () => {
  const root = mkdtempSync(join(tmpdir(), 'kts-config-include-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  const write = (path: string, text: string): string => {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
    return full;
  };
  const vrrp = (name: string, vrid: number): string => `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n virtual_ipaddress {\n 10.0.0.${vrid}\n }\n}\n`;

  it('reads several files matched by a glob, sorted, relative to the including file', () => {
    write('etc/conf.d/20-b.conf', vrrp('B', 20));
    write('etc/conf.d/10-a.conf', vrrp('A', 10));
    write('etc/conf.d/notes.txt', 'not a config\n');
    write('etc/conf.d/.hidden.conf', vrrp('HIDDEN', 30));
    const main = write('etc/keepalived.conf', 'include conf.d/*.conf\n');
    const result = loadKeepalivedConfig(main, { checkInterfaces: false });
    assert.deepEqual(messages(result), []);
    assert.deepEqual(result.config.vrrpInstances.map((v) => v.name), ['A', 'B']);
    assert.deepEqual(result.config.files, [main, join(root, 'etc/conf.d/10-a.conf'), join(root, 'etc/conf.d/20-b.conf')]);
  });

  it('follows nested includes, each relative to its own directory, with ? [..] and {a,b}', () => {
    write('nest/main.conf', 'include level1/inc?.conf\n');
    write('nest/level1/inc1.conf', 'include level2/[a-c]*.conf\ninclude level2/{x,y}.conf\n');
    write('nest/level1/level2/a.conf', vrrp('A', 1));
    write('nest/level1/level2/d.conf', vrrp('D', 4));
    write('nest/level1/level2/y.conf', vrrp('Y', 25));
    write('nest/level1/level2/x.conf', vrrp('X', 24));
    const result = loadKeepalivedConfig(join(root, 'nest/main.conf'), { checkInterfaces: false });
    assert.deepEqual(messages(result), []);
    assert.deepEqual(result.config.vrrpInstances.map((v) => v.name), ['A', 'X', 'Y']);
    assert.equal(result.config.vrrpInstances[1]!.location.file, join(root, 'nest/level1/level2/x.conf'));
  });

  it('reports an include that matches nothing as keepalived does (logged only) and goes on', () => {
    const main = write('none/main.conf', `include missing/*.conf\ninclude ${join(root, 'none/nothing.conf')}\n${vrrp('V', 5)}`);
    mkdirSync(join(root, 'none/empty'));
    writeFileSync(main, `include empty/*.conf\n${readable(main)}`);
    const result = loadKeepalivedConfig(main, { checkInterfaces: false });
    assert.deepEqual(messages(result), [
      `${main}:1: no config files matched 'empty/*.conf'`,
      `${main}:2: config files missing 'missing/*.conf'`,
      `${main}:3: config files missing '${join(root, 'none/nothing.conf')}'`,
    ]);
    assert.ok(result.diagnostics.every((d) => d.kind === 'logged'));
    assert.equal(result.config.vrrpInstances.length, 1);
  });

  it('skips executable files, as keepalived does', () => {
    const script = write('exec/d/run.conf', vrrp('E', 9));
    chmodSync(script, 0o755);
    const main = write('exec/main.conf', 'include d/*.conf\n');
    const result = loadKeepalivedConfig(main, { checkInterfaces: false });
    assert.deepEqual(messages(result), [`${main}:1: configuration file '${script}' is not a regular non-executable file - skipping`]);
  });

  it('detects a cycle through real files', () => {
    write('cycle/a.conf', 'include sub/b.conf\n');
    write('cycle/sub/b.conf', 'include ../a.conf\n');
    assert.equal(syntaxError(() => loadKeepalivedConfig(join(root, 'cycle/a.conf'))), `${join(root, 'cycle/sub/b.conf')}:1:1: include cycle: ${join(root, 'cycle/a.conf')} -> ${join(root, 'cycle/sub/b.conf')} -> ${join(root, 'cycle/a.conf')}`);
  });

  it('reads the same tree from memory', () => {
    const fs = memoryFileSystem({ '/etc/k/keepalived.conf': 'include /etc/k/d/*.conf\n', '/etc/k/d/1.conf': vrrp('M', 3) });
    const result = parseKeepalivedConfig('/etc/k/keepalived.conf', fs);
    assert.deepEqual(result.config.vrrpInstances.map((v) => v.name), ['M']);
  });
});

describe('glob', () => {
  it('matches * ? and [..] within one segment', () => {
    assert.ok(matchSegment('*.conf', 'a.conf'));
    assert.ok(!matchSegment('*.conf', '.a.conf'));
    assert.ok(matchSegment('.*', '.hidden'));
    assert.ok(matchSegment('inc?.conf', 'inc1.conf'));
    assert.ok(!matchSegment('inc?.conf', 'inc12.conf'));
    assert.ok(matchSegment('[a-c]x', 'bx'));
    assert.ok(!matchSegment('[!a-c]x', 'bx'));
    assert.ok(matchSegment('[^a-c]x', 'dx'));
    assert.ok(matchSegment('a\\*b', 'a*b'));
    assert.ok(!matchSegment('a\\*b', 'axb'));
    assert.ok(matchSegment('[]]', ']'));
  });

  it('expands {a,b} alternatives', () => {
    assert.deepEqual(expandBraces('/etc/{a,b{1,2}}/x.conf'), ['/etc/a/x.conf', '/etc/b1/x.conf', '/etc/b2/x.conf']);
    assert.deepEqual(expandBraces('/etc/{x}.conf'), ['/etc/{x}.conf']);
  });

  it('walks several wildcard segments', () => {
    const fs = memoryFileSystem({ '/c/a1/x.conf': '', '/c/a2/x.conf': '', '/c/b1/x.conf': '', '/c/a3/y.conf': '' });
    assert.deepEqual(expandGlob('/c/a*/x.conf', fs), ['/c/a1/x.conf', '/c/a2/x.conf']);
    assert.deepEqual(expandGlob('/c/*/*.conf', fs), ['/c/a1/x.conf', '/c/a2/x.conf', '/c/a3/y.conf', '/c/b1/x.conf']);
  });
});

function readable(path: string): string {
  return readFileSync(path, 'utf8');
}
