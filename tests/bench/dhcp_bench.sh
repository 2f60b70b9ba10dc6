#!/usr/bin/env bash
# DHCPv4 benchmarks of issue 3: pxemasq against dnsmasq and kea-dhcp4, back to back, in network
# namespaces this script creates (nothing is sent outside them, nothing touches the host's own
# interfaces). Writes the results table into tests/bench/README.md (full runs).
#
#   tests/bench/dhcp_bench.sh [--quick] [--rounds N] [--pxemasq PATH] [--no-readme]
#                             [--write-readme] [--keep-work] [--only PHASE[,PHASE]] [--no-wait]
#
# --quick        one round, short steps (about 3 minutes); prints the table, leaves the README
#                alone unless --write-readme
# --pxemasq PATH use this binary instead of building the checkout (Release) into build/bench
# --only LIST    run only these of the phases sweep,seeded,rss,storm (implies --no-readme)
# --no-wait      start at once, not after waiting (up to 5 min, 1 min quick) for load < 1.5
#
# Phases (each load step starts the server afresh on a copy of its lease file, so every step
# sees the same lease count at its start):
#   1. rate sweep, empty lease file: pxemasq, dnsmasq (--no-ping --port=0), kea-dhcp4 (memfile,
#      persist, one thread), plus one step at a fixed rate all three sustain (CPU and latency at
#      equal load)
#   2. the same sweep for pxemasq and dnsmasq with 10 000 and 100 000 leases already on file
#      (1 and 2 run as interleaved rounds: every sweep once per round, order rotated)
#   3. daemon RSS with 100 000 leases loaded
#   4. a storm of 50 real busybox udhcpc clients (one namespace each, on a bridge) started
#      together against pxemasq (conflict probe on) and dnsmasq (default: ping on)
# A sweep finds the highest offered rate with >= 99% of exchanges completed (DISCOVER..ACK
# within 1 s, no retransmission): a closed-loop calibration, then x1.5 steps up or down until
# pass and fail bracket it, then bisection. CPU = the server's utime+stime (/proc/PID/stat)
# over the step. The load generator (tests/bench/dhcp_load.cpp) runs on the same 2 cores.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

quick=0 rounds= pxemasq_bin= write_readme= keep_work=0 only=sweep,seeded,rss,storm idle_wait=
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --rounds) rounds=$2; shift ;;
    --pxemasq) pxemasq_bin=$(realpath "$2"); shift ;;
    --no-readme) write_readme=0 ;;
    --write-readme) write_readme=1 ;;
    --keep-work) keep_work=1 ;;
    --no-wait) idle_wait=0 ;;
    --only) only=$2; write_readme=${write_readme:-0}; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "dhcp_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) -eq 0 ]] || { echo "dhcp_bench: needs root (network namespaces)" >&2; exit 77; }

if ((quick)); then
  : "${rounds:=1}"; step_secs=2; seeded_step_secs=3; max_steps=5; resolution=1.25
  storm_rounds=1; calib_secs=1.5; : "${idle_wait:=60}"
else
  : "${rounds:=3}"; step_secs=4; seeded_step_secs=6; max_steps=7; resolution=1.12
  storm_rounds=3; calib_secs=2; : "${idle_wait:=300}"
fi
[[ $rounds =~ ^[1-9]$ ]] || { echo "dhcp_bench: --rounds 1..9" >&2; exit 2; }
: "${write_readme:=$((1 - quick))}"
# Steps with leases on file last long enough for pxemasq to write the whole lease file at least
# once (twice in full mode): it rewrites it 0.5 s per 20 000 leases after a change, so 2.5 s
# with 100 000; a shorter step would never pay for a snapshot.
fixed_rate=250          # the equal-load step: every server sustains it with an empty file
exchange_timeout=1      # seconds from DISCOVER to ACK
storm_clients=50
script_started=$(date +%s)
deadline=$((script_started + 45 * 60))   # a hard bound on the whole run

want() { [[ ,$only, == *,$1,* ]]; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# ---------------------------------------------------------------------------------------------
# Tools
install_missing() {
  local want=() p
  command -v dnsmasq >/dev/null || want+=(dnsmasq-base)
  command -v kea-dhcp4 >/dev/null || want+=(kea-dhcp4-server)
  command -v busybox >/dev/null || want+=(busybox)
  command -v g++ >/dev/null || want+=(g++)
  command -v ip >/dev/null || want+=(iproute2)
  command -v ss >/dev/null || want+=(iproute2)
  ((${#want[@]})) || return 0
  command -v apt-get >/dev/null || die "missing ${want[*]} and no apt-get"
  log "installing ${want[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
  # The kea package may start its own service: we run our own instance inside our namespace only.
  for p in kea-dhcp4-server kea-dhcp6-server kea-ctrl-agent kea-dhcp-ddns-server; do
    if [[ -d /run/systemd/system ]]; then systemctl disable --now "$p" >/dev/null 2>&1 || true; fi
  done
}
install_missing
command -v kea-dhcp4 >/dev/null || die "kea-dhcp4 not found"
dnsmasq_bin=$(command -v dnsmasq)
kea_bin=$(command -v kea-dhcp4)

work=$(mktemp -d /tmp/pxemasq-bench.XXXXXX)
log "work directory $work"
g++ -std=c++20 -O2 -Wall -Wextra -o "$work/dhcp_load" "$here/dhcp_load.cpp" || die "dhcp_load did not build"
build_word="Release"
if [[ -n $pxemasq_bin ]]; then
  # Say how the given binary was built, from the CMake cache beside it when there is one.
  build_word=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$(dirname "$pxemasq_bin")/CMakeCache.txt" 2>/dev/null)
  build_word="${build_word:-build type unknown}, given with --pxemasq"
fi
if [[ -z $pxemasq_bin ]]; then
  log "building pxemasq (Release) from $repo into $repo/build/bench"
  cmake -S "$repo" -B "$repo/build/bench" -DCMAKE_BUILD_TYPE=Release -DPXEMASQ_BUILD_TESTS=OFF >/dev/null &&
    cmake --build "$repo/build/bench" -j2 --target pxemasq >/dev/null || die "pxemasq did not build"
  pxemasq_bin=$repo/build/bench/pxemasq
fi
[[ -x $pxemasq_bin ]] || die "$pxemasq_bin is not executable"
load=$work/dhcp_load
clk_tck=$(getconf CLK_TCK)

# ---------------------------------------------------------------------------------------------
# Lab and cleanup
srv_ns=pxb-srv-$$
cli_ns=pxb-cli-$$
namespaces=()
server_pid=
storm_pids=()

cleanup() {
  local pid
  for pid in "${storm_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  if [[ -n $server_pid ]]; then kill -KILL "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  local ns
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
  if ((keep_work)); then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

new_ns() { ip netns add "$1" || die "ip netns add $1"; namespaces+=("$1"); ip -n "$1" link set lo up; }

# Server namespace: srv0 10.9.0.1/24. Client namespace (the relay): cli0 10.9.0.2/24 and the
# relay's giaddr 10.16.0.1/12; the server reaches 10.16.0.0/12 through 10.9.0.2. The range is a
# /12 so that 100 000 seeded leases plus the load's new ones fill under a fifth of it.
new_ns "$srv_ns"
new_ns "$cli_ns"
ip link add srv0 netns "$srv_ns" type veth peer name cli0 netns "$cli_ns" || die "veth"
ip -n "$srv_ns" addr add 10.9.0.1/24 dev srv0
ip -n "$srv_ns" link set srv0 up
ip -n "$cli_ns" addr add 10.9.0.2/24 dev cli0
ip -n "$cli_ns" addr add 10.16.0.1/12 dev cli0
ip -n "$cli_ns" link set cli0 up
ip -n "$srv_ns" route add 10.16.0.0/12 via 10.9.0.2 || die "route"
giaddr=10.16.0.1
server_ip=10.9.0.1

# ---------------------------------------------------------------------------------------------
# Configs. The same dnsmasq-syntax file for pxemasq and dnsmasq; kea's JSON says the same.
write_conf() {  # write_conf FILE LEASEFILE [no-ping]
  {
    echo "port=0"
    [[ ${3:-} == no-ping ]] && echo "no-ping"
    echo "dhcp-range=10.16.0.10,10.31.255.250,255.240.0.0,12h"
    echo "dhcp-leasefile=$2"
    echo "dhcp-lease-max=1000000"
    echo "log-facility=-"
  } >"$1"
}
write_kea_conf() {  # write_kea_conf FILE LEASEFILE LOGFILE
  cat >"$1" <<EOF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "srv0" ], "dhcp-socket-type": "udp" },
  "lease-database": { "type": "memfile", "persist": true, "name": "$2", "lfc-interval": 0 },
  "multi-threading": { "enable-multi-threading": false },
  "valid-lifetime": 43200,
  "subnet4": [ { "subnet": "10.16.0.0/12", "pools": [ { "pool": "10.16.0.10 - 10.31.255.250" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$3" } ], "severity": "INFO" } ]
} }
EOF
}

# Lease files in dnsmasq's format: EXPIRY MAC IP HOSTNAME CLIENT-ID, every 10th address of the
# range (spread, as leases accumulate in a real network), MACs 0a:... (the load uses 02:...).
seed_file() {  # seed_file N FILE
  awk -v n="$1" 'BEGIN {
    base = 10 * 16777216 + 16 * 65536 + 16;   # 10.16.0.16
    for (i = 0; i < n; i++) {
      a = base + i * 10;
      printf "2000000000 0a:%02x:%02x:%02x:%02x:%02x %d.%d.%d.%d * *\n",
        int(i / 4294967296) % 256, int(i / 16777216) % 256, int(i / 65536) % 256, int(i / 256) % 256, i % 256,
        int(a / 16777216) % 256, int(a / 65536) % 256, int(a / 256) % 256, a % 256;
    }
  }' >"$2"
}

cpu_ticks() {  # utime + stime of a process, in clock ticks
  [[ -r /proc/$1/stat ]] || { echo 0; return; }
  sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# start_server KIND SEEDFILE NOPING STEPDIR: sets server_pid; the server's lease file is a fresh
# copy of SEEDFILE (or empty).
start_server() {
  local kind=$1 seed=$2 noping=$3 dir=$4
  mkdir -p "$dir"
  local leases=$dir/leases
  if [[ -n $seed ]]; then cp "$seed" "$leases"; else : >"$leases"; fi
  case $kind in
    pxemasq)
      write_conf "$dir/conf" "$leases" "$noping"
      ip netns exec "$srv_ns" "$pxemasq_bin" -d -C "$dir/conf" >"$dir/log" 2>&1 &
      ;;
    dnsmasq)
      write_conf "$dir/conf" "$leases" "$noping"
      ip netns exec "$srv_ns" "$dnsmasq_bin" -d -C "$dir/conf" >"$dir/log" 2>&1 &
      ;;
    kea)
      rm -f "$leases"  # kea writes its own CSV format
      write_kea_conf "$dir/conf" "$leases" "$dir/log"
      KEA_PIDFILE_DIR=$dir KEA_LOCKFILE_DIR=$dir ip netns exec "$srv_ns" "$kea_bin" -c "$dir/conf" >"$dir/out" 2>&1 &
      ;;
  esac
  server_pid=$!
  server_started=$(date +%s.%N)
}

# wait_ready [SECONDS]: ready when one relayed exchange completes; sets ready_s (seconds from
# the server's start). Default bound 30 s; dnsmasq needs minutes to read 100 000 leases.
wait_ready() {
  local limit=${1:-30} i out
  for ((i = 0; i < limit * 2; i++)); do
    kill -0 "$server_pid" 2>/dev/null || return 1
    out=$(ip netns exec "$cli_ns" "$load" --server "$server_ip" --giaddr "$giaddr" --rate 0 --window 1 \
      --duration 0.2 --timeout 0.3 --mac-seed 251 2>/dev/null)
    if [[ $out =~ completed=([0-9]+) ]] && ((BASH_REMATCH[1] > 0)); then
      ready_s=$(awk -v a="$server_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
      return 0
    fi
  done
  return 1
}

stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null
  local i
  for ((i = 0; i < 50; i++)); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=
}

kv() { [[ $1 =~ (^| )$2=([^ ]+) ]] && echo "${BASH_REMATCH[2]}" || echo 0; }

steps_tsv=$work/steps.tsv
rss_tsv=$work/rss.tsv
printf 'server\tleases\tvmrss_kb\tvmhwm_kb\tready_s\n' >"$rss_tsv"
sweeps_tsv=$work/sweeps.tsv
problems=$work/problems.txt
: >"$problems"
printf 'phase\tround\tserver\tleases\tmode\ttarget\tsent\tcompleted\tpct\trate\tmean_ms\tp99_ms\tcpu_s\tcpu_ms_per_exchange\tnaks\tno_offer\tno_ack\tbad\tconflicts\tload1\trss_kb\n' >"$steps_tsv"
storm_tsv=$work/storm.tsv
printf 'round\tserver\tleased\tgave_up\tall_leased_s\tmedian_s\tdistinct_ips\tload1\n' >"$storm_tsv"
printf 'phase\tround\tserver\tleases\tbest_target\tbest_rate\tcpu_ms\tmean_ms\tp99_ms\tsteps\n' >"$sweeps_tsv"
step_no=0
mac_seed=0

# run_step PHASE ROUND SERVER LEASES SEEDFILE MODE VALUE SECS -> step_out=the generator's line
# (a global, not stdout: the step must run in this shell so that the trap knows server_pid)
# MODE rate: VALUE exchanges/s offered; MODE window: VALUE outstanding (closed loop)
run_step() {
  local phase=$1 round=$2 kind=$3 nleases=$4 seed=$5 mode=$6 value=$7 secs=$8
  ((step_no++))
  (($(date +%s) < deadline)) || die "time budget exceeded"
  local dir=$work/step-$step_no
  ((reuse)) && dir=$reuse_dir
  ((reuse)) || start_server "$kind" "$seed" no-ping "$dir"
  if ((!reuse)) && ! wait_ready; then
    echo "step $step_no ($kind, $phase, $nleases leases): server not ready; log tail:" >>"$problems"
    tail -5 "$dir/log" "$dir/out" 2>/dev/null >>"$problems"
    stop_server
    step_out="sent=0 completed=0 pct=0"
    return
  fi
  mac_seed=$(((mac_seed + 1) % 250))
  local args=(--rate "$value")
  local timeout=$exchange_timeout
  [[ $mode == window ]] && { args=(--rate 0 --window "$value"); timeout=3; }
  local c0 c1 out
  c0=$(cpu_ticks "$server_pid")
  out=$(ip netns exec "$cli_ns" "$load" --server "$server_ip" --giaddr "$giaddr" "${args[@]}" \
    --duration "$secs" --timeout "$timeout" --mac-seed "$mac_seed")
  c1=$(cpu_ticks "$server_pid")
  local rss
  rss=$(status_kb "$server_pid" VmHWM)
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid"
    echo "step $step_no: $kind EXITED during load (status $?), $phase, $nleases leases, $mode $value; log tail:" >>"$problems"
    tail -20 "$dir/log" >>"$problems"
    server_pid=
  fi
  ((reuse)) || stop_server
  local cpu completed
  cpu=$(awk -v a="$c0" -v b="$c1" -v t="$clk_tck" 'BEGIN { printf "%.3f", (b - a) / t }')
  completed=$(kv "$out" completed)
  local per
  per=$(awk -v c="$cpu" -v n="$completed" 'BEGIN { printf "%.4f", (n > 0 ? c * 1000 / n : 0) }')
  for k in bad conflicts; do
    (($(kv "$out" $k) > 0)) && echo "step $step_no: $kind $k=$(kv "$out" $k) ($phase, $nleases leases, $mode $value): $out" >>"$problems"
  done
  if [[ $kind != kea ]] && grep -qiE 'warn|error|fail' "$dir/log" 2>/dev/null; then
    echo "step $step_no: $kind logged: $(grep -iE 'warn|error|fail' "$dir/log" | sort | uniq -c | sort -rn | head -3 | tr '\n' ';')" >>"$problems"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$phase" "$round" "$kind" "$nleases" "$mode" "$value" "$(kv "$out" sent)" "$completed" \
    "$(kv "$out" pct)" "$(kv "$out" rate)" "$(kv "$out" mean_ms)" "$(kv "$out" p99_ms)" "$cpu" "$per" \
    "$(kv "$out" naks)" "$(kv "$out" no_offer)" "$(kv "$out" no_ack)" "$(kv "$out" bad)" \
    "$(kv "$out" conflicts)" "$(load1)" "${rss:-0}" >>"$steps_tsv"
  ((reuse)) || rm -rf "$dir"  # lease files and logs of 100 000 exchanges add up
  log "  $kind $phase leases=$nleases $mode=$value: $(kv "$out" pct)% rate=$(kv "$out" rate)/s mean=$(kv "$out" mean_ms)ms cpu=${per}ms/exch load=$(load1)"
  step_out="$out cpu_s=$cpu cpu_ms=$per"
}

passes() { awk -v p="$(kv "$1" pct)" 'BEGIN { exit !(p >= 99.0) }'; }

# sweep PHASE ROUND SERVER LEASES SEEDFILE SECS [reuse]
# reuse: start the server once and run every step against it (for dnsmasq with 100 000 leases,
# which needs minutes to read its file; at its few exchanges per second the file barely grows).
sweep() {
  local phase=$1 round=$2 kind=$3 nleases=$4 seed=$5 secs=$6
  local out r lo=0 hi=0 best= steps=0
  reuse=0
  if [[ ${7:-} == reuse ]]; then
    reuse_dir=$work/sweep-$kind-$nleases-$round
    start_server "$kind" "$seed" no-ping "$reuse_dir"
    if ! wait_ready 400; then
      echo "$kind with $nleases leases: not ready after 400 s" >>"$problems"
      stop_server
      return
    fi
    log "$kind read $nleases leases and answered after $ready_s s"
    printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$nleases" "$(status_kb "$server_pid" VmRSS)" "$(status_kb "$server_pid" VmHWM)" "$ready_s" >>"$rss_tsv"
    reuse=1
  fi
  run_step "$phase-calibrate" "$round" "$kind" "$nleases" "$seed" window 32 "$calib_secs"
  out=$step_out
  r=$(awk -v x="$(kv "$out" rate)" 'BEGIN { x = int(x); print x < 5 ? 5 : x }')
  while ((steps < max_steps)); do
    ((steps++))
    run_step "$phase" "$round" "$kind" "$nleases" "$seed" rate "$r" "$secs"
    out=$step_out
    if passes "$out"; then lo=$r; best=$out; else hi=$r; fi
    if ((hi == 0)); then
      r=$(awk -v x="$r" 'BEGIN { print int(x * 1.5 + 0.5) }')
    elif ((lo == 0)); then
      r=$(awk -v x="$r" 'BEGIN { print int(x / 1.5) }')
      ((r >= 2)) || break
    else
      awk -v l="$lo" -v h="$hi" -v q="$resolution" 'BEGIN { exit !(h / l <= q) }' && break
      r=$(awk -v l="$lo" -v h="$hi" 'BEGIN { print int(sqrt(l * h) + 0.5) }')
      ((r > lo && r < hi)) || break
    fi
  done
  if ((reuse)); then stop_server; rm -rf "$reuse_dir"; reuse=0; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$round" "$kind" "$nleases" "$lo" \
    "$(kv "$best" rate)" "$(kv "$best" cpu_ms)" "$(kv "$best" mean_ms)" "$(kv "$best" p99_ms)" "$steps" >>"$sweeps_tsv"
  log "$kind $phase round $round leases=$nleases: highest rate with >=99% = $lo/s offered, $(kv "$best" rate)/s completed"
}

rotate() {  # rotate N ITEMS... : the items, starting at index N mod count
  local n=$1
  shift
  local items=("$@") i
  for ((i = 0; i < ${#items[@]}; i++)); do printf '%s ' "${items[(i + n) % ${#items[@]}]}"; done
}

# Other work on this machine skews every number: wait (bounded) for a calmer moment to start.
for ((i = 0; i < idle_wait / 10; i++)); do
  awk -v l="$(load1)" 'BEGIN { exit !(l < 1.5) }' && break
  ((i == 0)) && log "waiting up to ${idle_wait}s for the 1-min load average to fall below 1.5 (now $(load1))"
  sleep 10
done
machine_cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
log "machine: $(nproc) CPUs ($machine_cpu), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# Phases 1 and 2, interleaved: each round runs every (server, lease count) sweep once, in an
# order rotated from round to round, so that a change in the machine's load hits all of them
# alike and a ratio is taken between sweeps of the same round. dnsmasq needs minutes of CPU to
# read 100 000 leases (and then manages a few exchanges per second): that case runs once, at the
# end of round 1, on one instance kept for its whole sweep.
seed_file 10000 "$work/seed-10000"
seed_file 100000 "$work/seed-100000"
configs=()
want sweep && configs+=("sweep pxemasq 0" "sweep dnsmasq 0" "sweep kea 0")
want seeded && configs+=("seeded pxemasq 10000" "seeded dnsmasq 10000" "seeded pxemasq 100000")
for ((round = 1; round <= rounds; round++)); do
  for ((c = 0; c < ${#configs[@]}; c++)); do
    read -r phase kind n <<<"${configs[(c + round - 1) % ${#configs[@]}]}"
    if [[ $phase == sweep ]]; then
      sweep sweep "$round" "$kind" 0 "" "$step_secs"
      run_step fixed "$round" "$kind" 0 "" rate "$fixed_rate" "$step_secs"
    else
      sweep seeded "$round" "$kind" "$n" "$work/seed-$n" "$seeded_step_secs"
    fi
  done
  if ((round == 1)) && want seeded; then
    sweep seeded 1 dnsmasq 100000 "$work/seed-100000" "$seeded_step_secs" reuse
  fi
done

# Phase 3: pxemasq's RSS with 100 000 leases loaded, once one exchange proved the file is in
# (dnsmasq's was taken in phase 2, when it had read the same file)
want rss && for ((i = 1; i <= 2; i++)); do
  start_server pxemasq "$work/seed-100000" no-ping "$work/rss-pxemasq"
  if wait_ready; then
    sleep 0.5
    printf '%s\t100000\t%s\t%s\t%s\n' pxemasq "$(status_kb "$server_pid" VmRSS)" "$(status_kb "$server_pid" VmHWM)" "$ready_s" >>"$rss_tsv"
  else
    echo "rss: pxemasq not ready with 100000 leases" >>"$problems"
  fi
  stop_server
  rm -rf "$work/rss-pxemasq"
done
log "RSS: $(tail -n +2 "$rss_tsv" | tr '\t\n' ' ;')"
rm -f "$work"/seed-*

# ---------------------------------------------------------------------------------------------
# Phase 4: storm of 50 udhcpc clients, each in its own namespace, on a bridge in the server
# namespace (br0 10.20.0.1/24)
want storm && {
ip -n "$srv_ns" link add br0 type bridge || die "bridge"
ip -n "$srv_ns" addr add 10.20.0.1/24 dev br0
ip -n "$srv_ns" link set br0 up
for ((i = 1; i <= storm_clients; i++)); do
  ns=pxb-c$i-$$
  new_ns "$ns"
  ip link add "s$i" netns "$srv_ns" type veth peer name eth0 netns "$ns" || die "storm veth $i"
  ip -n "$srv_ns" link set "s$i" master br0 up
  ip -n "$ns" link set eth0 address "$(printf '02:50:00:00:00:%02x' "$i")" up
done
cat >"$work/udhcpc-script" <<'EOF'
#!/bin/sh
# udhcpc event hook of the storm: record when and what was bound; configure nothing.
case "$1" in
  bound|renew) echo "$ip $(date +%s.%N)" >"$STORM_OUT" ;;
esac
exit 0
EOF
cat >"$work/storm-client" <<'EOF'
#!/bin/sh
# storm-client START_EPOCH OUT: wait for the common start instant, then run udhcpc with
# busybox's default retries (3 DISCOVERs 3 s apart, then give up: -n).
d=$(awk -v t="$1" -v n="$(date +%s.%N)" 'BEGIN { d = t - n; printf "%.3f", (d > 0 ? d : 0) }')
sleep "$d"
STORM_OUT=$2 timeout 40 busybox udhcpc -i eth0 -f -q -n -t 3 -T 3 -s "$3" >"$2.log" 2>&1
echo $? >"$2.rc"
EOF
chmod +x "$work/udhcpc-script" "$work/storm-client"

write_storm_conf() {  # FILE LEASEFILE
  printf 'port=0\ninterface=br0\ndhcp-range=10.20.0.10,10.20.0.250,255.255.255.0,12h\ndhcp-leasefile=%s\nlog-facility=-\n' "$2" >"$1"
}
for ((round = 1; round <= storm_rounds; round++)); do
  for kind in $(rotate $((round - 1)) pxemasq dnsmasq); do
    dir=$work/storm-$round-$kind
    mkdir -p "$dir"
    : >"$dir/leases"
    write_storm_conf "$dir/conf" "$dir/leases"
    if [[ $kind == pxemasq ]]; then bin=$pxemasq_bin; else bin=$dnsmasq_bin; fi
    ip netns exec "$srv_ns" "$bin" -d -C "$dir/conf" >"$dir/log" 2>&1 &
    server_pid=$!
    for ((i = 0; i < 50; i++)); do
      ip netns exec "$srv_ns" ss -Hlun 'sport = :67' | grep -q . && break
      sleep 0.1
    done
    sleep 0.3
    start=$(awk -v n="$(date +%s.%N)" 'BEGIN { printf "%.3f", n + 1.5 }')
    storm_pids=()
    for ((i = 1; i <= storm_clients; i++)); do
      ip netns exec "pxb-c$i-$$" "$work/storm-client" "$start" "$dir/c$i" "$work/udhcpc-script" &
      storm_pids+=($!)
    done
    for pid in "${storm_pids[@]}"; do wait "$pid"; done
    storm_pids=()
    kill -0 "$server_pid" 2>/dev/null || echo "storm round $round: $kind exited during the storm" >>"$problems"
    stop_server
    leased=$(cat "$dir"/c*.rc 2>/dev/null | grep -c '^0$')
    summary=$(for ((i = 1; i <= storm_clients; i++)); do cat "$dir/c$i" 2>/dev/null; done | awk -v s="$start" '
      NF == 2 { t[++n] = $2 - s; ip[$1]++ }
      END {
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
        d = 0; for (k in ip) d++
        printf "%s %s %d", (n ? sprintf("%.2f", t[n]) : "n/a"), (n ? sprintf("%.2f", t[int((n + 1) / 2)]) : "n/a"), d
      }')
    read -r last median distinct <<<"$summary"
    gave_up=$((storm_clients - leased))
    ((distinct < leased)) && echo "storm round $round: $kind gave $leased clients only $distinct distinct addresses" >>"$problems"
    all=$last
    ((leased < storm_clients)) && all="never"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$kind" "$leased" "$gave_up" "$all" "$median" "$distinct" "$(load1)" >>"$storm_tsv"
    log "storm round $round $kind: $leased/$storm_clients leased, last at $last s, median $median s, $gave_up gave up"
  done
done
}
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------
# Summary: medians over rounds, paired (same round) ratios
median() { sort -g | awk '{ v[++n] = $1 } END { if (!n) { print "n/a"; exit } print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'; }
col() {  # col FILE PHASE SERVER LEASES COLUMN-NAME -> values, one per round, in round order
  awk -F'\t' -v p="$2" -v s="$3" -v l="$4" -v c="$5" '
    NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    $1 == p && $3 == s && $4 == l { print $2 "\t" $(h[c]) }' "$1" | sort -n | cut -f2
}
med() { col "$@" | median; }
per_round() { col "$@" | paste -sd/ | sed 's#/# / #g'; }
ratio_median() {  # paired (same round) ratios A/B, median: FILE PHASE-A SERVER-A LEASES-A PHASE-B SERVER-B LEASES-B COLUMN
  paste <(col "$1" "$2" "$3" "$4" "$8") <(col "$1" "$5" "$6" "$7" "$8") |
    awk -F'\t' '$1 != "" && $2 > 0 { printf "%.4f\n", $1 / $2 }' | median
}
fmt() { awk -v x="$1" -v d="${2:-0}" 'BEGIN { if (x == "n/a" || x == "") print "n/a"; else printf "%.*f", d, x }'; }
met() { awk -v x="$1" -v op="$2" -v y="$3" 'BEGIN { if (x == "n/a" || x == "") { print "not measured"; exit }
  ok = (op == ">=") ? x >= y : x <= y; print ok ? "**met**" : "**not met**" }'; }

date_utc=$(date -u '+%Y-%m-%d %H:%M UTC')
# The revision the binary was built from: its build directory's checkout (a worktree of its own
# when --pxemasq points into one), "+local changes" when that checkout's sources differ from it.
bin_tree=$(git -C "$(dirname "$pxemasq_bin")" rev-parse --show-toplevel 2>/dev/null)
rev=$(git -C "${bin_tree:-$repo}" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $bin_tree ]] && ! git -C "$bin_tree" diff --quiet HEAD -- src CMakeLists.txt 2>/dev/null; then
  rev="$rev+local changes"
fi
kea_version="kea-dhcp4 $("$kea_bin" -v 2>/dev/null | head -1)"
dnsmasq_version=$("$dnsmasq_bin" --version | head -1 | awk '{ print $3 }')
elapsed=$(($(date +%s) - script_started))
mode_word=full; ((quick)) && mode_word=quick

r_px=$(med "$sweeps_tsv" sweep pxemasq 0 best_rate)
r_dm=$(med "$sweeps_tsv" sweep dnsmasq 0 best_rate)
r_kea=$(med "$sweeps_tsv" sweep kea 0 best_rate)
ratio_px_dm=$(ratio_median "$sweeps_tsv" sweep pxemasq 0 sweep dnsmasq 0 best_rate)
ratio_px_kea=$(ratio_median "$sweeps_tsv" sweep pxemasq 0 sweep kea 0 best_rate)
cpu_px=$(med "$sweeps_tsv" sweep pxemasq 0 cpu_ms)
fixed_cpu_px=$(med "$steps_tsv" fixed pxemasq 0 cpu_ms_per_exchange)
r10_ratio=$(ratio_median "$sweeps_tsv" seeded pxemasq 10000 sweep pxemasq 0 best_rate)
r100_ratio=$(ratio_median "$sweeps_tsv" seeded pxemasq 100000 sweep pxemasq 0 best_rate)
storm_px=$(awk -F'\t' '$2 == "pxemasq" { print ($3 == 50 ? $5 : 999) }' "$storm_tsv" | median)
storm_px_giveup=$(awk -F'\t' '$2 == "pxemasq" { g += $4 } END { print g + 0 }' "$storm_tsv")
rss_px=$(awk -F'\t' '$1 == "pxemasq" { printf "%.1f\n", $3 / 1024 }' "$rss_tsv" | median)

results=$work/results.md
{
  echo "Run of $date_utc, \`tests/bench/dhcp_bench.sh$( ((quick)) && echo ' --quick')\` ($mode_word mode, $rounds round(s), $step_secs s load steps, $seeded_step_secs s with leases on file), pxemasq $rev ($build_word), dnsmasq $dnsmasq_version, $kea_version, busybox $(busybox 2>&1 | head -1 | awk '{ print $2 }'), took $((elapsed / 60)) min $((elapsed % 60)) s."
  echo
  echo "Machine: $(nproc) CPUs ($machine_cpu), Linux $(uname -r), lease files on $(df -T "$work" | awk 'NR == 2 { print $2 }'). The 2 cores are shared with the load generator and with other work on this machine: load average (1/5/15 min) $load_start at the start, $load_end at the end; each step's 1-min load is in the raw data."
  echo
  echo "### Rate sweep, empty lease file (medians over rounds; per round in brackets)"
  echo
  echo "| server | highest rate with ≥ 99% completed (exchanges/s) | CPU-ms per exchange at that rate | mean / p99 latency at that rate (ms) | CPU-ms per exchange at $fixed_rate/s | mean latency at $fixed_rate/s (ms) |"
  echo "|---|---|---|---|---|---|"
  for kind in pxemasq dnsmasq kea; do
    echo "| $kind | $(fmt "$(med "$sweeps_tsv" sweep $kind 0 best_rate)") ($(per_round "$sweeps_tsv" sweep $kind 0 best_rate)) | $(fmt "$(med "$sweeps_tsv" sweep $kind 0 cpu_ms)" 3) | $(fmt "$(med "$sweeps_tsv" sweep $kind 0 mean_ms)" 2) / $(fmt "$(med "$sweeps_tsv" sweep $kind 0 p99_ms)" 2) | $(fmt "$(med "$steps_tsv" fixed $kind 0 cpu_ms_per_exchange)" 3) | $(fmt "$(med "$steps_tsv" fixed $kind 0 mean_ms)" 2) |"
  done
  echo
  echo "Paired ratios (same round, median): pxemasq / dnsmasq rate **$(fmt "$ratio_px_dm" 2)×**, pxemasq / kea-dhcp4 rate **$(fmt "$ratio_px_kea" 2)×**; CPU per exchange at $fixed_rate/s pxemasq / dnsmasq $(fmt "$(ratio_median "$steps_tsv" fixed pxemasq 0 fixed dnsmasq 0 cpu_ms_per_exchange)" 2)×, pxemasq / kea $(fmt "$(ratio_median "$steps_tsv" fixed pxemasq 0 fixed kea 0 cpu_ms_per_exchange)" 2)×; CPU per exchange at the highest rate pxemasq / kea $(fmt "$(ratio_median "$sweeps_tsv" sweep pxemasq 0 sweep kea 0 cpu_ms)" 2)×."
  echo
  echo "### Leases already on file (pxemasq and dnsmasq)"
  echo
  echo "| server | leases on file | highest rate with ≥ 99% (exchanges/s) | rate vs. the same server with an empty file (paired) | CPU-ms per exchange | mean latency (ms) |"
  echo "|---|---|---|---|---|---|"
  for kind in pxemasq dnsmasq; do
    for n in 10000 100000; do
      rr=$(ratio_median "$sweeps_tsv" seeded $kind $n sweep $kind 0 best_rate)
      echo "| $kind | $n | $(fmt "$(med "$sweeps_tsv" seeded $kind $n best_rate)" 1) ($(per_round "$sweeps_tsv" seeded $kind $n best_rate)) | $(fmt "$rr" 2)× | $(fmt "$(med "$sweeps_tsv" seeded $kind $n cpu_ms)" 3) | $(fmt "$(med "$sweeps_tsv" seeded $kind $n mean_ms)" 2) |"
    done
  done
  echo
  echo "### Storm: $storm_clients busybox udhcpc clients started together (conflict probe on)"
  echo
  echo "| server | round | leased | gave up | time until all leased (s) | median time to lease (s) | distinct addresses |"
  echo "|---|---|---|---|---|---|---|"
  tail -n +2 "$storm_tsv" | sort -t$'\t' -k2,2 -k1,1n | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $1, $3, $4, $5, $6, $7 }'
  echo
  echo "### Memory with 100 000 leases loaded"
  echo
  echo "| server | VmRSS (MiB) | VmHWM (MiB) | seconds from start to the first answer |"
  echo "|---|---|---|---|"
  tail -n +2 "$rss_tsv" | awk -F'\t' '{ printf "| %s | %.1f | %.1f | %s |\n", $1, $3 / 1024, $4 / 1024, $5 }'
  echo
  echo "### Targets (issue 3)"
  echo
  echo "| target | measured | verdict |"
  echo "|---|---|---|"
  echo "| pxemasq rate ≥ 1.5 × kea-dhcp4 (paired) | $(fmt "$ratio_px_kea" 2)× ($(fmt "$r_px") vs $(fmt "$r_kea")/s) | $(met "$ratio_px_kea" '>=' 1.5) |"
  echo "| pxemasq rate ≥ 10 × dnsmasq --no-ping (paired) | $(fmt "$ratio_px_dm" 2)× ($(fmt "$r_px") vs $(fmt "$r_dm")/s) | $(met "$ratio_px_dm" '>=' 10) |"
  echo "| ≤ 0.2 CPU-ms per exchange (at the highest sustained rate) | $(fmt "$cpu_px" 3) ms | $(met "$cpu_px" '<=' 0.2) |"
  echo "| ≤ 0.2 CPU-ms per exchange (at $fixed_rate/s) | $(fmt "$fixed_cpu_px" 3) ms | $(met "$fixed_cpu_px" '<=' 0.2) |"
  echo "| rate with 10 000 leases on file ≥ 0.8 × empty file | $(fmt "$r10_ratio" 2)× | $(met "$r10_ratio" '>=' 0.8) |"
  echo "| rate with 100 000 leases on file ≥ 0.8 × empty file | $(fmt "$r100_ratio" 2)× | $(met "$r100_ratio" '>=' 0.8) |"
  echo "| 50-client udhcpc storm fully leased in < 2 s, probe on (median of rounds) | $(fmt "$storm_px" 2) s, $storm_px_giveup gave up | $( [[ $storm_px_giveup -eq 0 ]] && met "$storm_px" '<=' 2 || echo '**not met**') |"
  echo "| RSS < 32 MiB with 100 000 leases | ${rss_px:-n/a} MiB | $(met "${rss_px:-n/a}" '<=' 32) |"
  echo
  if [[ -s $problems ]]; then
    echo "### Anomalies seen in this run"
    echo
    echo '```'
    head -40 "$problems"
    echo '```'
  else
    echo "No anomalies: no server exited, no conflicting or mismatched address in any ACK, no warning in pxemasq's or dnsmasq's log."
  fi
  echo
  echo "<details><summary>Every sweep (raw)</summary>"
  echo
  echo '```'
  column -t -s$'\t' "$sweeps_tsv"
  echo '```'
  echo
  echo "</details>"
} >"$results"

cat "$results"
results_dir=${PXEMASQ_BENCH_RESULTS:-$repo/build/bench-results}
mkdir -p "$results_dir" && cp "$steps_tsv" "$sweeps_tsv" "$storm_tsv" "$rss_tsv" "$problems" "$results" "$results_dir/" &&
  log "raw data in $results_dir"

if ((write_readme)); then
  readme=$here/README.md
  begin='<!-- BEGIN dhcp_bench.sh results -->'
  end='<!-- END dhcp_bench.sh results -->'
  if grep -qF "$begin" "$readme" && grep -qF "$end" "$readme"; then
    awk -v b="$begin" -v e="$end" -v f="$results" '
      $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
      $0 == e { skip = 0 }
      !skip' "$readme" >"$readme.new" && mv "$readme.new" "$readme"
  else
    { echo; echo "$begin"; cat "$results"; echo "$end"; } >>"$readme"
  fi
  log "rewrote the results in $readme"
fi
