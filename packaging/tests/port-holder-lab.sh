#!/usr/bin/env bash
# No Conflicts=dnsmasq.service in the units, so `pxemasq --test` must name a dnsmasq that still
# serves DHCP on port 67 (daemon/port_holders.hpp), and say nothing about a DNS-only dnsmasq.
# Runs in a network namespace the test creates (a veth pair with both ends inside); dnsmasq
# and every wait are bounded; cleanup by PID and namespace name.
# Usage: port-holder-lab.sh PATH/TO/pxemasq PATH/TO/dnsmasq     exit 0 pass, 1 fail, 77 skipped
set -euo pipefail

pxemasq=$(realpath "$1")
dnsmasq=${2:-/usr/sbin/dnsmasq}
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for tool in ip ss "$dnsmasq"; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not found (packages: iproute2, dnsmasq-base)"; exit 77; }
done

ns="pxemasq-ports-$$"
work=$(mktemp -d /tmp/pxemasq-ports.XXXXXX)
dnsmasq_pid=""
stop_dnsmasq() {
  [[ -n $dnsmasq_pid ]] || return 0
  kill "$dnsmasq_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$dnsmasq_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$dnsmasq_pid" 2>/dev/null || true
  wait "$dnsmasq_pid" 2>/dev/null || true
  dnsmasq_pid=""
}
cleanup() {
  stop_dnsmasq
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "FAIL: $*"; echo "--- pxemasq --test"; cat "$work/test.log" 2>/dev/null; exit 1; }

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add ens33 type veth peer name peer0
ip -n "$ns" addr add 192.168.1.70/24 dev ens33
ip -n "$ns" link set ens33 up
ip -n "$ns" link set peer0 up
printf 'dhcp-range=192.168.1.230,192.168.1.250,255.255.255.0,12h\ninterface=ens33\n' >"$work/pxemasq.conf"

# start_dnsmasq ARGS...: in the namespace, in the foreground, until UDP port 53 or 67 is bound.
start_dnsmasq() {
  ip netns exec "$ns" "$dnsmasq" --keep-in-foreground --pid-file= --conf-file=/dev/null \
    --interface=ens33 --dhcp-leasefile="$work/dnsmasq.leases" "$@" >"$work/dnsmasq.log" 2>&1 &
  dnsmasq_pid=$!
  for _ in $(seq 1 50); do
    ip netns exec "$ns" ss -Hnlu '( sport = :67 or sport = :53 )' | grep -q . && return 0
    kill -0 "$dnsmasq_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/dnsmasq.log"
  fail "dnsmasq did not start"
}

# 1. dnsmasq serving DHCP: named, with its pid and the fix.
start_dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.110
ip netns exec "$ns" timeout 10 "$pxemasq" --test -C "$work/pxemasq.conf" >"$work/test.log" 2>&1 ||
  fail "--test failed"
grep -q "UDP port 67 (DHCP) is already in use by dnsmasq (pid $dnsmasq_pid)" "$work/test.log" ||
  fail "dnsmasq on port 67 not named"
grep -q 'fix: remove dhcp-range' "$work/test.log" || fail "no fix line"
grep -q 'syntax check OK' "$work/test.log" || fail "verdict changed"
stop_dnsmasq

# 2. dnsmasq for DNS only (port 53, no DHCP): nothing to say about ports.
start_dnsmasq --port=53 --listen-address=127.0.0.1 --bind-interfaces
ip netns exec "$ns" timeout 10 "$pxemasq" --test -C "$work/pxemasq.conf" >"$work/test.log" 2>&1 ||
  fail "--test failed"
if grep -q 'already in use' "$work/test.log"; then fail "a DNS-only dnsmasq was reported"; fi
stop_dnsmasq
echo "PASS: --test names a DHCP-serving dnsmasq on port 67 and ignores a DNS-only one"
