#include "candor/mls/proposals.h"

#include "codec_internal.h"

namespace candor::mls {

using internal::ReadOpaqueV;

Result<PreSharedKeyID> PreSharedKeyID::Decode(tls::Reader& r) {
  PreSharedKeyID id;
  CANDOR_ASSIGN_OR_RETURN(uint8_t type, r.U8("PreSharedKeyID.psktype"));
  switch (type) {
    case static_cast<uint8_t>(PSKType::external): {
      id.psktype = PSKType::external;
      CANDOR_ASSIGN_OR_RETURN(id.psk_id, ReadOpaqueV(r, "PreSharedKeyID.psk_id"));
      break;
    }
    case static_cast<uint8_t>(PSKType::resumption): {
      id.psktype = PSKType::resumption;
      CANDOR_ASSIGN_OR_RETURN(uint8_t usage, r.U8("PreSharedKeyID.usage"));
      if (usage < static_cast<uint8_t>(ResumptionPSKUsage::application) ||
          usage > static_cast<uint8_t>(ResumptionPSKUsage::branch)) {
        return internal::UnknownValue("PreSharedKeyID.usage", usage);
      }
      id.usage = static_cast<ResumptionPSKUsage>(usage);
      CANDOR_ASSIGN_OR_RETURN(id.psk_group_id, ReadOpaqueV(r, "PreSharedKeyID.psk_group_id"));
      CANDOR_ASSIGN_OR_RETURN(id.psk_epoch, r.U64("PreSharedKeyID.psk_epoch"));
      break;
    }
    default:
      return internal::UnknownValue("PreSharedKeyID.psktype", type);
  }
  CANDOR_ASSIGN_OR_RETURN(id.psk_nonce, ReadOpaqueV(r, "PreSharedKeyID.psk_nonce"));
  return id;
}

void PreSharedKeyID::Encode(tls::Writer& w) const {
  w.U8(static_cast<uint8_t>(psktype));
  if (psktype == PSKType::external) {
    w.OpaqueV(psk_id);
  } else {
    w.U8(static_cast<uint8_t>(usage));
    w.OpaqueV(psk_group_id);
    w.U64(psk_epoch);
  }
  w.OpaqueV(psk_nonce);
}

Result<Add> Add::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(KeyPackage kp, KeyPackage::Decode(r));
  return Add{std::move(kp)};
}

void Add::Encode(tls::Writer& w) const { key_package.Encode(w); }

Result<Update> Update::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(LeafNode leaf, LeafNode::Decode(r));
  return Update{std::move(leaf)};
}

void Update::Encode(tls::Writer& w) const { leaf_node.Encode(w); }

Result<Remove> Remove::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint32_t removed, r.U32("Remove.removed"));
  return Remove{removed};
}

void Remove::Encode(tls::Writer& w) const { w.U32(removed); }

Result<PreSharedKey> PreSharedKey::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(PreSharedKeyID psk, PreSharedKeyID::Decode(r));
  return PreSharedKey{std::move(psk)};
}

void PreSharedKey::Encode(tls::Writer& w) const { psk.Encode(w); }

Result<ReInit> ReInit::Decode(tls::Reader& r) {
  ReInit p;
  CANDOR_ASSIGN_OR_RETURN(p.group_id, ReadOpaqueV(r, "ReInit.group_id"));
  CANDOR_ASSIGN_OR_RETURN(uint16_t version, r.U16("ReInit.version"));
  p.version = static_cast<ProtocolVersion>(version);
  CANDOR_ASSIGN_OR_RETURN(uint16_t suite, r.U16("ReInit.cipher_suite"));
  p.cipher_suite = static_cast<CipherSuite>(suite);
  CANDOR_ASSIGN_OR_RETURN(p.extensions, DecodeExtensions(r, "ReInit.extensions"));
  return p;
}

void ReInit::Encode(tls::Writer& w) const {
  w.OpaqueV(group_id);
  w.U16(static_cast<uint16_t>(version));
  w.U16(static_cast<uint16_t>(cipher_suite));
  EncodeExtensions(w, extensions);
}

Result<ExternalInit> ExternalInit::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(Bytes kem_output, ReadOpaqueV(r, "ExternalInit.kem_output"));
  return ExternalInit{std::move(kem_output)};
}

void ExternalInit::Encode(tls::Writer& w) const { w.OpaqueV(kem_output); }

Result<GroupContextExtensions> GroupContextExtensions::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(std::vector<Extension> extensions,
                          DecodeExtensions(r, "GroupContextExtensions.extensions"));
  return GroupContextExtensions{std::move(extensions)};
}

void GroupContextExtensions::Encode(tls::Writer& w) const { EncodeExtensions(w, extensions); }

ProposalType Proposal::proposal_type() const {
  // The variant's alternatives are declared in ProposalType order, starting at add = 1.
  return static_cast<ProposalType>(proposal.index() + 1);
}

namespace {

template <class T>
Result<Proposal> DecodeAs(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(T body, T::Decode(r));
  return Proposal{std::move(body)};
}

}  // namespace

Result<Proposal> Proposal::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint16_t type, r.U16("Proposal.proposal_type"));
  switch (type) {
    case static_cast<uint16_t>(ProposalType::add):
      return DecodeAs<Add>(r);
    case static_cast<uint16_t>(ProposalType::update):
      return DecodeAs<Update>(r);
    case static_cast<uint16_t>(ProposalType::remove):
      return DecodeAs<Remove>(r);
    case static_cast<uint16_t>(ProposalType::psk):
      return DecodeAs<PreSharedKey>(r);
    case static_cast<uint16_t>(ProposalType::reinit):
      return DecodeAs<ReInit>(r);
    case static_cast<uint16_t>(ProposalType::external_init):
      return DecodeAs<ExternalInit>(r);
    case static_cast<uint16_t>(ProposalType::group_context_extensions):
      return DecodeAs<GroupContextExtensions>(r);
    default:
      return internal::UnknownValue("Proposal.proposal_type", type);
  }
}

void Proposal::Encode(tls::Writer& w) const {
  w.U16(static_cast<uint16_t>(proposal_type()));
  std::visit([&w](const auto& body) { body.Encode(w); }, proposal);
}

}  // namespace candor::mls
