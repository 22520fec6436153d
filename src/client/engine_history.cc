// The message history a linking device hands to the device it linked (messaging-api.md §2.1):
// encoded by history_codec.h, sealed under the link key chunk by chunk into the rendezvous'
// slots "history-<i>", so the server sees only sealed boxes.
#include <algorithm>
#include <string>
#include <vector>

#include "candor/base/tls.h"
#include "candor/crypto/sealing.h"
#include "engine_internal.h"
#include "history_codec.h"
#include "link_mailbox.h"

namespace candor::client {
namespace {

// A slot holds 16 KiB: a chunk's data leaves room for its header, the nonce and the tag.
constexpr size_t kChunkData = 16000;
constexpr size_t kMaxHistoryChunks = 256;
constexpr std::string_view kHistoryAad = "candor link history";

std::string SlotName(size_t index) { return "history-" + std::to_string(index); }

}  // namespace

Result<size_t> Engine::State::SendHistory(const LinkKeys& link, bool share) {
  // The newest messages first, as many as the slots hold; then oldest first on the wire.
  std::vector<HistoryEntry> entries;
  size_t total = 0;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    if (!share) return OkStatus();
    CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT group_id, epoch, sender_handle, "
                                                "sender_device, outgoing, at, body FROM messages "
                                                "ORDER BY at DESC, id DESC",
                                                {}));
    for (const auto& row : rows) {
      HistoryEntry e;
      CANDOR_ASSIGN_OR_RETURN(e.group_id, row.Blob(0, "group_id"));
      CANDOR_ASSIGN_OR_RETURN(int64_t epoch, row.Int(1, "epoch"));
      CANDOR_ASSIGN_OR_RETURN(e.sender_handle, row.Text(2, "sender_handle"));
      CANDOR_ASSIGN_OR_RETURN(e.sender_device, row.Text(3, "sender_device"));
      CANDOR_ASSIGN_OR_RETURN(int64_t outgoing, row.Int(4, "outgoing"));
      CANDOR_ASSIGN_OR_RETURN(int64_t at, row.Int(5, "at"));
      CANDOR_ASSIGN_OR_RETURN(Bytes sealed, row.Blob(6, "body"));
      CANDOR_ASSIGN_OR_RETURN(e.body, profile->Unseal(MessageAad(e.group_id), sealed));
      e.epoch = static_cast<uint64_t>(epoch);
      e.outgoing = outgoing != 0 ? 1 : 0;
      e.at = static_cast<uint64_t>(at);
      const size_t size =
          e.group_id.size() + e.sender_handle.size() + e.sender_device.size() + e.body.size() + 40;
      if (total + size > kChunkData * kMaxHistoryChunks - 8) break;
      total += size;
      entries.push_back(std::move(e));
    }
    return OkStatus();
  }));
  std::reverse(entries.begin(), entries.end());
  const SecretBytes all = EncodeHistory(entries);
  const ByteView data = all.view();
  const size_t count = std::max<size_t>(1, (data.size() + kChunkData - 1) / kChunkData);
  for (size_t i = 0; i < count; ++i) {
    const size_t start = i * kChunkData;  // <= data.size(): count rounds up
    const HistoryChunk chunk{
        static_cast<uint16_t>(i), static_cast<uint16_t>(count),
        SecretBytes(data.subspan(start, std::min(kChunkData, data.size() - start)))};
    CANDOR_ASSIGN_OR_RETURN(Bytes sealed, crypto::Seal(link.key.view(), AsBytes(kHistoryAad),
                                                       EncodeHistoryChunk(chunk).view()));
    CANDOR_TRY(PutSlot(trust, link, SlotName(i), sealed));
  }
  return entries.size();
}

Result<size_t> Engine::State::ReceiveHistory(const LinkKeys& link, std::chrono::seconds wait) {
  tls::Writer data = tls::Writer::ForSecrets();
  size_t count = 1;
  for (size_t i = 0; i < count; ++i) {
    CANDOR_ASSIGN_OR_RETURN(Bytes sealed, WaitSlot(trust, link, SlotName(i), wait));
    auto opened = crypto::Unseal(link.key.view(), AsBytes(kHistoryAad), sealed);
    if (!opened.ok()) {
      return MakeError(Errc::kVerifyFailed, "a history chunk is not sealed with the link code");
    }
    CANDOR_ASSIGN_OR_RETURN(HistoryChunk chunk, DecodeHistoryChunk(opened->view()));
    if (i == 0) count = chunk.count;
    if (chunk.index != i || chunk.count != count || count > kMaxHistoryChunks) {
      return MakeError(Errc::kMalformed, "history chunk " + std::to_string(i) + " out of order");
    }
    data.Raw(chunk.data.view());
  }
  CANDOR_ASSIGN_OR_RETURN(std::vector<HistoryEntry> entries, DecodeHistory(data.bytes()));
  CANDOR_TRY(profile->Write([&](store::SqlTx& tx) -> Status {
    for (const HistoryEntry& e : entries) {
      CANDOR_ASSIGN_OR_RETURN(Bytes body, profile->Seal(MessageAad(e.group_id), e.body.view()));
      CANDOR_TRY(tx.Exec(
          "INSERT INTO messages (group_id, epoch, sender_handle, sender_device, outgoing, at, "
          "body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          {e.group_id, static_cast<int64_t>(e.epoch), e.sender_handle, e.sender_device,
           int64_t{e.outgoing}, static_cast<int64_t>(e.at), body}));
    }
    return OkStatus();
  }));
  return entries.size();
}

}  // namespace candor::client
