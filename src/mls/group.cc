#include "candor/mls/group.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <variant>

#include "candor/base/tls.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/mls_message.h"

namespace candor::mls {

namespace {

Result<MLSMessage> DecodeMessage(ByteView wire) { return tls::DecodeExact<MLSMessage>(wire); }

Bytes EncodeMessage(const MLSMessage& m) { return tls::Encode(m); }

}  // namespace

Result<Client> Client::Create(CipherSuite suite, ByteView identity) {
  CANDOR_ASSIGN_OR_RETURN(const CipherSuiteParams* cs, GetCipherSuiteParams(suite));
  Credential credential;
  credential.credential_type = CredentialType::basic;
  credential.identity.assign(identity.begin(), identity.end());
  return Client(*cs, crypto::SignaturePrivateKey::Generate(cs->signature), std::move(credential));
}

Result<Bytes> Client::NewKeyPackage() {
  CANDOR_ASSIGN_OR_RETURN(KeyPackageWithKeys kp,
                          CreateKeyPackage(*cs_, signer_, credential_,
                                           Lifetime{0, std::numeric_limits<uint64_t>::max()}));
  MLSMessage message;
  message.message = kp.key_package;
  published_.push_back(
      Published{std::move(kp.key_package),
                {std::move(kp.init_private_key), std::move(kp.encryption_private_key),
                 SecretBytes(signer_.private_key())}});
  return EncodeMessage(message);
}

Result<Group> Group::Create(Client& client, ByteView group_id) {
  CANDOR_ASSIGN_OR_RETURN(Bytes wire, client.NewKeyPackage());
  Client::Published own = std::move(client.published_.back());
  client.published_.pop_back();
  CANDOR_ASSIGN_OR_RETURN(
      GroupState state,
      GroupState::CreateGroup(own.key_package, own.keys, Bytes(group_id.begin(), group_id.end())));
  return Group(std::move(state));
}

Result<Group> Group::Join(Client& client, ByteView welcome) {
  CANDOR_ASSIGN_OR_RETURN(MLSMessage message, DecodeMessage(welcome));
  const auto* w = std::get_if<Welcome>(&message.message);
  if (w == nullptr) return MakeError(Errc::kMalformed, "MLSMessage: not a Welcome");
  for (size_t i = 0; i < client.published_.size(); ++i) {
    const Client::Published& p = client.published_[i];
    const Bytes ref = MakeKeyPackageRef(*client.cs_, p.key_package);
    const bool addressed =
        std::any_of(w->secrets.begin(), w->secrets.end(),
                    [&](const EncryptedGroupSecrets& e) { return e.new_member == ref; });
    if (!addressed) continue;
    CANDOR_ASSIGN_OR_RETURN(
        GroupState state, GroupState::JoinFromWelcome(p.key_package, p.keys, *w, std::nullopt, {}));
    client.published_.erase(client.published_.begin() + static_cast<std::ptrdiff_t>(i));
    return Group(std::move(state));
  }
  return MakeError(Errc::kNotFound, "Welcome: for none of this client's KeyPackages");
}

Result<std::pair<Group, Bytes>> Group::JoinExternal(Client& client, ByteView group_info) {
  CANDOR_ASSIGN_OR_RETURN(MLSMessage message, DecodeMessage(group_info));
  const auto* info = std::get_if<mls::GroupInfo>(&message.message);
  if (info == nullptr) return MakeError(Errc::kMalformed, "MLSMessage: not a GroupInfo");
  CANDOR_ASSIGN_OR_RETURN(Bytes wire, client.NewKeyPackage());
  Client::Published own = std::move(client.published_.back());
  client.published_.pop_back();
  CANDOR_ASSIGN_OR_RETURN(auto joined, GroupState::JoinExternal(own.key_package, own.keys, *info));
  return std::pair<Group, Bytes>(Group(std::move(joined.second)), EncodeMessage(joined.first));
}

Result<Outgoing> Group::Stage(const std::vector<Proposal>& proposals) {
  if (pending_.has_value()) {
    return MakeError(Errc::kConflict, "Group: a commit is pending (Confirm or Discard it)");
  }
  CANDOR_ASSIGN_OR_RETURN(GroupState::CommitResult result, state_.Commit(proposals));
  Outgoing out;
  out.commit = EncodeMessage(result.commit);
  if (result.welcome.has_value()) out.welcome = EncodeMessage(*result.welcome);
  pending_.emplace(std::move(result.next));
  return out;
}

Status Group::Confirm() {
  if (!pending_.has_value()) return MakeError(Errc::kNotFound, "Group: no commit is pending");
  state_ = std::move(*pending_);
  pending_.reset();
  return OkStatus();
}

Result<Outgoing> Group::Add(ByteView key_package) {
  CANDOR_ASSIGN_OR_RETURN(MLSMessage message, DecodeMessage(key_package));
  const auto* kp = std::get_if<KeyPackage>(&message.message);
  if (kp == nullptr) return MakeError(Errc::kMalformed, "MLSMessage: not a KeyPackage");
  return Stage({Proposal{mls::Add{*kp}}});
}

Result<Outgoing> Group::Remove(uint32_t leaf_index) {
  return Stage({Proposal{mls::Remove{leaf_index}}});
}

Result<Outgoing> Group::Update() { return Stage({}); }

Result<Bytes> Group::GroupInfo() const {
  CANDOR_ASSIGN_OR_RETURN(mls::GroupInfo info, state_.GroupInfoForJoiners());
  MLSMessage message;
  message.message = std::move(info);
  return EncodeMessage(message);
}

Result<Bytes> Group::Encrypt(ByteView plaintext) {
  CANDOR_ASSIGN_OR_RETURN(MLSMessage message, state_.Protect(plaintext));
  return EncodeMessage(message);
}

Result<Received> Group::Receive(ByteView wire) {
  CANDOR_ASSIGN_OR_RETURN(MLSMessage message, DecodeMessage(wire));
  ContentType type = ContentType::application;
  if (const auto* pub = std::get_if<PublicMessage>(&message.message)) {
    type = pub->content.content_type();
  } else if (const auto* priv = std::get_if<PrivateMessage>(&message.message)) {
    type = priv->content_type;
  } else {
    return MakeError(Errc::kMalformed, "MLSMessage: not a PublicMessage or PrivateMessage");
  }
  Received out;
  switch (type) {
    case ContentType::application: {
      CANDOR_ASSIGN_OR_RETURN(GroupState::ApplicationMessage app, state_.Unprotect(message));
      out.kind = Received::Kind::kApplication;
      out.sender = app.sender.value;
      out.application_data = std::move(app.application_data);
      return out;
    }
    case ContentType::proposal:
      CANDOR_TRY(state_.HandleProposal(message));
      out.kind = Received::Kind::kProposal;
      return out;
    case ContentType::commit: {
      CANDOR_ASSIGN_OR_RETURN(GroupState next, state_.HandleCommit(message));
      state_ = std::move(next);
      pending_.reset();  // another commit won this epoch
      out.kind = Received::Kind::kCommit;
      return out;
    }
  }
  return MakeError(Errc::kMalformed, "FramedContent.content_type: unknown");
}

Result<SecretBytes> Group::Export(std::string_view label, ByteView context, uint16_t length) const {
  return state_.MlsExporter(AsBytes(label), context, length);
}

}  // namespace candor::mls
