#include "candor/mls/welcome_ops.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "candor/base/tls.h"
#include "candor/crypto/aead.h"
#include "candor/mls/key_package_ops.h"

namespace candor::mls {

Result<GroupInfo> SignGroupInfo(const CipherSuiteParams& cs, const GroupInfoTBS& tbs,
                                const crypto::SignaturePrivateKey& signer) {
  GroupInfo info;
  CANDOR_ASSIGN_OR_RETURN(info.signature,
                          SignWithLabel(cs, signer, "GroupInfoTBS", tls::Encode(tbs)));
  info.group_context = tbs.group_context;
  info.extensions = tbs.extensions;
  info.confirmation_tag = tbs.confirmation_tag;
  info.signer = tbs.signer;
  return info;
}

Status VerifyGroupInfoSignature(const CipherSuiteParams& cs, const GroupInfo& info,
                                ByteView signer_key) {
  if (!VerifyWithLabel(cs, signer_key, "GroupInfoTBS", tls::Encode(GroupInfoTBS::Of(info)),
                       info.signature)
           .ok()) {
    return VerifyFailed();
  }
  return {};
}

Status VerifyGroupInfoConfirmationTag(const KeyScheduleEpoch& epoch, const GroupInfo& info) {
  if (!VerifyConfirmationTag(epoch.cipher_suite(), epoch.confirmation_key(),
                             info.group_context.confirmed_transcript_hash, info.confirmation_tag)
           .ok()) {
    return VerifyFailed();
  }
  return {};
}

Result<Bytes> EncryptGroupInfo(const CipherSuiteParams& cs, const GroupInfo& info,
                               ByteView welcome_secret) {
  if (welcome_secret.size() != cs.nh) {
    return MakeError(Errc::kInvalidArgument, "EncryptGroupInfo: welcome_secret is not Nh bytes");
  }
  CANDOR_ASSIGN_OR_RETURN(SecretBytes key, WelcomeKey(cs, welcome_secret));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes nonce, WelcomeNonce(cs, welcome_secret));
  return crypto::AeadSeal(cs.aead, key.view(), nonce.view(), {}, tls::Encode(info));
}

Result<GroupInfo> DecryptGroupInfo(const CipherSuiteParams& cs, const Welcome& welcome,
                                   ByteView joiner_secret, ByteView psk_secret) {
  CANDOR_ASSIGN_OR_RETURN(SecretBytes welcome_secret, WelcomeSecret(cs, joiner_secret, psk_secret));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes key, WelcomeKey(cs, welcome_secret.view()));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes nonce, WelcomeNonce(cs, welcome_secret.view()));
  Result<SecretBytes> plaintext =
      crypto::AeadOpen(cs.aead, key.view(), nonce.view(), {}, welcome.encrypted_group_info);
  if (!plaintext.ok()) return VerifyFailed();
  return tls::DecodeExact<GroupInfo>(plaintext->view());
}

namespace {

// EncryptFor encrypts `secrets` to `new_member` with a prepared "Welcome" encryptor.
Result<EncryptedGroupSecrets> EncryptFor(const CipherSuiteParams& cs,
                                         const LabeledEncryptor& encryptor,
                                         const KeyPackage& new_member,
                                         const GroupSecrets& secrets) {
  tls::Writer w;
  secrets.Encode(w);
  // The encoding holds joiner_secret: keep it in a SecretBytes and wipe the writer's copy.
  Bytes raw = w.Take();
  const SecretBytes plaintext{ByteView(raw)};
  SecureZero(raw.data(), raw.size());

  Result<crypto::HpkeCiphertext> ct = encryptor.Encrypt(new_member.init_key, plaintext.view());
  if (!ct.ok()) return std::move(ct).error();
  EncryptedGroupSecrets out;
  out.new_member = MakeKeyPackageRef(cs, new_member);
  out.encrypted_group_secrets.kem_output = std::move(ct->kem_output);
  out.encrypted_group_secrets.ciphertext = std::move(ct->ciphertext);
  return out;
}

}  // namespace

Result<EncryptedGroupSecrets> EncryptGroupSecrets(const CipherSuiteParams& cs,
                                                  const KeyPackage& new_member,
                                                  const GroupSecrets& secrets,
                                                  ByteView encrypted_group_info) {
  CANDOR_ASSIGN_OR_RETURN(LabeledEncryptor encryptor,
                          LabeledEncryptor::Create(cs, "Welcome", encrypted_group_info));
  return EncryptFor(cs, encryptor, new_member, secrets);
}

Result<std::vector<EncryptedGroupSecrets>> EncryptGroupSecretsForAll(
    const CipherSuiteParams& cs, std::span<const KeyPackage* const> new_members,
    std::span<const GroupSecrets> secrets, ByteView encrypted_group_info, Executor* executor) {
  if (new_members.size() != secrets.size()) {
    return MakeError(Errc::kInvalidArgument, "EncryptGroupSecretsForAll: span lengths differ");
  }
  CANDOR_ASSIGN_OR_RETURN(LabeledEncryptor encryptor,
                          LabeledEncryptor::Create(cs, "Welcome", encrypted_group_info));
  std::vector<std::optional<Result<EncryptedGroupSecrets>>> results(new_members.size());
  auto run = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      results[i].emplace(EncryptFor(cs, encryptor, *new_members[i], secrets[i]));
    }
  };
  ParallelFor(executor, new_members.size(), kParallelWelcomeThreshold + 1, run);
  std::vector<EncryptedGroupSecrets> out;
  out.reserve(results.size());
  for (std::optional<Result<EncryptedGroupSecrets>>& r : results) {
    if (!r->ok()) return std::move(*r).error();
    out.push_back(std::move(*r).value());
  }
  return out;
}

Result<GroupSecrets> DecryptGroupSecrets(const CipherSuiteParams& cs, const Welcome& welcome,
                                         ByteView key_package_ref, ByteView init_private_key) {
  if (welcome.cipher_suite != cs.suite) {
    return MakeError(Errc::kInvalidArgument, "DecryptGroupSecrets: Welcome.cipher_suite");
  }
  for (const EncryptedGroupSecrets& egs : welcome.secrets) {
    if (!std::equal(egs.new_member.begin(), egs.new_member.end(), key_package_ref.begin(),
                    key_package_ref.end())) {
      continue;
    }
    CANDOR_ASSIGN_OR_RETURN(
        SecretBytes plaintext,
        DecryptWithLabel(cs, init_private_key, "Welcome", welcome.encrypted_group_info,
                         egs.encrypted_group_secrets.kem_output,
                         egs.encrypted_group_secrets.ciphertext));
    return tls::DecodeExact<GroupSecrets>(plaintext.view());
  }
  return MakeError(Errc::kNotFound, "Welcome.secrets: no entry for this KeyPackage");
}

}  // namespace candor::mls
