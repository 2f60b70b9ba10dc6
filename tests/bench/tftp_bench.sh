#!/usr/bin/env bash
# TFTP benchmarks of issue 4: pxemasq against dnsmasq and tftpd-hpa (our own in.tftpd instance,
# not its service), back to back in one invocation, in two network namespaces this script
# creates (server `ens33` 192.168.1.70/24, client `eth0` 192.168.1.20/24, one veth pair; nothing
# leaves them). Take the shared lock: flock /tmp/pxemasq-bench.lock tests/bench/tftp_bench.sh
#
#   tests/bench/tftp_bench.sh [--quick] [--rounds N] [--pxemasq PATH] [--only LIST]
#                             [--storm-clients LIST] [--keep-work]
#
# --quick           one round, storms of 50 clients only, 64 MiB single-client file
# --rounds N        interleaved rounds (default 3); every case once per round, server order
#                   rotated each round; the table gives medians and the paired ratios
#                   (pxemasq / other, per round, then the median)
# --pxemasq PATH    the binary (default: build/pxemasq of this checkout)
# --only LIST       phases of: single,storm,wstorm
# --storm-clients   client counts for the storms (default "50 200")
#
# Servers: pxemasq, dnsmasq, tftpd-hpa, and in the lockstep cases `floor` (tftp_floor.cpp, built
# here): the least a lockstep server can do per block (recvfrom, pread, sendto, no timers), so
# the table shows how much of a server's CPU is the kernel's and how much its own.
#
# Phases:
#   single  one client (atftp), 256 MiB, blksize 1468: lockstep, then windowsize 16 (dnsmasq and
#           tftpd-hpa ignore windowsize: lockstep again); MB/s and server CPU s per GiB
#   storm   N concurrent atftp clients (blksize 1468, lockstep) each fetching the same 32 MiB
#           file; all must succeed; wall time until the last one ends (and when the first
#           ended: far earlier means the server served some clients at the others' expense);
#           server CPU s per GiB
#   wstorm  the same storm with windowsize 8
# Server CPU = utime + stime of every process in the server namespace over the case (see
# cpu_sampler.py below; it counts in.tftpd's per-client children). Clients write to /dev/null and
# must exit 0 with the right byte count announced by tsize; every client runs on the same 2
# cores as the server, so the storm's wall time is mostly the clients' (see README.md).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
quick=0 rounds=3 pxemasq_bin="$repo/build/pxemasq" only=single,storm,wstorm keep_work=0
storm_clients="50 200" single_mib=256
while (($#)); do
  case $1 in
    --quick) quick=1; rounds=1; storm_clients="50"; single_mib=64 ;;
    --rounds) rounds=$2; shift ;;
    --pxemasq) pxemasq_bin=$(realpath "$2"); shift ;;
    --only) only=$2; shift ;;
    --storm-clients) storm_clients=$2; shift ;;
    --keep-work) keep_work=1 ;;
    -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
    *) echo "tftp_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) -eq 0 ]] || { echo "tftp_bench: needs root (network namespaces)" >&2; exit 77; }
# tftpd-hpa is the benchmark's own dependency (not the tests'): its package would start a TFTP
# service on the host, so it is installed here, with that service kept from starting.
if ! command -v in.tftpd >/dev/null 2>&1 && ! [[ -x /usr/sbin/in.tftpd ]] && command -v apt-get >/dev/null; then
  policy_added=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_added=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y tftpd-hpa >/dev/null || true
  [[ -n $policy_added ]] && rm -f /usr/sbin/policy-rc.d
fi
for tool in ip atftp in.tftpd dnsmasq python3 g++; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
  command -v "$tool" >/dev/null 2>&1 || { echo "tftp_bench: needs $tool" >&2; exit 77; }
done
[[ -x $pxemasq_bin ]] || { echo "tftp_bench: no pxemasq at $pxemasq_bin" >&2; exit 2; }

# shellcheck source=tests/bench/lab.sh
source "$here/lab.sh"
lab_up tbench tftp-bench
head -c $((single_mib << 20)) /dev/urandom >"$root/single.bin"
head -c $((32 << 20)) /dev/urandom >"$root/storm.bin"
chmod 644 "$root"/*.bin

ticks=$(getconf CLK_TCK)
floor_bin="$work/tftp_floor"
g++ -std=c++20 -O2 -o "$floor_bin" "$here/tftp_floor.cpp" || { echo "tftp_bench: cannot build tftp_floor" >&2; exit 2; }
# Server CPU: a sampler adds up utime+stime of every process in the server namespace (the
# server, and in.tftpd's per-client children, which it does not wait for, so cutime would not
# see them), polling /proc every 50 ms until told to stop; processes there at the start count
# from their value then. A child living under 50 ms is missed; every case here lasts seconds.
cat >"$work/cpu_sampler.py" <<'PY'
import os, sys, time
netns_inode, stop_file = os.stat(sys.argv[1]).st_ino, sys.argv[2]
base, last = {}, {}
first = True
while True:
    stopping = os.path.exists(stop_file)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.stat(f"/proc/{pid}/ns/net").st_ino != netns_inode:
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            start, used = fields[19], int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
        key = (pid, start)
        if first:
            base[key] = used
        last[key] = used
    first = False
    if stopping:
        break
    time.sleep(0.05)
print(sum(v - base.get(k, 0) for k, v in last.items()))
PY

start_server() {  # start_server NAME
  local name=$1 conf="$work/$1.conf"
  case $name in
    pxemasq)
      printf 'interface=ens33\nenable-tftp\ntftp-root=%s\nport=0\n' "$root" >"$conf"
      ip netns exec "$server_ns" "$pxemasq_bin" -d -C "$conf" >"$work/$name.log" 2>&1 &
      ;;
    dnsmasq)
      # tftp-max above the largest storm: dnsmasq's default 50 would queue the rest.
      printf 'interface=ens33\nenable-tftp\ntftp-root=%s\nport=0\ntftp-max=1000\n' "$root" >"$conf"
      ip netns exec "$server_ns" dnsmasq -d -C "$conf" >"$work/$name.log" 2>&1 &
      ;;
    tftpd-hpa)
      ip netns exec "$server_ns" in.tftpd -L -u root -s "$root" -a 192.168.1.70:69 \
        >"$work/$name.log" 2>&1 &
      ;;
    floor)
      ip netns exec "$server_ns" "$floor_bin" "$root" >"$work/$name.log" 2>&1 &
      ;;
  esac
  server_pid=$!
  local i
  for ((i = 0; i < 100; i++)); do
    ip netns exec "$server_ns" ss -Hlun 'sport = :69' 2>/dev/null | grep -q . && break
    sleep 0.05
  done
  # `ip netns exec` execs the server itself, so $! is the server's PID.
}
stop_server() {
  kill "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
}

# run_clients COUNT FILE WINDOW -> "ms failures first_ms": COUNT atftp clients at once, blksize
# 1468; ms until the last one ended, first_ms until the first one did.
run_clients() {
  local count=$1 file=$2 window=$3
  ip netns exec "$client_ns" python3 - "$count" "$file" "$window" "$work" <<'PY'
import subprocess, sys, threading, time
count, name, window, work = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
args = ["atftp", "--get", "-r", name, "-l", "/dev/null", "--option", "blksize 1468",
        "--option", "tsize enable"]
if window > 1:
    args += ["--option", f"windowsize {window}"]
args.append("192.168.1.70")
start = time.monotonic()
procs = [subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
         for _ in range(count)]
ended, errors, lock = [], [], threading.Lock()
def watch(p):  # one thread per client, so that each end time is its own
    try:
        _, err = p.communicate(timeout=900)
        ok = p.returncode == 0
    except subprocess.TimeoutExpired:
        p.kill()
        err, ok = b"timed out", False
    with lock:
        ended.append(time.monotonic() - start)
        if not ok:
            errors.append(err[-500:])
threads = [threading.Thread(target=watch, args=(p,)) for p in procs]
for t in threads:
    t.start()
for t in threads:
    t.join()
for err in errors[:3]:
    open(f"{work}/client-errors.log", "ab").write(err)
print(f"{max(ended) * 1000:.0f} {len(errors)} {min(ended) * 1000:.0f}")
PY
}

results="$work/results.tsv"
: >"$results"
# one_case SERVER PHASE CLIENTS FILE WINDOW MIB_EACH
one_case() {
  local server=$1 phase=$2 clients=$3 file=$4 window=$5 mib=$6
  start_server "$server"
  local out ms failures first_ms used
  rm -f "$work/stop"
  python3 "$work/cpu_sampler.py" "/run/netns/$server_ns" "$work/stop" >"$work/cpu.out" &
  local sampler=$!
  sleep 0.2
  out=$(run_clients "$clients" "$file" "$window")
  touch "$work/stop"
  wait "$sampler"
  used=$(cat "$work/cpu.out")
  stop_server
  read -r ms failures first_ms <<<"$out"
  local gib cpu
  gib=$(awk -v c="$clients" -v m="$mib" 'BEGIN { print c * m / 1024 }')
  cpu=$(awk -v u="$used" -v t="$ticks" 'BEGIN { print u / t }')
  local mbs cpu_per_gib
  mbs=$(awk -v c="$clients" -v m="$mib" -v ms="$ms" 'BEGIN { printf "%.1f", c * m * 1.048576 / (ms / 1000) }')
  cpu_per_gib=$(awk -v c="$cpu" -v g="$gib" 'BEGIN { printf "%.3f", c / g }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$phase" "$clients" "$server" "$ms" \
    "$failures" "$mbs" "$cpu_per_gib" "$first_ms" | tee -a "$results"
}

servers=(pxemasq dnsmasq tftpd-hpa floor)
echo "load before: $(uptime)"
echo -e "round\tcase\tclients\tserver\tms\tfailures\tMB/s\tcpu_s_per_GiB\tfirst_done_ms"
for ((round = 1; round <= rounds; round++)); do
  # Rotate the server order each round so drift in the machine's load spreads over all of them.
  shift_by=$(((round - 1) % ${#servers[@]}))
  order=("${servers[@]:$shift_by}" "${servers[@]:0:$shift_by}")
  windowed=()  # the floor speaks lockstep only
  for s in "${order[@]}"; do [[ $s == floor ]] || windowed+=("$s"); done
  if [[ ,$only, == *,single,* ]]; then
    for s in "${order[@]}"; do one_case "$s" single-lockstep 1 single.bin 1 "$single_mib"; done
    for s in "${windowed[@]}"; do one_case "$s" single-window16 1 single.bin 16 "$single_mib"; done
  fi
  for n in $storm_clients; do
    if [[ ,$only, == *,storm,* ]]; then
      for s in "${order[@]}"; do one_case "$s" storm "$n" storm.bin 1 32; done
    fi
    if [[ ,$only, == *,wstorm,* ]]; then
      for s in "${windowed[@]}"; do one_case "$s" storm-window8 "$n" storm.bin 8 32; done
    fi
  done
done
echo "load after: $(uptime)"

# Medians and paired ratios (pxemasq / other, per round).
python3 - "$results" <<'PY'
import collections, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = collections.defaultdict(dict)  # (case, clients) -> server -> {round: (ms, fail, mbs, cpu, first)}
for rnd, case, clients, server, ms, fail, mbs, cpu, first in rows:
    by[(case, int(clients))].setdefault(server, {})[rnd] = (float(ms), int(fail), float(mbs), float(cpu), float(first))
print()
print("| case | clients | server | time s (median) | first client done s | MB/s (median) | failures | server CPU s/GiB (median) | time vs pxemasq | CPU/GiB pxemasq ÷ this |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (case, clients), servers in sorted(by.items(), key=lambda kv: (kv[0][0], kv[0][1])):
    ours = servers.get("pxemasq", {})
    for server in ("pxemasq", "dnsmasq", "tftpd-hpa", "floor"):
        runs = servers.get(server)
        if not runs:
            continue
        ms = statistics.median(v[0] for v in runs.values())
        mbs = statistics.median(v[2] for v in runs.values())
        cpu = statistics.median(v[3] for v in runs.values())
        first = statistics.median(v[4] for v in runs.values())
        fails = sum(v[1] for v in runs.values())
        time_ratio = cpu_ratio = "—"
        if server != "pxemasq":
            paired = [(ours[r][0] / runs[r][0], ours[r][3] / runs[r][3] if runs[r][3] else float("nan"))
                      for r in runs if r in ours]
            if paired:
                time_ratio = f"{statistics.median(p[0] for p in paired):.2f}"
                cpu_ratio = f"{statistics.median(p[1] for p in paired):.2f}"
        first_text = f"{first / 1000:.1f}" if clients > 1 else "—"
        print(f"| {case} | {clients} | {server} | {ms / 1000:.1f} | {first_text} | {mbs:.1f} | {fails} | {cpu:.2f} | {time_ratio} | {cpu_ratio} |")
PY
[[ -s $work/client-errors.log ]] && { echo "client errors (first):"; head -c 1500 "$work/client-errors.log"; }
exit 0
