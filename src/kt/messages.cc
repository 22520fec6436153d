#include "candor/kt/messages.h"

#include <algorithm>
#include <string>

#include "codec_internal.h"

namespace candor::kt {

using internal::DecodeCounted;
using internal::DecodeHashes;
using internal::EncodeCounted;
using internal::EncodeHashes;
using internal::ReadHash;

namespace {

// Own copies a view returned by the reader into owned bytes.
Bytes Own(ByteView view) { return {view.begin(), view.end()}; }

// ReadLabel reads `opaque label<0..2^8-1>`.
Result<Bytes> ReadLabel(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView label, r.Opaque8(field));
  return Own(label);
}

// ReadOpening reads `opaque opening[Nc]`.
Result<Opening> ReadOpening(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView view, r.Fixed(kOpeningSize, field));
  Opening out{};
  std::copy(view.begin(), view.end(), out.begin());
  return out;
}

// ReadOptionalU64 / ReadOptionalU32 read `optional<uint64>` / `optional<uint32>`.
Result<std::optional<uint64_t>> ReadOptionalU64(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(bool present, r.Optional(field));
  if (!present) return std::optional<uint64_t>();
  CANDOR_ASSIGN_OR_RETURN(uint64_t v, r.U64(field));
  return std::optional<uint64_t>(v);
}

Result<std::optional<uint32_t>> ReadOptionalU32(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(bool present, r.Optional(field));
  if (!present) return std::optional<uint32_t>();
  CANDOR_ASSIGN_OR_RETURN(uint32_t v, r.U32(field));
  return std::optional<uint32_t>(v);
}

void WriteOptionalU64(tls::Writer& w, const std::optional<uint64_t>& v) {
  w.U8(v.has_value() ? 1 : 0);
  if (v.has_value()) w.U64(*v);
}

void WriteOptionalU32(tls::Writer& w, const std::optional<uint32_t>& v) {
  w.U8(v.has_value() ? 1 : 0);
  if (v.has_value()) w.U32(*v);
}

// DecodeLadder / EncodeLadder handle `BinaryLadderStep binary_ladder<...>`.
Result<std::vector<BinaryLadderStep>> DecodeLadder(tls::Reader& r, int width,
                                                   std::string_view field, const WireContext& ctx) {
  return DecodeCounted<BinaryLadderStep>(
      r, width, field, [&ctx](tls::Reader& in) { return BinaryLadderStep::Decode(in, ctx); });
}

void EncodeLadder(tls::Writer& w, int width, const std::vector<BinaryLadderStep>& ladder,
                  const WireContext& ctx) {
  EncodeCounted(w, width, ladder,
                [&ctx](tls::Writer& out, const BinaryLadderStep& step) { step.Encode(out, ctx); });
}

// DecodeEntries / EncodeEntries handle `MonitorMapEntry entries<0..2^8-1>`.
Result<std::vector<MonitorMapEntry>> DecodeEntries(tls::Reader& r, std::string_view field) {
  return DecodeCounted<MonitorMapEntry>(
      r, 1, field, [](tls::Reader& in) { return MonitorMapEntry::Decode(in); });
}

void EncodeEntries(tls::Writer& w, const std::vector<MonitorMapEntry>& entries) {
  EncodeCounted(w, 1, entries, [](tls::Writer& out, const MonitorMapEntry& e) { e.Encode(out); });
}

// DecodeLabelValues / EncodeLabelValues handle `LabelValue values<0..2^8-1>`.
Result<std::vector<LabelValue>> DecodeLabelValues(tls::Reader& r, std::string_view field) {
  return DecodeCounted<LabelValue>(r, 1, field,
                                   [](tls::Reader& in) { return LabelValue::Decode(in); });
}

void EncodeLabelValues(tls::Writer& w, const std::vector<LabelValue>& values) {
  EncodeCounted(w, 1, values, [](tls::Writer& out, const LabelValue& v) { v.Encode(out); });
}

}  // namespace

Result<WireContext> WireContext::For(const Configuration& config) {
  CANDOR_ASSIGN_OR_RETURN(CipherSuiteParams params,
                          GetCipherSuite(static_cast<uint16_t>(config.ciphersuite)));
  return WireContext{config.mode, params.vrf_proof_size};
}

Result<BinaryLadderStep> BinaryLadderStep::Decode(tls::Reader& r, const WireContext& ctx) {
  BinaryLadderStep step;
  CANDOR_ASSIGN_OR_RETURN(ByteView proof, r.Fixed(ctx.vrf_proof_size, "BinaryLadderStep.proof"));
  step.proof = Own(proof);
  CANDOR_ASSIGN_OR_RETURN(bool present, r.Optional("BinaryLadderStep.commitment"));
  if (present) {
    CANDOR_ASSIGN_OR_RETURN(step.commitment, ReadHash(r, "BinaryLadderStep.commitment"));
  }
  return step;
}

void BinaryLadderStep::Encode(tls::Writer& w, const WireContext& ctx) const {
  CANDOR_CHECK(proof.size() == ctx.vrf_proof_size);
  w.Raw(proof);
  w.U8(commitment.has_value() ? 1 : 0);
  if (commitment.has_value()) w.Raw(*commitment);
}

Result<SearchRequest> SearchRequest::Decode(tls::Reader& r) {
  SearchRequest req;
  CANDOR_ASSIGN_OR_RETURN(req.last, ReadOptionalU64(r, "SearchRequest.last"));
  CANDOR_ASSIGN_OR_RETURN(req.label, ReadLabel(r, "SearchRequest.label"));
  CANDOR_ASSIGN_OR_RETURN(req.version, ReadOptionalU32(r, "SearchRequest.version"));
  return req;
}

void SearchRequest::Encode(tls::Writer& w) const {
  WriteOptionalU64(w, last);
  w.Opaque8(label);
  WriteOptionalU32(w, version);
}

Result<SearchResponse> SearchResponse::Decode(tls::Reader& r, const WireContext& ctx,
                                              bool request_had_version) {
  SearchResponse resp;
  CANDOR_ASSIGN_OR_RETURN(resp.full_tree_head, FullTreeHead::Decode(r, ctx.mode));
  if (!request_had_version) {
    CANDOR_ASSIGN_OR_RETURN(resp.version, r.U32("SearchResponse.version"));
  }
  CANDOR_ASSIGN_OR_RETURN(resp.opening, ReadOpening(r, "SearchResponse.opening"));
  CANDOR_ASSIGN_OR_RETURN(resp.value, UpdateValue::Decode(r, ctx.mode));
  CANDOR_ASSIGN_OR_RETURN(resp.binary_ladder,
                          DecodeLadder(r, 1, "SearchResponse.binary_ladder", ctx));
  CANDOR_ASSIGN_OR_RETURN(resp.search, CombinedTreeProof::Decode(r));
  return resp;
}

void SearchResponse::Encode(tls::Writer& w, const WireContext& ctx) const {
  full_tree_head.Encode(w, ctx.mode);
  if (version.has_value()) w.U32(*version);
  w.Raw(opening);
  value.Encode(w, ctx.mode);
  EncodeLadder(w, 1, binary_ladder, ctx);
  search.Encode(w);
}

Result<MonitorMapEntry> MonitorMapEntry::Decode(tls::Reader& r) {
  MonitorMapEntry e;
  CANDOR_ASSIGN_OR_RETURN(e.position, r.U64("MonitorMapEntry.position"));
  CANDOR_ASSIGN_OR_RETURN(e.version, r.U32("MonitorMapEntry.version"));
  return e;
}

void MonitorMapEntry::Encode(tls::Writer& w) const {
  w.U64(position);
  w.U32(version);
}

Result<ContactMonitorRequest> ContactMonitorRequest::Decode(tls::Reader& r) {
  ContactMonitorRequest req;
  CANDOR_ASSIGN_OR_RETURN(req.last, ReadOptionalU64(r, "ContactMonitorRequest.last"));
  CANDOR_ASSIGN_OR_RETURN(req.label, ReadLabel(r, "ContactMonitorRequest.label"));
  CANDOR_ASSIGN_OR_RETURN(req.entries, DecodeEntries(r, "ContactMonitorRequest.entries"));
  return req;
}

void ContactMonitorRequest::Encode(tls::Writer& w) const {
  WriteOptionalU64(w, last);
  w.Opaque8(label);
  EncodeEntries(w, entries);
}

Result<ContactMonitorResponse> ContactMonitorResponse::Decode(tls::Reader& r,
                                                              const WireContext& ctx) {
  ContactMonitorResponse resp;
  CANDOR_ASSIGN_OR_RETURN(resp.full_tree_head, FullTreeHead::Decode(r, ctx.mode));
  CANDOR_ASSIGN_OR_RETURN(resp.monitor, CombinedTreeProof::Decode(r));
  return resp;
}

void ContactMonitorResponse::Encode(tls::Writer& w, const WireContext& ctx) const {
  full_tree_head.Encode(w, ctx.mode);
  monitor.Encode(w);
}

Result<OwnerInitRequest> OwnerInitRequest::Decode(tls::Reader& r) {
  OwnerInitRequest req;
  CANDOR_ASSIGN_OR_RETURN(req.last, ReadOptionalU64(r, "OwnerInitRequest.last"));
  CANDOR_ASSIGN_OR_RETURN(req.label, ReadLabel(r, "OwnerInitRequest.label"));
  CANDOR_ASSIGN_OR_RETURN(req.start, r.U64("OwnerInitRequest.start"));
  return req;
}

void OwnerInitRequest::Encode(tls::Writer& w) const {
  WriteOptionalU64(w, last);
  w.Opaque8(label);
  w.U64(start);
}

Result<OwnerInitResponse> OwnerInitResponse::Decode(tls::Reader& r, const WireContext& ctx) {
  OwnerInitResponse resp;
  CANDOR_ASSIGN_OR_RETURN(resp.full_tree_head, FullTreeHead::Decode(r, ctx.mode));
  CANDOR_ASSIGN_OR_RETURN(
      resp.greatest_versions,
      DecodeCounted<uint32_t>(r, 1, "OwnerInitResponse.greatest_versions", [](tls::Reader& in) {
        return in.U32("OwnerInitResponse.greatest_versions");
      }));
  CANDOR_ASSIGN_OR_RETURN(resp.binary_ladder,
                          DecodeLadder(r, 2, "OwnerInitResponse.binary_ladder", ctx));
  CANDOR_ASSIGN_OR_RETURN(resp.init, CombinedTreeProof::Decode(r));
  return resp;
}

void OwnerInitResponse::Encode(tls::Writer& w, const WireContext& ctx) const {
  full_tree_head.Encode(w, ctx.mode);
  EncodeCounted(w, 1, greatest_versions, [](tls::Writer& out, uint32_t v) { out.U32(v); });
  EncodeLadder(w, 2, binary_ladder, ctx);
  init.Encode(w);
}

Result<OwnerMonitorRequest> OwnerMonitorRequest::Decode(tls::Reader& r) {
  OwnerMonitorRequest req;
  CANDOR_ASSIGN_OR_RETURN(req.last, ReadOptionalU64(r, "OwnerMonitorRequest.last"));
  CANDOR_ASSIGN_OR_RETURN(req.label, ReadLabel(r, "OwnerMonitorRequest.label"));
  CANDOR_ASSIGN_OR_RETURN(req.entries, DecodeEntries(r, "OwnerMonitorRequest.entries"));
  CANDOR_ASSIGN_OR_RETURN(req.start, r.U64("OwnerMonitorRequest.start"));
  CANDOR_ASSIGN_OR_RETURN(req.greatest_version,
                          ReadOptionalU32(r, "OwnerMonitorRequest.greatest_version"));
  return req;
}

void OwnerMonitorRequest::Encode(tls::Writer& w) const {
  WriteOptionalU64(w, last);
  w.Opaque8(label);
  EncodeEntries(w, entries);
  w.U64(start);
  WriteOptionalU32(w, greatest_version);
}

Result<OwnerMonitorResponse> OwnerMonitorResponse::Decode(tls::Reader& r, const WireContext& ctx) {
  OwnerMonitorResponse resp;
  CANDOR_ASSIGN_OR_RETURN(resp.full_tree_head, FullTreeHead::Decode(r, ctx.mode));
  CANDOR_ASSIGN_OR_RETURN(resp.monitor, CombinedTreeProof::Decode(r));
  return resp;
}

void OwnerMonitorResponse::Encode(tls::Writer& w, const WireContext& ctx) const {
  full_tree_head.Encode(w, ctx.mode);
  monitor.Encode(w);
}

Result<LabelValue> LabelValue::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(ByteView value, r.Opaque32("LabelValue.value"));
  return LabelValue{Own(value)};
}

void LabelValue::Encode(tls::Writer& w) const { w.Opaque32(value); }

Result<UpdateRequest> UpdateRequest::Decode(tls::Reader& r) {
  UpdateRequest req;
  CANDOR_ASSIGN_OR_RETURN(req.last, ReadOptionalU64(r, "UpdateRequest.last"));
  CANDOR_ASSIGN_OR_RETURN(req.label, ReadLabel(r, "UpdateRequest.label"));
  CANDOR_ASSIGN_OR_RETURN(req.greatest_version,
                          ReadOptionalU32(r, "UpdateRequest.greatest_version"));
  CANDOR_ASSIGN_OR_RETURN(req.values, DecodeLabelValues(r, "UpdateRequest.values"));
  return req;
}

void UpdateRequest::Encode(tls::Writer& w) const {
  WriteOptionalU64(w, last);
  w.Opaque8(label);
  WriteOptionalU32(w, greatest_version);
  EncodeLabelValues(w, values);
}

Result<UpdateInfo> UpdateInfo::Decode(tls::Reader& r, const WireContext& ctx) {
  UpdateInfo info;
  CANDOR_ASSIGN_OR_RETURN(info.opening, ReadOpening(r, "UpdateInfo.opening"));
  CANDOR_ASSIGN_OR_RETURN(info.suffix, UpdateSuffix::Decode(r, ctx.mode));
  return info;
}

void UpdateInfo::Encode(tls::Writer& w, const WireContext& ctx) const {
  w.Raw(opening);
  suffix.Encode(w, ctx.mode);
}

Result<UpdateResponse> UpdateResponse::Decode(tls::Reader& r, const WireContext& ctx) {
  UpdateResponse resp;
  CANDOR_ASSIGN_OR_RETURN(resp.full_tree_head, FullTreeHead::Decode(r, ctx.mode));
  CANDOR_ASSIGN_OR_RETURN(resp.position, r.U64("UpdateResponse.position"));
  if (ctx.mode == DeploymentMode::thirdPartyManagement) {
    CANDOR_ASSIGN_OR_RETURN(resp.skipped_versions, r.U32("UpdateResponse.skipped_versions"));
  }
  CANDOR_ASSIGN_OR_RETURN(resp.values, DecodeLabelValues(r, "UpdateResponse.values"));
  CANDOR_ASSIGN_OR_RETURN(
      resp.info, DecodeCounted<UpdateInfo>(r, 1, "UpdateResponse.info", [&ctx](tls::Reader& in) {
        return UpdateInfo::Decode(in, ctx);
      }));
  CANDOR_ASSIGN_OR_RETURN(resp.binary_ladder,
                          DecodeLadder(r, 1, "UpdateResponse.binary_ladder", ctx));
  CANDOR_ASSIGN_OR_RETURN(resp.update, CombinedTreeProof::Decode(r));
  return resp;
}

void UpdateResponse::Encode(tls::Writer& w, const WireContext& ctx) const {
  full_tree_head.Encode(w, ctx.mode);
  w.U64(position);
  if (ctx.mode == DeploymentMode::thirdPartyManagement) w.U32(skipped_versions);
  EncodeLabelValues(w, values);
  EncodeCounted(w, 1, info, [&ctx](tls::Writer& out, const UpdateInfo& i) { i.Encode(out, ctx); });
  EncodeLadder(w, 1, binary_ladder, ctx);
  update.Encode(w);
}

Result<ManagerUpdateRequest> ManagerUpdateRequest::Decode(tls::Reader& r, const WireContext& ctx) {
  ManagerUpdateRequest req;
  CANDOR_ASSIGN_OR_RETURN(req.last, ReadOptionalU64(r, "ManagerUpdateRequest.last"));
  CANDOR_ASSIGN_OR_RETURN(req.label, ReadLabel(r, "ManagerUpdateRequest.label"));
  CANDOR_ASSIGN_OR_RETURN(req.greatest_version,
                          ReadOptionalU32(r, "ManagerUpdateRequest.greatest_version"));
  CANDOR_ASSIGN_OR_RETURN(
      req.values,
      DecodeCounted<UpdateValue>(r, 1, "ManagerUpdateRequest.values", [&ctx](tls::Reader& in) {
        return UpdateValue::Decode(in, ctx.mode);
      }));
  CANDOR_ASSIGN_OR_RETURN(req.signed_version, r.U32("ManagerUpdateRequest.signed_version"));
  return req;
}

void ManagerUpdateRequest::Encode(tls::Writer& w, const WireContext& ctx) const {
  WriteOptionalU64(w, last);
  w.Opaque8(label);
  WriteOptionalU32(w, greatest_version);
  EncodeCounted(w, 1, values,
                [&ctx](tls::Writer& out, const UpdateValue& v) { v.Encode(out, ctx.mode); });
  w.U32(signed_version);
}

Result<DistinguishedRequest> DistinguishedRequest::Decode(tls::Reader& r) {
  DistinguishedRequest req;
  CANDOR_ASSIGN_OR_RETURN(req.last, ReadOptionalU64(r, "DistinguishedRequest.last"));
  CANDOR_ASSIGN_OR_RETURN(req.stop, ReadOptionalU64(r, "DistinguishedRequest.stop"));
  return req;
}

void DistinguishedRequest::Encode(tls::Writer& w) const {
  WriteOptionalU64(w, last);
  WriteOptionalU64(w, stop);
}

Result<DistinguishedResponse> DistinguishedResponse::Decode(tls::Reader& r,
                                                            const WireContext& ctx) {
  DistinguishedResponse resp;
  CANDOR_ASSIGN_OR_RETURN(resp.full_tree_head, FullTreeHead::Decode(r, ctx.mode));
  CANDOR_ASSIGN_OR_RETURN(resp.distinguished, CombinedTreeProof::Decode(r));
  return resp;
}

void DistinguishedResponse::Encode(tls::Writer& w, const WireContext& ctx) const {
  full_tree_head.Encode(w, ctx.mode);
  distinguished.Encode(w);
}

Result<DistinguishedHead> DistinguishedHead::Decode(tls::Reader& r) {
  DistinguishedHead h;
  CANDOR_ASSIGN_OR_RETURN(h.heads, DecodeHashes(r, 1, "DistinguishedHead.heads"));
  return h;
}

void DistinguishedHead::Encode(tls::Writer& w) const { EncodeHashes(w, 1, heads); }

Result<Credential> Credential::Decode(tls::Reader& r, const WireContext& ctx) {
  Credential c;
  CANDOR_ASSIGN_OR_RETURN(c.label, ReadLabel(r, "Credential.label"));
  CANDOR_ASSIGN_OR_RETURN(c.version, r.U32("Credential.version"));
  CANDOR_ASSIGN_OR_RETURN(c.opening, ReadOpening(r, "Credential.opening"));
  CANDOR_ASSIGN_OR_RETURN(c.value, UpdateValue::Decode(r, ctx.mode));
  CANDOR_ASSIGN_OR_RETURN(c.binary_ladder, DecodeLadder(r, 1, "Credential.binary_ladder", ctx));
  CANDOR_ASSIGN_OR_RETURN(c.position, r.U64("Credential.position"));
  CANDOR_ASSIGN_OR_RETURN(uint8_t type, r.U8("Credential.credential_type"));
  switch (type) {
    case static_cast<uint8_t>(CredentialType::standard): {
      c.credential_type = CredentialType::standard;
      CANDOR_ASSIGN_OR_RETURN(c.distinguished, PrefixProof::Decode(r));
      break;
    }
    case static_cast<uint8_t>(CredentialType::provisional): {
      c.credential_type = CredentialType::provisional;
      CANDOR_ASSIGN_OR_RETURN(c.tree_head, TreeHead::Decode(r));
      CANDOR_ASSIGN_OR_RETURN(c.search, CombinedTreeProof::Decode(r));
      break;
    }
    default:
      return internal::UnknownValue("Credential.credential_type", type);
  }
  return c;
}

void Credential::Encode(tls::Writer& w, const WireContext& ctx) const {
  w.Opaque8(label);
  w.U32(version);
  w.Raw(opening);
  value.Encode(w, ctx.mode);
  EncodeLadder(w, 1, binary_ladder, ctx);
  w.U64(position);
  w.U8(static_cast<uint8_t>(credential_type));
  if (credential_type == CredentialType::standard) {
    distinguished.Encode(w);
  } else {
    tree_head.Encode(w);
    search.Encode(w);
  }
}

Result<CredentialUpdate> CredentialUpdate::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(CombinedTreeProof monitor, CombinedTreeProof::Decode(r));
  return CredentialUpdate{std::move(monitor)};
}

void CredentialUpdate::Encode(tls::Writer& w) const { monitor.Encode(w); }

Result<AuditorUpdate> AuditorUpdate::Decode(tls::Reader& r) {
  AuditorUpdate u;
  CANDOR_ASSIGN_OR_RETURN(u.timestamp, r.U64("AuditorUpdate.timestamp"));
  CANDOR_ASSIGN_OR_RETURN(
      u.added, DecodeCounted<PrefixLeaf>(r, 2, "AuditorUpdate.added",
                                         [](tls::Reader& in) { return PrefixLeaf::Decode(in); }));
  CANDOR_ASSIGN_OR_RETURN(
      u.removed, DecodeCounted<PrefixLeaf>(r, 2, "AuditorUpdate.removed",
                                           [](tls::Reader& in) { return PrefixLeaf::Decode(in); }));
  CANDOR_ASSIGN_OR_RETURN(u.proof, PrefixProof::Decode(r));
  return u;
}

void AuditorUpdate::Encode(tls::Writer& w) const {
  w.U64(timestamp);
  EncodeCounted(w, 2, added, [](tls::Writer& out, const PrefixLeaf& l) { l.Encode(out); });
  EncodeCounted(w, 2, removed, [](tls::Writer& out, const PrefixLeaf& l) { l.Encode(out); });
  proof.Encode(w);
}

}  // namespace candor::kt
