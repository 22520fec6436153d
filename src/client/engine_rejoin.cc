// Rejoining a conversation by external commit after this device lost its state there, or the
// conversation moved on without it (RFC 9420 §12.4.3.2, a resync).
#include <string>
#include <utility>

#include "candor/base/encoding.h"
#include "candor/base/tls.h"
#include "candor/mls/extensions.h"
#include "engine_internal.h"

namespace candor::client {
namespace {

// OwnLeaf finds this device's leaf in the tree that `info` carries (unverified: JoinExternal
// verifies the tree afterwards and fails if it was forged).
Result<std::optional<mls::LeafIndex>> OwnLeaf(const mls::CipherSuiteParams& cs,
                                              const mls::GroupInfo& info,
                                              const mls::CandorIdentity& me) {
  for (const mls::Extension& e : info.extensions) {
    if (e.extension_type != mls::kRatchetTree) continue;
    CANDOR_ASSIGN_OR_RETURN(mls::RatchetTree wire,
                            tls::DecodeExact<mls::RatchetTree>(e.extension_data));
    CANDOR_ASSIGN_OR_RETURN(mls::PublicTree tree,
                            mls::PublicTree::FromRatchetTree(cs, std::move(wire)));
    for (uint32_t i = 0; i < tree.num_leaves(); ++i) {
      const mls::LeafNode* leaf = tree.leaf_node(mls::LeafIndex{i});
      if (leaf == nullptr) continue;
      auto id = LeafIdentity(*leaf);
      if (id.ok() && id->handle == me.handle && id->device_id == me.device_id) {
        return std::optional<mls::LeafIndex>(mls::LeafIndex{i});
      }
    }
    return std::optional<mls::LeafIndex>();
  }
  return MakeError(Errc::kVerifyFailed, "the conversation's GroupInfo carries no ratchet tree");
}

}  // namespace

Result<GroupRow> Engine::State::Rejoin(GroupRow row, std::vector<Notice>* notices) {
  const std::string was =
      row.state ? "it was at epoch " + std::to_string(row.state->epoch()) : "its state was lost";
  for (int attempt = 0; attempt < 3; ++attempt) {
    // The group's newest GroupInfo, as the DS keeps it from the last winning commit.
    CANDOR_ASSIGN_OR_RETURN(
        Json answer, api->Call("GET", GroupPath(row.group_id) + "/group-info", nullptr, true));
    CANDOR_ASSIGN_OR_RETURN(Bytes wire, Base64Decode(answer.value("group_info", "")));
    auto message = tls::DecodeExact<mls::MLSMessage>(wire);
    const auto* info = message.ok() ? std::get_if<mls::GroupInfo>(&message->message) : nullptr;
    if (info == nullptr || info->group_context.group_id != row.group_id ||
        info->group_context.cipher_suite != kSuite) {
      return MakeError(Errc::kVerifyFailed,
                       "the server's GroupInfo for " + row.name + " is not of that conversation");
    }
    const uint64_t at = info->group_context.epoch;
    CANDOR_ASSIGN_OR_RETURN(std::optional<mls::LeafIndex> old,
                            OwnLeaf(*cs, *info, {handle, device_id}));

    // A fresh leaf of this device replaces the old one, in one external commit.
    CANDOR_ASSIGN_OR_RETURN(auto mine, OwnKeyPackage());
    auto joined = mls::GroupState::JoinExternal(mine.first, mine.second, *info, executor, old);
    if (!joined.ok()) {
      return MakeError(Errc::kVerifyFailed, "the server's GroupInfo for " + row.name +
                                                " does not verify: " + joined.error().message);
    }
    mls::GroupState& next = joined->second;
    next.set_clock(clock);
    CANDOR_TRY(CheckMembers(next, notices));
    CANDOR_ASSIGN_OR_RETURN(mls::GroupInfo next_info, next.GroupInfoForJoiners());
    mls::MLSMessage info_message;
    info_message.message = std::move(next_info);
    Json request = {{"commit", Base64Encode(tls::Encode(joined->first))},
                    {"group_info", Base64Encode(tls::Encode(info_message))}};
    CANDOR_TRY(StagePendingCommit(row.group_id, at, request, next));
    CANDOR_ASSIGN_OR_RETURN(CommitFate fate, SettleCommit(row.group_id));
    if (fate != CommitFate::kWon) continue;  // another commit won that epoch: start again

    CANDOR_ASSIGN_OR_RETURN(std::optional<GroupRow> reloaded, ReloadGroup(row.group_id));
    if (!reloaded || !reloaded->state) {
      return MakeError(Errc::kInternal, "profile: the rejoined conversation vanished");
    }
    if (notices != nullptr) {
      notices->push_back({Notice::Kind::kWarning,
                          "this device lost its place in " + row.name + " (" + was +
                              ", the conversation at " + std::to_string(at) +
                              ") and joined it again by itself at epoch " + std::to_string(at + 1) +
                              ": messages sent to it before then cannot be read on this device"});
    }
    return std::move(*reloaded);
  }
  return MakeError(Errc::kConflict, row.name + " kept changing while this device rejoined it");
}

Result<GroupSummary> Engine::Rejoin(const std::string& name) {
  std::vector<Notice> notices;
  CANDOR_TRY(s_->ProcessQueue());
  CANDOR_ASSIGN_OR_RETURN(GroupRow row, s_->GroupNamed(name));
  CANDOR_ASSIGN_OR_RETURN(GroupRow rejoined, s_->Rejoin(std::move(row), &notices));
  return s_->Summarize(rejoined);
}

}  // namespace candor::client
