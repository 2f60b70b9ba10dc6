#pragma once
// `pxemasq --explain MAC[,ARCH[,VENDOR-CLASS[,USER-CLASS]]] [--interface IF]`: runs the real
// DHCP engine offline on the loaded configuration with a DISCOVER shaped like the one such a
// client sends, and prints what the daemon would answer and why — the tags that matched, the
// range and address, next-server, the boot file, every option with its value, and the
// log-dhcp lines the daemon would write. The answer to "why did my UEFI box get pxelinux.0?".
//
// The same machinery backs a --test check: every common client architecture is explained
// against the configuration, and a UEFI architecture given a BIOS boot file (or the reverse)
// is reported.
//
// Pure apart from the interface facts, which the caller passes in (read from the host when the
// interface exists there, assumed from the configuration otherwise).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/model.hpp"
#include "dhcp/engine.hpp"

namespace pxemasq::daemon {

struct ExplainRequest {
  std::vector<std::uint8_t> mac;               // 6 bytes
  std::optional<std::uint16_t> arch;           // option 93 (RFC 4578 client system architecture)
  std::optional<std::string> vendor_class;     // option 60; default for PXE clients below
  std::optional<std::string> user_class;       // option 77 (e.g. "iPXE")
};

// "52:54:00:12:34:56,7,PXEClient:Arch:00007:UNDI:003016,iPXE"; the error text says what is
// wrong. An empty vendor class field ("MAC,7,,iPXE") means the default.
[[nodiscard]] std::variant<ExplainRequest, std::string> parse_explain_request(const std::string& text);

// What PXE firmware of that architecture sends as option 60: "PXEClient:Arch:00007:UNDI:003016"
// (UEFI HTTP boot, arch 16 and its kin 15/18/19/20: "HTTPClient:Arch:00016:UNDI:003001").
[[nodiscard]] std::string firmware_vendor_class(std::uint16_t arch);

// The DISCOVER such a client sends: broadcast flag clear, options 53, 57, 55 (a PXE ROM's
// request list when an architecture is given, else a plain client's), 93, 94, 97, 60, 77.
[[nodiscard]] dhcp::Packet explain_discover(const ExplainRequest& request);

// The arrival interface: the host's own facts when known, else an address in the first
// range's subnet outside every range (then `assumed` is true).
struct ExplainInterface {
  std::string name;
  std::vector<dhcp::InterfaceAddress> addresses;
  bool assumed = false;
};
[[nodiscard]] std::optional<ExplainInterface> assumed_interface(const config::Config& config,
                                                                const std::string& name);

// The decoded reply, for printing and for the --test check.
struct ExplainedReply {
  bool answered = false;
  config::Ipv4 yiaddr;
  config::Ipv4 siaddr;
  std::string sname;
  std::string file;              // the header field
  std::optional<std::string> option67;  // bootfile-name option
  std::vector<dhcp::Option> options;    // in packet order (option areas joined)
  std::vector<std::string> log;         // the log-dhcp lines, xid removed
  // The boot file a client uses: option 67 when present, else the header field.
  [[nodiscard]] std::string boot_file() const;
};

// Runs the engine (log-dhcp forced on, conflict probes answered "free") with `leases` as on file.
[[nodiscard]] ExplainedReply explain(const config::Config& config, const ExplainInterface& interface,
                                     const ExplainRequest& request, const dhcp::LeaseTable& leases,
                                     std::int64_t now);

// The report printed by --explain.
[[nodiscard]] std::string format_explanation(const ExplainRequest& request, const ExplainInterface& interface,
                                             const ExplainedReply& reply);

// --test: "client-arch 7 (UEFI x64) would get the BIOS boot file pxelinux.0"; one line per
// mismatching architecture among 0, 6, 7, 9, 10, 11, 16, each also tried with the iPXE user class.
[[nodiscard]] std::vector<std::string> architecture_mismatches(const config::Config& config,
                                                               const ExplainInterface& interface,
                                                               std::int64_t now);

}  // namespace pxemasq::daemon
