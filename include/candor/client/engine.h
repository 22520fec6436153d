// engine.h: the client engine, the only place a flow lives (lookup -> verify -> KeyPackage ->
// group -> send; receive -> decrypt -> store -> acknowledge). The `candor` CLI only parses
// flags and prints. The engine decides what to trust: every directory answer is verified
// (DirectoryClient), every KeyPackage and group member must be a device its account's verified
// device list names with that MLS key, the device's own label is monitored, and a contact whose
// device list changed is announced before anything is sent to it.
//
// State lives in the device's Profile; an MLS state change and the message or queue position
// that caused it are written in one transaction. A commit this device makes is applied only
// once the Delivery Service accepted it; a refused one is discarded, the winning commit is
// processed and the change is retried.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/clock.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/client/trust.h"

namespace candor::client {

class Profile;
class ServerApi;
class DirectoryClient;

struct Contact {
  std::string handle;
  std::vector<std::string> devices;
  uint32_t version = 0;  // the directory version of the list this device verified
  bool user_verified = false;
};

struct GroupSummary {
  Bytes group_id;
  std::string name;
  std::string peer;  // for a one-to-one conversation: the other account
  uint64_t epoch = 0;
  std::vector<std::string> members;  // "handle/device", sorted
};

struct StoredMessage {
  std::string group;   // the conversation's name
  std::string sender;  // "handle/device"
  bool outgoing = false;
  uint64_t at = 0;  // ms since the Unix epoch
  std::string text;
};

// Notice is something the user must be told: a new device of a contact, a refused member, an
// alarm about the own account.
struct Notice {
  enum class Kind : uint8_t { kInfo, kWarning, kAlarm };
  Kind kind = Kind::kInfo;
  std::string text;
};

struct ReceiveReport {
  std::vector<StoredMessage> messages;
  std::vector<Notice> notices;
};

// SendReport is what a send did: notices, and how many messages this device holds because the
// server did not confirm them yet (they go out with the next command; 0 when all went).
struct SendReport {
  std::vector<Notice> notices;
  size_t queued = 0;
};

struct MonitorReport {
  std::vector<Notice> notices;
};

class Engine {
 public:
  struct Options {
    std::string profile_dir;
    // passphrase seals the profile's secrets; nullptr: an unsealed profile. Shared, so that
    // copies of the options hold one buffer, wiped when the last copy goes.
    std::shared_ptr<const SecretBytes> passphrase;
    // executor, if set, lends threads to the heavy crypto (a directory answer's VRF proofs, a
    // large group's commits and joins); else it all runs on the calling thread. It must
    // outlive the engine.
    Executor* executor = nullptr;
    // clock is the wall clock the engine reads (and lends to its MLS groups); empty: the
    // system's.
    Clock clock = nullptr;
    // late_epochs is how many past epochs of each conversation keep their keys, so that an
    // application message sent before a commit reached its sender still decrypts; older
    // epochs' keys are deleted (forward secrecy), and 0 keeps none.
    uint32_t late_epochs = 2;
  };

  // CreateAccount makes a new profile and account `handle` with this device `device_id`: an
  // account key, a device key and an MLS key, all made here; publishes the signed device list
  // (verified), starts owner monitoring, signs in and uploads KeyPackages.
  static Result<std::unique_ptr<Engine>> CreateAccount(const Options& options,
                                                       const ClientTrust& trust,
                                                       const std::string& handle,
                                                       const std::string& device_id);
  // Open opens an existing profile.
  static Result<std::unique_ptr<Engine>> Open(const Options& options);
  ~Engine();

  const std::string& handle() const { return handle_; }
  const std::string& device_id() const { return device_id_; }
  bool sealed() const;

  // Devices lists this account's devices as this device last verified them.
  Result<std::vector<std::string>> Devices();

  // Linking a second device (docs/formats/messaging-api.md §2.1). On the device that holds the
  // account key, StartLink returns a one-time code to show; FinishLink waits (up to `wait`) for
  // the new device to answer it, checks its request, publishes the new device list signed by
  // the account key, tells the new device, adds it to every conversation and, with
  // `share_history`, hands it this device's message history, sealed under the code. It
  // returns the new device's name.
  Result<std::string> StartLink();
  Result<std::string> FinishLink(const std::string& code, std::chrono::seconds wait,
                                 std::vector<Notice>* notices, bool share_history = true);
  // JoinByLink makes the new device's profile from the code shown on the existing device: its
  // own keys, made here, go to the existing device encrypted under the code; the published
  // device list it receives back is checked against the directory before the profile is kept.
  // Then it waits (up to `wait`) for the history the existing device hands over and keeps it;
  // `notices` say how much arrived.
  static Result<std::unique_ptr<Engine>> JoinByLink(const Options& options,
                                                    const ClientTrust& trust,
                                                    const std::string& code,
                                                    const std::string& device_id,
                                                    std::chrono::seconds wait,
                                                    std::vector<Notice>* notices = nullptr);
  // RemoveDevice publishes the device list without `device_id` and removes that device from
  // every conversation (on the device that holds the account key).
  Result<std::vector<Notice>> RemoveDevice(const std::string& device_id);

  // AddContact looks `handle` up (verified) and remembers its device list.
  Result<Contact> AddContact(const std::string& handle);
  Result<std::vector<Contact>> Contacts();
  // SafetyNumber derives a number from both accounts' verified account keys, the same on both
  // sides, to compare out of band (60 digits in 12 groups).
  Result<std::string> SafetyNumber(const std::string& handle);
  // MarkVerified records that the user compared the safety number with `handle`.
  Status MarkVerified(const std::string& handle);

  // Send sends `text` to a contact (its one-to-one conversation, created on first use with
  // every device of both accounts) or to a group by name. Processes the queue first. An error
  // means nothing was stored or sent; success means the message is in the history and either
  // confirmed by the server or queued on this device (SendReport::queued).
  Result<SendReport> Send(const std::string& to, const std::string& text);
  // CreateGroup creates group `name` with this account and `handles` (every device of each).
  Result<GroupSummary> CreateGroup(const std::string& name,
                                   const std::vector<std::string>& handles);
  // AddToGroup adds every device of `handles`; RemoveFromGroup removes every device of them.
  Result<GroupSummary> AddToGroup(const std::string& name, const std::vector<std::string>& handles);
  Result<GroupSummary> RemoveFromGroup(const std::string& name,
                                       const std::vector<std::string>& handles);
  // LeaveGroup tells the group this account leaves it (the next member to act removes every
  // device of it) and forgets the group's keys on this device; the history stays. Returns the
  // group as it was.
  Result<GroupSummary> LeaveGroup(const std::string& name);
  // Rejoin brings this device back into conversation `name` after it lost its state there (or
  // fell behind for good): it joins again by itself from the group's GroupInfo, removing its
  // old place, and every member is verified as for a new conversation. Messages sent while it
  // was out cannot be read on this device. Receive does this by itself when a conversation
  // has moved past this device's epoch.
  Result<GroupSummary> Rejoin(const std::string& name);
  Result<std::vector<GroupSummary>> Groups();
  Result<std::vector<StoredMessage>> History(const std::string& conversation);

  // Receive fetches the queue, processes every entry in order (Welcome, commit, message),
  // stores what changed, and acknowledges.
  Result<ReceiveReport> Receive();
  // Listen keeps a WebSocket open and calls `on_message` for each message as it arrives, until
  // `stop` returns true (checked about once a second) or the connection fails.
  Status Listen(const std::function<void(const StoredMessage&)>& on_message,
                const std::function<void(const Notice&)>& on_notice,
                const std::function<bool()>& stop);
  // Monitor checks this account's own directory entry (owner monitoring) and re-verifies every
  // contact; alarms are also written to the profile.
  Result<MonitorReport> Monitor();
  Result<std::vector<Notice>> Alarms();

  struct State;

 private:
  Engine(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
  std::string handle_;
  std::string device_id_;
};

}  // namespace candor::client
