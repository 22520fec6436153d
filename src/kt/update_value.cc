#include "candor/kt/update_value.h"

#include <algorithm>

#include "candor/crypto/hash.h"
#include "codec_internal.h"

namespace candor::kt {
namespace {

// Own copies a view returned by the reader into owned bytes.
Bytes Own(ByteView view) { return {view.begin(), view.end()}; }

// ReadOpening reads `opaque opening[Nc]`.
Result<Opening> ReadOpening(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView view, r.Fixed(kOpeningSize, field));
  Opening out{};
  std::copy(view.begin(), view.end(), out.begin());
  return out;
}

}  // namespace

Result<UpdateSuffix> UpdateSuffix::Decode(tls::Reader& r, DeploymentMode mode) {
  UpdateSuffix s;
  if (mode == DeploymentMode::thirdPartyManagement) {
    CANDOR_ASSIGN_OR_RETURN(ByteView sig, r.Opaque16("UpdateSuffix.signature"));
    s.signature = Own(sig);
  }
  return s;
}

void UpdateSuffix::Encode(tls::Writer& w, DeploymentMode mode) const {
  if (mode == DeploymentMode::thirdPartyManagement) w.Opaque16(signature);
}

Result<UpdateValue> UpdateValue::Decode(tls::Reader& r, DeploymentMode mode) {
  UpdateValue v;
  CANDOR_ASSIGN_OR_RETURN(ByteView value, r.Opaque32("UpdateValue.value"));
  v.value = Own(value);
  CANDOR_ASSIGN_OR_RETURN(v.suffix, UpdateSuffix::Decode(r, mode));
  return v;
}

void UpdateValue::Encode(tls::Writer& w, DeploymentMode mode) const {
  w.Opaque32(value);
  suffix.Encode(w, mode);
}

Result<UpdateTBS> UpdateTBS::Decode(tls::Reader& r) {
  UpdateTBS t;
  CANDOR_ASSIGN_OR_RETURN(t.config, Configuration::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(ByteView label, r.Opaque8("UpdateTBS.label"));
  t.label = Own(label);
  CANDOR_ASSIGN_OR_RETURN(t.version, r.U32("UpdateTBS.version"));
  CANDOR_ASSIGN_OR_RETURN(ByteView value, r.Opaque32("UpdateTBS.value"));
  t.value = Own(value);
  return t;
}

void UpdateTBS::Encode(tls::Writer& w) const {
  config.Encode(w);
  w.Opaque8(label);
  w.U32(version);
  w.Opaque32(value);
}

Result<CommitmentValue> CommitmentValue::Decode(tls::Reader& r, DeploymentMode mode) {
  CommitmentValue c;
  CANDOR_ASSIGN_OR_RETURN(c.opening, ReadOpening(r, "CommitmentValue.opening"));
  CANDOR_ASSIGN_OR_RETURN(ByteView label, r.Opaque8("CommitmentValue.label"));
  c.label = Own(label);
  CANDOR_ASSIGN_OR_RETURN(c.version, r.U32("CommitmentValue.version"));
  CANDOR_ASSIGN_OR_RETURN(c.update, UpdateValue::Decode(r, mode));
  return c;
}

void CommitmentValue::Encode(tls::Writer& w, DeploymentMode mode) const {
  w.Raw(opening);
  w.Opaque8(label);
  w.U32(version);
  update.Encode(w, mode);
}

HashValue Commit(ByteView opening, ByteView label, uint32_t version, const UpdateValue& update,
                 DeploymentMode mode) {
  CANDOR_CHECK(opening.size() == kOpeningSize);
  CANDOR_CHECK(label.size() <= 0xff);
  // CommitmentValue is written field by field so `update` is not copied.
  tls::Writer w;
  w.Raw(opening);
  w.Opaque8(label);
  w.U32(version);
  update.Encode(w, mode);
  const Bytes tag = crypto::Hmac(crypto::HashId::kSha256, kCommitmentKey, w.bytes());
  CANDOR_CHECK(tag.size() == kHashSize);
  HashValue out{};
  std::copy(tag.begin(), tag.end(), out.begin());
  return out;
}

Bytes VrfInput(ByteView label, uint32_t version) {
  CANDOR_CHECK(label.size() <= 0xff);
  tls::Writer w;
  w.Opaque8(label);
  w.U32(version);
  return w.Take();
}

namespace {

// Truncate returns the first VRF.Nh = 32 bytes of a VRF output (beta is 32 or 64 bytes).
Hash32 Truncate(ByteView beta) {
  CANDOR_CHECK(beta.size() >= kVrfOutputSize);
  Hash32 out{};
  std::copy_n(beta.begin(), kVrfOutputSize, out.begin());
  return out;
}

}  // namespace

VrfResult VrfEvaluate(const crypto::VrfPrivateKey& key, ByteView label, uint32_t version) {
  VrfResult result;
  result.proof = key.Prove(VrfInput(label, version));
  auto beta = crypto::VrfProofToHash(key.suite(), result.proof);
  CANDOR_CHECK(beta.ok());  // a proof we just made always decodes
  result.output = Truncate(*beta);
  return result;
}

Hash32 VrfOutput(const crypto::VrfPrivateKey& key, ByteView label, uint32_t version) {
  return Truncate(key.Evaluate(VrfInput(label, version)));
}

Result<Hash32> VrfVerifyOutput(const CipherSuiteParams& suite, ByteView vrf_public_key,
                               ByteView label, uint32_t version, ByteView proof) {
  if (label.size() > 0xff) return MakeError(Errc::kInvalidArgument, "VrfInput.label: over 255");
  if (proof.size() != suite.vrf_proof_size) return VerifyFailed();
  auto beta = crypto::VrfVerify(suite.vrf, vrf_public_key, VrfInput(label, version), proof);
  if (!beta.ok() || beta->size() < kVrfOutputSize) return VerifyFailed();
  return Truncate(*beta);
}

Bytes SignUpdate(const crypto::SignaturePrivateKey& key, const Configuration& config,
                 ByteView label, uint32_t version, ByteView value) {
  const UpdateTBS tbs{config, Own(label), version, Own(value)};
  return SuiteSign(config.ciphersuite, key, tls::Encode(tbs));
}

Status VerifyUpdate(const Configuration& config, ByteView label, uint32_t version,
                    const UpdateValue& update) {
  if (config.mode != DeploymentMode::thirdPartyManagement) return OkStatus();
  if (label.size() > 0xff) return VerifyFailed();
  const UpdateTBS tbs{config, Own(label), version, update.value};
  return SuiteVerify(config.ciphersuite, config.leaf_public_key, tls::Encode(tbs),
                     update.suffix.signature);
}

}  // namespace candor::kt
