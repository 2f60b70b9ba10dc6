#pragma once
// The set of tags a request carries (dnsmasq's "network ids"), and the tag filters of the
// config (`tag:X`, `tag:!X`, tag-if's `tag:X*`). Order matters only for `log-dhcp`'s `tags:`
// line, which lists the most recently added tag first (spec §7.3).

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace pxemasq::dhcp {

class TagSet {
 public:
  void add(std::string_view tag);
  [[nodiscard]] bool contains(std::string_view tag) const;
  // True when some tag starts with `prefix` (tag-if's `tag:X*`).
  [[nodiscard]] bool contains_prefix(std::string_view prefix) const;
  // Most recently added first, without duplicates.
  [[nodiscard]] std::vector<std::string> newest_first() const;
  [[nodiscard]] bool empty() const { return tags_.empty(); }

 private:
  std::vector<std::string> tags_;  // in order of addition
};

// Every condition holds. An empty filter always holds. A condition whose name is empty never
// holds (dnsmasq would crash on it; see the config parsers' warnings).
[[nodiscard]] bool matches(const config::TagFilter& filter, const TagSet& tags);

// tag-if lines in config order; later lines see tags set by earlier ones (spec §3.9).
void run_tag_ifs(std::span<const config::TagIf> rules, TagSet& tags);

}  // namespace pxemasq::dhcp
