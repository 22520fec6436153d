// welcome_ops.h: the cryptography of joining by Welcome (RFC 9420 §12.4.3): signing and
// encrypting the GroupInfo and the per-member GroupSecrets (sender side), and finding,
// decrypting and verifying them (joiner side). The tree and the group state are the caller's.
#pragma once

#include <span>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/group_info.h"
#include "candor/mls/key_package.h"
#include "candor/mls/key_schedule.h"
#include "candor/mls/welcome.h"

namespace candor::mls {

// SignGroupInfo returns the GroupInfo of `tbs` with signature = SignWithLabel(signer,
// "GroupInfoTBS", GroupInfoTBS) (RFC 9420 §12.4.3). Returns kInvalidArgument if `signer` is not
// of the suite's scheme.
Result<GroupInfo> SignGroupInfo(const CipherSuiteParams& cs, const GroupInfoTBS& tbs,
                                const crypto::SignaturePrivateKey& signer);

// VerifyGroupInfoSignature checks `info.signature` over GroupInfoTBS under `signer_key` (the
// signature_key of leaf `info.signer` in the group's tree). Failure is kVerifyFailed.
Status VerifyGroupInfoSignature(const CipherSuiteParams& cs, const GroupInfo& info,
                                ByteView signer_key);

// VerifyGroupInfoConfirmationTag checks `info.confirmation_tag` against MAC(confirmation_key,
// confirmed_transcript_hash) of the epoch the joiner computed from the Welcome (RFC 9420
// §12.4.3.1) in constant time. Failure is kVerifyFailed.
Status VerifyGroupInfoConfirmationTag(const KeyScheduleEpoch& epoch, const GroupInfo& info);

// EncryptGroupInfo returns encrypted_group_info = AEAD.Seal(welcome_key, welcome_nonce, "",
// GroupInfo) with the key and nonce derived from `welcome_secret` (RFC 9420 §12.4.3.1).
// Returns kInvalidArgument if `welcome_secret` is not Nh bytes.
Result<Bytes> EncryptGroupInfo(const CipherSuiteParams& cs, const GroupInfo& info,
                               ByteView welcome_secret);

// DecryptGroupInfo derives welcome_secret from `joiner_secret` and `psk_secret` (Nh zero bytes
// without PSKs), opens `welcome.encrypted_group_info` and parses the GroupInfo. A failed AEAD
// is kVerifyFailed; a plaintext that is not exactly one GroupInfo is kMalformed;
// kInvalidArgument if a secret is not Nh bytes. The signature is not checked here.
Result<GroupInfo> DecryptGroupInfo(const CipherSuiteParams& cs, const Welcome& welcome,
                                   ByteView joiner_secret, ByteView psk_secret);

// EncryptGroupSecrets returns the EncryptedGroupSecrets for `new_member`: new_member =
// MakeKeyPackageRef(new_member) and encrypted_group_secrets = EncryptWithLabel(init_key,
// "Welcome", encrypted_group_info, GroupSecrets) (RFC 9420 §12.4.3.1). Randomized. Returns
// kMalformed for an invalid init_key.
Result<EncryptedGroupSecrets> EncryptGroupSecrets(const CipherSuiteParams& cs,
                                                  const KeyPackage& new_member,
                                                  const GroupSecrets& secrets,
                                                  ByteView encrypted_group_info);

// EncryptGroupSecretsForAll is EncryptGroupSecrets(cs, *new_members[i], secrets[i],
// encrypted_group_info) for every i, in order. The shared context is encoded and hashed once
// (LabeledEncryptor), and above kParallelWelcomeThreshold new members the HPKE encryptions are
// split over the threads of `executor` if one is given, so a Welcome to thousands of members
// costs about one X25519 key generation and one DH each. Returns the first error;
// kInvalidArgument if the spans differ in length. Keeps no reference to its arguments.
Result<std::vector<EncryptedGroupSecrets>> EncryptGroupSecretsForAll(
    const CipherSuiteParams& cs, std::span<const KeyPackage* const> new_members,
    std::span<const GroupSecrets> secrets, ByteView encrypted_group_info,
    Executor* executor = nullptr);

// kParallelWelcomeThreshold is the member count above which EncryptGroupSecretsForAll splits
// the work over an executor.
inline constexpr size_t kParallelWelcomeThreshold = 64;

// DecryptGroupSecrets finds the entry of `welcome.secrets` whose new_member equals
// `key_package_ref` (the joiner's KeyPackageRef) and opens it with DecryptWithLabel(
// init_private_key, "Welcome", encrypted_group_info). Returns kNotFound if no entry is ours,
// kVerifyFailed if decryption fails, kMalformed if the HPKE output or the plaintext does not
// parse, and kInvalidArgument if `welcome.cipher_suite` is not cs.suite.
Result<GroupSecrets> DecryptGroupSecrets(const CipherSuiteParams& cs, const Welcome& welcome,
                                         ByteView key_package_ref, ByteView init_private_key);

}  // namespace candor::mls
