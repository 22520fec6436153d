// history_codec.h: the message history a linking device hands to the new one
// (docs/formats/messaging-api.md §2.1): its entries and the chunks the link rendezvous carries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::client {

// HistoryEntry is one stored message: its conversation, epoch, sender, whether this account
// sent it, when, and its application payload (wiped when freed).
struct HistoryEntry {
  Bytes group_id;
  uint64_t epoch = 0;
  std::string sender_handle;
  std::string sender_device;
  uint8_t outgoing = 0;
  uint64_t at = 0;
  SecretBytes body;
};

// EncodeHistory returns struct { HistoryEntry entries<V>; }, in a wiped buffer.
SecretBytes EncodeHistory(const std::vector<HistoryEntry>& entries);
// DecodeHistory reads EncodeHistory's output, strictly (kMalformed names the field).
Result<std::vector<HistoryEntry>> DecodeHistory(ByteView encoded);

// HistoryChunk is struct { uint16 index; uint16 count; opaque data<V>; }.
struct HistoryChunk {
  uint16_t index = 0;
  uint16_t count = 0;
  SecretBytes data;
};
SecretBytes EncodeHistoryChunk(const HistoryChunk& chunk);
// DecodeHistoryChunk reads one chunk strictly; kMalformed for a count of 0 or an index past it.
Result<HistoryChunk> DecodeHistoryChunk(ByteView encoded);

}  // namespace candor::client
