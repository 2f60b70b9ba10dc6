#!/usr/bin/env bash
# Real firmware PXE-boots from pxemasq on the seed config (issue 7), in qemu inside a namespace
# lab (tests/e2e/lab.sh): the seed config verbatim but for tftp-root, which points at a tree
# built from Debian's netboot package. PASS = the kernel's "Linux version" banner on the VM's
# serial console. Scenarios:
#   uefi  OVMF PXE -> DHCP -> bootx64.efi (Debian's shim) -> grubx64.efi -> grub.cfg ->
#         linux + initrd.gz -> banner; then the same boot served by the real dnsmasq on the same
#         config, and both phase timings side by side.
#   bios  SeaBIOS + qemu's iPXE ROM -> pxelinux.0 -> ldlinux.c32 -> pxelinux.cfg/default ->
#         kernel -> banner. The seed's dhcp-boot names only bootx64.efi, so an extra conf-file on
#         the command line adds the BIOS boot by client-arch, as real configs do.
#   esxi  the seed's ESXi layout: the loader at the root (a standalone GRUB standing in for
#         ESXi's mboot), its config in esxi8/, modules asked as http://192.168.1.70/esxi8/...;
#         it boots through the URL mapping, and the truly missing files (/boot.cfg at the
#         root, a module in the wrong folder) get the not-found hint in pxemasq's log.
# Usage: pxe_boot_test.sh uefi|bios|esxi PATH/TO/pxemasq [PATH/TO/dnsmasq]
# Exits 77 (skipped) without root or the firmware packages (qemu-system-x86 ovmf ipxe-qemu
# debian-installer-12-netboot-amd64 grub-efi-amd64-bin grub-common; `./run test` installs them).
# Environment: see tests/e2e/lab.sh (PXEMASQ_E2E_ACCEL, _TIMEOUT, _LAUNCHER, _KEEP).
set -euo pipefail

scenario=${1:?usage: pxe_boot_test.sh uefi|bios|esxi PXEMASQ [DNSMASQ]}
lab_pxemasq=$(realpath "${2:?path to pxemasq}")
lab_dnsmasq=${3:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lab.sh
source "$here/lab.sh"

lab_gaps=$(lab_missing_tools)
if [[ $(id -u) -ne 0 || -n $lab_gaps ]]; then
  echo "SKIP: needs root and the firmware lab; missing: ${lab_gaps:-none (not root)}"
  exit 77
fi

boot_timeout=${PXEMASQ_E2E_TIMEOUT:-300}
# Console lines after which the boot cannot reach the banner: fail at once, not at the timeout.
boot_failures='Kernel panic|No bootable device|PXE-E|Boot Failed|Shell>|Failed to load image'
boot_failures+='|you need to load the kernel first|KVM internal error'
lab_work=$(mktemp -d /tmp/pxq-e2e.XXXXXX)
chmod 755 "$lab_work" # dnsmasq drops to nobody and must read the tree
trap lab_cleanup EXIT
trap 'exit 130' INT TERM
lab_create "$$"
failures=0

fail() {
  echo "FAIL - $*"
  failures=$((failures + 1))
}

# boot RUN-NAME SERVER FIRMWARE CONFIG [EXTRA-CONF]: one VM boot to the banner; leaves the logs
# in $lab_work/RUN-NAME.{server,console}.log. 0 = banner seen.
boot() {
  local run=$1 server=$2 firmware=$3 config=$4 extra=${5:-}
  local server_log="$lab_work/$run.server.log" console_log="$lab_work/$run.console.log"
  server_command "$server" "$config" "$extra"
  echo "--- $run: $server (${server_argv[*]}), $firmware VM, accel $(lab_accel)"
  lab_start_server "$server" "$server_log" "${server_argv[@]}"
  # Serving starts when the daemon has bound its sockets; both log a line by then.
  if ! lab_wait_for "$server_log" 'started|DHCP, IP range|TFTP root' 10; then
    echo "$server did not start:"
    sed 's/^/  /' "$server_log"
    lab_stop_server
    return 1
  fi
  local status=0
  lab_start_vm "$firmware" "$console_log"
  lab_wait_for "$console_log" 'Linux version' "$boot_timeout" "$boot_failures" || status=$?
  if ((status == 2)) && grep -aq 'KVM internal error' "$console_log" &&
    [[ ${PXEMASQ_E2E_ACCEL:-} == auto ]]; then
    # KVM that cannot run the firmware (seen here with nested virtualisation): qemu stops the
    # guest and waits; for "auto", boot again under TCG.
    echo "    KVM cannot run this guest (KVM internal error): again under TCG"
    lab_stop_vm
    PXEMASQ_E2E_ACCEL=tcg
    status=0
    lab_start_vm "$firmware" "$console_log"
    lab_wait_for "$console_log" 'Linux version' "$boot_timeout" "$boot_failures" || status=$?
  fi
  lab_stop_vm
  sleep 0.2
  lab_stop_server
  case $status in
    0) echo "    banner after $(lab_first_time "$console_log" 'Linux version') s" ;;
    1) echo "    no banner within ${boot_timeout}s" ;;
    *) echo "    boot failed" ;;
  esac
  if ((status != 0)); then
    echo "    server log (last 40 lines):"
    tail -n 40 "$server_log" | sed 's/^/      /'
    echo "    console (last 30 lines):"
    tail -n 30 "$console_log" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/^/      /'
  fi
  return "$status"
}

# one_boot RUN SERVER FIRMWARE CONFIG [EXTRA]: boot, and keep the VM start for the table.
one_boot() {
  local status=0
  boot "$@" || status=$?
  echo "$lab_vm_started" >"$lab_work/$1.started"
  return "$status"
}

case $scenario in
  uefi)
    lab_netboot_tree "$lab_work/tftpboot"
    seed_config "$lab_work/tftpboot" "$lab_work/seed.conf"
    runs=(uefi-pxemasq)
    one_boot uefi-pxemasq pxemasq uefi "$lab_work/seed.conf" || fail "UEFI boot with pxemasq"
    if [[ -n $lab_dnsmasq && -x $lab_dnsmasq ]]; then
      runs+=(uefi-dnsmasq)
      # The reference; its failure is reported but is not pxemasq's.
      one_boot uefi-dnsmasq dnsmasq uefi "$lab_work/seed.conf" ||
        echo "WARNING - the UEFI boot with dnsmasq did not reach the banner"
    fi
    phase_table uefi "${runs[@]}"
    if ((${#runs[@]} == 2)); then
      # One line for the issue's acceptance (time to banner, pxemasq <= dnsmasq), reported and
      # not asserted: under TCG on a loaded machine a single boot varies by more than the gap.
      banner() {
        lab_vm_started=$(cat "$lab_work/$1.started")
        lab_time_of first "$lab_work/$1.console.log" 'Linux version'
      }
      echo "    time to kernel banner: pxemasq $(banner uefi-pxemasq) s, dnsmasq $(banner uefi-dnsmasq) s" \
        "(load $(cut -d' ' -f1 /proc/loadavg))"
    fi
    ;;
  bios)
    lab_netboot_tree "$lab_work/tftpboot"
    seed_config "$lab_work/tftpboot" "$lab_work/seed.conf"
    cat >"$lab_work/bios.conf" <<'EOF'
# BIOS clients (client-arch 0) get pxelinux; the seed's untagged dhcp-boot stays for UEFI.
dhcp-match=set:bios,option:client-arch,0
dhcp-boot=tag:bios,pxelinux.0
EOF
    one_boot bios-pxemasq pxemasq bios "$lab_work/seed.conf" "$lab_work/bios.conf" ||
      fail "BIOS boot with pxemasq"
    phase_table bios bios-pxemasq
    ;;
  esxi)
    lab_esxi_tree "$lab_work/tftpboot"
    seed_config "$lab_work/tftpboot" "$lab_work/seed.conf"
    one_boot esxi-pxemasq pxemasq uefi "$lab_work/seed.conf" || fail "ESXi-shaped boot with pxemasq"
    phase_table esxi esxi-pxemasq
    log="$lab_work/esxi-pxemasq.server.log"
    echo "    pxemasq's lines for the missing files and URL names:"
    grep -aE 'not found|requested as' "$log" | cut -d' ' -f2- | sed 's/^/      /' || true
    grep -aqE "file .*/boot\\.cfg not found for [0-9.]+; esxi8/boot\\.cfg exists" "$log" ||
      fail "no not-found hint naming esxi8/boot.cfg for the root's boot.cfg"
    grep -aqE "file .*/tftpboot/vmlinuz not found for [0-9.]+ \(requested as http:.*; esxi8/vmlinuz exists" \
      "$log" || fail "no not-found hint naming esxi8/vmlinuz for the URL of a module in the wrong folder"
    grep -aqE "sent .*/esxi8/vmlinuz to [0-9.]+ \(requested as http:" "$log" ||
      fail "the kernel was not served from its URL name"
    ;;
  *)
    echo "unknown scenario $scenario" >&2
    exit 2
    ;;
esac

if ((failures)); then
  echo "e2e $scenario: $failures failure(s)"
  exit 1
fi
echo "e2e $scenario: PASS"
