# shellcheck shell=bash
# The seed lab for real firmware, sourced by pxe_boot_test.sh and tests/lab/demo.sh.
#
# Two network namespaces (three for the proxy scenarios) made here, nothing on the host's own
# network:
#   SERVER ns:  ens33 192.168.1.70/24 (the seed's interface and address) — a veth end
#   VM ns:      uplink (the veth's other end) + tap0, both in bridge br0; qemu runs in this ns
#               and opens tap0, so its NIC sits on the same wire as the server's ens33.
#   KEA ns:     (proxy scenarios only, lab_kea_create) k0 192.168.1.1/24, bridged the same way,
#               for our own kea-dhcp4 allocating beside pxemasq in proxy mode.
# Every long wait is bounded; lab_cleanup (the caller's EXIT trap) stops qemu, the servers and
# the log stampers by PID and deletes the namespaces, which takes the veths, bridge and tap along.
#
# Inputs (environment, all optional):
#   PXEMASQ_E2E_ACCEL     qemu accelerator: tcg (default: the issue's CI has no KVM, and KVM dies
#                         here with "KVM internal error"), kvm, or "auto" (kvm if /dev/kvm is
#                         writable, else tcg; pxe_boot_test.sh boots again under TCG when KVM
#                         stops the guest with "KVM internal error")
#   PXEMASQ_E2E_TIMEOUT   seconds a boot may take to the kernel banner (default 300)
#   PXEMASQ_E2E_LAUNCHER  words put before the daemon command (hook for issue 7 scenario 4:
#                         socket activation / an unprivileged user); default none
#   PXEMASQ_E2E_KEEP      1 = keep the work directory (logs, trees) after the run

lab_netboot=/usr/lib/debian-installer/images/12/amd64/text
lab_ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
lab_ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
lab_server_ip=192.168.1.70
lab_vm_mac=52:54:00:e2:e0:01
lab_seed=$(cd "$(dirname "${BASH_SOURCE[0]}")/../lab" && pwd)/seed.conf
lab_pids=()        # every background process we started, stopped in reverse order
lab_server_pid=""
lab_qemu_pid=""

lab_now() { printf '%s' "$EPOCHREALTIME"; }

# lab_missing_tools: prints what the firmware lab needs and this host lacks (empty = all there).
lab_missing_tools() {
  local missing=() tool
  for tool in ip qemu-system-x86_64 timeout awk grub-mkimage; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  local file
  for file in "$lab_ovmf_code" "$lab_ovmf_vars" "$lab_netboot/debian-installer/amd64/linux" \
    "$lab_netboot/debian-installer/amd64/bootnetx64.efi" /usr/lib/grub/x86_64-efi/efinet.mod \
    /usr/lib/ipxe/qemu/efi-virtio.rom /dev/net/tun; do
    [[ -e $file ]] || missing+=("$file")
  done
  printf '%s' "${missing[*]}"
}

# lab_create SUFFIX: the two namespaces, the wire and the tap.
lab_create() {
  lab_server_ns="pxq-e2e-$1-srv"
  lab_vm_ns="pxq-e2e-$1-vm"
  ip netns add "$lab_server_ns"
  ip netns add "$lab_vm_ns"
  ip link add ens33 netns "$lab_server_ns" type veth peer name uplink netns "$lab_vm_ns"
  ip -n "$lab_server_ns" addr add "$lab_server_ip/24" brd + dev ens33
  ip -n "$lab_server_ns" link set lo up
  ip -n "$lab_server_ns" link set ens33 up
  ip -n "$lab_vm_ns" link add br0 type bridge
  ip -n "$lab_vm_ns" link set uplink master br0
  ip -n "$lab_vm_ns" tuntap add dev tap0 mode tap
  ip -n "$lab_vm_ns" link set tap0 master br0
  local link
  for link in lo uplink tap0 br0; do ip -n "$lab_vm_ns" link set "$link" up; done
}

# lab_kea_create: a third namespace on the same wire, for an allocating DHCP server beside
# pxemasq (proxy DHCP): k0 192.168.1.1/24, its veth's other end (kea-uplink) in the VM
# namespace's bridge, so Kea, pxemasq's ens33 and the VM share one segment. After lab_create.
lab_kea_ip=192.168.1.1
lab_kea_create() {
  lab_kea_ns="${lab_server_ns%-srv}-kea"
  ip netns add "$lab_kea_ns"
  ip link add k0 netns "$lab_kea_ns" type veth peer name kea-uplink netns "$lab_vm_ns"
  ip -n "$lab_kea_ns" addr add "$lab_kea_ip/24" brd + dev k0
  ip -n "$lab_kea_ns" link set lo up
  ip -n "$lab_kea_ns" link set k0 up
  ip -n "$lab_vm_ns" link set kea-uplink master br0
  ip -n "$lab_vm_ns" link set kea-uplink up
}

# lab_start_kea LOG: our own kea-dhcp4 (never the host's service) in the Kea namespace, on its
# own JSON config in $lab_work: the seed's allocation (192.168.1.230-250, router .254, DNS .24,
# 12 h) and no boot information, so the boot can only come from the proxy; with NEXT-SERVER,
# the subnet's next-server (siaddr) only, still no file name (for loaders that read nothing but
# the firmware's cached DHCPACK: see proxy-uefi in pxe_boot_test.sh). Its lease file is
# $lab_work/kea.leases; its log goes to LOG, time-stamped like the servers'. Returns 0 once Kea
# listens on port 67 (10 s at most).
lab_start_kea() {
  local log=$1 next_server_item="" i
  [[ -n ${2:-} ]] && next_server_item=" \"next-server\": \"$2\","
  cat >"$lab_work/kea.json" <<EOF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "k0" ], "dhcp-socket-type": "raw" },
  "lease-database": { "type": "memfile", "persist": true, "name": "$lab_work/kea.leases",
                      "lfc-interval": 0 },
  "valid-lifetime": 43200,
  "subnet4": [ { "subnet": "192.168.1.0/24",$next_server_item
                 "pools": [ { "pool": "192.168.1.230 - 192.168.1.250" } ],
                 "option-data": [ { "name": "routers", "data": "192.168.1.254" },
                                  { "name": "domain-name-servers", "data": "192.168.1.24" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "stdout" } ],
                 "severity": "INFO" } ]
} }
EOF
  : >"$log"
  KEA_PIDFILE_DIR=$lab_work KEA_LOCKFILE_DIR=$lab_work ip netns exec "$lab_kea_ns" \
    kea-dhcp4 -c "$lab_work/kea.json" > >(lab_stamp "$log") 2>&1 </dev/null &
  lab_kea_pid=$!
  lab_pids+=("$lab_kea_pid")
  for ((i = 0; i < 100; i++)); do
    ip netns exec "$lab_kea_ns" ss -Hlun 'sport = :67' | grep -q ':67' && return 0
    kill -0 "$lab_kea_pid" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

lab_stop_kea() {
  lab_stop "${lab_kea_pid:-}"
  lab_kea_pid=""
}

# lab_stop PID: SIGTERM, up to 5 s, then SIGKILL; reaps it.
lab_stop() {
  local pid=$1 i
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

lab_cleanup() {
  local i
  for ((i = ${#lab_pids[@]} - 1; i >= 0; i--)); do lab_stop "${lab_pids[i]}"; done
  lab_pids=()
  [[ -n ${lab_vm_ns:-} ]] && ip netns del "$lab_vm_ns" 2>/dev/null
  [[ -n ${lab_kea_ns:-} ]] && ip netns del "$lab_kea_ns" 2>/dev/null
  [[ -n ${lab_server_ns:-} ]] && ip netns del "$lab_server_ns" 2>/dev/null
  if [[ -n ${lab_work:-} && ${PXEMASQ_E2E_KEEP:-0} != 1 ]]; then
    rm -rf "$lab_work"
  elif [[ -n ${lab_work:-} ]]; then
    echo "lab: kept $lab_work"
  fi
  return 0
}

# lab_stamp LOGFILE [ECHO-PREFIX]: copies stdin to LOGFILE, each line prefixed with the wall
# clock (seconds.micro); with ECHO-PREFIX also to stdout, prefixed, for the live demo. OVMF's
# console uses ANSI escapes and carriage returns: both are stripped from the echo only.
lab_stamp() {
  local log=$1 prefix=${2:-} line
  shopt -s extglob # for the escape pattern; this runs in its own process
  while IFS= read -r line || [[ -n $line ]]; do
    printf '%s %s\n' "$EPOCHREALTIME" "$line" >>"$log"
    if [[ -n $prefix ]]; then
      line=${line//$'\r'/}
      line=${line//$'\e['*([0-9;?=])[A-Za-z]/}
      [[ -n ${line//[[:space:]]/} ]] && printf '%s%s\n' "$prefix" "$line"
    fi
  done
  return 0
}

# lab_netboot_tree DIR: Debian's netboot tree laid out as the seed's server would hold it:
#   bootx64.efi            Debian's shim (bootnetx64.efi), the seed's dhcp-boot name
#   grubx64.efi            Debian's network GRUB; shim loads it from its own directory
#   pxelinux.0, ldlinux.c32, pxelinux.cfg/default   the BIOS path
#   debian-installer/amd64/{linux,initrd.gz,grub/...}
# GRUB's prefix is /debian-installer/amd64/grub and it always reads $prefix/grub.cfg over TFTP
# (its `test -e` cannot stat a TFTP file), so that file is replaced by an unattended entry.
lab_netboot_tree() {
  local root=$1 d=$lab_netboot/debian-installer/amd64
  mkdir -p "$root"
  cp -rL "$lab_netboot/debian-installer" "$root/"
  cp "$d/bootnetx64.efi" "$root/bootx64.efi"
  cp "$d/grubx64.efi" "$root/grubx64.efi"
  cp "$d/pxelinux.0" "$root/pxelinux.0"
  cp "$d/boot-screens/ldlinux.c32" "$root/ldlinux.c32"
  local console='console=ttyS0,115200 earlyprintk=ttyS0,115200 panic=-1'
  cat >"$root/debian-installer/amd64/grub/grub.cfg" <<EOF
echo "pxe-e2e: grub.cfg loaded"
set timeout=0
linux /debian-installer/amd64/linux $console
initrd /debian-installer/amd64/initrd.gz
echo "pxe-e2e: booting"
boot
EOF
  mkdir -p "$root/pxelinux.cfg"
  rm -f "$root/pxelinux.cfg/default"
  cat >"$root/pxelinux.cfg/default" <<EOF
SERIAL 0 115200
DEFAULT e2e
PROMPT 0
TIMEOUT 0
LABEL e2e
  KERNEL debian-installer/amd64/linux
  APPEND $console
EOF
  chmod -R a+rX "$root"
}

# lab_ipxe_script DIR URL [NAME [KERNEL-ARGS]]: an iPXE script at DIR/NAME (boot.ipxe) that
# fetches Debian's netboot kernel and initrd from URL (http://SERVER[:PORT]) and boots them
# unattended on the serial console. iPXE runs a file it is given as its boot file as a script
# when it starts with "#!ipxe"; the kernel and initrd URLs are absolute, so the script is the
# same whichever path serves it. Under UEFI the kernel's EFI stub loads the initrd itself and
# needs its name in the arguments (initrd=initrd.gz: iPXE offers its downloads as files).
lab_ipxe_script() {
  local root=$1 url=$2 name=${3:-boot.ipxe} extra=${4:-}
  local console="console=ttyS0,115200 earlyprintk=ttyS0,115200 panic=-1${extra:+ $extra}"
  cat >"$root/$name" <<EOF
#!ipxe
echo pxe-e2e: boot.ipxe loaded
kernel $url/debian-installer/amd64/linux $console
initrd $url/debian-installer/amd64/initrd.gz
echo pxe-e2e: booting
boot
EOF
  chmod a+r "$root/$name"
}

# lab_http_grub DIR URL: DIR/http-boot/bootx64.efi, a standalone GRUB for UEFI HTTP boot. The
# firmware fetches it over HTTP; its embedded config gets an address (GRUB's own DHCP: the
# firmware's HTTP boot leaves no PXE cached reply to reuse) and fetches Debian's netboot kernel
# and initrd over HTTP from URL's host, so nothing of the boot goes over TFTP.
lab_http_grub() {
  local root=$1 host=${2#http://}
  local console='console=ttyS0,115200 earlyprintk=ttyS0,115200 panic=-1'
  mkdir -p "$root/http-boot"
  cat >"$lab_work/http-grub.cfg" <<EOF
echo "pxe-e2e: GRUB up over HTTP"
net_bootp
linux (http,$host)/debian-installer/amd64/linux $console
initrd (http,$host)/debian-installer/amd64/initrd.gz
echo "pxe-e2e: booting"
boot
EOF
  grub-mkimage -O x86_64-efi -p / -c "$lab_work/http-grub.cfg" -o "$root/http-boot/bootx64.efi" \
    efinet net http linux echo boot all_video
  chmod -R a+rX "$root/http-boot"
}

# lab_esxi_tree DIR: the seed's ESXi layout with a stand-in loader. bootx64.efi at the root is
# a standalone GRUB (modules built in, prefix unset, so like ESXi's mboot it reads only its
# config and what the config names). Its config sits in a subfolder, esxi8/boot.cfg; the loader
# first asks for /boot.cfg at the root, as ESXi's does (missing here: pxemasq's not-found hint
# names esxi8/boot.cfg), then falls back to the subfolder. boot.cfg names the modules as URLs of
# this server, like the seed's loader with `prefix=http://192.168.1.70/esxi8/`; the first one is
# truly missing (left in the wrong folder), for the hint, then the right ones.
# GRUB's TFTP client collapses "//" in every name it sends (it would send "http:/192.168...."),
# so the names are spelled `http:/\192.168.1.70/...`: on the wire that is one `\` away from the
# seed's `http://...`, and a TFTP server reads `\` as `/` (dnsmasq and pxemasq alike) before it
# looks at the name, so the server sees exactly the seed's `http://192.168.1.70/esxi8/...`.
lab_esxi_tree() {
  local root=$1 d=$lab_netboot/debian-installer/amd64
  local url="http:/\\$lab_server_ip"
  mkdir -p "$root/esxi8"
  cp "$d/linux" "$root/esxi8/vmlinuz"
  # A 4 MiB stand-in for an ESXi module (s.v00); the kernel needs no real initrd for its banner.
  head -c $((4 << 20)) /dev/urandom >"$root/esxi8/s.v00"
  cat >"$root/early.cfg" <<'EOF'
unset prefix
echo "pxe-e2e: loader up, cmdpath=$cmdpath"
configfile $cmdpath/boot.cfg
configfile $cmdpath/esxi8/boot.cfg
EOF
  cat >"$root/esxi8/boot.cfg" <<EOF
echo "pxe-e2e: esxi8/boot.cfg loaded"
linux '(tftp)$url/vmlinuz' console=ttyS0,115200
linux '(tftp)$url/esxi8/vmlinuz' console=ttyS0,115200 earlyprintk=ttyS0,115200 panic=-1
initrd '(tftp)$url/esxi8/s.v00'
echo "pxe-e2e: booting"
boot
EOF
  grub-mkimage -O x86_64-efi -p / -c "$root/early.cfg" -o "$root/bootx64.efi" \
    efinet tftp net normal linux echo boot test configfile all_video
  rm -f "$root/early.cfg"
  chmod -R a+rX "$root"
}

# lab_start_server NAME LOG COMMAND...: runs a DHCP/TFTP server in the server namespace, its
# output time-stamped into LOG (and echoed live with "[NAME] " when LAB_LIVE=1).
lab_start_server() {
  local name=$1 log=$2
  shift 2
  local echo_prefix=""
  [[ ${LAB_LIVE:-0} == 1 ]] && echo_prefix="[$name] "
  : >"$log"
  # shellcheck disable=SC2086 # the launcher is words on purpose
  ip netns exec "$lab_server_ns" ${PXEMASQ_E2E_LAUNCHER:-} "$@" \
    > >(lab_stamp "$log" "$echo_prefix") 2>&1 </dev/null &
  lab_server_pid=$!
  lab_pids+=("$lab_server_pid")
}

lab_stop_server() {
  lab_stop "$lab_server_pid"
  lab_server_pid=""
}

lab_accel() {
  local accel=${PXEMASQ_E2E_ACCEL:-tcg}
  if [[ $accel == auto ]]; then
    if [[ -w /dev/kvm ]]; then accel=kvm; else accel=tcg; fi
  fi
  printf '%s' "$accel"
}

# lab_start_vm uefi|uefi-http|uefi-ipxe|bios CONSOLE-LOG: boots the VM from the network in the VM
# namespace. UEFI: q35 + OVMF, virtio-net with romfile= empty, so OVMF's own VirtioNetDxe +
# PxeBcDxe boot it as real UEFI firmware would (qemu's default iPXE EFI ROM would add its own
# boot entry, which runs first and fails with shim). uefi-http: the same with OVMF's PXE boot
# options turned off (its fw_cfg knobs), so its first boot option is "UEFI HTTPv4", as on a
# machine whose setup puts HTTP boot first. uefi-ipxe: qemu's default ROM kept, so iPXE's EFI
# driver boots first (iPXE under UEFI). BIOS: SeaBIOS + qemu's default iPXE option ROM.
lab_start_vm() {
  local firmware=$1 log=$2
  local accel
  accel=$(lab_accel)
  # shellcheck disable=SC2054 # qemu option values have commas
  local args=(-accel "$accel" -m 1024 -smp 1 -display none -monitor none -serial stdio
    -no-reboot -netdev tap,id=n0,ifname=tap0,script=no,downscript=no)
  if [[ $firmware == uefi* ]]; then
    local rom=",romfile="
    [[ $firmware == uefi-ipxe ]] && rom=""
    # shellcheck disable=SC2054 # fw_cfg values have commas
    [[ $firmware == uefi-http ]] && args+=(-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n
      -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n)
    cp "$lab_ovmf_vars" "$lab_work/OVMF_VARS.$firmware.fd"
    args+=(-machine q35
      -drive "if=pflash,format=raw,readonly=on,file=$lab_ovmf_code"
      -drive "if=pflash,format=raw,file=$lab_work/OVMF_VARS.$firmware.fd"
      -device "virtio-net-pci,netdev=n0,mac=$lab_vm_mac$rom,bootindex=1")
  else
    args+=(-machine pc -boot n -device "virtio-net-pci,netdev=n0,mac=$lab_vm_mac,bootindex=1")
  fi
  local echo_prefix=""
  [[ ${LAB_LIVE:-0} == 1 ]] && echo_prefix="[console] "
  : >"$log"
  lab_vm_started=$(lab_now)
  ip netns exec "$lab_vm_ns" qemu-system-x86_64 "${args[@]}" \
    > >(lab_stamp "$log" "$echo_prefix") 2>&1 </dev/null &
  lab_qemu_pid=$!
  lab_pids+=("$lab_qemu_pid")
}

lab_stop_vm() {
  lab_stop "$lab_qemu_pid"
  lab_qemu_pid=""
}

# lab_wait_for LOG PATTERN SECONDS [FAIL-PATTERN]: 0 when an extended regex shows up in LOG,
# 1 on timeout, 2 when FAIL-PATTERN shows up first or qemu is gone.
lab_wait_for() {
  local log=$1 pattern=$2 seconds=$3 fail=${4:-}
  local deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    grep -aqE -- "$pattern" "$log" 2>/dev/null && return 0
    [[ -n $fail ]] && grep -aqE -- "$fail" "$log" 2>/dev/null && return 2
    if [[ -n $lab_qemu_pid ]] && ! kill -0 "$lab_qemu_pid" 2>/dev/null; then
      sleep 0.3 # the stamper may still be writing the last lines
      grep -aqE -- "$pattern" "$log" 2>/dev/null && return 0
      return 2
    fi
    sleep 0.2
  done
  return 1
}

# lab_time_of first|last LOG PATTERN [START]: the stamp of the first or last line matching the
# extended regex PATTERN, in seconds since START (default: when the VM started); "-" if none.
lab_time_of() {
  PATTERN=$3 awk -v which="$1" -v start="${4:-$lab_vm_started}" '
    $0 ~ ENVIRON["PATTERN"] { at = $1; found = 1; if (which == "first") exit }
    END { if (found) printf "%.2f", at - start; else printf "-" }' "$2"
}
lab_first_time() { lab_time_of first "$@"; }

# seed_config ROOT OUT: the seed config, verbatim but for tftp-root.
seed_config() {
  sed "s|^tftp-root=.*|tftp-root=$1|" "$lab_seed" >"$2"
  diff <(grep -v '^tftp-root=' "$lab_seed") <(grep -v '^tftp-root=' "$2") >/dev/null
}

# server_command pxemasq|dnsmasq CONFIG [EXTRA-CONF]: the daemon's command line in server_argv
# ($lab_pxemasq or $lab_dnsmasq). Lab-only
# options stay on the command line so the config file is the seed's: the lease file in the
# lab, and for dnsmasq no DNS, no pid file, log to stderr.
server_command() {
  local which=$1 config=$2 extra=${3:-}
  local leases="$lab_work/$which.leases"
  if [[ $which == pxemasq ]]; then
    server_argv=("$lab_pxemasq" -d -C "$config" "--dhcp-leasefile=$leases")
  else
    server_argv=("$lab_dnsmasq" --keep-in-foreground --log-facility=- --port=0 --pid-file=
      -C "$config" "--dhcp-leasefile=$leases")
  fi
  [[ -n $extra ]] && server_argv+=("--conf-file=$extra")
  return 0
}

# phase_table FIRMWARE RUN...: phase timings of each run side by side, in seconds since qemu
# started, from the daemon's own log lines and the console; then the spans between phases
# (which leave out the firmware's start-up, the noisiest part under TCG on a loaded machine).
# A phase is LABEL|server or console|first or last matching line|extended regex. dnsmasq logs
# DHCPDISCOVER only after its ping check, so the DISCOVER's arrival is its first
# "available DHCP range" line; the size probe is also logged as "sent", hence "last" there.
phase_table() {
  local firmware=$1
  shift
  local phases=("first DISCOVER arrives|server|first|available DHCP range"
    "DHCPOFFER sent|server|first|DHCPOFFER\(ens33\)"
    "DHCP done (DHCPACK)|server|first|DHCPACK\(ens33\)")
  local spans=("DHCP (DISCOVER -> ACK)|0|2")
  # Proxy DHCP beside Kea: the address from Kea's log (RUN.kea.log), the proxy replies from
  # pxemasq's (in proxy mode it logs "available DHCP subnet" and "PXE(IF) ...", no OFFER/ACK).
  if [[ $firmware == proxy-* ]]; then
    phases=("first DISCOVER arrives|server|first|available DHCP subnet"
      "pxemasq proxy OFFER sent|server|first|PXE\(ens33\) .* proxy"
      "Kea DHCPACK (address allocated)|kea|first|DHCP4_LEASE_ALLOC")
  fi
  case $firmware in
    uefi)
      phases+=("bootx64.efi (shim) fetched|server|last|sent .*/bootx64\.efi to"
        "grubx64.efi fetched|server|last|sent .*/grubx64\.efi to"
        "grub.cfg fetched|server|last|sent .*/grub/grub\.cfg to"
        "kernel (linux) fetched|server|last|sent .*/amd64/linux to"
        "initrd.gz fetched|server|last|sent .*/initrd\.gz to")
      spans+=("TFTP by OVMF, windowsize 4 (ACK -> grubx64.efi)|2|4"
        "TFTP by GRUB (grubx64.efi -> initrd.gz)|4|7"
        "TFTP all (ACK -> initrd.gz)|2|7"
        "network boot (DISCOVER -> banner)|0|8")
      ;;
    bios)
      phases+=("pxelinux.0 fetched|server|last|sent .*/pxelinux\.0 to"
        "ldlinux.c32 fetched|server|last|sent .*/ldlinux\.c32 to"
        "pxelinux.cfg/default fetched|server|last|sent .*/pxelinux\.cfg/default to"
        "kernel (linux) fetched|server|last|sent .*/amd64/linux to")
      spans+=("iPXE after DHCP (ACK -> pxelinux.0)|2|3"
        "TFTP by pxelinux (pxelinux.0 -> kernel)|3|6"
        "network boot (DISCOVER -> banner)|0|7")
      ;;
    ipxe-http | uefi-http | uefi-ipxe-http)
      local first="boot.ipxe|boot\\.ipxe" after="iPXE"
      [[ $firmware == uefi-http ]] && first="http-boot/bootx64.efi|http-boot/bootx64\\.efi" after="OVMF"
      [[ $firmware == uefi-ipxe-http ]] && first="boot-efi.ipxe|boot-efi\\.ipxe"
      phases+=("${first%%|*} fetched (HTTP)|server|last|HTTP sent .*/${first#*|} to"
        "kernel (linux) fetched (HTTP)|server|last|HTTP sent .*/amd64/linux to"
        "initrd.gz fetched (HTTP)|server|last|HTTP sent .*/initrd\\.gz to")
      spans+=("$after after DHCP (ACK -> ${first%%|*})|2|3"
        "HTTP (${first%%|*} -> initrd.gz)|3|5"
        "network boot (DISCOVER -> banner)|0|6")
      ;;
    proxy-uefi)
      phases+=("pxemasq ACK on port 4011 (boot file)|server|first|message-type  5$"
        "bootx64.efi (shim) fetched|server|last|sent .*/bootx64\.efi to"
        "grubx64.efi fetched|server|last|sent .*/grubx64\.efi to"
        "grub.cfg fetched|server|last|sent .*/grub/grub\.cfg to"
        "kernel (linux) fetched|server|last|sent .*/amd64/linux to"
        "initrd.gz fetched|server|last|sent .*/initrd\.gz to")
      spans+=("Kea ACK -> pxemasq's 4011 ACK|2|3"
        "TFTP all (4011 ACK -> initrd.gz)|3|8"
        "network boot (DISCOVER -> banner)|0|9")
      ;;
    proxy-bios)
      phases+=("pxemasq boot-server ACK (4011)|server|first|PXE\(ens33\) [0-9.]+ .* pxelinux\.0"
        "pxelinux.0 fetched|server|last|sent .*/pxelinux\.0 to"
        "ldlinux.c32 fetched|server|last|sent .*/ldlinux\.c32 to"
        "pxelinux.cfg/default fetched|server|last|sent .*/pxelinux\.cfg/default to"
        "kernel (linux) fetched|server|last|sent .*/amd64/linux to")
      spans+=("Kea ACK -> boot-server ACK (4011)|2|3"
        "iPXE after the boot server (4011 ACK -> pxelinux.0)|3|4"
        "TFTP by pxelinux (pxelinux.0 -> kernel)|4|7"
        "network boot (DISCOVER -> banner)|0|8")
      ;;
    esxi)
      phases+=("loader bootx64.efi fetched|server|last|sent .*/bootx64\.efi to"
        "esxi8/boot.cfg fetched|server|last|sent .*/esxi8/boot\.cfg to"
        "esxi8/vmlinuz fetched (URL name)|server|last|sent .*/esxi8/vmlinuz to"
        "esxi8/s.v00 fetched (URL name)|server|last|sent .*/esxi8/s\.v00 to")
      spans+=("TFTP all (ACK -> s.v00)|2|6"
        "network boot (DISCOVER -> banner)|0|7")
      ;;
  esac
  phases+=("kernel banner (console)|console|first|Linux version")
  local run i label source which pattern
  declare -A at=()
  for run in "$@"; do
    lab_vm_started=$(cat "$lab_work/$run.started")
    for i in "${!phases[@]}"; do
      IFS='|' read -r label source which pattern <<<"${phases[i]}"
      at[$run.$i]=$(lab_time_of "$which" "$lab_work/$run.$source.log" "$pattern")
    done
  done
  printf '    %-50s' "phase (s since qemu start)"
  for run in "$@"; do printf '%10s' "${run#*-}"; done
  printf '\n'
  for i in "${!phases[@]}"; do
    printf '    %-50s' "${phases[i]%%|*}"
    for run in "$@"; do printf '%10s' "${at[$run.$i]}"; done
    printf '\n'
  done
  local span from to
  printf '    %-50s\n' "span (s)"
  for span in "${spans[@]}"; do
    IFS='|' read -r label from to <<<"$span"
    printf '    %-50s' "$label"
    for run in "$@"; do
      awk -v a="${at[$run.$from]}" -v b="${at[$run.$to]}" \
        'BEGIN { if (a == "-" || b == "-") printf "%10s", "-"; else printf "%10.2f", b - a }'
    done
    printf '\n'
  done
}
