// directory_client.h: the client's verified view of the key directory. Every answer goes
// through the KEYTRANS verifier (its state kept, sealed, in the profile), every tree head it
// accepts must be in the witnessed tree-head log (a checkpoint cosigned by the trust file's
// quorum, consistent with every checkpoint this device saw), and every value must be a device
// list that follows the previous one under the same account key.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "candor/client/log_client.h"
#include "candor/client/profile.h"
#include "candor/client/trust.h"
#include "candor/kt/device_list.h"
#include "candor/kt/verifier.h"
#include "server_api.h"

namespace candor::client {

struct VerifiedList {
  uint32_t version = 0;
  kt::DeviceList list;
};

// OwnerReport is what an owner-monitoring round found.
struct OwnerReport {
  bool caught_up = true;
  std::optional<VerifiedList> latest;  // the greatest version, if new versions appeared
  std::vector<std::string> alarms;     // versions that are not this account's lists
};

class DirectoryClient {
 public:
  // Create builds the client; the trust's Configuration must be a valid contactMonitoring one.
  // Answers are checked against `clock`; their VRF proofs are verified on the threads of
  // `executor`, if given.
  static Result<std::unique_ptr<DirectoryClient>> Create(ServerApi& api, const ClientTrust& trust,
                                                         Profile& profile, Clock clock,
                                                         Executor* executor = nullptr);

  // Lookup finds `handle`'s greatest version, verified (proof, witnessed head, device list
  // chain from any version this device knew). nullopt if the directory says there is no such
  // account. kVerifyFailed when anything does not verify.
  Result<std::optional<VerifiedList>> Lookup(std::string_view handle);
  // Publish makes `list` the next version of our own `handle` (owner monitoring must have
  // started: InitOwner) and verifies the directory's answer.
  Result<kt::UpdateResult> Publish(std::string_view handle, const kt::DeviceList& list);
  // InitOwner starts owner monitoring of `handle` (before its first version).
  Status InitOwner(std::string_view handle);
  // MonitorOwner runs one owner-monitoring round; a version that is not a device list of
  // `account_key` chained from the last known one is an alarm.
  Result<OwnerReport> MonitorOwner(std::string_view handle, const Bytes& account_key,
                                   const std::optional<kt::DeviceList>& known);

 private:
  DirectoryClient(ServerApi& api, const ClientTrust& trust, Profile& profile, kt::Verifier verifier,
                  kt::WireContext wire)
      : api_(api), trust_(trust), profile_(profile), verifier_(std::move(verifier)), wire_(wire) {}
  Result<kt::ClientState> LoadState();
  // Commit verifies that the state's newest tree head is in the witnessed log, then saves the
  // state.
  Status Commit(const kt::ClientState& next);
  Status CheckWitnessed(const kt::ClientState& state);

  ServerApi& api_;
  const ClientTrust& trust_;
  Profile& profile_;
  kt::Verifier verifier_;
  kt::WireContext wire_;
};

}  // namespace candor::client
