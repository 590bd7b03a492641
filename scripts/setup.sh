#!/usr/bin/env bash
# Installs what the tools, tests and demo need on a fresh Debian machine with
# Node 20 and npm, then builds. Idempotent; run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  libpcap-dev   # the pcap package builds against it
  iproute2      # ip netns, veth: the labs
  keepalived    # the reference VRRP peer (2.2.7 on Debian 12)
  tcpdump       # judge of what we decode and encode
  tshark        # second judge (tshark -V)
  iputils-ping  # lab checks
  systemd       # systemd-analyze verify judges contrib/systemd
  socat         # checker tests: TCP and UDP servers, silent and scripted ones
  dnsmasq-base  # checker tests: the DNS server (the binary alone, no system service)
  python3-aiosmtpd  # checker tests: the SMTP server (run by Debian's /usr/bin/python3)
  nftables      # checker tests: a host that drops packets (timeouts)
  nginx-light   # HTTP_GET/SSL_GET and genhash tests: the real web server
  openssl       # the HTTPS tests' self-signed certificate
  ipvsadm       # the IPVS judge, run inside the test/ipvs-vm guest (QEMU itself is installed by that harness on first use)
)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pnpm 10 (pnpm 11 needs Node 22); corepack cannot verify pnpm's signatures here.
if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version 2>/dev/null | grep -q '^10\.'; then
  echo "setup: installing pnpm 10"
  npm install -g --silent pnpm@10.34.8
fi

pnpm install --frozen-lockfile --reporter=silent
pnpm run --silent build
