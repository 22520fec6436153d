#include "candor/store/wake_hint.h"

namespace candor::store {
namespace {

constexpr std::string_view kEverything = "*";

}  // namespace

std::string FormatHint(const std::vector<DeviceAddress>& devices) {
  std::string payload;
  for (const DeviceAddress& d : devices) {
    if (!payload.empty()) payload += '\n';
    payload += d.handle + '\t' + d.device_id;
    if (payload.size() > kMaxHintPayload) return std::string(kEverything);
  }
  return payload;
}

Result<std::optional<std::vector<DeviceAddress>>> ParseHint(std::string_view payload) {
  using Out = std::optional<std::vector<DeviceAddress>>;
  if (payload == kEverything) return Out();
  if (payload.empty()) return MakeError(Errc::kMalformed, "an empty wake-up hint");
  std::vector<DeviceAddress> devices;
  for (;;) {
    const size_t end = payload.find('\n');
    const std::string_view line = payload.substr(0, end);
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0 || tab + 1 == line.size() ||
        line.find('\t', tab + 1) != std::string_view::npos) {
      return MakeError(Errc::kMalformed, "a wake-up hint line is not handle<TAB>device");
    }
    devices.push_back({std::string(line.substr(0, tab)), std::string(line.substr(tab + 1))});
    if (end == std::string_view::npos) return Out(std::move(devices));
    payload.remove_prefix(end + 1);
  }
}

}  // namespace candor::store
