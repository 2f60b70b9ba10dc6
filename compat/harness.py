"""What the side-by-side harnesses (dhcp/run-dhcp-compat.py, tftp/run-tftp-compat.py) share:
usage errors and skips, the registry that removes every namespace and process a run creates (also
on SIGINT/SIGTERM), entering a namespace from Python, the daemon-ready check, the scenario and
intended-difference files, the command line and the log diff."""

import contextlib
import ctypes
import difflib
import fnmatch
import glob
import json
import os
import shutil
import signal
import subprocess
import sys

CLONE_NEWNET = 0x40000000
STOP_TIMEOUT = 3.0
PROGRAM = os.path.basename(sys.argv[0]).removesuffix(".py")


def fail_usage(message):
    print(f"{PROGRAM}: {message}", file=sys.stderr)
    sys.exit(2)


def skip(message):
    print(f"SKIP: {message}")
    sys.exit(77)


# ---------------------------------------------------------------------------------------------
# Cleanup: every namespace and process a run creates is registered here and removed on exit,
# also on SIGINT/SIGTERM (turned into SystemExit so `finally` blocks run).

LIVE_NAMESPACES = set()
LIVE_PROCESSES = {}  # pid -> Popen


def run_cmd(args, check=True):
    result = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=20)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {result.returncode}: {result.stderr.strip()}")
    return result


def stop_process(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)
    LIVE_PROCESSES.pop(proc.pid, None)


def cleanup_all():
    for proc in list(LIVE_PROCESSES.values()):
        with contextlib.suppress(Exception):
            stop_process(proc)
    for name in list(LIVE_NAMESPACES):
        with contextlib.suppress(Exception):
            run_cmd(["ip", "netns", "del", name], check=False)
        LIVE_NAMESPACES.discard(name)


def on_signal(number, _frame):
    raise SystemExit(128 + number)


def catch_signals():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


# ---------------------------------------------------------------------------------------------
# Network namespaces and daemons

_libc = ctypes.CDLL(None, use_errno=True)


@contextlib.contextmanager
def in_netns(name):
    """Run the body with this thread in namespace NAME (sockets made there stay there)."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {name}")
        try:
            yield
        finally:
            if _libc.setns(home, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(target)
        os.close(home)


def listening_on(pid, port):
    """Whether the process PID (in its own namespace) has a UDP socket bound to PORT."""
    suffix = f":{port:04X}"
    try:
        with open(f"/proc/{pid}/net/udp") as f:
            for line in f.readlines()[1:]:
                if line.split()[1].endswith(suffix):
                    return True
    except OSError:
        pass
    return False


# ---------------------------------------------------------------------------------------------
# Files and the command line

def load_intended(path):
    """intended-differences.tsv: scenario<TAB>field<TAB>reason lines ('#' comments)."""
    entries = []
    if not os.path.exists(path):
        return entries
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                fail_usage(f"{path}:{number}: want scenario<TAB>field<TAB>reason")
            entries.append(tuple(parts))
    return entries


def load_scenarios(directory, only):
    """Every DIRECTORY/*.json whose name matches one of the ONLY globs (all without any), each
    with its `name`, a `config` and `steps` whose names (`step`, or stepN) are unique."""
    scenarios = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        name = os.path.basename(path)[:-5]
        if only and not any(fnmatch.fnmatchcase(name, g) for g in only):
            continue
        with open(path) as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as e:
                fail_usage(f"{path}: {e}")
        data["name"] = name
        for key in ("config", "steps"):
            if key not in data:
                fail_usage(f"{path}: no {key!r}")
        seen = set()
        for index, step in enumerate(data["steps"]):
            step_name = step.get("step", f"step{index + 1}")
            if step_name in seen:
                fail_usage(f"{path}: step {step_name!r} twice")
            seen.add(step_name)
        scenarios.append(data)
    if not scenarios:
        fail_usage("no scenario matched")
    return scenarios


def parse_command_line(argv):
    """[--only GLOB]... [--keep] [--verbose] PXEMASQ [DNSMASQ] -> (pxemasq, dnsmasq, only, keep,
    verbose), both binaries checked; skips (77) unless root with `ip`."""
    args, only, keep, verbose = [], [], False, False
    it = iter(argv)
    for a in it:
        if a == "--only":
            only.append(next(it, None) or fail_usage("--only needs a GLOB"))
        elif a == "--keep":
            keep = True
        elif a == "--verbose":
            verbose = True
        elif a.startswith("-"):
            fail_usage(f"unknown option {a}")
        else:
            args.append(a)
    if len(args) not in (1, 2):
        fail_usage(f"usage: {PROGRAM}.py [--only GLOB] [--keep] [--verbose] PXEMASQ [DNSMASQ]")
    if os.geteuid() != 0:
        skip("needs root (network namespaces)")
    if shutil.which("ip") is None:
        skip("needs ip (iproute2)")
    pxemasq = shutil.which(args[0]) if "/" not in args[0] else os.path.abspath(args[0])
    dnsmasq_name = args[1] if len(args) == 2 else "/usr/sbin/dnsmasq"
    dnsmasq = shutil.which(dnsmasq_name) if "/" not in dnsmasq_name else os.path.abspath(dnsmasq_name)
    if not pxemasq or not os.access(pxemasq, os.X_OK):
        fail_usage(f"pxemasq binary not found: {args[0]}")
    if not dnsmasq or not os.access(dnsmasq, os.X_OK):
        fail_usage(f"dnsmasq binary not found: {dnsmasq_name}")
    return pxemasq, dnsmasq, only, keep, verbose


def log_diff(a, b):
    """The unified diff of two normalised logs, dnsmasq's first, without the file header."""
    return list(difflib.unified_diff(a, b, "dnsmasq", "pxemasq", n=2, lineterm=""))[2:]
