#!/usr/bin/env python3
"""pxemasq as systemd runs it (issue 5): Type=notify, SIGHUP reload, privilege drop, socket
activation, daemonising, the pid file -- with real clients in network namespaces made here.

The lab: a server namespace with `ens33` 192.168.1.70/24 and a client namespace with `eth0`,
joined by one veth pair. Clients: busybox udhcpc (DHCP, unicast replies after ARP injection),
tftp-hpa's `tftp` and a deliberately slow TFTP client written here (a transfer in flight across
a reload).

Checked:
  notify    READY=1 arrives and DHCP + TFTP then serve; SIGHUP gives RELOADING=1 with
            MONOTONIC_USEC, then READY=1; SIGTERM gives STOPPING=1 and exit status 0
  privilege after start-up the daemon runs as the configured user (Uid/Gid in /proc/PID/status)
            with exactly CAP_NET_BIND_SERVICE, CAP_NET_ADMIN, CAP_NET_RAW (CapEff/CapPrm), and
            still unicasts DHCP replies and serves TFTP
  reload    a valid edit (new range, new boot file) is served to the next client while a slow
            transfer started before the edit completes intact; an invalid edit is refused with
            its FILE:LINE and the previous configuration keeps serving; leases survive
  activate  systemd-socket-activate --datagram passes 67 and 69 (--fdname=dhcp:tftp); pxemasq,
            unprivileged (setpriv, ambient NET_ADMIN/NET_RAW only), serves a lease and a file
            through the adopted sockets; a passed socket that fits no service is refused
  daemon    without -k/-d the command returns 0 once serving, the daemon is detached (stdin on
            /dev/null, own session) and wrote its pid file; a start-up failure (port 67 taken)
            reaches the caller as exit status 2 with dnsmasq's message on stderr

Usage: process_test.py PATH/TO/pxemasq    (root; exits 77 = skipped when a tool is missing)
PXQ_TEST_KEEP=1 keeps the work directory.
"""

import hashlib
import os
import pwd
import grp
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
failures = []
checks = 0


def check(name, ok, detail=""):
    global checks
    checks += 1
    if ok:
        print(f"ok - {name}")
    else:
        print(f"FAIL - {name}" + (f": {detail}" if detail else ""))
        failures.append(name)


def wait_until(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


class Lab:
    def __init__(self, work):
        suffix = os.getpid()
        self.server = f"pxq-pr-{suffix}-s"
        self.client = f"pxq-pr-{suffix}-c"
        self.work = work
        self.pids = []

    def create(self):
        run(["ip", "netns", "add", self.server])
        run(["ip", "netns", "add", self.client])
        run(["ip", "-n", self.server, "link", "add", "ens33", "type", "veth", "peer", "name", "eth0",
             "netns", self.client])
        run(["ip", "-n", self.server, "addr", "add", "192.168.1.70/24", "dev", "ens33"])
        for ns, dev in ((self.server, "ens33"), (self.client, "eth0")):
            run(["ip", "-n", ns, "link", "set", dev, "up"])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])

    def in_server(self, argv):
        return ["ip", "netns", "exec", self.server] + argv

    def in_client(self, argv):
        return ["ip", "netns", "exec", self.client] + argv

    def destroy(self):
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for ns in (self.client, self.server):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def run(argv, **kwargs):
    return subprocess.run(argv, check=True, **kwargs)


class NotifyListener:
    """The NOTIFY_SOCKET side: collects every datagram the daemon sends."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        os.chmod(path, 0o777)  # as systemd's: the daemon writes to it after dropping root
        self.sock.settimeout(0.2)
        self.messages = []
        self.lock = threading.Lock()
        self.stop = False
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while not self.stop:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.messages.append(data.decode(errors="replace"))

    def wait_for(self, key, after, timeout):
        """Index of the first message at or after `after` holding the line `key`."""
        def found():
            with self.lock:
                for i in range(after, len(self.messages)):
                    if key in self.messages[i].split("\n"):
                        return i + 1
            return 0
        index = wait_until(found, timeout)
        return index - 1 if index else None

    def count(self):
        with self.lock:
            return len(self.messages)

    def message(self, index):
        with self.lock:
            return self.messages[index]

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def udhcpc(lab, mac, script, out):
    """One DHCP exchange from a fresh MAC; returns the client's report line (or "")."""
    run(lab.in_client(["ip", "link", "set", "eth0", "down"]))
    run(lab.in_client(["ip", "link", "set", "eth0", "address", mac]))
    run(lab.in_client(["ip", "addr", "flush", "dev", "eth0"]))
    run(lab.in_client(["ip", "link", "set", "eth0", "up"]))
    result = subprocess.run(lab.in_client(["busybox", "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "6",
                                           "-T", "1", "-s", script]),
                            capture_output=True, text=True, timeout=30)
    with open(out, "a") as log:
        log.write(result.stdout + result.stderr)
    for line in result.stdout.splitlines():
        if line.startswith("client: bound"):
            return line
    return ""


def field(report, name):
    match = re.search(rf"\b{name}=(\S*)", report)
    return match.group(1) if match else ""


def give_client_address(lab):
    # udhcpc's report script configures nothing: TFTP clients use a fixed address off the ranges.
    run(lab.in_client(["ip", "addr", "replace", "192.168.1.99/24", "dev", "eth0"]))


def tftp_get(lab, name, dest):
    """tftp-hpa fetch from 192.168.1.70 into dest; True when it exited 0."""
    give_client_address(lab)
    if os.path.exists(dest):
        os.unlink(dest)
    result = subprocess.run(lab.in_client(["tftp", "-m", "binary", "192.168.1.70", "-c", "get", name, dest]),
                            capture_output=True, text=True, timeout=60)
    return result.returncode == 0 and os.path.exists(dest)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class SlowTftpClient(threading.Thread):
    """Reads a file at blksize 512, pausing after each ACK: a transfer that spans a reload."""

    def __init__(self, lab, name, pause):
        super().__init__(daemon=True)
        self.lab, self.name, self.pause = lab, name, pause
        self.data = None
        self.error = ""

    def run(self):
        # From the server namespace over loopback (always allowed, as in dnsmasq): the client
        # namespace's link is reset by each udhcpc run meanwhile.
        result = subprocess.run(self.lab.in_server([sys.executable, __file__, "--slow-tftp-client", self.name,
                                                    str(self.pause)]),
                                capture_output=True, timeout=120)
        if result.returncode != 0:
            self.error = result.stderr.decode(errors="replace")[-300:]
            return
        self.data = result.stdout


def slow_tftp_client_main(name, pause):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", 0))
    sock.settimeout(5)
    sock.sendto(b"\x00\x01" + name.encode() + b"\x00octet\x00", ("127.0.0.1", 69))
    data = bytearray()
    expected = 1
    while True:
        packet, peer = sock.recvfrom(2048)
        opcode = struct.unpack("!H", packet[:2])[0]
        if opcode == 5:
            sys.stderr.write(f"ERROR {packet[2:4].hex()} {packet[4:-1]!r}\n")
            return 1
        block = struct.unpack("!H", packet[2:4])[0]
        if opcode == 3 and block == expected & 0xFFFF:
            data += packet[4:]
            expected += 1
        sock.sendto(struct.pack("!HH", 4, block), peer)
        if opcode == 3 and len(packet) - 4 < 512:
            break
        time.sleep(pause)
    sys.stdout.buffer.write(bytes(data))
    return 0


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def read_log(path):
    with open(path, errors="replace") as f:
        return f.read()


def write_config(path, work, first, last, boot, extra=""):
    with open(path, "w") as f:
        f.write(f"""# process_test.py
interface=ens33
dhcp-range=192.168.1.{first},192.168.1.{last},255.255.255.0,12h
dhcp-option=3,192.168.1.254
dhcp-boot={boot}
enable-tftp
tftp-root={work}/tftp
dhcp-leasefile={work}/state/leases
log-dhcp
port=0
{extra}""")


KEPT_CAPS = (1 << 10) | (1 << 12) | (1 << 13)  # NET_BIND_SERVICE, NET_ADMIN, NET_RAW


def scenario_notify_reload_privileges(lab, pxemasq, work, script, user):
    conf = f"{work}/pxemasq.conf"
    write_config(conf, work, 230, 250, "bootx64.efi", f"user={user.pw_name}\nlog-facility=-\n")
    listener = NotifyListener(f"{work}/notify.sock")
    log_path = f"{work}/notify-daemon.log"
    env = dict(os.environ, NOTIFY_SOCKET=listener.path)
    with open(log_path, "w") as log:
        daemon = subprocess.Popen(lab.in_server([pxemasq, "-k", "-C", conf, f"--pid-file={work}/run/pxemasq.pid"]),
                                  stdout=log, stderr=subprocess.STDOUT, env=env)
    lab.pids.append(daemon.pid)
    try:
        ready = listener.wait_for("READY=1", 0, 15)
        check("notify: READY=1 after start-up", ready is not None, read_log(log_path)[-500:])
        if ready is None:
            return
        check("notify: READY=1 carries a STATUS= summary",
              "STATUS=DHCP: 1 range" in listener.message(ready), listener.message(ready))
        pid = int(open(f"{work}/run/pxemasq.pid").read().strip())
        check("pid file names the serving process (-k writes one)",
              os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/comm").read().strip() == "pxemasq")
        status = proc_status(pid)
        uids = status["Uid"].split()
        gids = status["Gid"].split()
        check(f"privileges: real/effective/saved uid are {user.pw_name}'s ({user.pw_uid})",
              uids[:3] == [str(user.pw_uid)] * 3, status["Uid"])
        check(f"privileges: gid is {user.pw_name}'s primary group ({user.pw_gid})",
              gids[:3] == [str(user.pw_gid)] * 3, status["Gid"])
        check("privileges: no supplementary groups", status.get("Groups", "") == "", status.get("Groups"))
        check("privileges: CapEff is exactly NET_BIND_SERVICE+NET_ADMIN+NET_RAW",
              int(status["CapEff"], 16) == KEPT_CAPS, status["CapEff"])
        check("privileges: CapPrm is the same set", int(status["CapPrm"], 16) == KEPT_CAPS, status["CapPrm"])
        check("privileges: no ambient or inheritable capabilities",
              int(status["CapAmb"], 16) == 0 and int(status["CapInh"], 16) == 0,
              status["CapAmb"] + " " + status["CapInh"])
        log = read_log(log_path)
        check("log: the drop is announced", f"running as user {user.pw_name} with" in log, log[-400:])

        first = udhcpc(lab, "02:70:78:72:00:01", script, f"{work}/clients.log")
        check("unprivileged daemon: udhcpc gets a lease in .230-.250 (unicast after ARP injection)",
              re.match(r"192\.168\.1\.(23\d|24\d|250)$", field(first, "ip")) is not None, first)
        check("unprivileged daemon: boot file bootx64.efi", field(first, "boot_file") == "bootx64.efi", first)
        check("unprivileged daemon: TFTP serves a file (opened as the user)",
              tftp_get(lab, "small.bin", f"{work}/got-small.bin")
              and sha256(f"{work}/got-small.bin") == sha256(f"{work}/tftp/small.bin"))

        # A valid edit while a slow transfer runs.
        slow = SlowTftpClient(lab, "big.bin", 0.002)
        slow.start()
        time.sleep(0.5)
        write_config(conf, work, 100, 120, "grubx64.efi", f"user={user.pw_name}\nlog-facility=-\n")
        before = listener.count()
        os.kill(pid, signal.SIGHUP)
        reloading = listener.wait_for("RELOADING=1", before, 10)
        check("notify: SIGHUP gives RELOADING=1", reloading is not None)
        if reloading is not None:
            check("notify: RELOADING=1 carries MONOTONIC_USEC",
                  re.search(r"^MONOTONIC_USEC=\d+$", listener.message(reloading), re.M) is not None,
                  listener.message(reloading))
            check("notify: READY=1 after the reload", listener.wait_for("READY=1", reloading + 1, 10) is not None)
        check("notify: no WATCHDOG=1 without WatchdogSec=",
              not any("WATCHDOG=1" in listener.message(i).split("\n") for i in range(listener.count())))
        check("reload: the slow transfer was still running when the reload finished", slow.is_alive())
        second = udhcpc(lab, "02:70:78:72:00:02", script, f"{work}/clients.log")
        check("reload: the next client gets the new range .100-.120",
              re.match(r"192\.168\.1\.(10\d|11\d|120)$", field(second, "ip")) is not None, second)
        check("reload: and the new boot file grubx64.efi", field(second, "boot_file") == "grubx64.efi", second)
        slow.join(120)
        check("reload: the transfer in flight completed, every byte right",
              slow.data is not None and hashlib.sha256(slow.data).hexdigest() == sha256(f"{work}/tftp/big.bin"),
              slow.error)
        leases = read_log(f"{work}/state/leases")
        check("reload: the lease given before the reload is still on file",
              field(first, "ip") != "" and f" {field(first, 'ip')} " in leases, leases)

        # An invalid edit: refused with FILE:LINE, the previous configuration keeps serving.
        with open(conf, "a") as f:
            f.write("dhcp-range=192.168.1.x,oops\n")
        bad_line = len(open(conf).read().splitlines())
        before = listener.count()
        os.kill(pid, signal.SIGHUP)
        check("notify: READY=1 after a refused reload", listener.wait_for("READY=1", before, 10) is not None)
        log = read_log(log_path)
        check("refused reload: the error names the file and line (dnsmasq's words)",
              "configuration not reloaded: bad dhcp-range" in log and f"at line {bad_line} of {conf}" in log,
              log[-600:])
        third = udhcpc(lab, "02:70:78:72:00:03", script, f"{work}/clients.log")
        check("refused reload: the previous configuration still serves (.100-.120, grubx64.efi)",
              re.match(r"192\.168\.1\.(10\d|11\d|120)$", field(third, "ip")) is not None
              and field(third, "boot_file") == "grubx64.efi", third)

        os.kill(pid, signal.SIGUSR1)
        check("SIGUSR1: statistics in the log",
              wait_until(lambda: "packets received" in read_log(log_path), 5) and True)

        before = listener.count()
        os.kill(pid, signal.SIGTERM)
        check("notify: SIGTERM gives STOPPING=1", listener.wait_for("STOPPING=1", before, 10) is not None)
        try:
            code = daemon.wait(15)
        except subprocess.TimeoutExpired:
            code = None
        check("SIGTERM: exit status 0", code == 0, str(code))
        check("SIGTERM: pid file removed", not os.path.exists(f"{work}/run/pxemasq.pid"))
        check("SIGTERM: leases still on file after exit",
              f" {field(second, 'ip')} " in read_log(f"{work}/state/leases"))
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait(5)
        listener.close()


def scenario_socket_activation(lab, pxemasq, work, script, user):
    activate = shutil.which("systemd-socket-activate")
    setpriv = shutil.which("setpriv")
    if not activate or not setpriv:
        check("socket activation: systemd-socket-activate and setpriv are installed", False)
        return
    conf = f"{work}/activated.conf"
    write_config(conf, work, 160, 170, "bootx64.efi", "log-facility=-\n")
    log_path = f"{work}/activated-daemon.log"
    listener = NotifyListener(f"{work}/notify-activated.sock")
    caps = "+net_admin,+net_raw"
    # Port 4011 too, which this configuration does not serve: kept idle with a warning.
    argv = [activate, "--datagram", "-l", "0.0.0.0:67", "-l", "0.0.0.0:69", "-l", "0.0.0.0:4011",
            "--fdname=dhcp@ens33:tftp@ens33:pxe", "-E", f"NOTIFY_SOCKET={listener.path}", "-E", "WATCHDOG_USEC=400000",
            setpriv, f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
            f"--inh-caps=-all,{caps}", f"--ambient-caps=-all,{caps}", f"--bounding-set=-all,{caps}",
            pxemasq, "-k", "-C", conf, "--pid-file"]
    with open(log_path, "w") as log:
        daemon = subprocess.Popen(lab.in_server(argv), stdout=log, stderr=subprocess.STDOUT)
    lab.pids.append(daemon.pid)
    try:
        time.sleep(0.3)  # systemd-socket-activate starts the daemon on the first datagram
        report = udhcpc(lab, "02:70:78:72:00:10", script, f"{work}/clients.log")
        check("socket activation: udhcpc gets a lease through the passed socket (.160-.170)",
              re.match(r"192\.168\.1\.1(6\d|70)$", field(report, "ip")) is not None,
              report + read_log(log_path)[-400:])
        check("socket activation: READY=1", listener.wait_for("READY=1", 0, 10) is not None)
        check("socket activation: TFTP serves a file through the passed socket",
              tftp_get(lab, "small.bin", f"{work}/got-activated.bin")
              and sha256(f"{work}/got-activated.bin") == sha256(f"{work}/tftp/small.bin"))
        log = read_log(log_path)
        check("socket activation: the log says the DHCP socket was passed",
              "DHCP, using the socket passed by systemd" in log, log[-400:])
        sockets = subprocess.run(lab.in_server(["ss", "-uln"]), capture_output=True, text=True).stdout
        check("socket activation: the daemon bound dhcp@ens33 and tftp@ens33 to ens33 (ss shows %ens33)",
              "0.0.0.0%ens33:67" in sockets and "0.0.0.0%ens33:69" in sockets, sockets)
        check("socket activation: dhcp@ens33 / tftp@ens33 are served (bound to ens33 by the daemon)",
              "DHCP, using the socket passed by systemd" in log and tftp_get(lab, "small.bin", f"{work}/got-b.bin"))
        check("socket activation: the unused PXE socket is reported idle",
              "systemd passed a socket for PXE (port 4011), which the configuration does not serve" in log,
              log[-400:])
        count = listener.count()
        time.sleep(1.0)
        with listener.lock:
            pings = sum(1 for m in listener.messages[count:] if "WATCHDOG=1" in m.split("\n"))
        check(f"watchdog: WATCHDOG_USEC=400000 gives WATCHDOG=1 every 200 ms ({pings} in 1 s)", 3 <= pings <= 7)
        status = proc_status(daemon.pid)  # setpriv and the daemon exec in place: same PID
        check("socket activation: the daemon runs unprivileged", status["Uid"].split()[1] == str(user.pw_uid),
              status["Uid"])
        check("socket activation: it holds no CAP_NET_BIND_SERVICE (ports came from systemd)",
              int(status["CapEff"], 16) & (1 << 10) == 0, status["CapEff"])
    finally:
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait(5)
        listener.close()



def scenario_refused_socket(lab, pxemasq, work):
    activate = shutil.which("systemd-socket-activate")
    if not activate:
        return
    conf = f"{work}/activated.conf"
    daemon = subprocess.Popen(lab.in_server([activate, "--datagram", "-l", "0.0.0.0:5353", "--fdname=mdns",
                                             pxemasq, "-k", "-C", conf, "--pid-file"]),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lab.pids.append(daemon.pid)
    time.sleep(0.3)
    # systemd-socket-activate starts its program on the first datagram.
    subprocess.run(lab.in_server(["python3", "-c",
                                  "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
                                  ".sendto(b'x', ('127.0.0.1', 5353))"]), check=False)
    try:
        out, _ = daemon.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        daemon.kill()
        out, _ = daemon.communicate()
    check("socket activation: a passed socket that fits no service is refused (exit 2, named)",
          daemon.returncode == 2 and "matches no service" in out and "port 5353" in out,
          f"{daemon.returncode} {out[-300:]}")


def scenario_daemonise(lab, pxemasq, work, script):
    conf = f"{work}/daemon.conf"
    log_file = f"{work}/run/daemon.log"
    write_config(conf, work, 200, 210, "bootx64.efi", f"user=\nlog-facility={log_file}\n")
    pid_path = f"{work}/run/daemon.pid"
    started = time.monotonic()
    result = subprocess.run(lab.in_server([pxemasq, "-C", conf, f"--pid-file={pid_path}"]),
                            capture_output=True, text=True, timeout=30)
    check("daemon mode: the command returns 0 once serving", result.returncode == 0,
          f"{result.returncode} {result.stderr[-300:]}")
    check("daemon mode: and returns promptly", time.monotonic() - started < 10)
    pid = 0
    if os.path.exists(pid_path):
        pid = int(open(pid_path).read().strip())
        lab.pids.append(pid)
    check("daemon mode: the pid file names a running pxemasq",
          pid > 0 and os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/comm").read().strip() == "pxemasq")
    if pid <= 0:
        return
    check("daemon mode: stdin is /dev/null", os.readlink(f"/proc/{pid}/fd/0") == "/dev/null")
    check("daemon mode: stderr is /dev/null too", os.readlink(f"/proc/{pid}/fd/2") == "/dev/null")
    check("daemon mode: log-facility=FILE gets the start-up lines",
          "pxemasq[" in read_log(log_file) and "started, version" in read_log(log_file), read_log(log_file)[:300])
    stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    check("daemon mode: not a session leader (double fork)", int(stat[3]) != pid, f"sid {stat[3]}")
    check("daemon mode: working directory is /", os.readlink(f"/proc/{pid}/cwd") == "/")
    report = udhcpc(lab, "02:70:78:72:00:20", script, f"{work}/clients.log")
    check("daemon mode: it serves (.200-.210)", re.match(r"192\.168\.1\.(20\d|210)$", field(report, "ip")) is not None,
          report)

    # A second instance cannot bind 67: the caller gets the daemon's error and exit status.
    second = subprocess.run(lab.in_server([pxemasq, "-C", conf, f"--pid-file={work}/run/second.pid"]),
                            capture_output=True, text=True, timeout=30)
    check("daemon mode: a start-up failure returns 2 to the caller", second.returncode == 2,
          f"{second.returncode} {second.stderr[-300:]}")
    check("daemon mode: with the reason on stderr", "failed to bind DHCP server socket" in second.stderr,
          second.stderr[-300:])
    # An error found after the fork but before the loggers exist: reported once, by the parent.
    bad = f"{work}/bad-root.conf"
    with open(bad, "w") as f:
        f.write(f"enable-tftp\ntftp-root={work}/no-such-root\nport=0\nuser=\n")
    failed = subprocess.run(lab.in_server([pxemasq, "-C", bad, "--pid-file"]), capture_output=True, text=True,
                            timeout=30)
    check("daemon mode: an inaccessible tftp-root returns 3 with the reason printed once",
          failed.returncode == 3 and failed.stderr.count("inaccessible") == 1,
          f"{failed.returncode} {failed.stderr!r}")
    os.kill(pid, signal.SIGTERM)
    check("daemon mode: SIGTERM stops it and removes the pid file",
          wait_until(lambda: not os.path.exists(f"/proc/{pid}") and not os.path.exists(pid_path), 10))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--slow-tftp-client":
        return slow_tftp_client_main(sys.argv[2], float(sys.argv[3]))
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    pxemasq = os.path.realpath(sys.argv[1])
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces)")
        return SKIP
    for tool in ("ip", "busybox", "tftp"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} is not installed (packages: iproute2, busybox, tftp-hpa)")
            return SKIP
    try:
        user = pwd.getpwnam("nobody")
    except KeyError:
        print("SKIP: no user nobody")
        return SKIP

    work = tempfile.mkdtemp(prefix="pxemasq-process.")
    os.chmod(work, 0o755)
    for sub in ("tftp", "state", "run"):
        os.makedirs(f"{work}/{sub}")
    os.chown(f"{work}/run", user.pw_uid, user.pw_gid)  # so the daemon can remove its pid file
    with open(f"{work}/tftp/small.bin", "wb") as f:
        f.write(os.urandom(70000))
    with open(f"{work}/tftp/big.bin", "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024 // 2))  # 3072 blocks at 512: ~6 s at 2 ms a block
    for name in ("small.bin", "big.bin"):
        os.chmod(f"{work}/tftp/{name}", 0o644)
    script = f"{work}/udhcpc.sh"
    shutil.copy(os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "lab", "udhcpc-report.sh"), script)
    os.chmod(script, 0o755)

    lab = Lab(work)
    try:
        lab.create()
        scenario_notify_reload_privileges(lab, pxemasq, work, script, user)
        scenario_socket_activation(lab, pxemasq, work, script, user)
        scenario_refused_socket(lab, pxemasq, work)
        scenario_daemonise(lab, pxemasq, work, script)
    finally:
        lab.destroy()
        if os.environ.get("PXQ_TEST_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work directory kept: {work}")
    print(f"process_test: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
