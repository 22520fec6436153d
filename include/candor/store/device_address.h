// device_address.h: how the stores name a device: its account's handle and its device id.
#pragma once

#include <string>

namespace candor::store {

// DeviceAddress is one device of one account.
struct DeviceAddress {
  std::string handle;
  std::string device_id;
  bool operator==(const DeviceAddress&) const = default;
  auto operator<=>(const DeviceAddress&) const = default;
};

}  // namespace candor::store
