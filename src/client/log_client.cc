#include "candor/client/log_client.h"

#include <nlohmann/json.hpp>

#include "candor/tlog/merkle.h"
#include "candor/tlog/tile.h"

namespace candor::client {

Result<uint64_t> LogClient::AppendBundle(std::span<const Bytes> entries, const SecretBytes& token) {
  Bytes bundle;
  for (const Bytes& e : entries) CANDOR_TRY(tlog::AppendBundleEntry(bundle, e));
  // The HTTP client takes headers as strings: the token passes through this one briefly.
  std::string bearer = "Bearer ";
  bearer.append(AsStringView(token.view()));
  auto res = http_.Request("POST", base_.Join("append-bundle"), std::string(AsStringView(bundle)),
                           {{"Authorization", bearer}});
  std::fill(bearer.begin(), bearer.end(), '\0');
  CANDOR_TRY(res);
  if (res->status != 200) return net::ErrorFromResponse(*res);
  const nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
  if (!j.is_object() || !j.contains("first_index") || !j["first_index"].is_number_unsigned()) {
    return MakeError(Errc::kMalformed, "the log's append answer has no first_index");
  }
  return j["first_index"].get<uint64_t>();
}

Result<Bytes> LogClient::Fetch(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(net::HttpResponse res, http_.Get(base_.Join(path)));
  if (res.status == 404) return MakeError(Errc::kNotFound, path + ": not found");
  if (res.status != 200) {
    return MakeError(Errc::kUnavailable, path + ": HTTP " + std::to_string(res.status));
  }
  return Bytes(res.body.begin(), res.body.end());
}

Result<tlog::VerifiedCheckpoint> LogClient::FetchCheckpoint(
    const std::optional<tlog::VerifiedCheckpoint>& previous) {
  CANDOR_ASSIGN_OR_RETURN(Bytes note, Fetch("checkpoint"));
  CANDOR_ASSIGN_OR_RETURN(tlog::VerifiedCheckpoint cp,
                          tlog::VerifyCosignedCheckpoint(AsStringView(note), trust_));
  if (previous.has_value() && previous->checkpoint.size > 0) {
    const tlog::Checkpoint& old = previous->checkpoint;
    if (old.size > cp.checkpoint.size) return VerifyFailed();  // rollback
    tlog::TileHashReader reader(cp.checkpoint.size,
                                [this](const std::string& p) { return Fetch(p); });
    CANDOR_ASSIGN_OR_RETURN(std::vector<Hash32> proof,
                            tlog::ProveConsistency(old.size, cp.checkpoint.size, reader));
    CANDOR_TRY(
        tlog::VerifyConsistency(old.size, cp.checkpoint.size, old.root, cp.checkpoint.root, proof));
  }
  return cp;
}

Result<InclusionResult> LogClient::ProveEntry(uint64_t index, const tlog::VerifiedCheckpoint& cp) {
  const uint64_t size = cp.checkpoint.size;
  if (index >= size) return MakeError(Errc::kInvalidArgument, "index is beyond the checkpoint");
  CANDOR_ASSIGN_OR_RETURN(tlog::TileId tile, tlog::TileForLevelHash(0, index, size));
  tile.entries = true;
  auto bundle = Fetch(tlog::TilePath(tile));
  uint32_t count = tile.width;
  if (!bundle.ok() && bundle.error().code == Errc::kNotFound && !tile.full()) {
    // The partial bundle was superseded by the full one, which starts with the same entries.
    tile.width = tlog::kTileWidth;
    bundle = Fetch(tlog::TilePath(tile));
  }
  if (!bundle.ok()) return std::move(bundle).error();
  auto entries = tlog::DecodeEntryBundle(*bundle, tile.width);
  if (!entries.ok() || entries->size() < count) return VerifyFailed();
  InclusionResult out;
  out.index = index;
  const ByteView entry = (*entries)[index % tlog::kTileWidth];
  out.entry.assign(entry.begin(), entry.end());
  out.leaf_hash = tlog::HashLeaf(out.entry);
  tlog::TileHashReader reader(size, [this](const std::string& p) { return Fetch(p); });
  auto proof = tlog::ProveInclusion(index, size, reader);
  if (!proof.ok()) return proof.error().code == Errc::kUnavailable ? proof.error() : VerifyFailed();
  out.proof = std::move(*proof);
  CANDOR_TRY(tlog::VerifyInclusion(index, size, out.leaf_hash, out.proof, cp.checkpoint.root));
  out.checkpoint = cp;
  return out;
}

}  // namespace candor::client
