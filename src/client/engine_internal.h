// engine_internal.h: the Engine's state and the helpers its source files share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "candor/client/engine.h"
#include "candor/client/profile.h"
#include "candor/crypto/signature.h"
#include "candor/kt/device_list.h"
#include "candor/mls/candor_identity.h"
#include "candor/mls/group_state.h"
#include "directory_client.h"
#include "link_code.h"
#include "server_api.h"

namespace candor::client {

// kSuite is the MLS cipher suite of Candor devices.
inline constexpr mls::CipherSuite kSuite =
    mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
// kRecheckMs is how old a contact's verified device list may be before a send to a large
// conversation checks it again; a conversation with at most kAlwaysRecheckAccounts other
// accounts checks them on every send.
inline constexpr uint64_t kRecheckMs = 30'000;
inline constexpr size_t kAlwaysRecheckAccounts = 8;
// kListenMonitorMs is how often a listening device checks its own directory entry.
inline constexpr uint64_t kListenMonitorMs = 10 * 60'000;

// LeafIdentity is the Candor identity (handle, device) of a member's leaf; kVerifyFailed for a
// credential that is not a basic one.
Result<mls::CandorIdentity> LeafIdentity(const mls::LeafNode& leaf);
// MessageAad is the associated data a stored message body of group `group_id` is sealed with.
std::string MessageAad(ByteView group_id);
// GroupPath is the API path of a group (messaging-api.md §4): "v1/groups/<base64url id>".
std::string GroupPath(ByteView group_id);

// GroupRow is a conversation as the profile keeps it.
struct GroupRow {
  Bytes group_id;
  std::string name;
  std::string peer;  // one-to-one: the other account
  std::optional<mls::GroupState> state;
};

struct Engine::State {
  // For makes the state of an engine opened with `options` (its executor and clock).
  static std::unique_ptr<State> For(const Options& options);

  std::unique_ptr<Profile> profile;
  ClientTrust trust;
  std::unique_ptr<ServerApi> api;
  std::unique_ptr<DirectoryClient> directory;
  std::string handle;
  std::string device_id;
  std::optional<crypto::SignaturePrivateKey> device_key;
  std::optional<crypto::SignaturePrivateKey> mls_key;
  std::optional<crypto::SignaturePrivateKey> account_key;  // only on the device holding it
  const mls::CipherSuiteParams* cs = nullptr;
  Executor* executor = nullptr;  // Options::executor
  Clock clock;                   // Options::clock, or the system's
  uint64_t late_epochs = 0;      // Options::late_epochs

  // --- account, session, KeyPackages (engine.cc) ---
  Status SignIn();
  Status EnsureSession();
  Status Refill();
  Result<kt::DeviceList> OwnList();
  // Verified returns `handle`'s device list, verified, re-checked if older than kRecheckMs (or
  // always with `fresh`); notices report new and removed devices. kVerifyFailed if the new list
  // does not follow the remembered one (another account key: refused).
  Result<kt::DeviceList> Verified(const std::string& handle, bool fresh,
                                  std::vector<Notice>* notices);
  Status AddAlarm(const std::string& text);

  // --- groups (engine_groups.cc) ---
  Result<GroupRow> LoadGroup(store::SqlTx& tx, const std::string& name_or_peer);
  // OpenGroupState decodes a stored MLS state and lends it this engine's clock.
  Result<mls::GroupState> OpenGroupState(ByteView raw) const;
  Result<std::optional<GroupRow>> LoadGroupById(store::SqlTx& tx, ByteView group_id);
  // GroupNamed reads the conversation `name_or_peer` (as LoadGroup) in its own transaction.
  Result<GroupRow> GroupNamed(const std::string& name_or_peer);
  // ReloadGroup reads the group `group_id` in its own transaction.
  Result<std::optional<GroupRow>> ReloadGroup(ByteView group_id);
  Status SaveGroup(store::SqlTx& tx, const GroupRow& row, bool keep_previous_epoch,
                   const std::optional<mls::GroupState>& previous);
  Result<GroupRow> CreateConversation(const std::string& name, const std::string& peer,
                                      const std::vector<std::string>& handles,
                                      std::vector<Notice>* notices);
  // OwnKeyPackage makes a fresh KeyPackage of this device's leaf (never published), with its
  // private keys.
  Result<std::pair<mls::KeyPackage, mls::KeyPackagePrivateKeys>> OwnKeyPackage() const;
  // Rejoin brings this device back into the conversation `row` when it lost its state or the
  // conversation moved on without it (RFC 9420 §12.4.3.2, a resync): from the group's newest
  // GroupInfo at the DS it joins by external commit, removing its old leaf, checks every member
  // against its account's verified device list as for a Welcome, and has the DS accept the
  // commit (retrying, up to 3 times, when another commit won the epoch). A notice says which
  // epochs this device missed: what was sent in them cannot be read here.
  Result<GroupRow> Rejoin(GroupRow row, std::vector<Notice>* notices);
  // CheckMembers verifies every member of `state` against its account's verified device list.
  Status CheckMembers(const mls::GroupState& state, std::vector<Notice>* notices);
  // ClaimVerified claims one KeyPackage per device of `handle` (except this device) and keeps
  // those whose leaf is exactly a device of `list`.
  Result<std::vector<mls::KeyPackage>> ClaimVerified(const std::string& handle,
                                                     const kt::DeviceList& list,
                                                     std::vector<Notice>* notices);
  // CommitChange commits `proposals` to the group `row` and has the DS accept it, processing
  // the queue and retrying (up to 3 times) when another commit won the epoch.
  Result<GroupRow> CommitChange(
      GroupRow row,
      const std::function<Result<std::vector<mls::Proposal>>(const mls::GroupState&)>& proposals,
      std::vector<Notice>* notices);
  // SendApplication encrypts `payload` for the group, stores it (text: in the history) and
  // sends it through the outbox; returns how many messages the outbox still holds.
  Result<size_t> SendApplication(GroupRow& row, const std::string& payload,
                                 std::vector<Notice>* notices);
  Result<ReceiveReport> ProcessQueue();
  // ProcessEntry handles one queue entry (the JSON of messaging-api.md §5) and records the
  // queue position with whatever it changed, in one transaction.
  Status ProcessEntry(const Json& entry, ReceiveReport* report);
  Result<uint64_t> QueuePosition();
  // RemoveDeparted removes, from each group, the accounts that said they leave it.
  Status RemoveDeparted(std::vector<Notice>* notices);
  bool removing_departed = false;  // RemoveDeparted commits, which may process the queue
  // SyncOwnDevices adds this account's devices that are missing from each conversation and
  // removes those no longer in its list.
  Status SyncOwnDevices(std::vector<Notice>* notices);
  // PublishOwnList publishes `list` as this account's next version and keeps it.
  Status PublishOwnList(const kt::DeviceList& list);
  GroupSummary Summarize(const GroupRow& row) const;

  // --- history for a linked device (engine_history.cc) ---
  // SendHistory seals this device's message history (the newest that fits
  // kMaxHistoryChunks) under the link key and writes it, in chunks, into the rendezvous; with
  // `share` false it writes only that there is none. Returns how many messages it sent.
  Result<size_t> SendHistory(const LinkKeys& link, bool share);
  // ReceiveHistory waits (up to `wait`) for the history the linking device sends, checks every
  // chunk, and stores the messages (sealed under this profile's key). Returns how many.
  Result<size_t> ReceiveHistory(const LinkKeys& link, std::chrono::seconds wait);

  // --- what the DS has not confirmed yet (engine_outbox.cc) ---
  enum class CommitFate : uint8_t { kNone, kWon, kLost };
  // QueueOutgoing puts an encrypted application message in the outbox (in the transaction
  // that stores the ratchet step that made it).
  Status QueueOutgoing(store::SqlTx& tx, ByteView group_id, ByteView message);
  // FlushOutbox posts the outbox in order and returns how many messages are left because the
  // server did not answer (a notice says so); a message the server refuses is dropped, with a
  // notice.
  Result<size_t> FlushOutbox(std::vector<Notice>* notices);
  // StagePendingCommit keeps `next` (sealed), the epoch a commit leads to, and the commit
  // request before the request leaves.
  Status StagePendingCommit(const Bytes& group_id, uint64_t from_epoch, const Json& request,
                            const mls::GroupState& next);
  // SettleCommit posts the group's pending commit and learns its fate: kWon (the new epoch is
  // adopted), kLost (another commit won; dropped), kNone (nothing pending). If the server does
  // not answer, the commit stays pending and the error is returned.
  Result<CommitFate> SettleCommit(const Bytes& group_id);
  // SettleAll flushes the outbox and settles every pending commit.
  Status SettleAll(std::vector<Notice>* notices);
};

}  // namespace candor::client
