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
#   ipxe-http  SeaBIOS + qemu's iPXE ROM, user class iPXE -> boot file
#         http://192.168.1.70/boot.ipxe from pxemasq's HTTP server -> the script fetches the
#         kernel and initrd over HTTP -> banner; pxemasq's log and /metrics show that the files
#         went over HTTP and nothing over TFTP (issue 8).
#   uefi-http  OVMF's UEFI HTTP boot (vendor class HTTPClient, arch 16; echo of HTTPClient in
#         option 60, URL boot file) -> a standalone GRUB over HTTP -> kernel and initrd over
#         HTTP -> banner; the same checks.
#   proxy-bios, proxy-uefi  proxy DHCP beside a real allocating server (issue 8): our own
#         kea-dhcp4 in a third namespace on the same wire gives the address, pxemasq
#         (dhcp-range=192.168.1.0,proxy + pxe-service) the boot information: SeaBIOS + iPXE via
#         the boot server on 4011 -> pxelinux.0 -> kernel; OVMF's REQUEST to 4011 -> bootx64.efi
#         -> as uefi. Checks: the address is Kea's (its lease file and log), pxemasq logged the
#         proxy offer (no address) and the 4011 ACK, and the files went over its TFTP.
# Usage: pxe_boot_test.sh uefi|uefi-activated|bios|esxi|ipxe-http|uefi-ipxe-http|uefi-http|
#        proxy-bios|proxy-uefi PATH/TO/pxemasq [PATH/TO/dnsmasq]
# Exits 77 (skipped) without root or the firmware packages (qemu-system-x86 ovmf ipxe-qemu
# debian-installer-12-netboot-amd64 grub-efi-amd64-bin grub-common; `./run test` installs them).
# Environment: see tests/e2e/lab.sh (PXEMASQ_E2E_ACCEL, _TIMEOUT, _LAUNCHER, _KEEP).
set -euo pipefail

scenario=${1:?usage: pxe_boot_test.sh SCENARIO (see the header) PXEMASQ [DNSMASQ]}
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
  # (systemd-socket-activate: its "Listening on" lines; it starts pxemasq on the first datagram)
  if ! lab_wait_for "$server_log" 'started|DHCP, IP range|TFTP root|Listening on' 10; then
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
  # A scenario that checks a later console line (boot_then: an extended regex) waits for it
  # too, up to 60 s more; the scenario itself then says whether it came.
  if ((status == 0)) && [[ -n ${boot_then:-} ]]; then
    lab_wait_for "$console_log" "$boot_then" 60 || true
  fi
  lab_stop_vm
  sleep 0.2
  # A scenario that must ask the running daemon something (its /metrics) defines this.
  if declare -F after_boot >/dev/null; then after_boot "$run"; fi
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

# --- HTTP boot (issue 8): the boot goes over pxemasq's built-in HTTP server, not TFTP ----------
# Port 80: the usual HTTP port, the one the SELinux module lets pxemasq bind without semanage.
http_port=80
http_url="http://$lab_server_ip"
boot_then=""

# http_boot_tree: the netboot tree with an iPXE script at its root, and the seed config on it.
http_boot_tree() {
  boot_then='RAMDISK: \[mem'
  if ! command -v curl >/dev/null 2>&1; then
    echo "SKIP: needs curl (to read pxemasq's /metrics)"
    exit 77
  fi
  lab_netboot_tree "$lab_work/tftpboot"
  lab_ipxe_script "$lab_work/tftpboot" "$http_url"
  seed_config "$lab_work/tftpboot" "$lab_work/seed.conf"
}

# scrape_metrics RUN: pxemasq's /metrics while it still runs (after the VM stopped), from inside
# the server namespace, into $lab_work/RUN.metrics.
scrape_metrics() {
  ip netns exec "$lab_server_ns" curl -sS --max-time 10 -o "$lab_work/$1.metrics" \
    "$http_url:$http_port/metrics" || echo "    /metrics could not be fetched"
}

# metric RUN NAME{LABELS}: the value of one sample in RUN's scrape ("-" when absent).
metric() {
  NAME=$2 awk '$1 == ENVIRON["NAME"] { print $2; found = 1 } END { if (!found) print "-" }' \
    "$lab_work/$1.metrics" 2>/dev/null || echo "-"
}

# check_http_boot RUN TAG BOOT-FILE: the boot file, the kernel and the initrd went over HTTP,
# whole, and nothing over TFTP; the DHCP reply carried the boot file's URL for the client
# tagged TAG.
check_http_boot() {
  local run=$1 tag=$2 boot_file=$3 log="$lab_work/$1.server.log"
  local amd64="$lab_work/tftpboot/debian-installer/amd64"
  local kernel_size initrd_size boot_size
  kernel_size=$(stat -c %s "$amd64/linux")
  initrd_size=$(stat -c %s "$amd64/initrd.gz")
  boot_size=$(stat -c %s "$lab_work/tftpboot/$boot_file")
  echo "    pxemasq's HTTP lines:"
  grep -aE 'HTTP ' "$log" | cut -d' ' -f2- | sed 's/^/      /' || true
  grep -aqE "tags: .*\\b$tag\\b" "$log" || fail "log-dhcp shows no tag $tag for the client"
  grep -aqF "$http_url/$boot_file" "$log" || fail "the DHCP reply did not carry $http_url/$boot_file"
  grep -aqE "HTTP sent .*/tftpboot/${boot_file//./\\.} to 192\\.168\\.1\\.[0-9]+ \\($boot_size bytes\\)" \
    "$log" || fail "$boot_file was not sent whole over HTTP ($boot_size bytes)"
  grep -aqE "HTTP sent .*/amd64/linux to 192\\.168\\.1\\.[0-9]+ \\($kernel_size bytes\\)" "$log" ||
    fail "the kernel was not sent whole over HTTP ($kernel_size bytes)"
  grep -aqE "HTTP sent .*/amd64/initrd\\.gz to 192\\.168\\.1\\.[0-9]+ \\($initrd_size bytes\\)" "$log" ||
    fail "the initrd was not sent whole over HTTP ($initrd_size bytes)"
  # x86 Linux prints the initrd's place in memory early in setup_arch, whoever loaded it.
  grep -aqE "$boot_then" "$lab_work/$run.console.log" ||
    fail "the kernel shows no initrd on the console (no \"RAMDISK: [mem\" line)"
  # TFTP's "sent FILE to ADDR" (HTTP's lines say "HTTP sent").
  if grep -aqE ': sent /' "$log"; then
    fail "files went over TFTP: $(grep -aE ': sent /' "$log" | cut -d' ' -f2- | head -3)"
  fi
  local tftp_started http_bytes
  tftp_started=$(metric "$run" 'pxemasq_tftp_transfers_total{result="started"}')
  http_bytes=$(metric "$run" pxemasq_http_bytes_sent_total)
  local files_size=$((boot_size + kernel_size + initrd_size))
  echo "    /metrics: HTTP file bytes $http_bytes (boot file + kernel + initrd: $files_size)," \
    "responses 2xx $(metric "$run" 'pxemasq_http_responses_total{code="2xx"}')" \
    "4xx $(metric "$run" 'pxemasq_http_responses_total{code="4xx"}')," \
    "connections $(metric "$run" pxemasq_http_connections_total); TFTP transfers started $tftp_started"
  [[ $tftp_started == 0 ]] || fail "/metrics counts $tftp_started TFTP transfers"
  # At least the three files: a client that resumes a transfer with a Range request adds more.
  if [[ $http_bytes == - ]] || ((http_bytes < files_size)); then
    fail "/metrics counts $http_bytes HTTP bytes, fewer than the boot file, kernel and initrd"
  fi
}

# --- Proxy DHCP beside Kea (issue 8): Kea allocates, pxemasq only says what to boot ----------
# proxy_setup RUN [KEA-NEXT-SERVER]: the Kea namespace on the VM's wire and Kea running (its log
# RUN.kea.log); the netboot tree; pxemasq's proxy config (as in
# tests/integration/proxy_kea_test.sh, plus TFTP on the same tree).
proxy_setup() {
  local run=$1 next_server=${2:-}
  if ! command -v kea-dhcp4 >/dev/null 2>&1 || ! command -v ss >/dev/null 2>&1; then
    echo "SKIP: needs kea-dhcp4 (package kea-dhcp4-server) and ss"
    exit 77
  fi
  lab_kea_create
  lab_netboot_tree "$lab_work/tftpboot"
  cat >"$lab_work/proxy.conf" <<EOF
# Proxy DHCP: Kea on this segment hands out the addresses; pxemasq only the boot information.
interface=ens33
dhcp-range=192.168.1.0,proxy
pxe-service=x86PC,"Install Linux (BIOS)",pxelinux
pxe-service=X86-64_EFI,"Install Linux (UEFI)",bootx64.efi
enable-tftp
tftp-root=$lab_work/tftpboot
log-dhcp
EOF
  kea_log="$lab_work/$run.kea.log"
  if ! lab_start_kea "$kea_log" "$next_server"; then
    echo "kea-dhcp4 did not start listening on port 67:"
    sed 's/^/  /' "$kea_log"
    exit 1
  fi
}

# kea_address MAC: the address Kea's lease file holds for MAC (empty if none). Kea's memfile
# is CSV: address,hwaddr,client_id,valid_lifetime,expire,subnet_id,...
kea_address() {
  awk -F, -v mac="$1" 'tolower($2) == mac { address = $1 } END { print address }' \
    "$lab_work/kea.leases" 2>/dev/null
}

# check_proxy_boot RUN FILE...: the address came from Kea, the boot information from pxemasq
# (a proxy offer with no address, no lease of its own), and each FILE (the boot file, what the
# loader fetched, the kernel) went over TFTP from pxemasq to Kea's address.
check_proxy_boot() {
  local run=$1 log="$lab_work/$1.server.log" mac=$lab_vm_mac address
  shift
  address=$(kea_address "$mac")
  echo "    Kea's lease for $mac: ${address:-none}; its allocation lines:"
  grep -aE 'DHCP4_LEASE_ALLOC|DHCP4_LEASE_ADVERT' "$kea_log" | cut -d' ' -f2- |
    sed 's/^/      /' || true
  echo "    pxemasq's PXE and TFTP lines:"
  grep -aE 'PXE\(|: sent /|not found' "$log" | cut -d' ' -f2- | sed 's/^/      /' || true
  [[ $address =~ ^192\.168\.1\.(23[0-9]|24[0-9]|250)$ ]] ||
    fail "Kea's lease file has no address from 192.168.1.230-250 for $mac (${address:-none})"
  grep -aqiE "DHCP4_LEASE_ALLOC .*$mac" "$kea_log" ||
    fail "Kea's log shows no allocation for $mac"
  grep -aqF "PXE(ens33) $mac proxy" "$log" || fail "pxemasq logged no proxy offer for $mac"
  if grep -aqE 'DHCP(OFFER|ACK|NAK)' "$log"; then
    fail "pxemasq allocated: $(grep -aE 'DHCP(OFFER|ACK|NAK)' "$log" | cut -d' ' -f2- | head -2)"
  fi
  [[ ! -s $lab_work/pxemasq.leases ]] || fail "pxemasq's lease file is not empty"
  local sent
  for sent in "$@"; do
    grep -aqE ": sent .*/tftpboot/${sent//./\\.} to ${address//./\\.}\$" "$log" ||
      fail "pxemasq's TFTP did not send $sent to ${address:-the Kea address}"
  done
}

case $scenario in
  proxy-bios)
    # SeaBIOS + qemu's iPXE ROM: Kea's offer has the address, pxemasq's proxy offer (PXEClient,
    # no address) the PXE menu with the one BIOS service; iPXE asks that boot server (pxemasq:
    # a REQUEST with option 43 sub-option 71 to 192.168.1.70:4011) and gets pxelinux.0;
    # pxelinux reads the server from the firmware's cached boot-server reply.
    proxy_setup proxy-bios-pxemasq
    one_boot proxy-bios-pxemasq pxemasq bios "$lab_work/proxy.conf" ||
      fail "BIOS boot with Kea allocating and pxemasq as proxy"
    phase_table proxy-bios proxy-bios-pxemasq
    check_proxy_boot proxy-bios-pxemasq pxelinux.0 ldlinux.c32 pxelinux.cfg/default \
      debian-installer/amd64/linux
    address=$(kea_address "$lab_vm_mac")
    grep -aqE "PXE\(ens33\) ${address//./\\.} $lab_vm_mac pxelinux\.0" \
      "$lab_work/proxy-bios-pxemasq.server.log" ||
      fail "pxemasq logged no boot-server ACK (port 4011) with pxelinux.0 for ${address:-Kea}"
    ;;
  proxy-uefi)
    # OVMF's own PXE: Kea's offer has the address; pxemasq's proxy offer (PXEClient, siaddr =
    # 192.168.1.70, no menu: one UEFI service) sends it on to port 4011, where its DHCPREQUEST
    # is answered with bootx64.efi (Debian's shim), which goes on as in the uefi scenario.
    # Debian 12's GRUB 2.06 reads only the firmware's cached DHCPACK (Kea's): its efinet has no
    # proxy-offer support (Fedora/RHEL's GRUB has a patch for it), so without a server in
    # Kea's ACK it stops at "grub>" before asking for grub.cfg. Kea's subnet therefore names
    # next-server 192.168.1.70 (siaddr only; Kea still gives no file name, so OVMF's boot file
    # and server come from pxemasq's port-4011 ACK).
    proxy_setup proxy-uefi-pxemasq "$lab_server_ip"
    one_boot proxy-uefi-pxemasq pxemasq uefi "$lab_work/proxy.conf" ||
      fail "UEFI boot with Kea allocating and pxemasq as proxy"
    phase_table proxy-uefi proxy-uefi-pxemasq
    check_proxy_boot proxy-uefi-pxemasq bootx64.efi grubx64.efi \
      debian-installer/amd64/grub/grub.cfg debian-installer/amd64/linux \
      debian-installer/amd64/initrd.gz
    # The port-4011 exchange: pxemasq answers a proxy request with an ACK (type 5) only when it
    # came to 4011 (on 67 it answers DISCOVERs alone, with OFFERs); that ACK names the file.
    log="$lab_work/proxy-uefi-pxemasq.server.log"
    xid=$(awk -v mac="$lab_vm_mac" '$0 ~ "PXE\\(ens33\\) " mac " proxy" { x[$3] = 1 }
      $0 ~ /option: 53 message-type  5$/ && ($3 in x) { print $3; exit }' "$log")
    if [[ -z $xid ]]; then
      fail "pxemasq logged no proxy ACK (the reply to the DHCPREQUEST on port 4011)"
    else
      grep -aqE " $xid bootfile name: bootx64\.efi\$" "$log" ||
        fail "the port-4011 ACK (xid $xid) did not name bootx64.efi"
      grep -aqE " $xid next server: ${lab_server_ip//./\\.}\$" "$log" ||
        fail "the port-4011 ACK (xid $xid) did not send the client to $lab_server_ip"
    fi
    grep -aqF 'NBP filename is bootx64.efi' "$lab_work/proxy-uefi-pxemasq.console.log" ||
      fail "OVMF did not say \"NBP filename is bootx64.efi\""
    ;;
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
  uefi-activated)
    # Issue 7 scenario 4: the UEFI boot with pxemasq started as systemd starts it, with the
    # hardening we can do here: UDP 67 and 69 bound by systemd-socket-activate and passed
    # (--fdname dhcp:tftp), the daemon itself unprivileged (setpriv: nobody, no groups, only
    # NET_ADMIN for the ARP entry and NET_RAW for the conflict probe; no NET_BIND_SERVICE).
    lab_netboot_tree "$lab_work/tftpboot"
    seed_config "$lab_work/tftpboot" "$lab_work/seed.conf"
    : >"$lab_work/pxemasq.leases"
    chown 65534:65534 "$lab_work/pxemasq.leases"  # nobody cannot create files in $lab_work
    caps=+net_admin,+net_raw
    PXEMASQ_E2E_LAUNCHER="systemd-socket-activate --datagram -l 0.0.0.0:67 -l 0.0.0.0:69
      --fdname=dhcp:tftp setpriv --reuid=65534 --regid=65534 --clear-groups
      --inh-caps=-all,$caps --ambient-caps=-all,$caps --bounding-set=-all,$caps"
    one_boot uefi-activated pxemasq uefi "$lab_work/seed.conf" ||
      fail "UEFI boot with pxemasq socket-activated and unprivileged"
    grep -q 'DHCP, using the socket passed by systemd' "$lab_work/uefi-activated.server.log" ||
      fail "pxemasq did not say it used the socket passed by systemd"
    phase_table uefi uefi-activated
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
  ipxe-http)
    # iPXE boots over pxemasq's HTTP server: SeaBIOS + qemu's iPXE ROM DHCPs (user class
    # "iPXE"), gets http://192.168.1.70/boot.ipxe as its boot file, and the script fetches the
    # kernel and initrd over HTTP too. The seed config stays verbatim; the iPXE lines and
    # http-port (a pxemasq option dnsmasq would reject) come in an extra conf-file.
    http_boot_tree
    cat >"$lab_work/ipxe-http.conf" <<EOF
# iPXE announces itself with user class (option 77) "iPXE": give it the script's URL.
dhcp-userclass=set:ipxe,iPXE
dhcp-boot=tag:ipxe,$http_url/boot.ipxe
http-port=$http_port
EOF
    after_boot() { scrape_metrics "$1"; }
    one_boot ipxe-http-pxemasq pxemasq bios "$lab_work/seed.conf" "$lab_work/ipxe-http.conf" ||
      fail "iPXE boot over HTTP with pxemasq"
    phase_table ipxe-http ipxe-http-pxemasq
    check_http_boot ipxe-http-pxemasq ipxe boot.ipxe
    ;;
  uefi-ipxe-http)
    # iPXE under UEFI: OVMF with qemu's default iPXE EFI ROM, whose boot entry runs first. iPXE
    # is matched here by its feature option 175 (the other usual way; ipxe-http uses the user
    # class) and gets a script whose kernel line names the initrd for the EFI stub.
    http_boot_tree
    lab_ipxe_script "$lab_work/tftpboot" "$http_url" boot-efi.ipxe initrd=initrd.gz
    cat >"$lab_work/uefi-ipxe-http.conf" <<EOF
# iPXE sends its feature list in option 175 (encapsulated): give it the script's URL.
dhcp-match=set:ipxe,175
dhcp-boot=tag:ipxe,$http_url/boot-efi.ipxe
http-port=$http_port
EOF
    after_boot() { scrape_metrics "$1"; }
    one_boot uefi-ipxe-http-pxemasq pxemasq uefi-ipxe "$lab_work/seed.conf" \
      "$lab_work/uefi-ipxe-http.conf" || fail "iPXE (UEFI) boot over HTTP with pxemasq"
    phase_table uefi-ipxe-http uefi-ipxe-http-pxemasq
    check_http_boot uefi-ipxe-http-pxemasq ipxe boot-efi.ipxe
    ;;
  uefi-http)
    # UEFI HTTP boot, configured the dnsmasq way: OVMF's HttpBootDxe (its PXE options turned
    # off, so HTTP boot is its first boot option) DHCPs with vendor class
    # "HTTPClient:Arch:00016:..." (client-arch 16); it accepts an offer only when the offer says
    # HTTPClient in option 60 and carries a URL as the boot file. It then fetches a standalone
    # GRUB over HTTP, which fetches the kernel and initrd over HTTP.
    http_boot_tree
    lab_http_grub "$lab_work/tftpboot" "$http_url"
    cat >"$lab_work/uefi-http.conf" <<EOF
# UEFI HTTP boot clients: vendor class HTTPClient; echo it back, and give them a URL.
dhcp-vendorclass=set:efihttp,HTTPClient
dhcp-option-force=tag:efihttp,60,HTTPClient
dhcp-boot=tag:efihttp,$http_url/http-boot/bootx64.efi
http-port=$http_port
EOF
    after_boot() { scrape_metrics "$1"; }
    # OVMF then tries HTTP over IPv6, which only times out: a failed HTTPv4 boot ends the wait.
    boot_failures+='|failed to load Boot0001 "UEFI HTTPv4'
    one_boot uefi-http-pxemasq pxemasq uefi-http "$lab_work/seed.conf" "$lab_work/uefi-http.conf" ||
      fail "UEFI HTTP boot with pxemasq"
    phase_table uefi-http uefi-http-pxemasq
    check_http_boot uefi-http-pxemasq efihttp http-boot/bootx64.efi
    grep -aqE 'vendor class: HTTPClient:Arch:00016' "$lab_work/uefi-http-pxemasq.server.log" ||
      fail "log-dhcp shows no HTTPClient vendor class with arch 16"
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
