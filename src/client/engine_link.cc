// Linking and removing devices. The existing device (which holds the account key) shows a
// one-time code; both devices derive from it a rendezvous id and a key, and exchange two sealed
// messages through the server's link mailbox, which cannot read them:
//   request (new -> existing): struct { opaque device_id<V>; opaque signature_key<V>;
//                                       opaque mls_signature_key<V>; }
//   reply (existing -> new):   struct { opaque handle<V>; opaque device_list<V>; }
// The existing device publishes the new device list (signed by the account key) before it
// replies; the new device checks that list against the directory before it keeps anything.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/base/tls.h"
#include "candor/crypto/hash.h"
#include "candor/crypto/random.h"
#include "candor/crypto/sealing.h"
#include "candor/mls/candor_identity.h"
#include "engine_internal.h"
#include "link_code.h"
#include "link_mailbox.h"

namespace candor::client {

Status Engine::State::PublishOwnList(const kt::DeviceList& list) {
  CANDOR_ASSIGN_OR_RETURN(kt::UpdateResult published, directory->Publish(handle, list));
  (void)published;
  const Bytes encoded = tls::Encode(list);
  return profile->Write([&](store::SqlTx& tx) { return profile->Put(tx, "own_list", encoded); });
}

Status Engine::State::SyncOwnDevices(std::vector<Notice>* notices) {
  CANDOR_TRY(EnsureSession());
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList own, OwnList());
  std::vector<Bytes> ids;
  CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
    CANDOR_ASSIGN_OR_RETURN(auto rows,
                            tx.Query("SELECT group_id FROM groups WHERE state <> $1", {Bytes{}}));
    for (const auto& r : rows) {
      CANDOR_ASSIGN_OR_RETURN(Bytes id, r.Blob(0, "group_id"));
      ids.push_back(std::move(id));
    }
    return OkStatus();
  }));
  for (const Bytes& id : ids) {
    std::optional<GroupRow> row;
    CANDOR_TRY(profile->Read([&](store::SqlTx& tx) -> Status {
      CANDOR_ASSIGN_OR_RETURN(row, LoadGroupById(tx, id));
      return OkStatus();
    }));
    if (!row || !row->state) continue;
    auto changed = CommitChange(
        std::move(*row),
        [&](const mls::GroupState& st) -> Result<std::vector<mls::Proposal>> {
          std::vector<mls::Proposal> props;
          std::vector<std::string> present;
          for (uint32_t i = 0; i < st.tree().num_leaves(); ++i) {
            const mls::LeafNode* leaf = st.tree().leaf_node(mls::LeafIndex{i});
            if (leaf == nullptr) continue;
            auto who = mls::DecodeCandorIdentity(leaf->credential.identity);
            if (!who.ok() || who->handle != handle) continue;
            present.push_back(who->device_id);
            const bool listed = std::any_of(
                own.list.devices.begin(), own.list.devices.end(),
                [&](const kt::Device& d) { return AsStringView(d.device_id) == who->device_id; });
            if (!listed) props.push_back(mls::Proposal{mls::Remove{i}});
          }
          bool missing = false;
          for (const kt::Device& d : own.list.devices) {
            if (std::find(present.begin(), present.end(), AsStringView(d.device_id)) ==
                present.end()) {
              missing = true;
            }
          }
          if (missing) {
            CANDOR_ASSIGN_OR_RETURN(auto kps, ClaimVerified(handle, own, notices));
            for (auto& kp : kps) {
              auto who = mls::DecodeCandorIdentity(kp.leaf_node.credential.identity);
              if (who.ok() &&
                  std::find(present.begin(), present.end(), who->device_id) == present.end()) {
                props.push_back(mls::Proposal{mls::Add{std::move(kp)}});
              }
            }
          }
          if (props.empty()) return MakeError(Errc::kNotFound, "nothing to change");
          return props;
        },
        notices);
    if (!changed.ok() && changed.error().code != Errc::kNotFound && notices != nullptr) {
      notices->push_back({Notice::Kind::kWarning,
                          "could not update a conversation's devices: " + changed.error().message});
    }
  }
  return OkStatus();
}

Result<std::string> Engine::StartLink() {
  if (!s_->account_key) {
    return MakeError(Errc::kPermissionDenied,
                     "only the device holding the account key can link devices");
  }
  const Bytes secret = crypto::RandomBytes(kLinkCodeBytes);
  return FormatLinkCode(secret);
}

Result<std::string> Engine::FinishLink(const std::string& code, std::chrono::seconds wait,
                                       std::vector<Notice>* notices, bool share_history) {
  if (!s_->account_key) {
    return MakeError(Errc::kPermissionDenied,
                     "only the device holding the account key can link devices");
  }
  CANDOR_ASSIGN_OR_RETURN(LinkKeys link, DeriveLinkKeys(code));
  CANDOR_ASSIGN_OR_RETURN(Bytes sealed, WaitSlot(s_->trust, link, "request", wait));
  auto opened = crypto::Unseal(link.key.view(), AsBytes("candor link request"), sealed);
  if (!opened.ok())
    return MakeError(Errc::kVerifyFailed, "the link request is not sealed with the code");
  tls::Reader r(opened->view());
  CANDOR_ASSIGN_OR_RETURN(ByteView device_id, r.OpaqueV("link.device_id"));
  CANDOR_ASSIGN_OR_RETURN(ByteView sig_key, r.OpaqueV("link.signature_key"));
  CANDOR_ASSIGN_OR_RETURN(ByteView mls_key, r.OpaqueV("link.mls_signature_key"));
  CANDOR_TRY(r.ExpectEnd("link request"));
  const std::string name(AsStringView(device_id));
  if (!mls::IsValidDeviceId(name)) return MakeError(Errc::kInvalidArgument, "bad device name");
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList own, s_->OwnList());
  kt::DeviceListTBS next = own.list;
  next.sequence += 1;
  for (const kt::Device& d : next.devices) {
    if (AsStringView(d.device_id) == name) {
      return MakeError(Errc::kConflict, "this account already has a device " + name);
    }
  }
  kt::Device added;
  added.device_id = Bytes(device_id.begin(), device_id.end());
  added.signature_scheme = crypto::SignatureScheme::kEd25519;
  added.signature_key = Bytes(sig_key.begin(), sig_key.end());
  added.mls_cipher_suite = static_cast<uint16_t>(kSuite);
  added.mls_signature_key = Bytes(mls_key.begin(), mls_key.end());
  added.added_at = s_->clock();
  next.devices.push_back(added);
  std::sort(next.devices.begin(), next.devices.end(),
            [](const kt::Device& a, const kt::Device& b) { return a.device_id < b.device_id; });
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list,
                          kt::SignDeviceList(*s_->account_key, AsBytes(s_->handle), next));
  CANDOR_TRY(s_->PublishOwnList(list));
  tls::Writer w;
  w.OpaqueV(AsBytes(s_->handle));
  w.OpaqueV(tls::Encode(list));
  CANDOR_ASSIGN_OR_RETURN(Bytes reply,
                          crypto::Seal(link.key.view(), AsBytes("candor link reply"), w.bytes()));
  CANDOR_TRY(PutSlot(s_->trust, link, "reply", reply));
  // The new device needs a moment to sign in and publish KeyPackages before it can be added.
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::vector<Notice> quiet;
    CANDOR_TRY(s_->SyncOwnDevices(&quiet));
    bool everywhere = true;
    CANDOR_ASSIGN_OR_RETURN(std::vector<GroupSummary> groups, Groups());
    for (const auto& g : groups) {
      if (std::find(g.members.begin(), g.members.end(), handle_ + "/" + name) == g.members.end()) {
        everywhere = false;
      }
    }
    if (everywhere) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // The history goes last: the new device reads it once it is in the conversations. The link
  // stands whether or not it arrives.
  auto shared = s_->SendHistory(link, share_history);
  if (notices != nullptr && shared.ok()) {
    notices->push_back({Notice::Kind::kInfo, "device " + name + " linked to " + handle_ + "; " +
                                                 std::to_string(*shared) +
                                                 " message(s) of history handed over"});
  } else if (notices != nullptr) {
    notices->push_back({Notice::Kind::kWarning,
                        "device " + name + " linked to " + handle_ +
                            "; the history could not be handed over: " + shared.error().message});
  }
  return name;
}

Result<std::unique_ptr<Engine>> Engine::JoinByLink(const Options& options, const ClientTrust& trust,
                                                   const std::string& code,
                                                   const std::string& device_id,
                                                   std::chrono::seconds wait,
                                                   std::vector<Notice>* notices) {
  if (!mls::IsValidDeviceId(device_id)) {
    return MakeError(Errc::kInvalidArgument, "a device name is 1 to 64 of a-z 0-9 . _ -");
  }
  CANDOR_ASSIGN_OR_RETURN(LinkKeys link, DeriveLinkKeys(code));
  auto s = State::For(options);
  CANDOR_ASSIGN_OR_RETURN(s->cs, mls::GetCipherSuiteParams(kSuite));
  s->trust = trust;
  s->device_id = device_id;
  s->device_key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  s->mls_key = crypto::SignaturePrivateKey::Generate(s->cs->signature);
  tls::Writer w;
  w.OpaqueV(AsBytes(device_id));
  w.OpaqueV(s->device_key->public_key());
  w.OpaqueV(s->mls_key->public_key());
  CANDOR_ASSIGN_OR_RETURN(Bytes request,
                          crypto::Seal(link.key.view(), AsBytes("candor link request"), w.bytes()));
  CANDOR_TRY(PutSlot(trust, link, "request", request));
  CANDOR_ASSIGN_OR_RETURN(Bytes sealed, WaitSlot(trust, link, "reply", wait));
  auto opened = crypto::Unseal(link.key.view(), AsBytes("candor link reply"), sealed);
  if (!opened.ok())
    return MakeError(Errc::kVerifyFailed, "the link reply is not sealed with the code");
  tls::Reader r(opened->view());
  CANDOR_ASSIGN_OR_RETURN(ByteView handle, r.OpaqueV("link.handle"));
  CANDOR_ASSIGN_OR_RETURN(ByteView list_bytes, r.OpaqueV("link.device_list"));
  CANDOR_TRY(r.ExpectEnd("link reply"));
  s->handle = std::string(AsStringView(handle));
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list, tls::DecodeExact<kt::DeviceList>(list_bytes));
  CANDOR_TRY(kt::VerifyDeviceList(handle, list, std::nullopt));
  const bool has_me =
      std::any_of(list.list.devices.begin(), list.list.devices.end(), [&](const kt::Device& d) {
        return AsStringView(d.device_id) == device_id &&
               d.signature_key == s->device_key->public_key() &&
               d.mls_signature_key == s->mls_key->public_key();
      });
  if (!has_me)
    return MakeError(Errc::kVerifyFailed, "the new device list does not hold this device");

  CANDOR_ASSIGN_OR_RETURN(s->profile,
                          Profile::Create(options.profile_dir, options.passphrase.get()));
  const std::string trust_json = FormatClientTrust(trust);
  CANDOR_TRY(s->profile->Write([&](store::SqlTx& tx) -> Status {
    CANDOR_TRY(s->profile->Put(tx, "trust", AsBytes(trust_json)));
    CANDOR_TRY(s->profile->Put(tx, "handle", AsBytes(s->handle)));
    CANDOR_TRY(s->profile->Put(tx, "device_id", AsBytes(device_id)));
    CANDOR_TRY(s->profile->PutSecret(tx, "device_key", s->device_key->private_key()));
    CANDOR_TRY(s->profile->PutSecret(tx, "mls_key", s->mls_key->private_key()));
    return s->profile->Put(tx, "own_list", tls::Encode(list));
  }));
  s->api = std::make_unique<ServerApi>(trust.server);
  CANDOR_ASSIGN_OR_RETURN(
      s->directory, DirectoryClient::Create(*s->api, s->trust, *s->profile, s->clock, s->executor));
  // What the other device says must be what the witnessed directory holds.
  auto published = s->directory->Lookup(s->handle);
  if (!published.ok() || !*published || !((*published)->list == list)) {
    std::error_code ec;
    s->profile.reset();
    std::filesystem::remove_all(options.profile_dir, ec);
    return MakeError(Errc::kVerifyFailed,
                     "the directory does not hold the device list the other device sent");
  }
  CANDOR_TRY(s->directory->InitOwner(s->handle));
  CANDOR_TRY(s->SignIn());
  CANDOR_TRY(s->Refill());
  auto history = s->ReceiveHistory(link, wait);
  if (notices != nullptr) {
    notices->push_back(
        history.ok()
            ? Notice{Notice::Kind::kInfo,
                     std::to_string(*history) + " message(s) of history received"}
            : Notice{Notice::Kind::kWarning, "no history received: " + history.error().message});
  }
  return std::unique_ptr<Engine>(new Engine(std::move(s)));
}

Result<std::vector<Notice>> Engine::RemoveDevice(const std::string& device_id) {
  if (!s_->account_key) {
    return MakeError(Errc::kPermissionDenied,
                     "only the device holding the account key can remove devices");
  }
  if (device_id == device_id_) {
    return MakeError(Errc::kInvalidArgument, "a device cannot remove itself here");
  }
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList own, s_->OwnList());
  kt::DeviceListTBS next = own.list;
  next.sequence += 1;
  const auto before = next.devices.size();
  next.devices.erase(
      std::remove_if(next.devices.begin(), next.devices.end(),
                     [&](const kt::Device& d) { return AsStringView(d.device_id) == device_id; }),
      next.devices.end());
  if (next.devices.size() == before) {
    return MakeError(Errc::kNotFound, "this account has no device " + device_id);
  }
  CANDOR_ASSIGN_OR_RETURN(kt::DeviceList list,
                          kt::SignDeviceList(*s_->account_key, AsBytes(s_->handle), next));
  CANDOR_TRY(s_->PublishOwnList(list));
  std::vector<Notice> notices;
  CANDOR_TRY(s_->SyncOwnDevices(&notices));
  notices.push_back({Notice::Kind::kInfo, "device " + device_id + " removed from " + handle_ +
                                              " and from every conversation"});
  return notices;
}

}  // namespace candor::client
