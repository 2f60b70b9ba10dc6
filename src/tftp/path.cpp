#include "tftp/path.hpp"

#include <algorithm>
#include <optional>

namespace pxemasq::tftp {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

// spec §6.4, first line: backslashes are separators (DOS-minded clients), then tftp-lowercase.
std::string normalise(std::string_view requested, bool lowercase) {
  std::string name(requested);
  std::replace(name.begin(), name.end(), '\\', '/');
  if (lowercase) std::transform(name.begin(), name.end(), name.begin(), lower);
  return name;
}

std::string_view without_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

// `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT` -> HOST; nullopt for anything else (user info,
// a non-numeric port, an empty host).
std::optional<std::string_view> authority_host(std::string_view authority) {
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
    port = rest.empty() ? rest : rest.substr(1);
  } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  const bool port_ok = port.size() <= 5 && std::all_of(port.begin(), port.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
  if (!port_ok || without_brackets(host).empty() || host.find('@') != std::string_view::npos) {
    return std::nullopt;
  }
  return without_brackets(host);
}

bool is_local_host(std::string_view host, std::span<const std::string> local_hosts) {
  return std::any_of(local_hosts.begin(), local_hosts.end(), [host](const std::string& ours) {
    return equals_ignoring_case(without_brackets(ours), host);
  });
}

struct UrlView {
  std::optional<std::string_view> host;  // nullopt: an authority we do not understand
  std::string_view path;                 // from the `/` after the authority, or empty
};

// `http://AUTHORITY[/PATH]` or `https://…`, scheme in any case; also with one slash after
// the colon, `http:/AUTHORITY/PATH`, which is what GRUB's TFTP client sends for a `//` URL (it
// collapses repeated slashes in every name it requests).
std::optional<UrlView> split_url(std::string_view name) {
  std::size_t scheme_length = 0;
  for (const std::string_view scheme : {std::string_view("http:/"), std::string_view("https:/")}) {
    if (!starts_with_ignoring_case(name, scheme)) continue;
    scheme_length = scheme.size();
    if (name.size() > scheme_length && name[scheme_length] == '/') ++scheme_length;
  }
  if (scheme_length == 0) return std::nullopt;
  const auto rest = name.substr(scheme_length);
  const auto slash = std::min(rest.find('/'), rest.size());
  return UrlView{authority_host(rest.substr(0, slash)), rest.substr(slash)};
}

// Cut at `/`, dropping empty and `.` components and refusing `..` and over-long ones.
std::variant<std::vector<std::string>, PathRefusal> split_components(std::string_view name) {
  std::vector<std::string> components;
  while (!name.empty()) {
    const auto slash = std::min(name.find('/'), name.size());
    const auto component = name.substr(0, slash);
    name.remove_prefix(std::min(slash + 1, name.size()));
    if (component.empty() || component == ".") continue;
    if (component == "..") return PathRefusal::parent_directory;
    if (component.size() > kMaxComponentLength) return PathRefusal::component_too_long;
    components.emplace_back(component);
  }
  return components;
}

// The root as components, for the "name already starts with the root" rule. The root comes
// from the config, not the wire, so `..` there is left to the operator and merely not matched.
std::vector<std::string> root_components(std::string_view root) {
  auto split = split_components(root);
  if (auto* components = std::get_if<std::vector<std::string>>(&split)) return *components;
  return {};
}

bool has_prefix(const std::vector<std::string>& components,
                const std::vector<std::string>& prefix) {
  return components.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), components.begin());
}

// spec §6.4: a name starting with `/` that already spells the root path (with the unique
// directory, as dnsmasq's `base`, or without it — a courtesy dnsmasq lacks) is taken below it.
void strip_root(std::vector<std::string>& components, const PathRules& rules) {
  auto root = root_components(rules.root);
  if (root.empty()) return;
  auto with_unique = root;
  if (!rules.unique_directory.empty()) with_unique.emplace_back(rules.unique_directory);
  const auto cut = has_prefix(components, with_unique) ? with_unique.size()
                   : has_prefix(components, root)      ? root.size()
                                                       : 0;
  components.erase(components.begin(), components.begin() + static_cast<std::ptrdiff_t>(cut));
}

bool is_plain_component(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.size() <= kMaxComponentLength &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

std::optional<PathRefusal> check_raw_name(std::string_view requested, const PathRules& rules) {
  if (requested.empty()) return PathRefusal::empty_name;
  if (requested.find('\0') != std::string_view::npos) return PathRefusal::embedded_nul;
  if (requested.size() > kMaxNameLength) return PathRefusal::name_too_long;
  if (!rules.unique_directory.empty() && !is_plain_component(rules.unique_directory)) {
    return PathRefusal::bad_unique_directory;
  }
  return std::nullopt;
}

}  // namespace

std::string_view describe(PathRefusal refusal) {
  // Worded like the strerror() text dnsmasq would log for the same name where there is one.
  switch (refusal) {
    case PathRefusal::empty_name:
      return "empty file name";
    case PathRefusal::embedded_nul:
      return "NUL character in file name";
    case PathRefusal::name_too_long:
    case PathRefusal::component_too_long:
      return "File name too long";
    case PathRefusal::parent_directory:
      return "Permission denied";
    case PathRefusal::no_file_name:
      return "Is a directory";
    case PathRefusal::bad_unique_directory:
      return "bad tftp-unique-root directory name";
  }
  return "invalid file name";
}

ErrorCode error_code(PathRefusal refusal) {
  switch (refusal) {
    case PathRefusal::empty_name:
    case PathRefusal::embedded_nul:
      return ErrorCode::illegal_operation;
    case PathRefusal::parent_directory:
    case PathRefusal::bad_unique_directory:
      return ErrorCode::access_violation;
    case PathRefusal::no_file_name:
      return ErrorCode::file_not_found;
    case PathRefusal::name_too_long:
    case PathRefusal::component_too_long:
      return ErrorCode::not_defined;
  }
  return ErrorCode::not_defined;
}

std::string ResolvedPath::relative_path() const {
  std::string joined;
  for (const auto& component : components) {
    if (!joined.empty()) joined += '/';
    joined += component;
  }
  return joined;
}

PathResult resolve_path(std::string_view requested, const PathRules& rules) {
  if (const auto refusal = check_raw_name(requested, rules)) return *refusal;
  const std::string name = normalise(requested, rules.lowercase);
  ResolvedPath resolved;
  std::string_view path = name;
  if (const auto url = split_url(name)) {
    resolved.mapped_from_url = url->host && is_local_host(*url->host, rules.local_hosts);
    resolved.looks_like_url = !resolved.mapped_from_url;
    if (resolved.mapped_from_url) path = url->path.empty() ? "/" : url->path;
  }
  auto split = split_components(path);
  if (const auto* refusal = std::get_if<PathRefusal>(&split)) return *refusal;
  auto components = std::move(std::get<std::vector<std::string>>(split));
  if (path.starts_with('/')) strip_root(components, rules);
  if (components.empty()) return PathRefusal::no_file_name;
  if (!rules.unique_directory.empty()) {
    components.insert(components.begin(), std::string(rules.unique_directory));
  }
  resolved.components = std::move(components);
  return resolved;
}

}  // namespace pxemasq::tftp
