// wake_hint.h: the payload of a cross-node wake-up hint (presence_store.h): the devices whose
// queues grew, one "handle<TAB>device_id" per line, or "*" for "every socket" when the list
// would not fit in one notification.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/result.h"
#include "candor/store/device_address.h"

namespace candor::store {

// kMaxHintPayload keeps a hint under PostgreSQL's 8,000-byte NOTIFY payload.
inline constexpr size_t kMaxHintPayload = 7000;

// FormatHint writes the payload for `devices` (non-empty; handles and device ids hold neither
// tab nor newline), or "*" past kMaxHintPayload bytes.
std::string FormatHint(const std::vector<DeviceAddress>& devices);

// ParseHint reads a payload: the devices, or nullopt for "*". kMalformed for anything else
// (an empty payload, an empty line or field, a line without exactly one tab).
Result<std::optional<std::vector<DeviceAddress>>> ParseHint(std::string_view payload);

}  // namespace candor::store
