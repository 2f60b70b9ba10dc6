#!/usr/bin/env bash
# The seed lab in two network namespaces: the server side has `ens33` with 192.168.1.70/24,
# exactly as the seed's AlmaLinux box. pxemasq checks the seed config (verbatim but for
# tftp-root, which points at a generated tree, and the lease file, kept in the lab), runs on it
# in the foreground, and a real DHCP client (busybox udhcpc) boots from it in the client
# namespace: you see the client's view and pxemasq's log-dhcp lines.
# Usage: demo.sh PATH/TO/pxemasq [SECONDS]
set -euo pipefail

pxemasq=$(realpath "$1")
seconds=${2:-5}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suffix=$$
server_ns="pxemasq-demo-srv-$suffix"
client_ns="pxemasq-demo-cli-$suffix"
work=$(mktemp -d)
daemon_pid=""

cleanup() {
  if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  ip netns del "$server_ns" 2>/dev/null || true
  ip netns del "$client_ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

phase() { printf '\n--- %s\n' "$*"; }

phase "lab: namespaces $server_ns (ens33 192.168.1.70/24) and $client_ns"
ip netns add "$server_ns"
ip netns add "$client_ns"
ip link add ens33 netns "$server_ns" type veth peer name eth0 netns "$client_ns"
ip -n "$server_ns" addr add 192.168.1.70/24 dev ens33
ip -n "$server_ns" link set ens33 up
ip -n "$server_ns" link set lo up
ip -n "$client_ns" link set eth0 up

phase "TFTP tree and the seed config (tftp-root -> $work/tftpboot)"
mkdir -p "$work/tftpboot/esxi8"
printf 'demo loader\n' >"$work/tftpboot/bootx64.efi"
printf 'kernel=b.b00\nmodules=jumpstrt.gz\n' >"$work/tftpboot/esxi8/boot.cfg"
sed "s|^tftp-root=.*|tftp-root=$work/tftpboot|" "$here/seed.conf" >"$work/dnsmasq.conf"
cat "$work/dnsmasq.conf"
echo "dhcp-leasefile=$work/pxemasq.leases   # (lab only: keep the lease file in the lab)"
echo "dhcp-leasefile=$work/pxemasq.leases" >>"$work/dnsmasq.conf"

phase "pxemasq --test"
ip netns exec "$server_ns" "$pxemasq" --test -C "$work/dnsmasq.conf"

phase "pxemasq -d (foreground) on the seed config"
ip netns exec "$server_ns" "$pxemasq" -d -C "$work/dnsmasq.conf" &
daemon_pid=$!
sleep 0.5

phase "a DHCP client (busybox udhcpc, MAC 52:54:00:aa:bb:cc) asks for an address"
ip -n "$client_ns" link set eth0 address 52:54:00:aa:bb:cc
ip netns exec "$client_ns" timeout "$seconds" busybox udhcpc -i eth0 -n -q -f \
  -O router -O dns -s "$here/udhcpc-report.sh" || echo "client: no lease (udhcpc exit $?)"

phase "the lease file (dnsmasq's format)"
cat "$work/pxemasq.leases" 2>/dev/null || echo "(none)"

phase "SIGTERM"
kill -TERM "$daemon_pid"
status=0
wait "$daemon_pid" || status=$?
daemon_pid=""
phase "pxemasq exited with status $status"
exit "$status"
