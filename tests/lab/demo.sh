#!/usr/bin/env bash
# The seed lab, for a first look (the README's first command, `sudo ./run demo`).
# Two network namespaces made here (tests/e2e/lab.sh): the server side has `ens33` with
# 192.168.1.70/24, exactly as the seed's AlmaLinux box. pxemasq checks the seed config
# (verbatim but for tftp-root, which points at a tree generated from Debian's netboot package),
# then runs on it in the foreground, and
#   default:         a UEFI virtual machine (qemu + OVMF, its NIC on a tap bridged to ens33)
#                    PXE-boots from it: DHCP, bootx64.efi, GRUB, its config, the kernel and the
#                    initrd over TFTP, until the kernel prints its banner on the serial console.
#                    pxemasq's log-dhcp lines and the console stream live, with a line per phase.
#   --clients-only:  the quick look: a real DHCP client (busybox udhcpc) and a TFTP client
#                    (busybox tftp) instead of the VM, in a second namespace on the same wire.
# Everything is torn down at the end (namespaces, tap, qemu, daemon — checked), and nothing
# touches the host's own network.
# Usage: demo.sh PATH/TO/pxemasq [--clients-only]
set -euo pipefail

lab_pxemasq=$(realpath "$1")
mode=${2:-vm}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lab.sh
source "$here/../e2e/lab.sh"

phase() { printf '\n--- %s\n' "$*"; }

if [[ $mode == vm ]]; then
  gaps=$(lab_missing_tools)
  if [[ -n $gaps ]]; then
    echo "demo: the VM needs $gaps; showing the real DHCP and TFTP clients instead"
    mode=--clients-only
  fi
fi

lab_work=$(mktemp -d /tmp/pxq-demo.XXXXXX)
chmod 755 "$lab_work"
client_ns=""
teardown() {
  [[ -n $client_ns ]] && ip netns del "$client_ns" 2>/dev/null
  lab_cleanup
  local left
  left=$(ip netns list | grep -E "^pxq-(e2e|demo)-$$-" || true)
  if [[ -n $left ]] || { [[ -n ${lab_qemu_pid:-} ]] && kill -0 "$lab_qemu_pid" 2>/dev/null; }; then
    echo "demo: teardown left something behind: ${left:-qemu $lab_qemu_pid}" >&2
  else
    phase "teardown: daemon, VM, tap and namespaces removed (none of pxq-e2e-$$-* left)"
  fi
}
trap teardown EXIT
trap 'exit 130' INT TERM

phase "lab: namespaces pxq-e2e-$$-srv (ens33 192.168.1.70/24) and pxq-e2e-$$-vm (bridge + tap)"
lab_create "$$"

phase "TFTP tree from Debian's netboot package, and the seed config (tftp-root -> $lab_work/tftpboot)"
if [[ $mode == vm ]]; then
  lab_netboot_tree "$lab_work/tftpboot"
else
  mkdir -p "$lab_work/tftpboot/esxi8"
  printf 'demo loader\n' >"$lab_work/tftpboot/bootx64.efi"
  printf 'kernel=b.b00\nmodules=jumpstrt.gz\n' >"$lab_work/tftpboot/esxi8/boot.cfg"
  chmod -R a+rX "$lab_work/tftpboot"
fi
seed_config "$lab_work/tftpboot" "$lab_work/dnsmasq.conf"
cat "$lab_work/dnsmasq.conf"

phase "pxemasq --test"
ip netns exec "$lab_server_ns" "$lab_pxemasq" --test -C "$lab_work/dnsmasq.conf"

server_command pxemasq "$lab_work/dnsmasq.conf"
phase "pxemasq in the foreground: ${server_argv[*]}"
LAB_LIVE=1 lab_start_server pxemasq "$lab_work/pxemasq.server.log" "${server_argv[@]}"
lab_wait_for "$lab_work/pxemasq.server.log" 'TFTP root|DHCP, IP range' 10 ||
  { echo "demo: pxemasq did not start"; exit 1; }

if [[ $mode == --clients-only ]]; then
  client_ns="pxq-demo-$$-cli"
  ip netns add "$client_ns"
  ip link add client0 netns "$lab_vm_ns" type veth peer name eth0 netns "$client_ns"
  ip -n "$lab_vm_ns" link set client0 master br0
  ip -n "$lab_vm_ns" link set client0 up
  ip -n "$client_ns" link set eth0 address 52:54:00:aa:bb:cc
  ip -n "$client_ns" link set lo up
  ip -n "$client_ns" link set eth0 up
  phase "a DHCP client (busybox udhcpc, MAC 52:54:00:aa:bb:cc) asks for an address"
  lease=$(ip netns exec "$client_ns" timeout 10 busybox udhcpc -i eth0 -n -q -f \
    -O router -O dns -s "$here/udhcpc-report.sh" 2>&1 | tee /dev/stderr | grep -o 'ip=[0-9.]*' |
    head -n1 || true)
  if [[ -n $lease ]]; then
    ip -n "$client_ns" addr add "${lease#ip=}/24" dev eth0
    phase "a TFTP client (busybox tftp) fetches the boot file bootx64.efi from 192.168.1.70"
    ip netns exec "$client_ns" timeout 10 busybox tftp -g -r bootx64.efi -l "$lab_work/fetched.efi" \
      192.168.1.70 && echo "client: got $(wc -c <"$lab_work/fetched.efi") bytes: $(cat "$lab_work/fetched.efi")"
    phase "and asks for boot.cfg at the root, where ESXi's loader looks for it"
    ip netns exec "$client_ns" timeout 10 busybox tftp -g -r boot.cfg -l "$lab_work/boot.cfg" \
      192.168.1.70 || true
  else
    echo "client: no lease"
  fi
  sleep 0.3
  phase "the lease file (dnsmasq's format)"
  cat "$lab_work/pxemasq.leases" 2>/dev/null || echo "(none)"
  exit 0
fi

phase "a UEFI VM (qemu $(lab_accel), OVMF) PXE-boots from pxemasq; console lines are [console], the daemon's [pxemasq]"
LAB_LIVE=1 lab_start_vm uefi "$lab_work/console.log"
timeout=${PXEMASQ_E2E_TIMEOUT:-300}
phases=("firmware up, first DHCPDISCOVER|$lab_work/pxemasq.server.log|DHCPDISCOVER\(ens33\)"
  "DHCP done (DHCPACK)|$lab_work/pxemasq.server.log|DHCPACK\(ens33\)"
  "loader bootx64.efi (Debian's shim) fetched|$lab_work/pxemasq.server.log|sent .*/bootx64\.efi to"
  "grubx64.efi fetched|$lab_work/pxemasq.server.log|sent .*/grubx64\.efi to"
  "GRUB's config grub.cfg fetched|$lab_work/pxemasq.server.log|sent .*/grub/grub\.cfg to"
  "kernel fetched|$lab_work/pxemasq.server.log|sent .*/amd64/linux to"
  "initrd.gz fetched (40 MB)|$lab_work/pxemasq.server.log|sent .*/initrd\.gz to"
  "kernel banner on the serial console: PASS|$lab_work/console.log|Linux version")
next=0
deadline=$((SECONDS + timeout))
while ((next < ${#phases[@]} && SECONDS < deadline)); do
  IFS='|' read -r label log pattern <<<"${phases[next]}"
  if grep -aqE -- "$pattern" "$log"; then
    printf '\n==> %6ss  %s\n\n' "$(lab_first_time "$log" "$pattern")" "$label"
    next=$((next + 1))
    continue
  fi
  kill -0 "$lab_qemu_pid" 2>/dev/null || break
  sleep 0.3
done
lab_stop_vm
lab_stop_server
if ((next < ${#phases[@]})); then
  echo "demo: the boot stopped before: ${phases[next]%%|*} (logs in $lab_work, kept)"
  PXEMASQ_E2E_KEEP=1
  exit 1
fi
echo "$lab_vm_started" >"$lab_work/demo-pxemasq.started"
cp "$lab_work/pxemasq.server.log" "$lab_work/demo-pxemasq.server.log"
cp "$lab_work/console.log" "$lab_work/demo-pxemasq.console.log"
phase "the seed's flow, timed (seconds since the VM started)"
phase_table uefi demo-pxemasq
phase "the lease file (dnsmasq's format)"
cat "$lab_work/pxemasq.leases" 2>/dev/null || echo "(none)"
