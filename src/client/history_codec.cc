#include "history_codec.h"

#include "candor/base/tls.h"

namespace candor::client {

SecretBytes EncodeHistory(const std::vector<HistoryEntry>& entries) {
  tls::Writer list = tls::Writer::ForSecrets();
  for (const HistoryEntry& e : entries) {
    list.OpaqueV(e.group_id);
    list.U64(e.epoch);
    list.OpaqueV(AsBytes(e.sender_handle));
    list.OpaqueV(AsBytes(e.sender_device));
    list.U8(e.outgoing);
    list.U64(e.at);
    list.OpaqueV(e.body.view());
  }
  tls::Writer all = tls::Writer::ForSecrets();
  all.OpaqueV(list.bytes());
  return all.TakeSecret();
}

Result<std::vector<HistoryEntry>> DecodeHistory(ByteView encoded) {
  tls::Reader all(encoded);
  CANDOR_ASSIGN_OR_RETURN(ByteView list, all.OpaqueV("history.entries"));
  CANDOR_TRY(all.ExpectEnd("history"));
  std::vector<HistoryEntry> out;
  tls::Reader r(list);
  while (!r.empty()) {
    HistoryEntry e;
    CANDOR_ASSIGN_OR_RETURN(ByteView group_id, r.OpaqueV("history.group_id"));
    CANDOR_ASSIGN_OR_RETURN(e.epoch, r.U64("history.epoch"));
    CANDOR_ASSIGN_OR_RETURN(ByteView sender_handle, r.OpaqueV("history.sender_handle"));
    CANDOR_ASSIGN_OR_RETURN(ByteView sender_device, r.OpaqueV("history.sender_device"));
    CANDOR_ASSIGN_OR_RETURN(e.outgoing, r.U8("history.outgoing"));
    CANDOR_ASSIGN_OR_RETURN(e.at, r.U64("history.at"));
    CANDOR_ASSIGN_OR_RETURN(ByteView body, r.OpaqueV("history.body"));
    if (e.outgoing > 1) return MakeError(Errc::kMalformed, "history.outgoing: not 0 or 1");
    e.group_id.assign(group_id.begin(), group_id.end());
    e.sender_handle = std::string(AsStringView(sender_handle));
    e.sender_device = std::string(AsStringView(sender_device));
    e.body = SecretBytes(body);
    out.push_back(std::move(e));
  }
  return out;
}

SecretBytes EncodeHistoryChunk(const HistoryChunk& chunk) {
  tls::Writer w = tls::Writer::ForSecrets();
  w.U16(chunk.index);
  w.U16(chunk.count);
  w.OpaqueV(chunk.data.view());
  return w.TakeSecret();
}

Result<HistoryChunk> DecodeHistoryChunk(ByteView encoded) {
  tls::Reader r(encoded);
  HistoryChunk chunk;
  CANDOR_ASSIGN_OR_RETURN(chunk.index, r.U16("history_chunk.index"));
  CANDOR_ASSIGN_OR_RETURN(chunk.count, r.U16("history_chunk.count"));
  CANDOR_ASSIGN_OR_RETURN(ByteView data, r.OpaqueV("history_chunk.data"));
  CANDOR_TRY(r.ExpectEnd("history_chunk"));
  if (chunk.count == 0 || chunk.index >= chunk.count) {
    return MakeError(Errc::kMalformed, "history_chunk.index: not below a count of 1 or more");
  }
  chunk.data = SecretBytes(data);
  return chunk;
}

}  // namespace candor::client
