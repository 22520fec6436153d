#include "candor/kt/proofs.h"

#include "codec_internal.h"

namespace candor::kt {

using internal::DecodeCounted;
using internal::DecodeHashes;
using internal::EncodeCounted;
using internal::EncodeHashes;
using internal::ReadHash;

Result<InclusionProof> InclusionProof::Decode(tls::Reader& r) {
  InclusionProof p;
  CANDOR_ASSIGN_OR_RETURN(p.elements, DecodeHashes(r, 2, "InclusionProof.elements"));
  return p;
}

void InclusionProof::Encode(tls::Writer& w) const { EncodeHashes(w, 2, elements); }

Result<PrefixLeaf> PrefixLeaf::Decode(tls::Reader& r) {
  PrefixLeaf leaf;
  CANDOR_ASSIGN_OR_RETURN(leaf.vrf_output, ReadHash(r, "PrefixLeaf.vrf_output"));
  CANDOR_ASSIGN_OR_RETURN(leaf.commitment, ReadHash(r, "PrefixLeaf.commitment"));
  return leaf;
}

void PrefixLeaf::Encode(tls::Writer& w) const {
  w.Raw(vrf_output);
  w.Raw(commitment);
}

Result<PrefixSearchResult> PrefixSearchResult::Decode(tls::Reader& r) {
  PrefixSearchResult result;
  CANDOR_ASSIGN_OR_RETURN(uint8_t type, r.U8("PrefixSearchResult.result_type"));
  switch (type) {
    case static_cast<uint8_t>(PrefixSearchResultType::inclusion):
    case static_cast<uint8_t>(PrefixSearchResultType::nonInclusionParent):
      break;
    case static_cast<uint8_t>(PrefixSearchResultType::nonInclusionLeaf): {
      CANDOR_ASSIGN_OR_RETURN(result.leaf, PrefixLeaf::Decode(r));
      break;
    }
    default:
      return internal::UnknownValue("PrefixSearchResult.result_type", type);
  }
  result.result_type = static_cast<PrefixSearchResultType>(type);
  CANDOR_ASSIGN_OR_RETURN(result.depth, r.U8("PrefixSearchResult.depth"));
  return result;
}

void PrefixSearchResult::Encode(tls::Writer& w) const {
  w.U8(static_cast<uint8_t>(result_type));
  if (result_type == PrefixSearchResultType::nonInclusionLeaf) leaf.Encode(w);
  w.U8(depth);
}

Result<PrefixProof> PrefixProof::Decode(tls::Reader& r) {
  PrefixProof p;
  CANDOR_ASSIGN_OR_RETURN(p.results, DecodeCounted<PrefixSearchResult>(
                                         r, 1, "PrefixProof.results", [](tls::Reader& in) {
                                           return PrefixSearchResult::Decode(in);
                                         }));
  CANDOR_ASSIGN_OR_RETURN(p.elements, DecodeHashes(r, 2, "PrefixProof.elements"));
  return p;
}

void PrefixProof::Encode(tls::Writer& w) const {
  EncodeCounted(w, 1, results,
                [](tls::Writer& out, const PrefixSearchResult& res) { res.Encode(out); });
  EncodeHashes(w, 2, elements);
}

Result<CombinedTreeProof> CombinedTreeProof::Decode(tls::Reader& r) {
  CombinedTreeProof p;
  CANDOR_ASSIGN_OR_RETURN(
      p.timestamps,
      DecodeCounted<uint64_t>(r, 1, "CombinedTreeProof.timestamps", [](tls::Reader& in) {
        return in.U64("CombinedTreeProof.timestamps");
      }));
  CANDOR_ASSIGN_OR_RETURN(
      p.prefix_proofs,
      DecodeCounted<PrefixProof>(r, 1, "CombinedTreeProof.prefix_proofs",
                                 [](tls::Reader& in) { return PrefixProof::Decode(in); }));
  CANDOR_ASSIGN_OR_RETURN(p.prefix_roots, DecodeHashes(r, 1, "CombinedTreeProof.prefix_roots"));
  CANDOR_ASSIGN_OR_RETURN(p.inclusion, InclusionProof::Decode(r));
  return p;
}

void CombinedTreeProof::Encode(tls::Writer& w) const {
  EncodeCounted(w, 1, timestamps, [](tls::Writer& out, uint64_t t) { out.U64(t); });
  EncodeCounted(w, 1, prefix_proofs, [](tls::Writer& out, const PrefixProof& p) { p.Encode(out); });
  EncodeHashes(w, 1, prefix_roots);
  inclusion.Encode(w);
}

}  // namespace candor::kt
