#!/usr/bin/env bash
# Every benchmark of the DHCP and TFTP issues, back to back, against pxemasq, dnsmasq, kea-dhcp4
# and tftpd-hpa, with the shared bench lock held throughout; rewrites the results in README.md
# (the DHCP section through dhcp_bench.sh's own markers, the TFTP table between the markers
# below) with the machine, the date, the commands and the load.
#
#   sudo tests/bench/run_all.sh [--quick] [--rounds N]
#
# One Release build of this checkout (build/bench/pxemasq) serves both. Expect ~20 min for the
# DHCP phases and ~25 min for TFTP (200-client storms) with 3 rounds; --quick: ~10 min in all.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
quick=() rounds=3
while (($#)); do
  case $1 in
    --quick) quick=(--quick); rounds=1 ;;
    --rounds) rounds=$2; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run_all: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) -eq 0 ]] || { echo "run_all: needs root (network namespaces)" >&2; exit 77; }

build="$repo/build/bench"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPXEMASQ_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target pxemasq >/dev/null
bin="$build/pxemasq"
tftp_out=$(mktemp /tmp/pxemasq-bench-all.XXXXXX)
trap 'rm -f "$tftp_out"' EXIT

exec 9>/tmp/pxemasq-bench.lock
flock 9
echo "== DHCP (dhcp_bench.sh ${quick[*]} --rounds $rounds)"
dhcp_args=(--pxemasq "$bin" --rounds "$rounds")
((${#quick[@]})) && dhcp_args=(--quick --write-readme --pxemasq "$bin")
bash "$here/dhcp_bench.sh" "${dhcp_args[@]}"
echo "== TFTP (tftp_bench.sh ${quick[*]} --rounds $rounds)"
tftp_args=(--pxemasq "$bin" --rounds "$rounds")
((${#quick[@]})) && tftp_args=(--quick --pxemasq "$bin")
bash "$here/tftp_bench.sh" "${tftp_args[@]}" | tee "$tftp_out"

# The TFTP table, with how it was made, between its markers.
section=$(mktemp /tmp/pxemasq-bench-tftp.XXXXXX)
{
  echo "Run by \`tests/bench/run_all.sh ${quick[*]} --rounds $rounds\` on $(date -u '+%Y-%m-%d %H:%M UTC'),"
  echo "$(nproc) cores, $(uname -r), pxemasq $(git -C "$repo" rev-parse --short HEAD) (Release),"
  echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  grep '^|' "$tftp_out" || true
} >"$section"
readme="$here/README.md"
begin='<!-- BEGIN tftp_bench.sh results -->'
end='<!-- END tftp_bench.sh results -->'
if grep -qF "$begin" "$readme" && grep -qF "$end" "$readme"; then
  awk -v b="$begin" -v e="$end" -v f="$section" '
    $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip' "$readme" >"$readme.new" && mv "$readme.new" "$readme"
else
  { echo; echo "### Latest run_all.sh TFTP table"; echo; echo "$begin"; cat "$section"; echo "$end"; } >>"$readme"
fi
rm -f "$section"
echo "== rewrote the results in $readme"
