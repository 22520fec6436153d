// key_package_ops.h: creating and validating KeyPackages (RFC 9420 §10, §10.1) and the hash
// references of §5.2 (KeyPackageRef, ProposalRef).
#pragma once

#include <cstdint>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/credential.h"
#include "candor/mls/extensions.h"
#include "candor/mls/framing.h"
#include "candor/mls/key_package.h"
#include "candor/mls/leaf_node.h"

namespace candor::mls {

// KeyPackageWithKeys is a fresh KeyPackage and the private keys its owner must keep: the HPKE
// private key of `init_key` (used once, to open the Welcome) and of the LeafNode's
// `encryption_key` (kept while the leaf is in the tree). Move-only.
struct KeyPackageWithKeys {
  KeyPackage key_package;
  SecretBytes init_private_key;
  SecretBytes encryption_private_key;
};

// DefaultCapabilities lists what this implementation supports (RFC 9420 §7.2): versions
// {mls10}, cipher_suites {suite}, credentials {basic} plus `credential_type` if different, and
// the non-default extension types `extension_types` (those of the LeafNode's own extensions
// must be among them). Default proposal and extension types (1-7, 1-5) are not listed, as
// §7.2 requires. Deterministic.
Capabilities DefaultCapabilities(CipherSuite suite, CredentialType credential_type,
                                 const std::vector<ExtensionType>& extension_types = {});

// CreateKeyPackage makes a KeyPackage for `cs` (RFC 9420 §10): fresh init and leaf encryption
// key pairs, a LeafNode {encryption_key, signer's public key, `credential`,
// DefaultCapabilities (with the types of `leaf_extensions`), leaf_node_source key_package,
// `lifetime`, `leaf_extensions`} signed with SignWithLabel("LeafNodeTBS"), and the KeyPackage with
// `extensions` signed with SignWithLabel("KeyPackageTBS"). Randomized. Returns kInvalidArgument if
// `signer` is not of the suite's signature scheme or `lifetime.not_before > lifetime.not_after`.
Result<KeyPackageWithKeys> CreateKeyPackage(const CipherSuiteParams& cs,
                                            const crypto::SignaturePrivateKey& signer,
                                            Credential credential, Lifetime lifetime,
                                            std::vector<Extension> extensions = {},
                                            std::vector<Extension> leaf_extensions = {});

// ValidateKeyPackage applies RFC 9420 §10.1 to a received KeyPackage for a group of suite `cs`
// at time `now` (seconds since the Unix epoch): version mls10, cipher_suite equal to cs.suite,
// the KeyPackage signature (KeyPackageTBS) and the LeafNode signature (LeafNodeTBS) under
// leaf_node.signature_key, leaf_node_source key_package, not_before <= now <= not_after,
// init_key != leaf_node.encryption_key, both HPKE keys valid for the suite, the credential
// type listed in the LeafNode's capabilities and every non-default LeafNode extension type too
// (§7.2, §7.3). A bad signature is kVerifyFailed; every other
// violation is kMalformed naming the rule. Keeps no reference to its arguments.
Status ValidateKeyPackage(const CipherSuiteParams& cs, const KeyPackage& key_package, uint64_t now);

// MakeKeyPackageRef returns RefHash("MLS 1.0 KeyPackage Reference", KeyPackage) (RFC 9420
// §5.2), Nh bytes.
Bytes MakeKeyPackageRef(const CipherSuiteParams& cs, const KeyPackage& key_package);

// MakeProposalRef returns RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent)
// (RFC 9420 §5.2) of a proposal sent by reference, Nh bytes.
Bytes MakeProposalRef(const CipherSuiteParams& cs, const AuthenticatedContent& content);

}  // namespace candor::mls
