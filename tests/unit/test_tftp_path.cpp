// Path resolution against spec §6.4/§6.6 and the hostile names a TFTP server meets. The key
// property: whatever the name, the result is a refusal or components that cannot leave the
// root (none empty, `.`, `..`, or containing `/` or NUL).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tftp/path.hpp"

namespace pxemasq::tftp {
namespace {

using namespace std::string_literals;
using Components = std::vector<std::string>;

const std::vector<std::string> kLocalHosts = {"192.168.1.70", "pxe.example.org", "[fe80::1]"};

PathRules seed_rules() {
  PathRules rules;
  rules.root = "/var/lib/tftpboot";
  rules.local_hosts = kLocalHosts;
  return rules;
}

ResolvedPath resolved_of(std::string_view name, const PathRules& rules = seed_rules()) {
  const PathResult result = resolve_path(name, rules);
  const auto* resolved = std::get_if<ResolvedPath>(&result);
  EXPECT_NE(resolved, nullptr) << "refused: " << name;
  return resolved != nullptr ? *resolved : ResolvedPath{};
}

Components components_of(std::string_view name, const PathRules& rules = seed_rules()) {
  return resolved_of(name, rules).components;
}

std::optional<PathRefusal> refusal_of(std::string_view name,
                                      const PathRules& rules = seed_rules()) {
  const PathResult result = resolve_path(name, rules);
  if (const auto* refusal = std::get_if<PathRefusal>(&result)) return *refusal;
  return std::nullopt;
}

bool confined(const PathResult& result) {
  const auto* resolved = std::get_if<ResolvedPath>(&result);
  if (resolved == nullptr) return true;
  if (resolved->components.empty()) return false;
  for (const auto& component : resolved->components) {
    if (component.empty() || component == "." || component == ".." ||
        component.find('/') != std::string::npos || component.find('\0') != std::string::npos ||
        component.find('\\') != std::string::npos) {
      return false;
    }
  }
  return true;
}

// ---- ordinary names --------------------------------------------------------------------------

TEST(TftpPath, RelativeNameIsBelowTheRoot) {
  EXPECT_EQ(components_of("bootx64.efi"), (Components{"bootx64.efi"}));
  EXPECT_EQ(components_of("esxi8/b.b00"), (Components{"esxi8", "b.b00"}));
  EXPECT_EQ(resolved_of("esxi8/b.b00").relative_path(), "esxi8/b.b00");
}

TEST(TftpPath, LeadingSlashIsBelowTheRootToo) {
  // spec §6.6: `kernel=/b.b00` and `b.b00` both name <root>/b.b00.
  EXPECT_EQ(components_of("/b.b00"), (Components{"b.b00"}));
  EXPECT_EQ(components_of("//b.b00"), (Components{"b.b00"}));
  EXPECT_EQ(components_of("/esxi8/b.b00"), (Components{"esxi8", "b.b00"}));
}

TEST(TftpPath, NameThatAlreadySpellsTheRootLosesIt) {
  EXPECT_EQ(components_of("/var/lib/tftpboot/bootx64.efi"), (Components{"bootx64.efi"}));
  EXPECT_EQ(components_of("/var//lib/./tftpboot/a/b"), (Components{"a", "b"}));
  // Only with a leading slash (dnsmasq: a relative name is always appended to the root).
  EXPECT_EQ(components_of("var/lib/tftpboot/x"), (Components{"var", "lib", "tftpboot", "x"}));
  // A partial match is no match.
  EXPECT_EQ(components_of("/var/lib/tftpbootx/y"), (Components{"var", "lib", "tftpbootx", "y"}));
}

TEST(TftpPath, RootWrittenWithTrailingSlashOrRelative) {
  PathRules rules = seed_rules();
  rules.root = "/var/lib/tftpboot/";
  EXPECT_EQ(components_of("/var/lib/tftpboot/x", rules), (Components{"x"}));
  rules.root = "srv/tftp";  // spec §3.12: a relative root is served from `/`
  EXPECT_EQ(components_of("/srv/tftp/x", rules), (Components{"x"}));
}

TEST(TftpPath, NoRootMeansNoStripping) {
  PathRules rules = seed_rules();
  rules.root = "";
  EXPECT_EQ(components_of("/etc/motd", rules), (Components{"etc", "motd"}));
  rules.root = "/";
  EXPECT_EQ(components_of("/etc/motd", rules), (Components{"etc", "motd"}));
}

TEST(TftpPath, BackslashesAreSeparators) {
  EXPECT_EQ(components_of("EFI\\BOOT\\bootx64.efi"), (Components{"EFI", "BOOT", "bootx64.efi"}));
  EXPECT_EQ(components_of("\\boot\\grub.cfg"), (Components{"boot", "grub.cfg"}));
}

TEST(TftpPath, LowercaseWhenAsked) {
  PathRules rules = seed_rules();
  EXPECT_EQ(components_of("EFI/BOOT/BOOTX64.EFI", rules),
            (Components{"EFI", "BOOT", "BOOTX64.EFI"}));
  rules.lowercase = true;
  EXPECT_EQ(components_of("EFI\\BOOT\\BOOTX64.EFI", rules),
            (Components{"efi", "boot", "bootx64.efi"}));
  // Only ASCII: bytes above 0x7f are left alone.
  EXPECT_EQ(components_of("\xc3\x89T\xc3\xa9", rules), (Components{"\xc3\x89t\xc3\xa9"}));
}

TEST(TftpPath, DotAndEmptyComponentsAreDropped) {
  EXPECT_EQ(components_of("./a//b/./c/"), (Components{"a", "b", "c"}));
  EXPECT_EQ(components_of("a/."), (Components{"a"}));
}

TEST(TftpPath, DotsThatAreNotParentAreNames) {
  EXPECT_EQ(components_of("..."), (Components{"..."}));
  EXPECT_EQ(components_of("..a/b.."), (Components{"..a", "b.."}));
  EXPECT_EQ(components_of(".hidden"), (Components{".hidden"}));
}

TEST(TftpPath, UniqueRootBecomesTheFirstComponent) {
  PathRules rules = seed_rules();
  rules.unique_directory = "192.168.1.231";
  EXPECT_EQ(components_of("boot.cfg", rules), (Components{"192.168.1.231", "boot.cfg"}));
  EXPECT_EQ(components_of("/boot.cfg", rules), (Components{"192.168.1.231", "boot.cfg"}));
  // dnsmasq's base includes the unique directory...
  EXPECT_EQ(components_of("/var/lib/tftpboot/192.168.1.231/boot.cfg", rules),
            (Components{"192.168.1.231", "boot.cfg"}));
  // ...and the plain root is stripped as well (dnsmasq would not).
  EXPECT_EQ(components_of("/var/lib/tftpboot/boot.cfg", rules),
            (Components{"192.168.1.231", "boot.cfg"}));
  rules.unique_directory = "aa-bb-cc-dd-ee-ff";
  EXPECT_EQ(components_of("x", rules), (Components{"aa-bb-cc-dd-ee-ff", "x"}));
}

TEST(TftpPath, BadUniqueDirectoryIsRefused) {
  PathRules rules = seed_rules();
  for (const char* bad : {"..", ".", "a/b", "x/../y"}) {
    rules.unique_directory = bad;
    EXPECT_EQ(refusal_of("x", rules), PathRefusal::bad_unique_directory) << bad;
  }
}

// ---- URL-like names (spec §6.6, §9.8) ---------------------------------------------------

TEST(TftpPath, UrlForOneOfOurAddressesMapsToItsPath) {
  const auto resolved = resolved_of("http://192.168.1.70/esxi8/b.b00");
  EXPECT_EQ(resolved.components, (Components{"esxi8", "b.b00"}));
  EXPECT_TRUE(resolved.mapped_from_url);
  EXPECT_FALSE(resolved.looks_like_url);
}

TEST(TftpPath, UrlVariants) {
  EXPECT_EQ(components_of("https://192.168.1.70/esxi8/b.b00"), (Components{"esxi8", "b.b00"}));
  EXPECT_EQ(components_of("HTTP://192.168.1.70:80/a"), (Components{"a"}));
  EXPECT_EQ(components_of("http://PXE.example.org:8080/a/b"), (Components{"a", "b"}));
  EXPECT_EQ(components_of("http://[fe80::1]:80/v6"), (Components{"v6"}));
  EXPECT_EQ(components_of("http:\\\\192.168.1.70\\esxi8\\b.b00"), (Components{"esxi8", "b.b00"}));
  EXPECT_EQ(components_of("http://192.168.1.70/var/lib/tftpboot/esxi8/x"),
            (Components{"esxi8", "x"}));
}

// GRUB's TFTP client collapses `//` in every name, so `http://HOST/x` arrives as `http:/HOST/x`.
TEST(TftpPath, UrlWithOneSlashAsGrubSendsItMapsToo) {
  const auto resolved = resolved_of("http:/192.168.1.70/esxi8/b.b00");
  EXPECT_EQ(resolved.components, (Components{"esxi8", "b.b00"}));
  EXPECT_TRUE(resolved.mapped_from_url);
  EXPECT_EQ(components_of("HTTPS:/192.168.1.70/a"), (Components{"a"}));
  EXPECT_EQ(refusal_of("http:/192.168.1.70"), PathRefusal::no_file_name);
  EXPECT_EQ(refusal_of("http:/192.168.1.70/../etc/passwd"), PathRefusal::parent_directory);
  const auto other = resolved_of("http:/10.9.9.9/a");
  EXPECT_FALSE(other.mapped_from_url);
  EXPECT_TRUE(other.looks_like_url);
  EXPECT_EQ(other.components, (Components{"http:", "10.9.9.9", "a"}));
}

TEST(TftpPath, UrlWithNothingAfterTheHostNamesNoFile) {
  EXPECT_EQ(refusal_of("http://192.168.1.70"), PathRefusal::no_file_name);
  EXPECT_EQ(refusal_of("http://192.168.1.70/"), PathRefusal::no_file_name);
}

TEST(TftpPath, UrlForAnotherHostIsAPlainNameLikeDnsmasq) {
  const auto resolved = resolved_of("http://10.9.9.9/esxi8/b.b00");
  EXPECT_EQ(resolved.components, (Components{"http:", "10.9.9.9", "esxi8", "b.b00"}));
  EXPECT_FALSE(resolved.mapped_from_url);
  EXPECT_TRUE(resolved.looks_like_url);
}

TEST(TftpPath, UrlWithOddAuthorityIsNotMapped) {
  for (const char* name : {"http://user@192.168.1.70/a", "http://192.168.1.70:http/a",
                           "http://192.168.1.70:123456/a", "http:///a", "http://[fe80::1/a"}) {
    const auto resolved = resolved_of(name);
    EXPECT_FALSE(resolved.mapped_from_url) << name;
    EXPECT_TRUE(resolved.looks_like_url) << name;
  }
}

TEST(TftpPath, UrlMappingIsOffWithoutLocalHosts) {
  PathRules rules = seed_rules();
  rules.local_hosts = {};
  EXPECT_FALSE(resolved_of("http://192.168.1.70/a", rules).mapped_from_url);
}

TEST(TftpPath, NonHttpSchemesAreNames) {
  const auto resolved = resolved_of("tftp://192.168.1.70/a");
  EXPECT_FALSE(resolved.looks_like_url);
  EXPECT_EQ(resolved.components, (Components{"tftp:", "192.168.1.70", "a"}));
}

// ---- refusals ---------------------------------------------------------------------------------

TEST(TftpPath, EmptyAndNulNames) {
  EXPECT_EQ(refusal_of(""), PathRefusal::empty_name);
  EXPECT_EQ(refusal_of("boot\0.cfg"s), PathRefusal::embedded_nul);
  EXPECT_EQ(refusal_of("\0"s), PathRefusal::embedded_nul);
}

TEST(TftpPath, NamesThatLeaveNothingToOpen) {
  for (const char* name :
       {"/", "//", ".", "./", "/./", "\\", "/var/lib/tftpboot", "/var/lib/tftpboot/"}) {
    EXPECT_EQ(refusal_of(name), PathRefusal::no_file_name) << name;
  }
}

TEST(TftpPath, LengthLimits) {
  EXPECT_EQ(refusal_of(std::string(kMaxNameLength + 1, 'a')), PathRefusal::name_too_long);
  EXPECT_EQ(refusal_of(std::string(kMaxComponentLength + 1, 'a')), PathRefusal::component_too_long);
  EXPECT_EQ(components_of(std::string(kMaxComponentLength, 'a')).size(), 1U);
  std::string deep;
  while (deep.size() + 2 <= kMaxNameLength) deep += "a/";
  EXPECT_EQ(components_of(deep).size(), kMaxNameLength / 2);
}

// At least 30 hostile names: every one is refused as `..`.
TEST(TftpPath, HostileParentNamesAreRefused) {
  const std::vector<std::string> hostile = {
      "..",
      "../",
      "../etc/passwd",
      "../../../../etc/shadow",
      "/..",
      "/../",
      "/../etc/passwd",
      "x/..",
      "x/../",
      "x/../y",
      "x/../../",
      "x/../../etc/passwd",
      "a/b/c/../../../..",
      "..\\",
      "..\\..\\windows\\win.ini",
      "\\..\\etc\\passwd",
      "x\\..\\..\\y",
      "..//etc",
      ".//..//etc",
      "./../x",
      "/./../x",
      "//..//..//etc/passwd",
      "....//../x",
      "/var/lib/tftpboot/../../etc/passwd",
      "/var/lib/tftpboot/..",
      "http://192.168.1.70/../etc/passwd",
      "http://192.168.1.70/esxi8/../../etc/passwd",
      "https://pxe.example.org/..",
      "http://192.168.1.70/..\\..\\etc",
      "http://10.9.9.9/../../etc/passwd",
      "http://../etc/passwd",
      "http:/../../etc/passwd",
      "esxi8/b.b00/..",
      "a/./../../b",
  };
  ASSERT_GE(hostile.size(), 30U);
  for (const auto& name : hostile) {
    EXPECT_EQ(refusal_of(name), PathRefusal::parent_directory) << name;
  }
}

TEST(TftpPath, HostileParentNamesAreRefusedWithLowercaseAndUniqueRoot) {
  PathRules rules = seed_rules();
  rules.lowercase = true;
  rules.unique_directory = "10.0.0.5";
  for (const char* name : {"../x", "X/../../Y", "..\\", "HTTP://192.168.1.70/../X"}) {
    EXPECT_EQ(refusal_of(name, rules), PathRefusal::parent_directory) << name;
  }
}

// Names that look hostile but are literal names below the root: accepted, and confined.
TEST(TftpPath, LookalikesStayInsideTheRoot) {
  // `....//` is the classic filter bypass (deleting `../` from `....//` leaves `../`); we delete
  // nothing, so it is the directory `....`.
  EXPECT_EQ(components_of("....//etc/passwd"), (Components{"....", "etc", "passwd"}));
  // TFTP has no %-decoding: these are literal names, kept as they are.
  EXPECT_EQ(components_of("%2e%2e/%2e%2e/etc/passwd"),
            (Components{"%2e%2e", "%2e%2e", "etc", "passwd"}));
  EXPECT_EQ(components_of("%2E%2E%2Fetc"), (Components{"%2E%2E%2Fetc"}));
  EXPECT_EQ(components_of("..%2f..%2fetc"), (Components{"..%2f..%2fetc"}));
  EXPECT_EQ(components_of("http://192.168.1.70/%2e%2e/x"), (Components{"%2e%2e", "x"}));
  EXPECT_EQ(components_of(". ./x"), (Components{". .", "x"}));
  EXPECT_EQ(components_of(".. /x"), (Components{".. ", "x"}));
  // Absolute paths elsewhere land below the root.
  EXPECT_EQ(components_of("/etc/passwd"), (Components{"etc", "passwd"}));
  EXPECT_EQ(components_of("C:\\Windows\\system.ini"), (Components{"C:", "Windows", "system.ini"}));
}

TEST(TftpPath, EveryHostileOrOddNameIsConfined) {
  const std::vector<std::string> names = {
      "../x",
      "..",
      "....//",
      "%2e%2e/",
      "/etc/passwd",
      "\\\\server\\share",
      "a/\x01/b",
      "http://192.168.1.70/",
      "http://192.168.1.70/../",
      "x/..",
      "/var/lib/tftpboot/..",
      std::string(5000, '/'),
      std::string(300, '.'),
      "a/" + std::string(256, 'b'),
      "\xff\xfe",
      "\r\n",
      "~root/.ssh/id_rsa",
      "$(reboot)",
      "a\0b"s,
      "./././.",
      "http://[::1]/x",
  };
  PathRules lower = seed_rules();
  lower.lowercase = true;
  for (const auto& name : names) {
    EXPECT_TRUE(confined(resolve_path(name, seed_rules()))) << name;
    EXPECT_TRUE(confined(resolve_path(name, lower))) << name;
  }
}

TEST(TftpPath, RefusalsMapToTftpErrors) {
  EXPECT_EQ(error_code(PathRefusal::parent_directory), ErrorCode::access_violation);
  EXPECT_EQ(describe(PathRefusal::parent_directory), "Permission denied");
  EXPECT_EQ(error_code(PathRefusal::no_file_name), ErrorCode::file_not_found);
  EXPECT_EQ(error_code(PathRefusal::empty_name), ErrorCode::illegal_operation);
  EXPECT_EQ(error_code(PathRefusal::name_too_long), ErrorCode::not_defined);
  EXPECT_EQ(describe(PathRefusal::component_too_long), "File name too long");
}

}  // namespace
}  // namespace pxemasq::tftp
