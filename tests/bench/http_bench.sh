#!/usr/bin/env bash
# HTTP vs TFTP benchmark of issue 8: one client fetching one 256 MiB file from
#   pxemasq-http   pxemasq's built-in HTTP server (curl, sendfile on the server side),
#   pxemasq-w16    pxemasq TFTP, blksize 1468, windowsize 16 (atftp --option "windowsize 16"),
#   dnsmasq        dnsmasq TFTP, blksize 1468, lockstep (it has no windowsize),
# in ONE invocation: interleaved rounds, each case once per round, the order rotated each round.
# The lab is tftp_bench.sh's: two network namespaces this script creates (server `ens33`
# 192.168.1.70/24, client `eth0` 192.168.1.20/24, one veth pair; nothing leaves them).
# Take the shared lock: flock /tmp/pxemasq-bench.lock tests/bench/http_bench.sh
#
#   tests/bench/http_bench.sh [--quick] [--rounds N] [--mib N] [--pxemasq PATH] [--keep-work]
#
# --quick         one round, 64 MiB
# --rounds N      interleaved rounds (default 3); the table gives medians over rounds and the
#                 paired ratios (per round, then the median)
# --mib N         file size in MiB (default 256)
# --pxemasq PATH  the binary (default: build/pxemasq of this checkout)
#
# Measured per case: wall time of the client process (start to exit), MB/s (10^6 bytes per s)
# and the server's CPU time (utime + stime from /proc/PID/stat, before and after; each server
# is one process, started afresh for every case) per GiB sent. A case counts only when the
# client exits 0 having received the whole file (curl: size_download; atftp: exit status with
# tsize, and the server's `sent` log line). Clients write to /dev/null and share the machine's
# cores with the server.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=3 mib=256 pxemasq_bin="$repo/build/pxemasq" keep_work=0
while (($#)); do
  case $1 in
    --quick) rounds=1; mib=64 ;;
    --rounds) rounds=$2; shift ;;
    --mib) mib=$2; shift ;;
    --pxemasq) pxemasq_bin=$(realpath "$2"); shift ;;
    --keep-work) keep_work=1 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "http_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) -eq 0 ]] || { echo "http_bench: needs root (network namespaces)" >&2; exit 77; }
for tool in ip atftp curl dnsmasq python3 ss; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
  command -v "$tool" >/dev/null 2>&1 || { echo "http_bench: needs $tool" >&2; exit 77; }
done
[[ -x $pxemasq_bin ]] || { echo "http_bench: no pxemasq at $pxemasq_bin" >&2; exit 2; }

# shellcheck source=tests/bench/lab.sh
source "$here/lab.sh"
lab_up hbench http-bench
head -c $((mib << 20)) /dev/urandom >"$root/single.bin"
chmod 644 "$root/single.bin"
size=$((mib << 20))
ticks=$(getconf CLK_TCK)

cpu_ticks() {  # utime + stime of PID
  local fields
  read -ra fields <<<"$(cut -d')' -f2- "/proc/$1/stat")"
  echo $((fields[11] + fields[12]))
}

start_server() {  # start_server pxemasq|dnsmasq
  local name=$1 conf="$work/$1.conf" port=69
  case $name in
    pxemasq)
      printf 'interface=ens33\nenable-tftp\ntftp-root=%s\nport=0\nhttp-port=8080\n' "$root" >"$conf"
      ip netns exec "$server_ns" "$pxemasq_bin" -d -C "$conf" >"$work/$name.log" 2>&1 &
      ;;
    dnsmasq)
      printf 'interface=ens33\nenable-tftp\ntftp-root=%s\nport=0\n' "$root" >"$conf"
      ip netns exec "$server_ns" dnsmasq -d -C "$conf" >"$work/$name.log" 2>&1 &
      ;;
  esac
  server_pid=$!  # `ip netns exec` execs the server itself
  local i
  for ((i = 0; i < 100; i++)); do
    ip netns exec "$server_ns" ss -Hlun "sport = :$port" 2>/dev/null | grep -q . &&
      { [[ $name != pxemasq ]] || ip netns exec "$server_ns" ss -Hltn 'sport = :8080' | grep -q .; } && break
    sleep 0.05
  done
}
stop_server() {
  kill "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
}

results="$work/results.tsv"
: >"$results"
one_case() {  # one_case CASE
  local name=$1 server=pxemasq ok=0 before after start end detail=""
  [[ $name == dnsmasq ]] && server=dnsmasq
  start_server "$server"
  before=$(cpu_ticks "$server_pid")
  start=$EPOCHREALTIME
  case $name in
    pxemasq-http)
      detail=$(ip netns exec "$client_ns" curl -sS --max-time 600 -o /dev/null -w '%{http_code} %{size_download}' \
        http://192.168.1.70:8080/single.bin 2>&1)
      [[ $detail == "200 $size" ]] && ok=1
      ;;
    pxemasq-w16 | dnsmasq)
      local window=()
      [[ $name == pxemasq-w16 ]] && window=(--option "windowsize 16")
      ip netns exec "$client_ns" timeout 600 atftp --get -r single.bin -l /dev/null --option "blksize 1468" \
        --option "tsize enable" "${window[@]}" 192.168.1.70 >"$work/client.out" 2>&1 && ok=1
      detail=$(tail -c 300 "$work/client.out")
      ;;
  esac
  end=$EPOCHREALTIME
  after=$(cpu_ticks "$server_pid")
  if [[ $name != pxemasq-http ]] && ((ok)); then  # the server saw the transfer through, too
    local i
    for ((i = 0; i < 50; i++)); do
      grep -q "sent $root/single.bin to" "$work/$server.log" && break
      sleep 0.1
    done
    grep -q "sent $root/single.bin to" "$work/$server.log" || { ok=0; detail="no 'sent' line in the server log"; }
  fi
  stop_server
  ((ok)) || echo "http_bench: $name failed in round $round: $detail" >&2
  local ms cpu
  ms=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", (e - s) * 1000 }')
  cpu=$(awk -v t="$((after - before))" -v k="$ticks" 'BEGIN { print t / k }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$ms" "$cpu" "$ok" | tee -a "$results"
}

cases=(pxemasq-http pxemasq-w16 dnsmasq)
echo "load before: $(uptime)"
echo -e "round\tcase\tms\tserver_cpu_s\tok"
for ((round = 1; round <= rounds; round++)); do
  shift_by=$(((round - 1) % ${#cases[@]}))
  order=("${cases[@]:$shift_by}" "${cases[@]:0:$shift_by}")
  for c in "${order[@]}"; do one_case "$c"; done
done
echo "load after: $(uptime)"

python3 - "$results" "$size" <<'PY'
import collections, statistics, sys
size = int(sys.argv[2])
gib = size / 2**30
runs = collections.defaultdict(dict)  # case -> round -> (MB/s, cpu s per GiB)
failed = collections.Counter()
for line in open(sys.argv[1]):
    rnd, case, ms, cpu, ok = line.split("\t")
    if ok.strip() != "1":
        failed[case] += 1
        continue
    runs[case][rnd] = (size / 1e6 / (float(ms) / 1000), float(cpu) / gib)
labels = {"pxemasq-http": ("pxemasq", "HTTP (curl)"),
          "pxemasq-w16": ("pxemasq", "TFTP windowsize 16"),
          "dnsmasq": ("dnsmasq", "TFTP lockstep")}
def paired(case, other, index):
    ratios = [runs[case][r][index] / runs[other][r][index] for r in runs[case] if r in runs.get(other, {})]
    return f"{statistics.median(ratios):.2f}" if ratios else "—"
print()
print(f"| server | protocol | MB/s (median) | server CPU s/GiB (median) | rounds ok | MB/s ÷ dnsmasq | CPU/GiB ÷ dnsmasq | MB/s ÷ pxemasq TFTP w16 |")
print("|---|---|---|---|---|---|---|---|")
for case in ("pxemasq-http", "pxemasq-w16", "dnsmasq"):
    server, protocol = labels[case]
    data = runs.get(case, {})
    if not data:
        print(f"| {server} | {protocol} | — | — | 0 of {failed[case]} | — | — | — |")
        continue
    mbs = statistics.median(v[0] for v in data.values())
    cpu = statistics.median(v[1] for v in data.values())
    vs_dnsmasq = paired(case, "dnsmasq", 0) if case != "dnsmasq" else "—"
    cpu_vs = paired(case, "dnsmasq", 1) if case != "dnsmasq" else "—"
    vs_w16 = paired(case, "pxemasq-w16", 0) if case == "pxemasq-http" else "—"
    print(f"| {server} | {protocol} | {mbs:.1f} | {cpu:.2f} | {len(data)} of {len(data) + failed[case]} | "
          f"{vs_dnsmasq} | {cpu_vs} | {vs_w16} |")
PY
exit 0
