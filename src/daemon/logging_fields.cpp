#include "daemon/logging_fields.hpp"

#include <utility>

namespace pxemasq::daemon {
namespace {

struct EventInfo {
  LogEvent event;
  std::string_view name;
  std::string_view message_id;  // generated once from /proc/sys/kernel/random/uuid; never change
};

// In LogEvent's declaration order (checked by a unit test).
constexpr std::array<EventInfo, kLogEventCount> kEvents{{
    {LogEvent::generic, "generic", "8fda258f927b49d9a5f8c2b4f6ba3772"},
    {LogEvent::started, "started", "23df1fbc45f04f139bdc372bdfe6ee07"},
    {LogEvent::startup_failed, "startup_failed", "0c2b95b8557d4115b5405df4f4b7286f"},
    {LogEvent::config_reloaded, "config_reloaded", "467a1af082fd420e8b2e71e802525b40"},
    {LogEvent::config_reload_failed, "config_reload_failed", "3d7d6015524240b5a35901b3441ec14b"},
    {LogEvent::exiting, "exiting", "658d8d4e8d7542b5a23a17924a06910d"},
    {LogEvent::dhcp_offer, "dhcp_offer", "3d954aefe4c34eb99a9a3ea44bcae585"},
    {LogEvent::dhcp_ack, "dhcp_ack", "88e451b46d174bd1a04a8d82104b6ccc"},
    {LogEvent::dhcp_nak, "dhcp_nak", "a25fb002d63f48d5bd90c48715d338f0"},
    {LogEvent::dhcp_release, "dhcp_release", "1d8cf9054eed43739283520b6a4c2e08"},
    {LogEvent::dhcp_decline, "dhcp_decline", "7c1b3ad95daf459b991f0427d6f41e87"},
    {LogEvent::dhcp_inform, "dhcp_inform", "daa3d8453d774aac9df7b71f16982bb3"},
    {LogEvent::dhcp_no_address, "dhcp_no_address", "0ed2ef27c16e4178a35f75d5176183ec"},
    {LogEvent::dhcp_other, "dhcp_other", "33ff4412f0854f12a4984efb225926e1"},
    {LogEvent::tftp_sent, "tftp_sent", "c620081069ab42c9b321e81708c17cb7"},
    {LogEvent::tftp_failed, "tftp_failed", "d9cf800ba58d44c0a37085b18810a639"},
    {LogEvent::tftp_not_found, "tftp_not_found", "3710d6af72db41a7bedbc869e08afe80"},
    {LogEvent::tftp_error_received, "tftp_error_received", "70963e8597ac430fb7d27efd11ae1295"},
    {LogEvent::tftp_refused, "tftp_refused", "9fb97a4520144eaba804b15ddd65e37e"},
    {LogEvent::tftp_other, "tftp_other", "2f40b51356554a789d82982d9da9dd9c"},
}};

const EventInfo& info(LogEvent event) {
  const auto index = static_cast<std::size_t>(event);
  return index < kEvents.size() ? kEvents[index] : kEvents[0];
}

const LogFields kNoFields{};
thread_local const LogFields* current_fields = nullptr;

}  // namespace

std::string_view log_event_name(LogEvent event) {
  return info(event).name;
}

std::string_view log_event_message_id(LogEvent event) {
  return info(event).message_id;
}

const std::array<LogEvent, kLogEventCount>& all_log_events() {
  static const std::array<LogEvent, kLogEventCount> events = [] {
    std::array<LogEvent, kLogEventCount> list{};
    for (std::size_t i = 0; i < kEvents.size(); ++i) list[i] = kEvents[i].event;
    return list;
  }();
  return events;
}

const LogFields& current_log_fields() {
  return current_fields != nullptr ? *current_fields : kNoFields;
}

ScopedLogFields::ScopedLogFields(LogFields fields)
    : fields_(std::move(fields)), previous_(current_fields) {
  current_fields = &fields_;
}

ScopedLogFields::~ScopedLogFields() {
  current_fields = previous_;
}

}  // namespace pxemasq::daemon
