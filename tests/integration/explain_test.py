#!/usr/bin/python3
"""`pxemasq --explain` against what the daemon really sends, and against the real dnsmasq (issue 8).

For the common BIOS/UEFI split configuration (tests/unit/test_explain.cpp has the same one) and
the client architectures 0, 6, 7, 9, 10, 11, 16 plus the iPXE user class: the DISCOVER that
--explain models is played to pxemasq and to dnsmasq in the compat harness's namespace lab
(compat/dhcp/run-dhcp-compat.py, imported), and `pxemasq --explain ... --interface ens33` is run
in that lab's server namespace on the same configuration. Checked for every client: the
explanation's address, siaddr, file and sname fields, and every option (code, order, bytes) are
exactly the daemon's OFFER; and the daemon's OFFER carries the boot file dnsmasq's does.

Usage: explain_test.py PXEMASQ [DNSMASQ]   (root; 77 = skipped without scapy or root)
"""

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "..", "..", "compat", "dhcp", "run-dhcp-compat.py")

SPLIT_CONFIG = [
    "interface=ens33",
    "dhcp-range=192.168.1.100,192.168.1.200,255.255.255.0,12h",
    "dhcp-match=set:bios,option:client-arch,0",
    "dhcp-match=set:efi32,option:client-arch,6",
    "dhcp-match=set:efi64,option:client-arch,7",
    "dhcp-match=set:efi64,option:client-arch,9",
    "dhcp-match=set:efiarm32,option:client-arch,10",
    "dhcp-match=set:efiarm64,option:client-arch,11",
    "dhcp-match=set:efihttp,option:client-arch,16",
    "dhcp-userclass=set:ipxe,iPXE",
    "dhcp-boot=tag:bios,bios/pxelinux.0",
    "dhcp-boot=tag:efi32,efi32/bootia32.efi",
    "dhcp-boot=tag:efi64,efi64/bootx64.efi",
    "dhcp-boot=tag:efiarm32,arm/bootarm.efi",
    "dhcp-boot=tag:efiarm64,arm64/bootaa64.efi",
    "dhcp-option-force=tag:efihttp,60,HTTPClient",
    "dhcp-boot=tag:efihttp,http://192.168.1.70/efi64/bootx64.efi",
    "dhcp-boot=tag:ipxe,http://192.168.1.70/boot.ipxe",
]

# The request lists of src/daemon/explain.cpp (firmware_prl, ipxe_prl).
FIRMWARE_PRL = [1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59,
                60, 66, 67, 97] + list(range(128, 136))
IPXE_PRL = [1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119] + list(range(128, 136)) + [175, 203]
XID = 0x50584D51

CLIENTS = [(arch, user) for user in (None, "iPXE") for arch in (0, 6, 7, 9, 10, 11, 16)]


def mac_of(arch, user):
    return f"52:54:00:43:{1 if user else 0:02x}:{arch:02x}"


def vendor_class(arch):
    client = "HTTPClient" if 15 <= arch <= 20 else "PXEClient"
    return f"{client}:Arch:{arch:05d}:UNDI:{'002001' if arch == 0 else '003000'}"


def step_for(arch, user):
    options = [[53, "discover"], [57, "u16:1472"], [55, IPXE_PRL if user == "iPXE" else FIRMWARE_PRL],
               [97, "hex:" + "00" * 17], [94, [1, 2 if arch == 0 else 3, 1 if arch == 0 else 0]],
               [93, f"u16:{arch}"], [60, vendor_class(arch)]]
    if user:
        options.append([77, user])
    return {"name": f"arch{arch}{'-' + user if user else ''}", "expect": "offer",
            "send": {"mac": mac_of(arch, user), "xid": XID, "flags": 0, "options": options}}


def parse_explanation(text):
    out = {"options": []}
    header = re.search(r'^header:\s+yiaddr (\S+), siaddr (\S+), file "(.*)", sname "(.*)"$', text, re.M)
    if header:
        out["yiaddr"], out["siaddr"], out["file"], out["sname"] = header.groups()
    for m in re.finditer(r"^  (\d+) .*\((\d+) bytes\) ([0-9a-f]*)$", text, re.M):
        out["options"].append((int(m.group(1)), m.group(3)))
    boot = re.search(r"^boot file:\s+(\S+)", text, re.M)
    out["boot"] = boot.group(1) if boot else None
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    pxemasq = os.path.realpath(argv[1])
    dnsmasq = argv[2] if len(argv) > 2 else "/usr/sbin/dnsmasq"
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    try:
        import scapy  # noqa: F401
    except ImportError:
        print("SKIP: python3-scapy is not installed")
        return 77
    spec = importlib.util.spec_from_file_location("dhcp_compat", HARNESS)
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)

    scenario = {"name": "explain-split", "config": SPLIT_CONFIG,
                "steps": [step_for(arch, user) for arch, user in CLIENTS], "compare_leases": False}
    work = tempfile.mkdtemp(prefix="pxemasq-explain.")
    failures = []
    checks = 0

    def check(name, ok, detail=""):
        nonlocal checks
        checks += 1
        print(("ok - " if ok else "FAIL - ") + name + ("" if ok or not detail else f": {detail}"))
        if not ok:
            failures.append(name)

    try:
        ours = harness.run_one(scenario, "pxemasq", pxemasq, work)
        theirs = harness.run_one(scenario, "dnsmasq", dnsmasq, work) if os.path.exists(dnsmasq) else None
        check("pxemasq served the scenario", ours["error"] is None, ours["error"])
        config_path = os.path.join(work, "logs", "explain-split.conf")
        with harness.Lab("plain", harness.DEFAULT_CLIENT_IF_MAC) as lab:
            for arch, user in CLIENTS:
                name = step_for(arch, user)["name"]
                request = f"{mac_of(arch, user)},{arch}" + (f",,{user}" if user else "")
                result = subprocess.run(["ip", "netns", "exec", lab.server, pxemasq, "--explain", request,
                                         "--interface", "ens33", "-C", config_path],
                                        capture_output=True, text=True, timeout=30)
                explained = parse_explanation(result.stdout)
                replies = ours["steps"].get(name, {}).get("replies", [])
                if not replies:
                    check(f"{name}: the daemon answered", False)
                    continue
                offer = replies[0]
                check(f"{name}: --explain exited 0", result.returncode == 0, result.stderr[-200:])
                for field in ("yiaddr", "siaddr"):
                    check(f"{name}: {field} {offer[field]} as explained", explained.get(field) == offer[field],
                          explained.get(field))
                for field in ("file", "sname"):
                    check(f"{name}: {field} field as explained", repr(explained.get(field, "?")) == offer[field],
                          f"{explained.get(field)!r} vs {offer[field]}")
                sent = [(int(code.split("/")[0]), offer[f"option:{code.split('/')[0]}"])
                        for code in offer["options"].split()]
                check(f"{name}: every option, in order, byte for byte as explained", explained["options"] == sent,
                      f"\n    explained {explained['options']}\n    sent      {sent}")
                if theirs is not None:
                    dns = theirs["steps"].get(name, {}).get("replies", [])
                    dns_boot = dns[0].get("option:67") if dns else None
                    check(f"{name}: boot file {explained['boot']} is dnsmasq's too",
                          dns_boot is not None and dns_boot == offer.get("option:67"),
                          f"dnsmasq {bytes.fromhex(dns_boot or '')!r}")
    finally:
        harness.cleanup_all()
        shutil.rmtree(work, ignore_errors=True)
    print(f"explain: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
