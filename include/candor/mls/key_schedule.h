// key_schedule.h: the MLS epoch key schedule (RFC 9420 §8): joiner, welcome and epoch secrets,
// the secrets derived from the epoch secret (§8 table), the external key pair (§8.3), the
// exporter (§8.5) and the transcript hashes (§8.2). Takes the GroupContext already TLS-encoded.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/crypto/hpke.h"
#include "candor/mls/cipher_suite.h"

namespace candor::mls {

// JoinerSecret returns ExpandWithLabel(KDF.Extract(init_secret, commit_secret), "joiner",
// group_context, Nh). `group_context` is the TLS-encoded GroupContext of the new epoch;
// `commit_secret` is Nh zero bytes for a commit without a path. Returns kInvalidArgument if
// `init_secret` or `commit_secret` is not Nh bytes long.
Result<SecretBytes> JoinerSecret(const CipherSuiteParams& cs, ByteView init_secret,
                                 ByteView commit_secret, ByteView group_context);

// WelcomeSecret returns DeriveSecret(KDF.Extract(joiner_secret, psk_secret), "welcome"), which
// a joiner needs before it knows the GroupContext. Returns kInvalidArgument unless both inputs
// are Nh bytes long.
Result<SecretBytes> WelcomeSecret(const CipherSuiteParams& cs, ByteView joiner_secret,
                                  ByteView psk_secret);

// WelcomeKey and WelcomeNonce are ExpandWithLabel(welcome_secret, "key" / "nonce", "", AEAD.Nk /
// AEAD.Nn) (RFC 9420 §12.4.3.1). kInvalidArgument for a short `welcome_secret`.
Result<SecretBytes> WelcomeKey(const CipherSuiteParams& cs, ByteView welcome_secret);
Result<SecretBytes> WelcomeNonce(const CipherSuiteParams& cs, ByteView welcome_secret);

// KeyScheduleEpoch holds the secrets of one epoch. It is immutable once built, except that
// TakeEncryptionSecret hands encryption_secret over to the secret tree; the next epoch is a new
// object built from init_secret(). Move-only; every secret is wiped on destruction. Accessors
// return views into this object, which must remain live while they are used.
class KeyScheduleEpoch {
 public:
  // Create runs the whole schedule of RFC 9420 §8 from the previous epoch's init_secret, this
  // epoch's commit_secret and psk_secret (Nh zero bytes without PSKs, see psk_secret.h) and the
  // TLS-encoded GroupContext of this epoch. `cs` must outlive the epoch (those of
  // GetCipherSuiteParams are static). Returns kInvalidArgument if a secret is not Nh bytes.
  static Result<KeyScheduleEpoch> Create(const CipherSuiteParams& cs, ByteView init_secret,
                                         ByteView commit_secret, ByteView psk_secret,
                                         ByteView group_context);

  // FromJoinerSecret is the joiner's path (RFC 9420 §12.4.3.1): the same schedule starting at
  // the joiner_secret of GroupSecrets. Failures as Create.
  static Result<KeyScheduleEpoch> FromJoinerSecret(const CipherSuiteParams& cs,
                                                   ByteView joiner_secret, ByteView psk_secret,
                                                   ByteView group_context);

  KeyScheduleEpoch(KeyScheduleEpoch&&) noexcept = default;
  KeyScheduleEpoch& operator=(KeyScheduleEpoch&&) noexcept = default;
  ~KeyScheduleEpoch() = default;

  const CipherSuiteParams& cipher_suite() const { return *cs_; }
  ByteView joiner_secret() const { return joiner_secret_.view(); }
  ByteView welcome_secret() const { return welcome_secret_.view(); }
  ByteView epoch_secret() const { return epoch_secret_.view(); }
  ByteView sender_data_secret() const { return sender_data_secret_.view(); }
  // encryption_secret is empty once TakeEncryptionSecret was called.
  ByteView encryption_secret() const { return encryption_secret_.view(); }
  // TakeEncryptionSecret moves encryption_secret out (to build the SecretTree) so that only the
  // tree, which deletes what it has used, keeps it (RFC 9420 §9.2 deletion schedule). A second
  // call returns an empty secret.
  SecretBytes TakeEncryptionSecret() { return std::exchange(encryption_secret_, SecretBytes()); }
  ByteView exporter_secret() const { return exporter_secret_.view(); }
  ByteView external_secret() const { return external_secret_.view(); }
  ByteView confirmation_key() const { return confirmation_key_.view(); }
  ByteView membership_key() const { return membership_key_.view(); }
  ByteView resumption_psk() const { return resumption_psk_.view(); }
  ByteView epoch_authenticator() const { return epoch_authenticator_.view(); }
  // init_secret is the init_secret of the next epoch.
  ByteView init_secret() const { return init_secret_.view(); }
  // ExternalKeyPair returns KEM.DeriveKeyPair(external_secret) (RFC 9420 §8.3); its public
  // key is external_pub, its private key is held by the whole group. Derived on each call (a
  // KEM key derivation is costly and most epochs never need it). Errors as crypto::DeriveKeyPair.
  Result<crypto::HpkeKeyPair> ExternalKeyPair() const;

  // MlsExporter is MLS-Exporter(label, context, length) = ExpandWithLabel(DeriveSecret(
  // exporter_secret, label), "exported", Hash(context), length) (RFC 9420 §8.5). `label` is
  // taken as bytes. Returns kInvalidArgument if `length` > 255 * Nh.
  Result<SecretBytes> MlsExporter(ByteView label, ByteView context, uint16_t length) const;

  // Encode writes every secret of the epoch, for a member's saved state (write into a
  // tls::Writer::ForSecrets). Decode reads them back for `cs`: each secret Nh bytes (the
  // encryption_secret Nh or, once taken, 0); kMalformed names the field otherwise.
  void Encode(tls::Writer& w) const;
  static Result<KeyScheduleEpoch> Decode(const CipherSuiteParams& cs, tls::Reader& r);

 private:
  explicit KeyScheduleEpoch(const CipherSuiteParams& cs) : cs_(&cs) {}

  const CipherSuiteParams* cs_;  // static storage (GetCipherSuiteParams)
  SecretBytes joiner_secret_;
  SecretBytes welcome_secret_;
  SecretBytes epoch_secret_;
  SecretBytes sender_data_secret_;
  SecretBytes encryption_secret_;
  SecretBytes exporter_secret_;
  SecretBytes external_secret_;
  SecretBytes confirmation_key_;
  SecretBytes membership_key_;
  SecretBytes resumption_psk_;
  SecretBytes epoch_authenticator_;
  SecretBytes init_secret_;
};

// ExternalInitKeys is what a joiner by external Commit gets from ExternalInitSender: the
// `kem_output` for its ExternalInit proposal and the init_secret to use in place of the
// previous epoch's.
struct ExternalInitKeys {
  Bytes kem_output;
  SecretBytes init_secret;
};

// ExternalInitSender is the joiner's side of RFC 9420 §8.3: SetupBaseS(external_pub, "") and
// init_secret = context.export("MLS 1.0 external init secret", Nh). Randomized. Returns
// kMalformed for an invalid `external_pub`.
Result<ExternalInitKeys> ExternalInitSender(const CipherSuiteParams& cs, ByteView external_pub);

// ExternalInitReceiver is the members' side: SetupBaseR(kem_output, external_priv, "") and the
// same export. A bad `kem_output` or key is kMalformed, as crypto::HpkeSetup::SetupR reports.
Result<SecretBytes> ExternalInitReceiver(const CipherSuiteParams& cs, ByteView external_priv,
                                         ByteView kem_output);

// ConfirmedTranscriptHash returns Hash(interim_transcript_hash || confirmed_input), where
// `confirmed_input` is the encoded ConfirmedTranscriptHashInput {wire_format, content,
// signature} of the Commit (RFC 9420 §8.2). The previous interim hash is empty for epoch 0.
Bytes ConfirmedTranscriptHash(const CipherSuiteParams& cs, ByteView interim_transcript_hash,
                              ByteView confirmed_input);

// InterimTranscriptHash returns Hash(confirmed_transcript_hash || interim_input), where
// `interim_input` is the encoded InterimTranscriptHashInput {MAC confirmation_tag} (RFC 9420
// §8.2), i.e. the confirmation tag with its varint length prefix.
Bytes InterimTranscriptHash(const CipherSuiteParams& cs, ByteView confirmed_transcript_hash,
                            ByteView interim_input);

// ConfirmationTag returns MAC(confirmation_key, confirmed_transcript_hash) (RFC 9420 §6.1).
Bytes ConfirmationTag(const CipherSuiteParams& cs, ByteView confirmation_key,
                      ByteView confirmed_transcript_hash);

// VerifyConfirmationTag compares `tag` with ConfirmationTag(...) in constant time; a mismatch is
// kVerifyFailed.
Status VerifyConfirmationTag(const CipherSuiteParams& cs, ByteView confirmation_key,
                             ByteView confirmed_transcript_hash, ByteView tag);

// MembershipTag returns MAC(membership_key, authenticated_content_tbm), where the input is the
// encoded AuthenticatedContentTBM {FramedContentTBS content_tbs; FramedContentAuthData auth}
// (RFC 9420 §6.2).
Bytes MembershipTag(const CipherSuiteParams& cs, ByteView membership_key,
                    ByteView authenticated_content_tbm);

// VerifyMembershipTag compares `tag` with MembershipTag(...) in constant time; a mismatch is
// kVerifyFailed.
Status VerifyMembershipTag(const CipherSuiteParams& cs, ByteView membership_key,
                           ByteView authenticated_content_tbm, ByteView tag);

}  // namespace candor::mls
