// device_address.h: how the stores name a device: its account's handle and its device id.
#pragma once

#include <string>
#include <tuple>

namespace candor::store {

// DeviceAddress is one device of one account.
struct DeviceAddress {
  std::string handle;
  std::string device_id;
  bool operator==(const DeviceAddress&) const = default;
  // Ordered by handle, then device id. (Written out: clang-tidy 14 misreads a defaulted <=>.)
  bool operator<(const DeviceAddress& o) const {
    return std::tie(handle, device_id) < std::tie(o.handle, o.device_id);
  }
};

}  // namespace candor::store
