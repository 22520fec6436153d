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
#include "candor/mls/group_state.h"
#include "directory_client.h"
#include "server_api.h"

namespace candor::client {

// kSuite is the MLS cipher suite of Candor devices.
inline constexpr mls::CipherSuite kSuite =
    mls::CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
// kEpochWindow is how many past epochs' states a group keeps for late messages.
inline constexpr uint64_t kEpochWindow = 2;
// kRecheck is how old a contact's verified device list may be before a send checks it again.
inline constexpr uint64_t kRecheckMs = 30'000;

uint64_t NowMs();

// GroupRow is a conversation as the profile keeps it.
struct GroupRow {
  Bytes group_id;
  std::string name;
  std::string peer;  // one-to-one: the other account
  std::optional<mls::GroupState> state;
};

struct Engine::State {
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
  Result<std::optional<GroupRow>> LoadGroupById(store::SqlTx& tx, ByteView group_id);
  Status SaveGroup(store::SqlTx& tx, const GroupRow& row, bool keep_previous_epoch,
                   const std::optional<mls::GroupState>& previous);
  Result<GroupRow> CreateConversation(const std::string& name, const std::string& peer,
                                      const std::vector<std::string>& handles,
                                      std::vector<Notice>* notices);
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
  Status SendApplication(GroupRow& row, const std::string& payload);
  Result<ReceiveReport> ProcessQueue();
  // ProcessEntry handles one queue entry (the JSON of messaging-api.md §5) and records the
  // queue position with whatever it changed, in one transaction.
  Status ProcessEntry(const Json& entry, ReceiveReport* report);
  Result<uint64_t> QueuePosition();
  GroupSummary Summarize(const GroupRow& row) const;
};

}  // namespace candor::client
