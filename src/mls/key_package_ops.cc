#include "candor/mls/key_package_ops.h"

#include <algorithm>
#include <utility>

#include "candor/base/tls.h"
#include "candor/crypto/hpke.h"
#include "candor/mls/leaf_node_signature.h"

namespace candor::mls {
namespace {

template <class T, class V>
bool Contains(const std::vector<T>& list, V value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

Capabilities DefaultCapabilities(CipherSuite suite, CredentialType credential_type,
                                 const std::vector<ExtensionType>& extension_types) {
  Capabilities caps;
  caps.versions = {ProtocolVersion::mls10};
  caps.cipher_suites = {suite};
  caps.credentials = {static_cast<uint16_t>(CredentialType::basic)};
  if (credential_type != CredentialType::basic) {
    caps.credentials.push_back(static_cast<uint16_t>(credential_type));
  }
  for (ExtensionType t : extension_types) {
    // Default extension types (1-5) must not be listed (RFC 9420 §7.2).
    if (t >= kApplicationId && t <= kExternalSenders) continue;
    if (!Contains(caps.extensions, t)) caps.extensions.push_back(t);
  }
  return caps;
}

Result<KeyPackageWithKeys> CreateKeyPackage(const CipherSuiteParams& cs,
                                            const crypto::SignaturePrivateKey& signer,
                                            Credential credential, Lifetime lifetime,
                                            std::vector<Extension> extensions,
                                            std::vector<Extension> leaf_extensions) {
  if (signer.scheme() != cs.signature) {
    return MakeError(Errc::kInvalidArgument, "CreateKeyPackage: signer scheme is not the suite's");
  }
  if (lifetime.not_before > lifetime.not_after) {
    return MakeError(Errc::kInvalidArgument, "CreateKeyPackage: not_before > not_after");
  }
  crypto::HpkeKeyPair init = crypto::GenerateKeyPair(cs.kem);
  crypto::HpkeKeyPair leaf_keys = crypto::GenerateKeyPair(cs.kem);

  std::vector<ExtensionType> leaf_types;
  leaf_types.reserve(leaf_extensions.size());
  for (const Extension& e : leaf_extensions) leaf_types.push_back(e.extension_type);

  KeyPackageWithKeys out;
  KeyPackage& kp = out.key_package;
  kp.version = ProtocolVersion::mls10;
  kp.cipher_suite = cs.suite;
  kp.init_key = init.public_key;
  LeafNode& leaf = kp.leaf_node;
  leaf.encryption_key = leaf_keys.public_key;
  leaf.signature_key = signer.public_key();
  leaf.capabilities = DefaultCapabilities(cs.suite, credential.credential_type, leaf_types);
  leaf.credential = std::move(credential);
  leaf.leaf_node_source = LeafNodeSource::key_package;
  leaf.lifetime = lifetime;
  leaf.extensions = std::move(leaf_extensions);
  CANDOR_TRY(SignLeafNode(cs, signer, {}, 0, leaf));
  kp.extensions = std::move(extensions);
  CANDOR_ASSIGN_OR_RETURN(
      kp.signature, SignWithLabel(cs, signer, "KeyPackageTBS", tls::Encode(KeyPackageTBS::Of(kp))));
  out.init_private_key = std::move(init.private_key);
  out.encryption_private_key = std::move(leaf_keys.private_key);
  return out;
}

Status ValidateKeyPackage(const CipherSuiteParams& cs, const KeyPackage& kp, uint64_t now) {
  const LeafNode& leaf = kp.leaf_node;
  if (kp.version != ProtocolVersion::mls10) {
    return MakeError(Errc::kMalformed, "KeyPackage.version: not mls10");
  }
  if (kp.cipher_suite != cs.suite) {
    return MakeError(Errc::kMalformed, "KeyPackage.cipher_suite: not the group's");
  }
  if (leaf.leaf_node_source != LeafNodeSource::key_package) {
    return MakeError(Errc::kMalformed, "KeyPackage.leaf_node.leaf_node_source: not key_package");
  }
  if (!VerifyWithLabel(cs, leaf.signature_key, "KeyPackageTBS", tls::Encode(KeyPackageTBS::Of(kp)),
                       kp.signature)
           .ok() ||
      !VerifyLeafNode(cs, leaf, {}, 0).ok()) {
    return VerifyFailed();
  }
  if (now < leaf.lifetime.not_before || now > leaf.lifetime.not_after) {
    return MakeError(Errc::kMalformed, "KeyPackage.leaf_node.lifetime: not valid now");
  }
  if (kp.init_key == leaf.encryption_key) {
    return MakeError(Errc::kMalformed, "KeyPackage.init_key: equals leaf_node.encryption_key");
  }
  if (!crypto::ValidatePublicKey(cs.kem, kp.init_key).ok()) {
    return MakeError(Errc::kMalformed, "KeyPackage.init_key: not a valid HPKE public key");
  }
  if (!crypto::ValidatePublicKey(cs.kem, leaf.encryption_key).ok()) {
    return MakeError(Errc::kMalformed, "KeyPackage.leaf_node.encryption_key: not a valid key");
  }
  if (!Contains(leaf.capabilities.credentials,
                static_cast<uint16_t>(leaf.credential.credential_type))) {
    return MakeError(Errc::kMalformed, "KeyPackage.leaf_node.capabilities: lacks credential");
  }
  for (const Extension& e : leaf.extensions) {
    const bool is_default =
        e.extension_type >= kApplicationId && e.extension_type <= kExternalSenders;
    if (!is_default && !Contains(leaf.capabilities.extensions, e.extension_type)) {
      return MakeError(Errc::kMalformed,
                       "KeyPackage.leaf_node.extensions: type not in capabilities");
    }
  }
  return {};
}

Bytes MakeKeyPackageRef(const CipherSuiteParams& cs, const KeyPackage& key_package) {
  return RefHash(cs, "MLS 1.0 KeyPackage Reference", tls::Encode(key_package));
}

Bytes MakeProposalRef(const CipherSuiteParams& cs, const AuthenticatedContent& content) {
  return RefHash(cs, "MLS 1.0 Proposal Reference", tls::Encode(content));
}

}  // namespace candor::mls
