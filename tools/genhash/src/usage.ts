// keepalived 2.2.7's genhash usage (check_genhash.c genhash_usage), byte for
// byte. It goes to stderr, after any error line, and genhash exits 1. The
// extensions (--json, --config, --ca, --no-color) are left out so that this
// text stays genhash's; man/genhash.1 documents them.

export function usageText(program: string): string {
  return (
    `Usage: ${program} COMMAND [OPTIONS]\n` +
    'Commands:\n' +
    '   -s server-address -p port -u url\n' +
    '   -S -s server-address -p port -u url\n' +
    '   -h\n\n' +
    'Options:\n' +
    'Either long or short options are allowed.\n' +
    '   --use-ssl         -S       Use SSL connection to remote server.\n' +
    '   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; see -V).\n' +
    '   --server          -s       Use the specified remote server address.\n' +
    '   --port            -p       Use the specified remote server port.\n' +
    '   --url             -u       Use the specified remote server url.\n' +
    '   --use-virtualhost -V       Use the specified virtualhost in GET query.\n' +
    '   --verbose         -v       Use verbose mode output.\n' +
    '   --help            -h       Display this short inlined help screen.\n' +
    '   --fwmark          -m       Use the specified FW mark.\n' +
    "   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.\n" +
    "                                1.0c means 1.0 with 'Connection: close'\n" +
    '   --timeout         -t       Timeout in seconds\n'
  );
}
