// The engine's conversation side: creating groups from verified KeyPackages, committing with
// the Delivery Service's ordering, sending, and processing the queue (Welcome, commit,
// application message) with every member checked against its verified device list.
//
// Application data is a small JSON object (docs/formats/messaging-api.md §8):
//   {"t": "text", "body": "..."}                 a message
//   {"t": "meta", "name": "...", "kind": "..."}  the conversation's name and kind, sent by its
//                                                creator after creating it
//   {"t": "leave"}                               the sender's account leaves the group: the
//                                                next member to act removes its devices
#include <algorithm>
#include <set>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/base/str_cat.h"
#include "candor/base/tls.h"
#include "candor/crypto/random.h"
#include "candor/mls/candor_identity.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/mls_message.h"
#include "engine_internal.h"

namespace candor::client {

std::string MessageAad(ByteView group_id) { return "message:" + HexEncode(group_id); }

Result<mls::CandorIdentity> LeafIdentity(const mls::LeafNode& leaf) {
  if (leaf.credential.credential_type != mls::CredentialType::basic) {
    return MakeError(Errc::kVerifyFailed, "a member's credential is not a basic credential");
  }
  return mls::DecodeCandorIdentity(leaf.credential.identity);
}

Result<std::pair<mls::KeyPackage, mls::KeyPackagePrivateKeys>> Engine::State::OwnKeyPackage()
    const {
  CANDOR_ASSIGN_OR_RETURN(Bytes identity, mls::EncodeCandorIdentity({handle, device_id}));
  mls::Credential credential;
  credential.identity = identity;
  const uint64_t now_s = clock() / 1000;
  CANDOR_ASSIGN_OR_RETURN(
      mls::KeyPackageWithKeys mine,
      mls::CreateKeyPackage(*cs, *mls_key, credential, mls::Lifetime{now_s - 3600, now_s + 86400}));
  mls::KeyPackagePrivateKeys keys{std::move(mine.init_private_key),
                                  std::move(mine.encryption_private_key),
                                  SecretBytes(mls_key->private_key())};
  return std::pair(std::move(mine.key_package), std::move(keys));
}

namespace {

constexpr size_t kGroupIdLen = 16;

std::string GroupAad(ByteView id) { return "group:" + HexEncode(id); }
std::string OldEpochAad(ByteView id, uint64_t epoch) {
  return "epoch:" + HexEncode(id) + ":" + std::to_string(epoch);
}

std::vector<std::pair<uint32_t, mls::CandorIdentity>> Members(const mls::GroupState& s) {
  std::vector<std::pair<uint32_t, mls::CandorIdentity>> out;
  for (uint32_t i = 0; i < s.tree().num_leaves(); ++i) {
    const mls::LeafNode* leaf = s.tree().leaf_node(mls::LeafIndex{i});
    if (leaf == nullptr) continue;
    auto id = LeafIdentity(*leaf);
    if (id.ok()) out.emplace_back(i, std::move(*id));
  }
  return out;
}

Result<mls::MLSMessage> DecodeMls(const Bytes& wire) {
  auto m = tls::DecodeExact<mls::MLSMessage>(wire);
  if (!m.ok()) return MakeError(Errc::kMalformed, "not an MLSMessage");
  return std::move(*m);
}

Bytes Wire(const mls::MLSMessage& m) { return tls::Encode(m); }

mls::MLSMessage Wrap(const mls::GroupInfo& info) {
  mls::MLSMessage m;
  m.message = info;
  return m;
}

}  // namespace

GroupSummary Engine::State::Summarize(const GroupRow& row) const {
  GroupSummary g;
  g.group_id = row.group_id;
  g.name = row.name;
  g.peer = row.peer;
  if (row.state) {
    g.epoch = row.state->epoch();
    for (const auto& [leaf, id] : Members(*row.state)) {
      g.members.push_back(id.handle + "/" + id.device_id);
    }
    std::sort(g.members.begin(), g.members.end());
  }
  return g;
}

Result<std::optional<GroupRow>> Engine::State::LoadGroupById(store::SqlTx& tx, ByteView group_id) {
  const Bytes id(group_id.begin(), group_id.end());
  CANDOR_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT name, peer, state FROM groups WHERE group_id = $1", {id}));
  if (rows.empty()) return std::optional<GroupRow>();
  GroupRow row;
  row.group_id = id;
  CANDOR_ASSIGN_OR_RETURN(row.name, rows[0].Text(0, "name"));
  CANDOR_ASSIGN_OR_RETURN(row.peer, rows[0].Text(1, "peer"));
  CANDOR_ASSIGN_OR_RETURN(Bytes sealed, rows[0].Blob(2, "state"));
  if (!sealed.empty()) {
    CANDOR_ASSIGN_OR_RETURN(SecretBytes raw, profile->Unseal(GroupAad(id), sealed));
    CANDOR_ASSIGN_OR_RETURN(mls::GroupState state, OpenGroupState(raw.view()));
    row.state.emplace(std::move(state));
  }
  return std::optional<GroupRow>(std::move(row));
}

Result<mls::GroupState> Engine::State::OpenGroupState(ByteView raw) const {
  CANDOR_ASSIGN_OR_RETURN(mls::GroupState state, mls::GroupState::Deserialize(raw));
  state.set_clock(clock);
  return state;
}

Result<GroupRow> Engine::State::LoadGroup(store::SqlTx& tx, const std::string& name_or_peer) {
  CANDOR_ASSIGN_OR_RETURN(auto rows,
                          tx.Query("SELECT group_id FROM groups WHERE (peer = $1 OR name = $1) AND "
                                   "state <> $2 ORDER BY peer DESC LIMIT 1",
                                   {name_or_peer, Bytes{}}));
  if (rows.empty()) return MakeError(Errc::kNotFound, "no conversation " + name_or_peer);
  CANDOR_ASSIGN_OR_RETURN(Bytes id, rows[0].Blob(0, "group_id"));
  CANDOR_ASSIGN_OR_RETURN(std::optional<GroupRow> row, LoadGroupById(tx, id));
  if (!row) return MakeError(Errc::kNotFound, "no conversation " + name_or_peer);
  return std::move(*row);
}

Status Engine::State::SaveGroup(store::SqlTx& tx, const GroupRow& row, bool keep_previous_epoch,
                                const std::optional<mls::GroupState>& previous) {
  Bytes sealed;
  uint64_t epoch = 0;
  if (row.state) {
    const SecretBytes raw = row.state->Serialize();
    CANDOR_ASSIGN_OR_RETURN(sealed, profile->Seal(GroupAad(row.group_id), raw.view()));
    epoch = row.state->epoch();
  }
  CANDOR_TRY(tx.Exec(
      "INSERT INTO groups (group_id, name, peer, epoch, state, updated_at) VALUES ($1, $2, $3, "
      "$4, $5, $6) ON CONFLICT (group_id) DO UPDATE SET name = excluded.name, peer = "
      "excluded.peer, epoch = excluded.epoch, state = excluded.state, updated_at = "
      "excluded.updated_at",
      {row.group_id, row.name, row.peer, static_cast<int64_t>(epoch), sealed,
       static_cast<int64_t>(clock())}));
  if (keep_previous_epoch && previous && late_epochs > 0) {
    // The previous epoch stays for late messages; older ones are deleted (forward secrecy).
    const SecretBytes raw = previous->Serialize();
    CANDOR_ASSIGN_OR_RETURN(
        Bytes old, profile->Seal(OldEpochAad(row.group_id, previous->epoch()), raw.view()));
    CANDOR_TRY(
        tx.Exec("INSERT INTO old_epochs (group_id, epoch, state) VALUES ($1, $2, $3) ON "
                "CONFLICT (group_id, epoch) DO UPDATE SET state = excluded.state",
                {row.group_id, static_cast<int64_t>(previous->epoch()), old}));
  }
  const auto oldest = static_cast<int64_t>(epoch > late_epochs ? epoch - late_epochs : 0);
  CANDOR_TRY(tx.Exec("DELETE FROM old_epochs WHERE group_id = $1 AND (epoch < $2 OR $3 = 0)",
                     {row.group_id, oldest, int64_t{row.state ? 1 : 0}}));
  return OkStatus();
}

Result<GroupRow> Engine::State::GroupNamed(const std::string& name) {
  std::optional<GroupRow> row;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(row, LoadGroup(tx, name));
    return OkStatus();
  }));
  return std::move(*row);
}

Result<std::optional<GroupRow>> Engine::State::ReloadGroup(ByteView group_id) {
  std::optional<GroupRow> row;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(row, LoadGroupById(tx, group_id));
    return OkStatus();
  }));
  return row;
}

Status Engine::State::CheckMembers(const mls::GroupState& state, std::vector<Notice>* notices) {
  std::set<std::string> checked;
  for (uint32_t i = 0; i < state.tree().num_leaves(); ++i) {
    const mls::LeafNode* leaf = state.tree().leaf_node(mls::LeafIndex{i});
    if (leaf == nullptr) continue;
    CANDOR_ASSIGN_OR_RETURN(mls::CandorIdentity id, LeafIdentity(*leaf));
    kt::DeviceList list;
    if (id.handle == handle) {
      CANDOR_ASSIGN_OR_RETURN(list, OwnList());
    } else {
      CANDOR_ASSIGN_OR_RETURN(list, Verified(id.handle, false, notices));
    }
    bool ok = false;
    for (const kt::Device& d : list.list.devices) {
      if (AsStringView(d.device_id) == id.device_id && d.mls_signature_key == leaf->signature_key) {
        ok = true;
      }
    }
    if (!ok && id.handle != handle) {
      // The list may be newer than our copy: check once more, fresh.
      CANDOR_ASSIGN_OR_RETURN(list, Verified(id.handle, true, notices));
      for (const kt::Device& d : list.list.devices) {
        if (AsStringView(d.device_id) == id.device_id &&
            d.mls_signature_key == leaf->signature_key) {
          ok = true;
        }
      }
    }
    if (!ok) {
      return MakeError(Errc::kVerifyFailed,
                       "member " + id.handle + "/" + id.device_id + " is not a device of " +
                           id.handle + " in its verified device list: refusing the group change");
    }
  }
  return OkStatus();
}

Result<std::vector<mls::KeyPackage>> Engine::State::ClaimVerified(const std::string& who,
                                                                  const kt::DeviceList& list,
                                                                  std::vector<Notice>* notices) {
  Json req = {{"handle", who}};
  CANDOR_ASSIGN_OR_RETURN(Json answer, api->Call("POST", "v1/keypackages/claim", &req, true));
  std::vector<mls::KeyPackage> out;
  const uint64_t now_s = clock() / 1000;
  for (const Json& item : answer.value("key_packages", Json::array())) {
    const std::string device = item.value("device_id", "");
    if (who == handle && device == device_id) continue;  // this device is in the group already
    auto raw = Base64Decode(item.value("key_package", ""));
    if (!raw.ok()) continue;
    auto msg = tls::DecodeExact<mls::MLSMessage>(*raw);
    const auto* kp = msg.ok() ? std::get_if<mls::KeyPackage>(&msg->message) : nullptr;
    const kt::Device* listed = nullptr;
    for (const kt::Device& d : list.list.devices) {
      if (AsStringView(d.device_id) == device) listed = &d;
    }
    auto id =
        kp != nullptr ? LeafIdentity(kp->leaf_node) : Result<mls::CandorIdentity>(VerifyFailed());
    if (kp == nullptr || listed == nullptr || !id.ok() || id->handle != who ||
        id->device_id != device || kp->leaf_node.signature_key != listed->mls_signature_key ||
        kp->cipher_suite != kSuite || !mls::ValidateKeyPackage(*cs, *kp, now_s).ok()) {
      if (notices != nullptr) {
        notices->push_back(
            {Notice::Kind::kAlarm,
             StrCat({"the server gave a KeyPackage for ", who, "/", device,
                     " that is not signed by that device's verified key: not used"})});
      }
      continue;
    }
    out.push_back(*kp);
  }
  for (const Json& m : answer.value("missing", Json::array())) {
    if (notices != nullptr && m.is_string() &&
        !(who == handle && m.get<std::string>() == device_id)) {
      notices->push_back(
          {Notice::Kind::kWarning,
           who + "/" + m.get<std::string>() + " has no KeyPackage left: it is not added now"});
    }
  }
  return out;
}

Result<GroupRow> Engine::State::CommitChange(
    GroupRow row,
    const std::function<Result<std::vector<mls::Proposal>>(const mls::GroupState&)>& proposals,
    std::vector<Notice>* notices) {
  // Messages made in this epoch go first.
  CANDOR_TRY(FlushOutbox(notices));
  for (int attempt = 0; attempt < 3; ++attempt) {
    CANDOR_ASSIGN_OR_RETURN(std::vector<mls::Proposal> props, proposals(*row.state));
    // Staged: the new epoch is ours only once the Delivery Service accepted the commit. It is
    // kept before the commit leaves, so that a lost answer can be settled later.
    CANDOR_ASSIGN_OR_RETURN(mls::GroupState::CommitResult staged,
                            row.state->Commit(props, {.executor = executor}));
    CANDOR_ASSIGN_OR_RETURN(mls::GroupInfo info, staged.next.GroupInfoForJoiners());
    Json req = {{"commit", Base64Encode(Wire(staged.commit))},
                {"group_info", Base64Encode(Wire(Wrap(info)))}};
    if (staged.welcome) req["welcome"] = Base64Encode(Wire(*staged.welcome));
    CANDOR_TRY(StagePendingCommit(row.group_id, row.state->epoch(), req, staged.next));
    CANDOR_ASSIGN_OR_RETURN(CommitFate fate, SettleCommit(row.group_id));
    if (fate == CommitFate::kLost) {
      // Another commit won this epoch: process the winner, try again if it still applies.
      CANDOR_ASSIGN_OR_RETURN(ReceiveReport processed, ProcessQueue());
      if (notices != nullptr) {
        notices->insert(notices->end(), processed.notices.begin(), processed.notices.end());
      }
    }
    CANDOR_ASSIGN_OR_RETURN(std::optional<GroupRow> reloaded, ReloadGroup(row.group_id));
    if (!reloaded || !reloaded->state) {
      return MakeError(Errc::kConflict, "this device is no longer in the group");
    }
    if (fate == CommitFate::kWon) return std::move(*reloaded);
    row = std::move(*reloaded);
  }
  return MakeError(Errc::kConflict, "the group kept changing; try again");
}

Result<GroupRow> Engine::State::CreateConversation(const std::string& name, const std::string& peer,
                                                   const std::vector<std::string>& handles,
                                                   std::vector<Notice>* notices) {
  CANDOR_TRY(EnsureSession());
  // Verified device lists first: nothing goes to an account whose list does not verify.
  std::vector<std::pair<std::string, kt::DeviceList>> lists;
  for (const std::string& h : handles) {
    if (h == handle) continue;
    CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list, Verified(h, true, notices));
    lists.emplace_back(h, std::move(list));
  }
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList own, OwnList());
  if (own.list.devices.size() > 1) lists.emplace_back(handle, own);
  std::vector<mls::Proposal> adds;
  for (const auto& [h, list] : lists) {
    CANDOR_ASSIGN_OR_RETURN(std::vector<mls::KeyPackage> kps, ClaimVerified(h, list, notices));
    for (mls::KeyPackage& kp : kps) adds.push_back(mls::Proposal{mls::Add{std::move(kp)}});
  }
  CANDOR_ASSIGN_OR_RETURN(auto mine, OwnKeyPackage());
  const Bytes group_id = crypto::RandomBytes(kGroupIdLen);
  CANDOR_ASSIGN_OR_RETURN(mls::GroupState created,
                          mls::GroupState::CreateGroup(mine.first, mine.second, group_id));
  created.set_clock(clock);
  CANDOR_ASSIGN_OR_RETURN(mls::GroupInfo info0, created.GroupInfoForJoiners());
  Json create = {{"group_info", Base64Encode(Wire(Wrap(info0)))}};
  CANDOR_TRY(api->Call("POST", "v1/groups", &create, true));
  GroupRow row{group_id, name, peer, std::move(created)};
  CANDOR_TRY(profile->Write([&](store::SqlTx& tx) { return SaveGroup(tx, row, false, {}); }));
  if (!adds.empty()) {
    CANDOR_ASSIGN_OR_RETURN(
        row,
        CommitChange(
            std::move(row),
            [&adds](const mls::GroupState&) -> Result<std::vector<mls::Proposal>> { return adds; },
            notices));
  }
  // Tell the members what this conversation is.
  Json meta = {{"t", "meta"}, {"name", name}, {"kind", peer.empty() ? "group" : "direct"}};
  CANDOR_TRY(SendApplication(row, meta.dump(), notices));
  return row;
}

Result<size_t> Engine::State::SendApplication(GroupRow& row, const std::string& payload,
                                              std::vector<Notice>* notices) {
  // The ratchet step and the message are saved before the message leaves: a restart never
  // reuses a key, and a message the server did not confirm is sent again from the outbox.
  CANDOR_ASSIGN_OR_RETURN(mls::MLSMessage msg, row.state->Protect(AsBytes(payload)));
  const Json parsed = Json::parse(payload, nullptr, false);
  const bool is_text = parsed.is_object() && parsed.value("t", "") == "text";
  CANDOR_TRY(profile->Write([&](store::SqlTx& tx) -> Status {
    CANDOR_TRY(SaveGroup(tx, row, false, {}));
    if (is_text) {
      CANDOR_ASSIGN_OR_RETURN(Bytes body,
                              profile->Seal(MessageAad(row.group_id), AsBytes(payload)));
      CANDOR_TRY(tx.Exec(
          "INSERT INTO messages (group_id, epoch, sender_handle, sender_device, outgoing, at, "
          "body) VALUES ($1, $2, $3, $4, 1, $5, $6)",
          {row.group_id, static_cast<int64_t>(row.state->epoch()), handle, device_id,
           static_cast<int64_t>(clock()), body}));
    }
    return QueueOutgoing(tx, row.group_id, Wire(msg));
  }));
  return FlushOutbox(notices);
}

Result<uint64_t> Engine::State::QueuePosition() {
  uint64_t seq = 0;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto v, Profile::Get(tx, "queue_seq"));
    if (v && v->size() == 8) {
      for (uint8_t b : *v) seq = (seq << 8) | b;
    }
    return OkStatus();
  }));
  return seq;
}

namespace {

Bytes SeqBytes(uint64_t seq) {
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(seq >> (56 - 8 * i));
  return b;
}

}  // namespace

Status Engine::State::ProcessEntry(const Json& entry, ReceiveReport* report) {
  const uint64_t seq = entry.value("seq", uint64_t{0});
  const std::string kind = entry.value("kind", "");
  auto group_id = Base64Decode(entry.value("group_id", ""));
  auto wire = Base64Decode(entry.value("message", ""));
  const Json sender = entry.value("sender", Json::object());
  const std::string from =
      sender.value("handle", std::string("?")) + "/" + sender.value("device_id", std::string("?"));
  auto skip = [&](const std::string& why) -> Status {
    report->notices.push_back(
        {Notice::Kind::kWarning, "skipped a " + kind + " from " + from + ": " + why});
    return profile->Write(
        [&](store::SqlTx& tx) { return profile->Put(tx, "queue_seq", SeqBytes(seq)); });
  };
  if (!group_id.ok() || !wire.ok()) return skip("malformed queue entry");
  auto msg = DecodeMls(*wire);
  if (!msg.ok()) return skip("not an MLS message");

  if (kind == "welcome") {
    const auto* welcome = std::get_if<mls::Welcome>(&msg->message);
    if (welcome == nullptr) return skip("not a Welcome");
    // Find which of our KeyPackages it is for.
    for (const mls::EncryptedGroupSecrets& s : welcome->secrets) {
      std::optional<Bytes> sealed;
      bool last_resort = false;
      CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
        CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT private, last_resort FROM "
                                                    "key_packages WHERE ref = $1",
                                                    {s.new_member}));
        if (rows.empty()) return OkStatus();
        CANDOR_ASSIGN_OR_RETURN(sealed, rows[0].Blob(0, "private"));
        CANDOR_ASSIGN_OR_RETURN(int64_t lr, rows[0].Int(1, "last_resort"));
        last_resort = lr != 0;
        return OkStatus();
      }));
      if (!sealed) continue;
      CANDOR_ASSIGN_OR_RETURN(SecretBytes keys_raw,
                              profile->Unseal("kp:" + HexEncode(s.new_member), *sealed));
      tls::Reader r(keys_raw.view());
      CANDOR_ASSIGN_OR_RETURN(ByteView kp_wire, r.OpaqueV());
      CANDOR_ASSIGN_OR_RETURN(ByteView init, r.OpaqueV());
      CANDOR_ASSIGN_OR_RETURN(ByteView enc, r.OpaqueV());
      CANDOR_ASSIGN_OR_RETURN(mls::MLSMessage kp_msg, tls::DecodeExact<mls::MLSMessage>(kp_wire));
      const auto* kp = std::get_if<mls::KeyPackage>(&kp_msg.message);
      if (kp == nullptr) return skip("a stored KeyPackage is damaged");
      mls::KeyPackagePrivateKeys keys{SecretBytes(init), SecretBytes(enc),
                                      SecretBytes(mls_key->private_key())};
      auto joined =
          mls::GroupState::JoinFromWelcome(*kp, keys, *welcome, std::nullopt, {}, executor);
      if (!joined.ok()) return skip("the Welcome does not open: " + joined.error().message);
      joined->set_clock(clock);
      std::vector<Notice> notices;
      Status members = CheckMembers(*joined, &notices);
      report->notices.insert(report->notices.end(), notices.begin(), notices.end());
      if (!members.ok()) {
        report->notices.push_back({Notice::Kind::kAlarm, members.error().message});
        return skip("a member does not verify");
      }
      // Name it after the other accounts until its creator's "meta" message names it.
      std::set<std::string> others;
      for (const auto& [leaf, id] : Members(*joined)) {
        if (id.handle != handle) others.insert(id.handle);
      }
      std::string name;
      for (const std::string& o : others) name += (name.empty() ? "" : ",") + o;
      GroupRow row{joined->group_id(), name.empty() ? handle : name,
                   others.size() == 1 ? *others.begin() : "", std::move(*joined)};
      std::string with;
      for (const std::string& o : others) with += (with.empty() ? "" : ", ") + o;
      report->notices.push_back(
          {Notice::Kind::kInfo, from + " added this device to a conversation with " +
                                    (with.empty() ? "your other devices" : with)});
      return profile->Write([&](store::SqlTx& tx) -> Status {
        CANDOR_TRY(SaveGroup(tx, row, false, {}));
        if (!last_resort) {
          CANDOR_TRY(tx.Exec("DELETE FROM key_packages WHERE ref = $1", {s.new_member}));
        }
        return profile->Put(tx, "queue_seq", SeqBytes(seq));
      });
    }
    return skip("not for any KeyPackage of this device");
  }

  std::optional<GroupRow> row;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(row, LoadGroupById(tx, *group_id));
    return OkStatus();
  }));
  if (!row || !row->state) return skip("for a conversation this device is not in");
  // A commit or message of an epoch past ours: the commits between were lost to this device
  // (its state was restored from an older copy, or the server dropped them). It rejoins.
  uint64_t message_epoch = 0;
  if (const auto* pub = std::get_if<mls::PublicMessage>(&msg->message)) {
    message_epoch = pub->content.epoch;
  } else if (const auto* priv = std::get_if<mls::PrivateMessage>(&msg->message)) {
    message_epoch = priv->epoch;
  }
  if ((kind == "commit" || kind == "application") && message_epoch > row->state->epoch()) {
    auto rejoined = Rejoin(std::move(*row), &report->notices);
    if (!rejoined.ok()) {
      if (rejoined.error().code == Errc::kUnavailable) return rejoined.error();  // retry later
      report->notices.push_back({Notice::Kind::kAlarm, "could not rejoin " + row->name + ": " +
                                                           rejoined.error().message});
    }
    return skip("of an epoch this device missed");
  }

  if (kind == "commit") {
    const uint64_t epoch = entry.value("epoch", uint64_t{0});
    if (epoch != row->state->epoch()) return skip("for another epoch");
    auto next = row->state->HandleCommit(*msg);
    if (!next.ok()) {
      if (next.error().code == Errc::kConflict) {
        // The commit removes this device: the conversation is over for it.
        GroupRow left{row->group_id, row->name, row->peer, std::nullopt};
        report->notices.push_back(
            {Notice::Kind::kInfo, from + " removed this device from " + row->name});
        return profile->Write([&](store::SqlTx& tx) -> Status {
          CANDOR_TRY(SaveGroup(tx, left, false, {}));
          return profile->Put(tx, "queue_seq", SeqBytes(seq));
        });
      }
      return skip("the commit does not verify: " + next.error().message);
    }
    std::vector<Notice> notices;
    Status members = CheckMembers(*next, &notices);
    report->notices.insert(report->notices.end(), notices.begin(), notices.end());
    if (!members.ok()) {
      report->notices.push_back({Notice::Kind::kAlarm, members.error().message});
      return skip("a member does not verify");
    }
    GroupRow updated{row->group_id, row->name, row->peer, std::nullopt};
    std::optional<mls::GroupState> previous = std::move(row->state);
    updated.state.emplace(std::move(*next));
    return profile->Write([&](store::SqlTx& tx) -> Status {
      CANDOR_TRY(SaveGroup(tx, updated, true, previous));
      return profile->Put(tx, "queue_seq", SeqBytes(seq));
    });
  }

  if (kind == "application") {
    const auto* priv = std::get_if<mls::PrivateMessage>(&msg->message);
    if (priv == nullptr) return skip("not a PrivateMessage");
    // The current epoch, or a kept previous one for a late message.
    std::optional<mls::GroupState> old;
    mls::GroupState* state = &*row->state;
    if (priv->epoch != row->state->epoch()) {
      std::optional<Bytes> sealed;
      CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
        CANDOR_ASSIGN_OR_RETURN(auto rows,
                                tx.Query("SELECT state FROM old_epochs WHERE "
                                         "group_id = $1 AND epoch = $2",
                                         {row->group_id, static_cast<int64_t>(priv->epoch)}));
        if (rows.empty()) return OkStatus();
        CANDOR_ASSIGN_OR_RETURN(sealed, rows[0].Blob(0, "state"));
        return OkStatus();
      }));
      if (!sealed) return skip("for an epoch whose keys are deleted");
      CANDOR_ASSIGN_OR_RETURN(SecretBytes raw,
                              profile->Unseal(OldEpochAad(row->group_id, priv->epoch), *sealed));
      CANDOR_ASSIGN_OR_RETURN(mls::GroupState s, OpenGroupState(raw.view()));
      old.emplace(std::move(s));
      state = &*old;
    }
    auto opened = state->Unprotect(*msg);
    if (!opened.ok()) return skip("it does not decrypt (a replay, or not for us)");
    const mls::LeafNode* leaf = state->tree().leaf_node(opened->sender);
    auto id = leaf != nullptr ? LeafIdentity(*leaf) : Result<mls::CandorIdentity>(VerifyFailed());
    if (!id.ok()) return skip("unknown sender");
    const Json payload = Json::parse(AsStringView(opened->application_data.view()), nullptr, false);
    const std::string type = payload.is_object() ? payload.value("t", "") : "";
    StoredMessage m;
    m.group = row->name;
    m.sender = id->handle + "/" + id->device_id;
    m.at = entry.value("received_at", clock());
    if (type == "meta") {
      // A one-to-one conversation is named after the other account on each side.
      if (payload.value("kind", "") == "direct") {
        row->peer = id->handle;
        row->name = id->handle;
      } else {
        row->name = payload.value("name", row->name);
      }
    } else if (type == "text") {
      m.text = payload.value("body", "");
      report->messages.push_back(m);
    } else if (type == "leave" && row->peer.empty()) {
      report->notices.push_back({Notice::Kind::kInfo, id->handle + " left " + row->name});
    }
    const bool own_departure = type == "leave" && row->peer.empty() && id->handle == handle;
    return profile->Write([&](store::SqlTx& tx) -> Status {
      if (type == "leave" && row->peer.empty()) {
        if (own_departure) {
          // Another device of this account left: so does this one.
          GroupRow gone{row->group_id, row->name, row->peer, std::nullopt};
          CANDOR_TRY(SaveGroup(tx, gone, false, {}));
          return profile->Put(tx, "queue_seq", SeqBytes(seq));
        }
        CANDOR_TRY(
            tx.Exec("INSERT INTO departures (group_id, handle) VALUES ($1, $2) ON "
                    "CONFLICT (group_id, handle) DO NOTHING",
                    {row->group_id, id->handle}));
      }
      if (old) {
        const SecretBytes raw = old->Serialize();
        CANDOR_ASSIGN_OR_RETURN(
            Bytes sealed_old, profile->Seal(OldEpochAad(row->group_id, old->epoch()), raw.view()));
        CANDOR_TRY(tx.Exec("UPDATE old_epochs SET state = $3 WHERE group_id = $1 AND epoch = $2",
                           {row->group_id, static_cast<int64_t>(old->epoch()), sealed_old}));
        // The current state did not change; keep its row as it is (name updates aside).
        CANDOR_TRY(tx.Exec("UPDATE groups SET name = $2, peer = $3 WHERE group_id = $1",
                           {row->group_id, row->name, row->peer}));
      } else {
        CANDOR_TRY(SaveGroup(tx, *row, false, {}));
      }
      if (type == "text") {
        CANDOR_ASSIGN_OR_RETURN(
            Bytes body, profile->Seal(MessageAad(row->group_id), opened->application_data.view()));
        CANDOR_TRY(tx.Exec(
            "INSERT INTO messages (group_id, epoch, sender_handle, sender_device, outgoing, at, "
            "body) VALUES ($1, $2, $3, $4, 0, $5, $6)",
            {row->group_id, static_cast<int64_t>(priv->epoch), id->handle, id->device_id,
             static_cast<int64_t>(m.at), body}));
      }
      return profile->Put(tx, "queue_seq", SeqBytes(seq));
    });
  }
  return skip("unknown kind");
}

Result<ReceiveReport> Engine::State::ProcessQueue() {
  CANDOR_TRY(EnsureSession());
  ReceiveReport report;
  CANDOR_TRY(SettleAll(&report.notices));
  for (int page = 0; page < 100; ++page) {
    CANDOR_ASSIGN_OR_RETURN(uint64_t after, QueuePosition());
    auto answer = api->Call("GET", "v1/queue?after=" + std::to_string(after), nullptr, true);
    if (!answer.ok() && answer.error().code == Errc::kUnauthenticated) {
      CANDOR_TRY(SignIn());
      answer = api->Call("GET", "v1/queue?after=" + std::to_string(after), nullptr, true);
    }
    if (!answer.ok()) return answer.error();
    const Json entries = answer->value("entries", Json::array());
    if (entries.empty()) break;
    for (const Json& e : entries) {
      if (e.value("seq", uint64_t{0}) <= after) continue;  // a duplicate
      CANDOR_TRY(ProcessEntry(e, &report));
    }
    CANDOR_ASSIGN_OR_RETURN(uint64_t done, QueuePosition());
    Json ack = {{"up_to", done}};
    CANDOR_TRY(api->Call("POST", "v1/queue/ack", &ack, true));
  }
  if (!removing_departed) {
    removing_departed = true;
    Status removed = RemoveDeparted(&report.notices);
    removing_departed = false;
    CANDOR_TRY(removed);
  }
  return report;
}

Status Engine::State::RemoveDeparted(std::vector<Notice>* notices) {
  std::vector<std::pair<Bytes, std::string>> departed;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT group_id, handle FROM departures", {}));
    for (const auto& r : rows) {
      CANDOR_ASSIGN_OR_RETURN(Bytes id, r.Blob(0, "group_id"));
      CANDOR_ASSIGN_OR_RETURN(std::string h, r.Text(1, "handle"));
      departed.emplace_back(std::move(id), std::move(h));
    }
    return OkStatus();
  }));
  for (const auto& departure : departed) {
    const Bytes& group_id = departure.first;
    const std::string& who = departure.second;
    std::optional<GroupRow> row;
    CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
      CANDOR_ASSIGN_OR_RETURN(row, LoadGroupById(tx, group_id));
      return OkStatus();
    }));
    if (row && row->state) {
      auto changed = CommitChange(
          std::move(*row),
          [&who](const mls::GroupState& st) -> Result<std::vector<mls::Proposal>> {
            std::vector<mls::Proposal> removes;
            for (const auto& [leaf, id] : Members(st)) {
              if (id.handle == who) removes.push_back(mls::Proposal{mls::Remove{leaf}});
            }
            if (removes.empty()) return MakeError(Errc::kNotFound, "already gone");
            return removes;
          },
          notices);
      // Unanswered: try again with the next command. Anything else (done, or someone else
      // removed them first) ends it.
      if (!changed.ok() && changed.error().code == Errc::kUnavailable) continue;
    }
    CANDOR_TRY(profile->Write([&](store::SqlTx& tx) -> Status {
      CANDOR_TRY(
          tx.Exec("DELETE FROM departures WHERE group_id = $1 AND handle = $2", {group_id, who}));
      return OkStatus();
    }));
  }
  return OkStatus();
}

Result<GroupSummary> Engine::LeaveGroup(const std::string& name) {
  std::vector<Notice> notices;
  CANDOR_TRY(s_->ProcessQueue());
  CANDOR_ASSIGN_OR_RETURN(GroupRow found, s_->GroupNamed(name));
  std::optional<GroupRow> row(std::move(found));
  if (!row->peer.empty()) {
    return MakeError(Errc::kInvalidArgument,
                     name + " is a one-to-one conversation: there is no group to leave");
  }
  GroupSummary before = s_->Summarize(*row);
  // Tell the members (they remove this account's devices), then forget the group's keys.
  Json leave = {{"t", "leave"}};
  CANDOR_TRY(s_->SendApplication(*row, leave.dump(), &notices));
  GroupRow gone{row->group_id, row->name, row->peer, std::nullopt};
  CANDOR_TRY(
      s_->profile->Write([&](store::SqlTx& tx) { return s_->SaveGroup(tx, gone, false, {}); }));
  return before;
}

Result<ReceiveReport> Engine::Receive() { return s_->ProcessQueue(); }

Result<SendReport> Engine::Send(const std::string& to, const std::string& text) {
  CANDOR_ASSIGN_OR_RETURN(ReceiveReport pending, s_->ProcessQueue());
  std::vector<Notice> notices = pending.notices;
  std::optional<GroupRow> row;
  auto found = [&]() -> Status {
    return s_->profile->Read([&](store::SqlTx& tx) -> Status {
      auto r = s_->LoadGroup(tx, to);
      if (r.ok()) row = std::move(*r);
      return OkStatus();
    });
  };
  CANDOR_TRY(found());
  if (!row) {
    bool removed = false;
    CANDOR_TRY(s_->profile->Read([&](store::SqlTx& tx) -> Status {
      CANDOR_ASSIGN_OR_RETURN(
          auto rows, tx.Query("SELECT 1 FROM groups WHERE (name = $1 OR peer = $1) AND state = $2",
                              {to, Bytes{}}));
      removed = !rows.empty();
      return OkStatus();
    }));
    if (removed) {
      return MakeError(Errc::kPermissionDenied, "this device was removed from the conversation " +
                                                    to + ": it can no longer read or post there");
    }
    if (!mls::IsValidHandle(to) || to == handle_) {
      return MakeError(Errc::kNotFound, "no conversation or contact " + to);
    }
    CANDOR_ASSIGN_OR_RETURN(GroupRow created, s_->CreateConversation(to, to, {to}, &notices));
    row = std::move(created);
  } else {
    // Before sending, every member account's device list is checked again (in a conversation
    // of few accounts always, in a larger one if not checked lately): a new device is
    // announced and added, a list that does not verify stops the send.
    std::set<std::string> accounts;
    for (const auto& [leaf, id] : Members(*row->state)) {
      if (id.handle != handle_) accounts.insert(id.handle);
    }
    const bool fresh = accounts.size() <= kAlwaysRecheckAccounts;
    std::vector<std::string> missing;
    for (const std::string& a : accounts) {
      std::vector<Notice> changes;
      CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list, s_->Verified(a, fresh, &changes));
      notices.insert(notices.end(), changes.begin(), changes.end());
      for (const kt::Device& d : list.list.devices) {
        bool in = false;
        for (const auto& [leaf, id] : Members(*row->state)) {
          if (id.handle == a && id.device_id == AsStringView(d.device_id)) in = true;
        }
        if (!in) missing.push_back(a);
      }
    }
    if (!missing.empty()) {
      std::sort(missing.begin(), missing.end());
      missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
      auto added = s_->CommitChange(
          std::move(*row),
          [&](const mls::GroupState& st) -> Result<std::vector<mls::Proposal>> {
            std::vector<mls::Proposal> adds;
            for (const std::string& a : missing) {
              CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list, s_->Verified(a, false, nullptr));
              CANDOR_ASSIGN_OR_RETURN(auto kps, s_->ClaimVerified(a, list, &notices));
              for (auto& kp : kps) {
                bool in = false;
                for (const auto& [leaf, id] : Members(st)) {
                  auto kid = mls::DecodeCandorIdentity(kp.leaf_node.credential.identity);
                  if (kid.ok() && id == *kid) in = true;
                }
                if (!in) adds.push_back(mls::Proposal{mls::Add{std::move(kp)}});
              }
            }
            return adds;
          },
          &notices);
      if (!added.ok()) return added.error();
      row = std::move(*added);
    }
  }
  Json payload = {{"t", "text"}, {"body", text}};
  CANDOR_ASSIGN_OR_RETURN(size_t queued, s_->SendApplication(*row, payload.dump(), &notices));
  return SendReport{std::move(notices), queued};
}

Result<GroupSummary> Engine::CreateGroup(const std::string& name,
                                         const std::vector<std::string>& handles) {
  std::vector<Notice> notices;
  CANDOR_TRY(s_->ProcessQueue());
  CANDOR_ASSIGN_OR_RETURN(GroupRow row, s_->CreateConversation(name, "", handles, &notices));
  return s_->Summarize(row);
}

Result<GroupSummary> Engine::AddToGroup(const std::string& name,
                                        const std::vector<std::string>& handles) {
  CANDOR_TRY(s_->ProcessQueue());
  std::optional<GroupRow> row;
  CANDOR_TRY(s_->profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(row, s_->LoadGroup(tx, name));
    return OkStatus();
  }));
  std::vector<Notice> notices;
  CANDOR_ASSIGN_OR_RETURN(
      GroupRow next,
      s_->CommitChange(
          std::move(*row),
          [&](const mls::GroupState&) -> Result<std::vector<mls::Proposal>> {
            std::vector<mls::Proposal> adds;
            for (const std::string& h : handles) {
              CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list, s_->Verified(h, true, &notices));
              CANDOR_ASSIGN_OR_RETURN(auto kps, s_->ClaimVerified(h, list, &notices));
              for (auto& kp : kps) adds.push_back(mls::Proposal{mls::Add{std::move(kp)}});
            }
            return adds;
          },
          &notices));
  return s_->Summarize(next);
}

Result<GroupSummary> Engine::RemoveFromGroup(const std::string& name,
                                             const std::vector<std::string>& handles) {
  CANDOR_TRY(s_->ProcessQueue());
  std::optional<GroupRow> row;
  CANDOR_TRY(s_->profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(row, s_->LoadGroup(tx, name));
    return OkStatus();
  }));
  std::vector<Notice> notices;
  CANDOR_ASSIGN_OR_RETURN(
      GroupRow next,
      s_->CommitChange(
          std::move(*row),
          [&](const mls::GroupState& st) -> Result<std::vector<mls::Proposal>> {
            std::vector<mls::Proposal> removes;
            for (const auto& [leaf, id] : Members(st)) {
              if (std::find(handles.begin(), handles.end(), id.handle) != handles.end()) {
                removes.push_back(mls::Proposal{mls::Remove{leaf}});
              }
            }
            if (removes.empty()) {
              return MakeError(Errc::kNotFound, "none of them is in " + name);
            }
            return removes;
          },
          &notices));
  return s_->Summarize(next);
}

Result<std::vector<GroupSummary>> Engine::Groups() {
  std::vector<GroupSummary> out;
  CANDOR_TRY(s_->profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT group_id FROM groups WHERE state <> $1 "
                                                "ORDER BY name",
                                                {Bytes{}}));
    for (const auto& r : rows) {
      CANDOR_ASSIGN_OR_RETURN(Bytes id, r.Blob(0, "group_id"));
      CANDOR_ASSIGN_OR_RETURN(std::optional<GroupRow> row, s_->LoadGroupById(tx, id));
      if (row) out.push_back(s_->Summarize(*row));
    }
    return OkStatus();
  }));
  return out;
}

Result<std::vector<StoredMessage>> Engine::History(const std::string& conversation) {
  std::vector<StoredMessage> out;
  CANDOR_TRY(s_->profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto groups,
        tx.Query("SELECT group_id, name FROM groups WHERE peer = $1 OR name = $1", {conversation}));
    if (groups.empty()) return MakeError(Errc::kNotFound, "no conversation " + conversation);
    CANDOR_ASSIGN_OR_RETURN(Bytes id, groups[0].Blob(0, "group_id"));
    CANDOR_ASSIGN_OR_RETURN(std::string name, groups[0].Text(1, "name"));
    CANDOR_ASSIGN_OR_RETURN(auto rows,
                            tx.Query("SELECT sender_handle, sender_device, outgoing, at, body FROM "
                                     "messages WHERE group_id = $1 ORDER BY at, id",
                                     {id}));
    for (const auto& r : rows) {
      StoredMessage m;
      m.group = name;
      CANDOR_ASSIGN_OR_RETURN(std::string h, r.Text(0, "sender_handle"));
      CANDOR_ASSIGN_OR_RETURN(std::string d, r.Text(1, "sender_device"));
      m.sender = StrCat({h, "/", d});
      CANDOR_ASSIGN_OR_RETURN(int64_t outgoing, r.Int(2, "outgoing"));
      m.outgoing = outgoing != 0;
      CANDOR_ASSIGN_OR_RETURN(int64_t at, r.Int(3, "at"));
      m.at = static_cast<uint64_t>(at);
      CANDOR_ASSIGN_OR_RETURN(Bytes sealed, r.Blob(4, "body"));
      CANDOR_ASSIGN_OR_RETURN(SecretBytes body, s_->profile->Unseal(MessageAad(id), sealed));
      const Json payload = Json::parse(AsStringView(body.view()), nullptr, false);
      m.text = payload.is_object() ? payload.value("body", "") : "";
      out.push_back(std::move(m));
    }
    return OkStatus();
  }));
  return out;
}

Status Engine::Listen(const std::function<void(const StoredMessage&)>& on_message,
                      const std::function<void(const Notice&)>& on_notice,
                      const std::function<bool()>& stop) {
  // Catch up over HTTP first, then follow the WebSocket. The account's own directory entry
  // is checked at the start and every kListenMonitorMs.
  CANDOR_ASSIGN_OR_RETURN(ReceiveReport first, s_->ProcessQueue());
  for (const auto& n : first.notices) on_notice(n);
  for (const auto& m : first.messages) on_message(m);
  uint64_t next_monitor = 0;
  int backoff_s = 1;
  while (!stop()) {
    if (s_->clock() >= next_monitor) {
      auto monitored = Monitor();
      if (monitored.ok()) {
        for (const auto& n : monitored->notices) on_notice(n);
      } else {
        on_notice({Notice::Kind::kWarning,
                   "could not check your directory entry: " + monitored.error().message});
      }
      next_monitor = s_->clock() + kListenMonitorMs;
    }
    CANDOR_ASSIGN_OR_RETURN(uint64_t after, s_->QueuePosition());
    auto socket = s_->api->QueueSocket(after);
    if (!socket.ok()) {
      if (socket.error().message.find("401") != std::string::npos) {
        CANDOR_TRY(s_->SignIn());
        continue;
      }
      // The server is away (restarting, or the network is down): try again, backing off.
      on_notice({Notice::Kind::kWarning, "cannot reach the server (" + socket.error().message +
                                             "); trying again in " + std::to_string(backoff_s) +
                                             " s"});
      for (int i = 0; i < backoff_s * 10 && !stop(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      backoff_s = std::min(backoff_s * 2, 30);
      continue;
    }
    if (backoff_s > 1) {
      // Back after an absence: what came meanwhile is fetched over HTTP first.
      auto caught_up = s_->ProcessQueue();
      if (caught_up.ok()) {
        for (const auto& n : caught_up->notices) on_notice(n);
        for (const auto& m : caught_up->messages) on_message(m);
      }
      backoff_s = 1;  // entries the socket repeats are skipped by their sequence numbers
    }
    while (!stop()) {
      auto frame = (*socket)->Receive(std::chrono::milliseconds(5000));
      if (!frame.ok()) break;  // closed by the server (e.g. draining): reconnect
      if (!*frame) {
        // No frame within 5 s: the socket was closed to poll `stop`; reconnect.
        break;
      }
      const Json entry = Json::parse(**frame, nullptr, false);
      if (!entry.is_object()) continue;
      CANDOR_ASSIGN_OR_RETURN(uint64_t position, s_->QueuePosition());
      if (entry.value("seq", uint64_t{0}) <= position) continue;
      ReceiveReport report;
      CANDOR_TRY(s_->ProcessEntry(entry, &report));
      for (const auto& n : report.notices) on_notice(n);
      for (const auto& m : report.messages) on_message(m);
      (void)(*socket)->Send(Json({{"ack", entry.value("seq", uint64_t{0})}}).dump());
    }
  }
  return OkStatus();
}

}  // namespace candor::client
