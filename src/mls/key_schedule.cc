#include "candor/mls/key_schedule.h"

#include <string>
#include <string_view>
#include <utility>

#include "candor/crypto/constant_time.h"

namespace candor::mls {
namespace {

constexpr std::string_view kExternalInitLabel = "MLS 1.0 external init secret";

// CheckNh rejects a secret whose length is not Nh (the schedule's inputs are all Nh bytes).
Status CheckNh(const CipherSuiteParams& cs, ByteView secret, std::string_view name) {
  if (secret.size() != cs.nh) {
    return MakeError(Errc::kInvalidArgument,
                     std::string("key schedule: ") + std::string(name) + " must be Nh bytes");
  }
  return OkStatus();
}

Bytes Concat(ByteView a, ByteView b) {
  Bytes out;
  out.reserve(a.size() + b.size());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

Result<SecretBytes> JoinerSecret(const CipherSuiteParams& cs, ByteView init_secret,
                                 ByteView commit_secret, ByteView group_context) {
  CANDOR_TRY(CheckNh(cs, init_secret, "init_secret"));
  CANDOR_TRY(CheckNh(cs, commit_secret, "commit_secret"));
  SecretBytes extracted = KdfExtract(cs, init_secret, commit_secret);
  return ExpandWithLabel(cs, extracted.view(), "joiner", group_context, cs.nh);
}

Result<SecretBytes> WelcomeSecret(const CipherSuiteParams& cs, ByteView joiner_secret,
                                  ByteView psk_secret) {
  CANDOR_TRY(CheckNh(cs, joiner_secret, "joiner_secret"));
  CANDOR_TRY(CheckNh(cs, psk_secret, "psk_secret"));
  SecretBytes member = KdfExtract(cs, joiner_secret, psk_secret);
  return DeriveSecret(cs, member.view(), "welcome");
}

Result<SecretBytes> WelcomeKey(const CipherSuiteParams& cs, ByteView welcome_secret) {
  return ExpandWithLabel(cs, welcome_secret, "key", {}, cs.nk);
}

Result<SecretBytes> WelcomeNonce(const CipherSuiteParams& cs, ByteView welcome_secret) {
  return ExpandWithLabel(cs, welcome_secret, "nonce", {}, cs.nn);
}

Result<KeyScheduleEpoch> KeyScheduleEpoch::Create(const CipherSuiteParams& cs, ByteView init_secret,
                                                  ByteView commit_secret, ByteView psk_secret,
                                                  ByteView group_context) {
  CANDOR_ASSIGN_OR_RETURN(SecretBytes joiner,
                          JoinerSecret(cs, init_secret, commit_secret, group_context));
  return FromJoinerSecret(cs, joiner.view(), psk_secret, group_context);
}

Result<KeyScheduleEpoch> KeyScheduleEpoch::FromJoinerSecret(const CipherSuiteParams& cs,
                                                            ByteView joiner_secret,
                                                            ByteView psk_secret,
                                                            ByteView group_context) {
  CANDOR_TRY(CheckNh(cs, joiner_secret, "joiner_secret"));
  CANDOR_TRY(CheckNh(cs, psk_secret, "psk_secret"));
  KeyScheduleEpoch e(cs);
  e.joiner_secret_ = SecretBytes(joiner_secret);
  SecretBytes member = KdfExtract(cs, joiner_secret, psk_secret);
  CANDOR_ASSIGN_OR_RETURN(e.welcome_secret_, DeriveSecret(cs, member.view(), "welcome"));
  CANDOR_ASSIGN_OR_RETURN(e.epoch_secret_,
                          ExpandWithLabel(cs, member.view(), "epoch", group_context, cs.nh));
  const ByteView epoch = e.epoch_secret_.view();
  CANDOR_ASSIGN_OR_RETURN(e.sender_data_secret_, DeriveSecret(cs, epoch, "sender data"));
  CANDOR_ASSIGN_OR_RETURN(e.encryption_secret_, DeriveSecret(cs, epoch, "encryption"));
  CANDOR_ASSIGN_OR_RETURN(e.exporter_secret_, DeriveSecret(cs, epoch, "exporter"));
  CANDOR_ASSIGN_OR_RETURN(e.external_secret_, DeriveSecret(cs, epoch, "external"));
  CANDOR_ASSIGN_OR_RETURN(e.confirmation_key_, DeriveSecret(cs, epoch, "confirm"));
  CANDOR_ASSIGN_OR_RETURN(e.membership_key_, DeriveSecret(cs, epoch, "membership"));
  CANDOR_ASSIGN_OR_RETURN(e.resumption_psk_, DeriveSecret(cs, epoch, "resumption"));
  CANDOR_ASSIGN_OR_RETURN(e.epoch_authenticator_, DeriveSecret(cs, epoch, "authentication"));
  CANDOR_ASSIGN_OR_RETURN(e.init_secret_, DeriveSecret(cs, epoch, "init"));
  return e;
}

Result<crypto::HpkeKeyPair> KeyScheduleEpoch::ExternalKeyPair() const {
  return crypto::DeriveKeyPair(cs_->kem, external_secret_.view());
}

Result<SecretBytes> KeyScheduleEpoch::MlsExporter(ByteView label, ByteView context,
                                                  uint16_t length) const {
  CANDOR_ASSIGN_OR_RETURN(SecretBytes derived,
                          DeriveSecret(*cs_, exporter_secret_.view(), AsStringView(label)));
  return ExpandWithLabel(*cs_, derived.view(), "exported", Hash(*cs_, context), length);
}

Result<ExternalInitKeys> ExternalInitSender(const CipherSuiteParams& cs, ByteView external_pub) {
  CANDOR_ASSIGN_OR_RETURN(crypto::HpkeSenderContext sender,
                          crypto::HpkeSetup(cs.hpke()).SetupS(external_pub, {}));
  ExternalInitKeys out;
  out.kem_output = std::move(sender.enc);
  CANDOR_ASSIGN_OR_RETURN(out.init_secret,
                          sender.context.Export(AsBytes(kExternalInitLabel), cs.nh));
  return out;
}

Result<SecretBytes> ExternalInitReceiver(const CipherSuiteParams& cs, ByteView external_priv,
                                         ByteView kem_output) {
  CANDOR_ASSIGN_OR_RETURN(crypto::HpkeContext context,
                          crypto::HpkeSetup(cs.hpke()).SetupR(kem_output, external_priv, {}));
  return context.Export(AsBytes(kExternalInitLabel), cs.nh);
}

Bytes ConfirmedTranscriptHash(const CipherSuiteParams& cs, ByteView interim_transcript_hash,
                              ByteView confirmed_input) {
  return Hash(cs, Concat(interim_transcript_hash, confirmed_input));
}

Bytes InterimTranscriptHash(const CipherSuiteParams& cs, ByteView confirmed_transcript_hash,
                            ByteView interim_input) {
  return Hash(cs, Concat(confirmed_transcript_hash, interim_input));
}

Bytes ConfirmationTag(const CipherSuiteParams& cs, ByteView confirmation_key,
                      ByteView confirmed_transcript_hash) {
  return Mac(cs, confirmation_key, confirmed_transcript_hash);
}

Status VerifyConfirmationTag(const CipherSuiteParams& cs, ByteView confirmation_key,
                             ByteView confirmed_transcript_hash, ByteView tag) {
  Bytes expected = ConfirmationTag(cs, confirmation_key, confirmed_transcript_hash);
  if (!crypto::ConstantTimeEqual(expected, tag)) return VerifyFailed();
  return OkStatus();
}

Bytes MembershipTag(const CipherSuiteParams& cs, ByteView membership_key,
                    ByteView authenticated_content_tbm) {
  return Mac(cs, membership_key, authenticated_content_tbm);
}

Status VerifyMembershipTag(const CipherSuiteParams& cs, ByteView membership_key,
                           ByteView authenticated_content_tbm, ByteView tag) {
  Bytes expected = MembershipTag(cs, membership_key, authenticated_content_tbm);
  if (!crypto::ConstantTimeEqual(expected, tag)) return VerifyFailed();
  return OkStatus();
}

}  // namespace candor::mls
