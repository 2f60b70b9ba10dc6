#!/usr/bin/env bash
# Every benchmark of the DHCP, TFTP and HTTP issues, back to back, against pxemasq, dnsmasq,
# kea-dhcp4 and tftpd-hpa, with the shared bench lock held throughout; rewrites the results in
# README.md (the DHCP section through dhcp_bench.sh's own markers, the TFTP and HTTP tables
# between the markers below) with the machine, the date, the commands and the load.
#
#   sudo tests/bench/run_all.sh [--quick] [--rounds N]
#
# One Release build of this checkout (build/bench/pxemasq) serves both. Expect ~20 min for the
# DHCP phases, ~25 min for TFTP (200-client storms) and ~1 min for HTTP vs TFTP with 3 rounds;
# --quick: ~10 min in all.
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
http_out=$(mktemp /tmp/pxemasq-bench-http.XXXXXX)
trap 'rm -f "$tftp_out" "$http_out"' EXIT

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
echo "== HTTP vs TFTP (http_bench.sh ${quick[*]} --rounds $rounds)"
http_args=(--pxemasq "$bin" --rounds "$rounds")
((${#quick[@]})) && http_args=(--quick --pxemasq "$bin")
bash "$here/http_bench.sh" "${http_args[@]}" | tee "$http_out"

# A result table, with how it was made, between its markers in README.md.
readme="$here/README.md"
rewrite_table() {  # rewrite_table OUTPUT MARKER-NAME HEADING
  local out=$1 name=$2 heading=$3 section
  section=$(mktemp /tmp/pxemasq-bench-section.XXXXXX)
  {
    echo "Run by \`tests/bench/run_all.sh ${quick[*]} --rounds $rounds\` on $(date -u '+%Y-%m-%d %H:%M UTC'),"
    echo "$(nproc) cores, $(uname -r), pxemasq $(git -C "$repo" rev-parse --short HEAD) (Release),"
    echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    grep '^|' "$out" || true
  } >"$section"
  local begin="<!-- BEGIN $name results -->" end="<!-- END $name results -->"
  if grep -qF "$begin" "$readme" && grep -qF "$end" "$readme"; then
    awk -v b="$begin" -v e="$end" -v f="$section" '
      $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
      $0 == e { skip = 0 }
      !skip' "$readme" >"$readme.new" && mv "$readme.new" "$readme"
  else
    { echo; echo "### $heading"; echo; echo "$begin"; cat "$section"; echo "$end"; } >>"$readme"
  fi
  rm -f "$section"
}
rewrite_table "$tftp_out" tftp_bench.sh "Latest run_all.sh TFTP table"
rewrite_table "$http_out" http_bench.sh "Latest run_all.sh HTTP vs TFTP table"
echo "== rewrote the results in $readme"
