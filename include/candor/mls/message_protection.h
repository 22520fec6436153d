// message_protection.h: RFC 9420 §6 message protection over the framing.h structs: signing
// FramedContent (§6.1), PublicMessage membership tags (§6.2) and PrivateMessage encryption
// with the secret tree and the sender-data key (§6.3). Knows nothing of the ratchet tree: the
// caller supplies the sender's signature key through a SignatureKeyLookup.
#pragma once

#include <cstddef>
#include <functional>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/framing.h"
#include "candor/mls/group_context.h"
#include "candor/mls/secret_tree.h"

namespace candor::mls {

// SignatureKeyLookup returns the SignaturePublicKey of `sender` (from the ratchet tree for a
// member, the external_senders extension for an external sender, the enclosed LeafNode or
// KeyPackage for a new member). Any error it returns makes the unprotect call fail with
// kVerifyFailed. It is called at most once per message, before the call returns.
using SignatureKeyLookup = std::function<Result<Bytes>(const Sender& sender)>;

// SignFramedContent returns the AuthenticatedContent {wire_format, content, auth} with
// auth.signature = SignWithLabel(signer, "FramedContentTBS", FramedContentTBS) (RFC 9420
// §6.1); the TBS carries `context` for member and new_member_commit senders. For a commit the
// caller then sets auth.confirmation_tag (which needs the signature for the confirmed
// transcript hash). Returns kInvalidArgument if `wire_format` is not mls_public_message or
// mls_private_message, a private message has a non-member sender, `content`'s group_id or epoch
// differs from `context`'s, or `signer` is not of the suite's scheme.
Result<AuthenticatedContent> SignFramedContent(const CipherSuiteParams& cs, WireFormat wire_format,
                                               FramedContent content, const GroupContext& context,
                                               const crypto::SignaturePrivateKey& signer);

// ProtectPublic wraps signed `content` (wire_format mls_public_message) into a PublicMessage,
// adding membership_tag = MAC(membership_key, AuthenticatedContentTBM) for a member sender
// (RFC 9420 §6.2). Returns kInvalidArgument if the wire_format is wrong, a commit lacks an
// Nh-byte confirmation_tag, or the content does not belong to `context`'s group and epoch.
Result<PublicMessage> ProtectPublic(const CipherSuiteParams& cs,
                                    const AuthenticatedContent& content,
                                    const GroupContext& context, ByteView membership_key);

// UnprotectPublic checks a received PublicMessage and returns its AuthenticatedContent
// (wire_format mls_public_message): group_id and epoch must equal `context`'s; for a member
// sender the membership tag is compared in constant time before anything else is trusted;
// then the signature over FramedContentTBS is verified against the key `lookup` returns.
// Every failure (group or epoch mismatch, missing or bad tag, unknown sender, bad signature) is
// kVerifyFailed; a commit without an Nh-byte confirmation_tag is kMalformed. The commit's
// confirmation tag itself is NOT checked here (it needs the next epoch's confirmation_key).
Result<AuthenticatedContent> UnprotectPublic(const CipherSuiteParams& cs,
                                             const PublicMessage& message,
                                             const GroupContext& context, ByteView membership_key,
                                             const SignatureKeyLookup& lookup);

// VerifyPublicAsObserver is UnprotectPublic for a party outside the group (a Delivery Service,
// RFC 9750 §5.3): it checks everything UnprotectPublic does except the membership tag, which
// needs the epoch's membership_key that only members hold. Same failure codes.
Result<AuthenticatedContent> VerifyPublicAsObserver(const CipherSuiteParams& cs,
                                                    const PublicMessage& message,
                                                    const GroupContext& context,
                                                    const SignatureKeyLookup& lookup);

// ProtectPrivate encrypts signed `content` (wire_format mls_private_message, member sender)
// into a PrivateMessage (RFC 9420 §6.3): takes the next key/nonce of the sender's handshake
// (proposal, commit) or application ratchet from `tree`, XORs a fresh random 4-byte reuse guard
// into the nonce, encrypts PrivateMessageContent with `padding_len` zero bytes under
// PrivateContentAAD, then encrypts SenderData with the key and nonce derived from
// `sender_data_secret` and the ciphertext sample. Returns kInvalidArgument if the content is not
// mls_private_message from a member, a commit lacks an Nh-byte confirmation_tag, the content's
// group_id or epoch differs from `context`'s, or the ratchet is exhausted. The ratchet
// generation is consumed even if a later step fails (a sender never reuses a key).
Result<PrivateMessage> ProtectPrivate(const CipherSuiteParams& cs,
                                      const AuthenticatedContent& content,
                                      const GroupContext& context, SecretTree& tree,
                                      ByteView sender_data_secret, size_t padding_len = 0);

// UnprotectPrivate opens a PrivateMessage and returns its AuthenticatedContent (wire_format
// mls_private_message, member sender): checks group_id and epoch against `context`, decrypts
// SenderData, peeks the sender's ratchet key for its generation, decrypts the content (reuse
// guard XORed into the nonce), parses it (all-zero padding), verifies the signature against
// the key `lookup` returns, and only then deletes the key from `tree` (RFC 9420 §9.2). A call
// that fails leaves `tree` unchanged. Every cryptographic failure, a group or epoch mismatch, a
// leaf index out of range, a used or too-distant generation, and an unknown sender is
// kVerifyFailed; a decrypted plaintext that does not parse (or has non-zero padding) is
// kMalformed.
Result<AuthenticatedContent> UnprotectPrivate(const CipherSuiteParams& cs,
                                              const PrivateMessage& message,
                                              const GroupContext& context, SecretTree& tree,
                                              ByteView sender_data_secret,
                                              const SignatureKeyLookup& lookup);

}  // namespace candor::mls
