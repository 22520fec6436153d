#include "candor/mls/message_protection.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "candor/base/tls.h"
#include "candor/crypto/aead.h"
#include "candor/crypto/random.h"
#include "candor/mls/key_schedule.h"

namespace candor::mls {
namespace {

constexpr size_t kReuseGuardLen = 4;

// HasGroupContext reports whether FramedContentTBS carries the GroupContext for `type`
// (RFC 9420 §6.1: member and new_member_commit senders).
bool HasGroupContext(SenderType type) {
  return type == SenderType::member || type == SenderType::new_member_commit;
}

bool InGroup(const FramedContent& content, const GroupContext& context) {
  return content.group_id == context.group_id && content.epoch == context.epoch;
}

// WriteTbs writes FramedContentTBS {mls10, wire_format, content, context?} without copying
// `content` into a FramedContentTBS.
void WriteTbs(tls::Writer& w, WireFormat wire_format, const FramedContent& content,
              const GroupContext& context) {
  w.U16(static_cast<uint16_t>(ProtocolVersion::mls10));
  w.U16(static_cast<uint16_t>(wire_format));
  content.Encode(w);
  if (HasGroupContext(content.sender.sender_type)) context.Encode(w);
}

// HasValidConfirmationTag reports whether `auth` has the Nh-byte confirmation tag a commit
// needs (or none, for other content).
bool HasValidConfirmationTag(const CipherSuiteParams& cs, ContentType type,
                             const FramedContentAuthData& auth) {
  if (type != ContentType::commit) return auth.confirmation_tag.empty();
  return auth.confirmation_tag.size() == cs.nh;
}

RatchetType RatchetFor(ContentType type) {
  return type == ContentType::application ? RatchetType::kApplication : RatchetType::kHandshake;
}

// XorReuseGuard XORs the reuse guard into the first four bytes of `nonce` (RFC 9420 §6.3.1).
void XorReuseGuard(SecretBytes& nonce, const std::array<uint8_t, kReuseGuardLen>& guard) {
  for (size_t i = 0; i < kReuseGuardLen && i < nonce.size(); ++i) nonce.data()[i] ^= guard[i];
}

Bytes EncodeSenderDataAad(const Bytes& group_id, uint64_t epoch, ContentType type) {
  tls::Writer w;
  w.OpaqueV(group_id);
  w.U64(epoch);
  w.U8(static_cast<uint8_t>(type));
  return w.Take();
}

Bytes EncodeContentAad(const Bytes& group_id, uint64_t epoch, ContentType type,
                       const Bytes& authenticated_data) {
  tls::Writer w;
  w.OpaqueV(group_id);
  w.U64(epoch);
  w.U8(static_cast<uint8_t>(type));
  w.OpaqueV(authenticated_data);
  return w.Take();
}

// VerifySignature looks up the sender's key and checks the FramedContentTBS signature.
Status VerifySignature(const CipherSuiteParams& cs, WireFormat wire_format,
                       const FramedContent& content, const FramedContentAuthData& auth,
                       const GroupContext& context, const SignatureKeyLookup& lookup) {
  if (!lookup) return VerifyFailed();
  Result<Bytes> key = lookup(content.sender);
  if (!key.ok()) return VerifyFailed();
  tls::Writer tbs = tls::Writer::ForSecrets();  // may hold a decrypted application message
  WriteTbs(tbs, wire_format, content, context);
  if (!VerifyWithLabel(cs, *key, "FramedContentTBS", tbs.bytes(), auth.signature).ok()) {
    return VerifyFailed();
  }
  return {};
}

}  // namespace

Result<AuthenticatedContent> SignFramedContent(const CipherSuiteParams& cs, WireFormat wire_format,
                                               FramedContent content, const GroupContext& context,
                                               const crypto::SignaturePrivateKey& signer) {
  if (wire_format != WireFormat::mls_public_message &&
      wire_format != WireFormat::mls_private_message) {
    return MakeError(Errc::kInvalidArgument, "SignFramedContent: wire_format must be a message");
  }
  if (wire_format == WireFormat::mls_private_message &&
      content.sender.sender_type != SenderType::member) {
    return MakeError(Errc::kInvalidArgument, "SignFramedContent: private sender must be member");
  }
  if (!InGroup(content, context)) {
    return MakeError(Errc::kInvalidArgument, "SignFramedContent: content not of this epoch");
  }
  tls::Writer tbs = tls::Writer::ForSecrets();  // may hold application data
  WriteTbs(tbs, wire_format, content, context);
  AuthenticatedContent out;
  CANDOR_ASSIGN_OR_RETURN(out.auth.signature,
                          SignWithLabel(cs, signer, "FramedContentTBS", tbs.bytes()));
  out.wire_format = wire_format;
  out.content = std::move(content);
  return out;
}

Result<PublicMessage> ProtectPublic(const CipherSuiteParams& cs,
                                    const AuthenticatedContent& content,
                                    const GroupContext& context, ByteView membership_key) {
  const FramedContent& fc = content.content;
  if (content.wire_format != WireFormat::mls_public_message) {
    return MakeError(Errc::kInvalidArgument, "ProtectPublic: wire_format is not public");
  }
  if (!HasValidConfirmationTag(cs, fc.content_type(), content.auth)) {
    return MakeError(Errc::kInvalidArgument, "ProtectPublic: confirmation_tag");
  }
  if (!InGroup(fc, context)) {
    return MakeError(Errc::kInvalidArgument, "ProtectPublic: content not of this epoch");
  }
  PublicMessage out;
  if (fc.sender.sender_type == SenderType::member) {
    // AuthenticatedContentTBM {FramedContentTBS content_tbs; FramedContentAuthData auth;}
    tls::Writer tbm;
    WriteTbs(tbm, WireFormat::mls_public_message, fc, context);
    content.auth.Encode(tbm, fc.content_type());
    out.membership_tag = MembershipTag(cs, membership_key, tbm.bytes());
  }
  out.content = fc;
  out.auth = content.auth;
  return out;
}

namespace {

// CheckPublic is UnprotectPublic with the membership tag checked only when `membership_key` is
// given.
Result<AuthenticatedContent> CheckPublic(const CipherSuiteParams& cs, const PublicMessage& message,
                                         const GroupContext& context,
                                         const std::optional<ByteView>& membership_key,
                                         const SignatureKeyLookup& lookup) {
  const FramedContent& fc = message.content;
  const ContentType type = fc.content_type();
  if (!HasValidConfirmationTag(cs, type, message.auth)) {
    return MakeError(Errc::kMalformed, "PublicMessage.auth.confirmation_tag: wrong length");
  }
  // RFC 9420 §6.2: application data is never sent as a PublicMessage; external senders and
  // new members sending proposals send proposals, a new member committing sends a commit.
  const SenderType sender = fc.sender.sender_type;
  const bool type_ok =
      (sender == SenderType::member && type != ContentType::application) ||
      ((sender == SenderType::external || sender == SenderType::new_member_proposal) &&
       type == ContentType::proposal) ||
      (sender == SenderType::new_member_commit && type == ContentType::commit);
  if (!type_ok) {
    return MakeError(Errc::kMalformed,
                     "PublicMessage.content: content_type not allowed for sender");
  }
  if (!InGroup(fc, context)) return VerifyFailed();
  if (sender == SenderType::member && membership_key.has_value()) {
    tls::Writer tbm;
    WriteTbs(tbm, WireFormat::mls_public_message, fc, context);
    message.auth.Encode(tbm, type);
    if (!VerifyMembershipTag(cs, *membership_key, tbm.bytes(), message.membership_tag).ok()) {
      return VerifyFailed();
    }
  }
  CANDOR_TRY(
      VerifySignature(cs, WireFormat::mls_public_message, fc, message.auth, context, lookup));
  AuthenticatedContent out;
  out.wire_format = WireFormat::mls_public_message;
  out.content = fc;
  out.auth = message.auth;
  return out;
}

}  // namespace

Result<AuthenticatedContent> UnprotectPublic(const CipherSuiteParams& cs,
                                             const PublicMessage& message,
                                             const GroupContext& context, ByteView membership_key,
                                             const SignatureKeyLookup& lookup) {
  return CheckPublic(cs, message, context, membership_key, lookup);
}

Result<AuthenticatedContent> VerifyPublicAsObserver(const CipherSuiteParams& cs,
                                                    const PublicMessage& message,
                                                    const GroupContext& context,
                                                    const SignatureKeyLookup& lookup) {
  return CheckPublic(cs, message, context, std::nullopt, lookup);
}

Result<PrivateMessage> ProtectPrivate(const CipherSuiteParams& cs,
                                      const AuthenticatedContent& content,
                                      const GroupContext& context, SecretTree& tree,
                                      ByteView sender_data_secret, size_t padding_len) {
  const FramedContent& fc = content.content;
  const ContentType type = fc.content_type();
  if (content.wire_format != WireFormat::mls_private_message ||
      fc.sender.sender_type != SenderType::member) {
    return MakeError(Errc::kInvalidArgument, "ProtectPrivate: not a private member message");
  }
  if (!HasValidConfirmationTag(cs, type, content.auth)) {
    return MakeError(Errc::kInvalidArgument, "ProtectPrivate: confirmation_tag");
  }
  if (!InGroup(fc, context)) {
    return MakeError(Errc::kInvalidArgument, "ProtectPrivate: content not of this epoch");
  }
  if (sender_data_secret.size() < cs.nh) {
    return MakeError(Errc::kInvalidArgument, "ProtectPrivate: sender_data_secret too short");
  }
  const uint32_t leaf = fc.sender.leaf_index;
  CANDOR_ASSIGN_OR_RETURN(KeyAndNonce kn, tree.NextSendKey(leaf, RatchetFor(type)));

  SenderData sender_data;
  sender_data.leaf_index = leaf;
  sender_data.generation = kn.generation;
  crypto::FillRandom(sender_data.reuse_guard.data(), sender_data.reuse_guard.size());
  XorReuseGuard(kn.nonce, sender_data.reuse_guard);

  // PrivateMessageContent {content; auth; padding}, in a buffer wiped when freed.
  tls::Writer pt = tls::Writer::ForSecrets();
  PrivateMessageContent pmc;
  pmc.content = fc.content;
  pmc.auth = content.auth;
  pmc.length_of_padding = padding_len;
  pmc.Encode(pt);
  PrivateMessage out;
  out.group_id = fc.group_id;
  out.epoch = fc.epoch;
  out.content_type = type;
  out.authenticated_data = fc.authenticated_data;
  const Bytes aad = EncodeContentAad(out.group_id, out.epoch, type, out.authenticated_data);
  CANDOR_ASSIGN_OR_RETURN(
      out.ciphertext, crypto::AeadSeal(cs.aead, kn.key.view(), kn.nonce.view(), aad, pt.bytes()));

  CANDOR_ASSIGN_OR_RETURN(SecretBytes sd_key,
                          SenderDataKey(cs, sender_data_secret, out.ciphertext));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes sd_nonce,
                          SenderDataNonce(cs, sender_data_secret, out.ciphertext));
  const Bytes sd_aad = EncodeSenderDataAad(out.group_id, out.epoch, type);
  CANDOR_ASSIGN_OR_RETURN(
      out.encrypted_sender_data,
      crypto::AeadSeal(cs.aead, sd_key.view(), sd_nonce.view(), sd_aad, tls::Encode(sender_data)));
  return out;
}

Result<AuthenticatedContent> UnprotectPrivate(const CipherSuiteParams& cs,
                                              const PrivateMessage& message,
                                              const GroupContext& context, SecretTree& tree,
                                              ByteView sender_data_secret,
                                              const SignatureKeyLookup& lookup) {
  if (message.group_id != context.group_id || message.epoch != context.epoch) {
    return VerifyFailed();
  }
  const ContentType type = message.content_type;
  // SenderData, under the key and nonce derived from the ciphertext sample (§6.3.2).
  CANDOR_ASSIGN_OR_RETURN(SecretBytes sd_key,
                          SenderDataKey(cs, sender_data_secret, message.ciphertext));
  CANDOR_ASSIGN_OR_RETURN(SecretBytes sd_nonce,
                          SenderDataNonce(cs, sender_data_secret, message.ciphertext));
  const Bytes sd_aad = EncodeSenderDataAad(message.group_id, message.epoch, type);
  Result<SecretBytes> sd_plain = crypto::AeadOpen(cs.aead, sd_key.view(), sd_nonce.view(), sd_aad,
                                                  message.encrypted_sender_data);
  if (!sd_plain.ok()) return VerifyFailed();
  CANDOR_ASSIGN_OR_RETURN(SenderData sender_data, tls::DecodeExact<SenderData>(sd_plain->view()));

  // The ratchet key, peeked: it is deleted only once the message has fully verified.
  const uint32_t leaf = sender_data.leaf_index;
  if (leaf >= tree.num_leaves()) return VerifyFailed();
  const RatchetType ratchet = RatchetFor(type);
  Result<KeyAndNonce> kn = tree.PeekReceiveKey(leaf, ratchet, sender_data.generation);
  if (!kn.ok()) return VerifyFailed();
  XorReuseGuard(kn->nonce, sender_data.reuse_guard);
  const Bytes aad =
      EncodeContentAad(message.group_id, message.epoch, type, message.authenticated_data);
  Result<SecretBytes> plaintext =
      crypto::AeadOpen(cs.aead, kn->key.view(), kn->nonce.view(), aad, message.ciphertext);
  if (!plaintext.ok()) return VerifyFailed();
  CANDOR_ASSIGN_OR_RETURN(PrivateMessageContent pmc,
                          PrivateMessageContent::Decode(plaintext->view(), type));
  if (!HasValidConfirmationTag(cs, type, pmc.auth)) {
    return MakeError(Errc::kMalformed, "PrivateMessageContent.auth.confirmation_tag: length");
  }

  AuthenticatedContent out;
  out.wire_format = WireFormat::mls_private_message;
  out.content.group_id = message.group_id;
  out.content.epoch = message.epoch;
  out.content.sender = Sender{SenderType::member, leaf, 0};
  out.content.authenticated_data = message.authenticated_data;
  out.content.content = std::move(pmc.content);
  out.auth = std::move(pmc.auth);
  // Everything verified: now delete the key (and keep the skipped ones, RFC 9420 §9.2).
  // Otherwise a decrypted application message is wiped before it is dropped.
  if (!VerifySignature(cs, WireFormat::mls_private_message, out.content, out.auth, context, lookup)
           .ok() ||
      !tree.ReceiveKey(leaf, ratchet, sender_data.generation).ok()) {
    if (auto* data = std::get_if<Bytes>(&out.content.content))
      SecureZero(data->data(), data->size());
    return VerifyFailed();
  }
  return out;
}

}  // namespace candor::mls
