// group.h: the small high-level MLS API (libsodium spirit): wire bytes in, wire bytes out, few
// choices and safe defaults (commits carry a path when RFC 9420 requires one, handshake
// messages are PublicMessages, application messages PrivateMessages). Built on GroupState.
// Not thread-safe: use each Client and Group from one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/credential.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_package.h"

namespace candor::mls {

// Client is one identity (a basic credential and a signature key) in one cipher suite, with the
// private keys of the KeyPackages it has published and not used yet. Move-only.
class Client {
 public:
  // Create makes a client with a fresh signature key for `suite` and a basic credential with
  // `identity`. Returns kInvalidArgument for an unknown suite.
  static Result<Client> Create(CipherSuite suite, ByteView identity);

  // NewKeyPackage returns a fresh KeyPackage (an encoded MLSMessage) to publish; its private
  // keys stay in this Client until a Welcome uses them. Randomized.
  Result<Bytes> NewKeyPackage();

  const CipherSuiteParams& cipher_suite() const { return *cs_; }

 private:
  friend class Group;
  struct Published {
    KeyPackage key_package;
    KeyPackagePrivateKeys keys;
  };
  Client(const CipherSuiteParams& cs, crypto::SignaturePrivateKey signer, Credential credential)
      : cs_(&cs), signer_(std::move(signer)), credential_(std::move(credential)) {}

  const CipherSuiteParams* cs_;  // static storage
  crypto::SignaturePrivateKey signer_;
  Credential credential_;
  std::vector<Published> published_;
};

// Outgoing is what a change to the group produces: `commit` (an encoded MLSMessage) for every
// other member, and `welcome` (an encoded MLSMessage) for the members it adds.
struct Outgoing {
  Bytes commit;
  std::optional<Bytes> welcome;
};

// Received is what Group::Receive took in: an application message (with its sender's leaf
// index and data), a proposal (cached for the next commit) or a commit (the group moved to the
// next epoch).
struct Received {
  enum class Kind : uint8_t { kApplication, kProposal, kCommit };
  Kind kind = Kind::kApplication;
  uint32_t sender = 0;           // application messages only
  SecretBytes application_data;  // application messages only; wiped when freed
};

// Group is one group as one Client sees it. A change (Add, Remove, Update) is a pending
// commit (RFC 9420 §14): its Outgoing goes to the Delivery Service, and the group stays in its
// epoch until Confirm (the Delivery Service accepted the commit) moves it to the next one, or
// Discard (it was refused: another commit won the epoch) drops it. A commit of another member
// that Receive applies discards ours. Move-only.
class Group {
 public:
  // Create starts a group with `client` as its only member. Randomized.
  static Result<Group> Create(Client& client, ByteView group_id);

  // Join joins from an encoded Welcome MLSMessage addressed to one of `client`'s KeyPackages,
  // whose private keys are then deleted from the client. The ratchet_tree extension must be
  // present. Returns kNotFound if no KeyPackage of the client is addressed; other failures as
  // GroupState::JoinFromWelcome.
  static Result<Group> Join(Client& client, ByteView welcome);

  // JoinExternal joins by external Commit from an encoded GroupInfo MLSMessage (see
  // GroupInfo()); returns the group and the Commit to send to every member. Randomized.
  static Result<std::pair<Group, Bytes>> JoinExternal(Client& client, ByteView group_info);

  // Add stages a commit adding the member of an encoded KeyPackage MLSMessage. kMalformed or
  // kVerifyFailed for an invalid KeyPackage; kConflict while another commit is pending.
  Result<Outgoing> Add(ByteView key_package);
  // Remove stages a commit removing the member at `leaf_index`; kMalformed if there is none,
  // kInvalidArgument for ourselves, kConflict while another commit is pending.
  Result<Outgoing> Remove(uint32_t leaf_index);
  // Update stages a commit of fresh keys for us (and of the proposals received in this epoch);
  // kConflict while another commit is pending.
  Result<Outgoing> Update();
  // Confirm applies the pending commit: the group enters the next epoch. kNotFound if none is
  // pending.
  Status Confirm();
  // Discard drops the pending commit, if any: the group stays in its epoch.
  void Discard() { pending_.reset(); }
  bool has_pending_commit() const { return pending_.has_value(); }

  // GroupInfo returns an encoded, signed GroupInfo MLSMessage for joining by external Commit.
  Result<Bytes> GroupInfo() const;

  // Encrypt returns an encoded application PrivateMessage of `plaintext`, in the current
  // epoch (a pending commit is not in force yet).
  Result<Bytes> Encrypt(ByteView plaintext);

  // Receive takes in an encoded MLSMessage from another member: decrypts an application
  // message, caches a proposal, or applies a commit (discarding ours if one was pending).
  // Nothing changes on failure (a PrivateMessage's key is deleted once it opens). kMalformed
  // for bytes that are not an MLSMessage of this group's kinds; kVerifyFailed for every
  // authentication failure; kConflict if a commit removed us (the group is then over for us).
  Result<Received> Receive(ByteView message);

  // Export is MLS-Exporter(label, context, length) of the current epoch (RFC 9420 §8.5).
  Result<SecretBytes> Export(std::string_view label, ByteView context, uint16_t length) const;

  uint64_t epoch() const { return state_.epoch(); }
  // epoch_authenticator is the current epoch's authenticator, for comparing out of band.
  ByteView epoch_authenticator() const { return state_.epoch_authenticator(); }
  uint32_t own_leaf_index() const { return state_.own_leaf_index().value; }
  const GroupState& state() const { return state_; }

 private:
  explicit Group(GroupState state) : state_(std::move(state)) {}
  // Stage commits `proposals` and keeps the new epoch's state as the pending commit.
  Result<Outgoing> Stage(const std::vector<Proposal>& proposals);

  GroupState state_;
  std::optional<GroupState> pending_;  // our commit's epoch, until Confirm or Discard
};

}  // namespace candor::mls
