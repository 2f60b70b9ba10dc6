#include "dhcp/tags.hpp"

#include <algorithm>

namespace pxemasq::dhcp {

void TagSet::add(std::string_view tag) {
  if (tag.empty()) return;
  tags_.emplace_back(tag);
}

bool TagSet::contains(std::string_view tag) const {
  return std::find(tags_.begin(), tags_.end(), tag) != tags_.end();
}

bool TagSet::contains_prefix(std::string_view prefix) const {
  return std::any_of(tags_.begin(), tags_.end(),
                     [prefix](const std::string& tag) { return tag.starts_with(prefix); });
}

std::vector<std::string> TagSet::newest_first() const {
  std::vector<std::string> out;
  for (auto it = tags_.rbegin(); it != tags_.rend(); ++it) {
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
  }
  return out;
}

bool matches(const config::TagFilter& filter, const TagSet& tags) {
  return std::all_of(filter.begin(), filter.end(), [&tags](const config::TagCondition& c) {
    if (c.name.empty()) return false;
    const bool present = c.prefix ? tags.contains_prefix(c.name) : tags.contains(c.name);
    return present != c.negated;
  });
}

void run_tag_ifs(std::span<const config::TagIf> rules, TagSet& tags) {
  for (const config::TagIf& rule : rules) {
    if (!matches(rule.conditions, tags)) continue;
    for (const std::string& tag : rule.set_tags) tags.add(tag);
  }
}

}  // namespace pxemasq::dhcp
