// Conformance against other people's vectors (tests/vectors/tlog/, see its README): the
// transparency-dev/merkle proof probes, the RFC 6962 reference tree, roots and tile hashes
// generated with Go's sumdb/tlog, Tessera's tiled log reproduced byte for byte, and the
// signed-note and cosignature notes of Go, C2SP, Tessera, Sunlight and sum.golang.org.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/crypto/sha256.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/cosignature.h"
#include "candor/tlog/merkle.h"
#include "candor/tlog/note.h"
#include "candor/tlog/tile_builder.h"

namespace candor::tlog {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kDir = std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/tlog/";

std::string Slurp(const std::string& path) {
  auto data = ReadFile(path);
  EXPECT_TRUE(data.ok()) << path;
  return data.ok() ? std::string(AsStringView(*data)) : std::string();
}

json LoadJson(const std::string& path) { return json::parse(Slurp(path)); }

// B64Hash decodes a base64 hash; false if it is not exactly 32 bytes.
bool B64Hash(const json& j, Hash32& out) {
  if (!j.is_string()) return false;
  auto b = Base64Decode(j.get<std::string>());
  if (!b.ok() || b->size() != 32) return false;
  std::copy(b->begin(), b->end(), out.begin());
  return true;
}

// RootOrStandIn decodes a root; the probes use arbitrary "don't care" byte strings as roots in
// equal-size cases, which we map to SHA-256 of those bytes so equality is preserved.
bool RootOrStandIn(const json& j, Hash32& out) {
  if (B64Hash(j, out)) return true;
  if (!j.is_string()) return false;
  auto b = Base64Decode(j.get<std::string>());
  if (!b.ok()) return false;
  out = crypto::Sha256(*b);
  return true;
}

bool B64Proof(const json& j, std::vector<Hash32>& out) {
  if (j.is_null()) return true;
  for (const json& h : j) {
    Hash32 x;
    if (!B64Hash(h, x)) return false;
    out.push_back(x);
  }
  return true;
}

std::vector<fs::path> JsonFiles(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(TlogVectorsTest, TransparencyDevInclusionProbes) {
  size_t num_cases = 0, num_valid = 0;
  for (const fs::path& p : JsonFiles(kDir + "transparency-dev-merkle/testdata/inclusion")) {
    json j = LoadJson(p);
    Hash32 root, leaf;
    std::vector<Hash32> proof;
    bool decoded =
        B64Hash(j["root"], root) && B64Hash(j["leafHash"], leaf) && B64Proof(j["proof"], proof);
    bool ok = decoded && VerifyInclusion(j["leafIdx"].get<uint64_t>(),
                                         j["treeSize"].get<uint64_t>(), leaf, proof, root)
                             .ok();
    EXPECT_EQ(ok, !j["wantErr"].get<bool>()) << p;
    ++num_cases;
    num_valid += ok;
  }
  std::printf("[vectors] transparency-dev inclusion: %zu cases (%zu valid)\n", num_cases,
              num_valid);
  ASSERT_GT(num_cases, 0u);
  ASSERT_GT(num_valid, 0u);
}

TEST(TlogVectorsTest, TransparencyDevConsistencyProbes) {
  size_t num_cases = 0, num_valid = 0;
  for (const fs::path& p : JsonFiles(kDir + "transparency-dev-merkle/testdata/consistency")) {
    json j = LoadJson(p);
    Hash32 r1{}, r2{};
    std::vector<Hash32> proof;
    const uint64_t s1 = j["size1"].get<uint64_t>(), s2 = j["size2"].get<uint64_t>();
    bool decoded = RootOrStandIn(j["root1"], r1) && RootOrStandIn(j["root2"], r2) &&
                   B64Proof(j["proof"], proof);
    bool ok = decoded && VerifyConsistency(s1, s2, r1, r2, proof).ok();
    EXPECT_EQ(ok, !j["wantErr"].get<bool>()) << p;
    ++num_cases;
    num_valid += ok;
  }
  std::printf("[vectors] transparency-dev consistency: %zu cases (%zu valid)\n", num_cases,
              num_valid);
  ASSERT_GT(num_cases, 0u);
  ASSERT_GT(num_valid, 0u);
}

TEST(TlogVectorsTest, Rfc6962ReferenceTree) {
  json j = LoadJson(kDir + "rfc6962-reference-tree.json");
  MemoryTree tree;
  size_t num_cases = 0;
  const auto& inputs = j["leaf_inputs_hex"];
  for (size_t i = 0; i < inputs.size(); ++i) {
    Hash32 leaf = HashLeaf(*HexDecode(inputs[i].get<std::string>()));
    EXPECT_EQ(HexEncode(leaf), j["leaf_hashes_hex"][i].get<std::string>());
    tree.AppendLeafHash(leaf);
  }
  const auto& roots = j["root_hash_hex_by_size"];
  for (size_t n = 0; n < roots.size(); ++n, ++num_cases) {
    EXPECT_EQ(HexEncode(*TreeRoot(n, tree)), roots[n].get<std::string>()) << n;
  }
  std::printf("[vectors] rfc6962 reference tree: %zu roots\n", num_cases);
  ASSERT_GT(num_cases, 0u);
}

TEST(TlogVectorsTest, GoGeneratedRootsAndTileHashes) {
  std::istringstream roots(Slurp(kDir + "generated-tiles/entry-N-roots.txt"));
  std::map<uint64_t, std::string> want;
  for (std::string line; std::getline(roots, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.find(' ');
    want[std::stoull(line.substr(0, sp))] = line.substr(sp + 1);
  }
  std::map<std::string, std::string> want_tiles;
  std::istringstream sums(Slurp(kDir + "generated-tiles/entry-70000-tiles.sha256"));
  for (std::string line; std::getline(sums, line);) {
    if (line.empty() || line[0] == '#') continue;
    want_tiles[line.substr(66)] = line.substr(0, 64);
  }
  ASSERT_FALSE(want.empty());
  ASSERT_FALSE(want_tiles.empty());

  TileBuilder builder;
  std::map<std::string, Bytes> files;
  size_t num_roots = 0;
  for (const auto& [n, root] : want) {
    while (builder.size() < n) {
      ASSERT_TRUE(builder.Append(AsBytes("entry-" + std::to_string(builder.size()))).ok());
    }
    EXPECT_EQ(Base64Encode(builder.Root()), root) << n;
    ++num_roots;
  }
  ASSERT_EQ(builder.size(), 70000u);
  for (TileFile& f : builder.TakeChanged()) files[f.path] = std::move(f.data);
  size_t num_tiles = 0;
  for (const TileId& id : TilesForTree(70000)) {
    const std::string path = TilePath(id);
    ASSERT_TRUE(files.count(path)) << path;
    EXPECT_EQ(HexEncode(crypto::Sha256(files[path])), want_tiles[path]) << path;
    ++num_tiles;
  }
  EXPECT_EQ(num_tiles, want_tiles.size());
  std::printf("[vectors] go sumdb/tlog: %zu roots, %zu tiles of the 70000-entry log\n", num_roots,
              num_tiles);
  ASSERT_GT(num_tiles, 0u);
}

TEST(TlogVectorsTest, TesseraLogReproducedByteForByte) {
  json j = LoadJson(kDir + "tessera-testdata-log-entries.json");
  const std::string log_dir = kDir + "tessera-testdata-log/";
  auto skey = ParseSecretKey(
      "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg");
  ASSERT_TRUE(skey.ok());
  Ed25519NoteSigner signer(skey->name, std::move(skey->key));
  EXPECT_EQ(signer.VerifierKey(),
            "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx");
  auto verifier = ParseVerifierKey(signer.VerifierKey());
  const NoteVerifier* vs[] = {verifier->get()};

  TileBuilder builder;
  std::map<std::string, Bytes> files;
  size_t num_checkpoints = 0;
  for (size_t n = 0; n <= 15; ++n) {
    if (n > 0)
      ASSERT_TRUE(builder.Append(AsBytes(j["entries_utf8"][n - 1].get<std::string>())).ok());
    for (TileFile& f : builder.TakeChanged()) files[f.path] = std::move(f.data);
    EXPECT_EQ(Base64Encode(builder.Root()), j["root_hash_b64_by_size"][n].get<std::string>());
    const std::string theirs = Slurp(log_dir + "checkpoint." + std::to_string(n));
    auto opened = OpenNote(theirs, vs);
    ASSERT_TRUE(opened.ok()) << n;
    Checkpoint cp{"example.com/log/testdata", n, builder.Root(), {}};
    ASSERT_EQ(opened->note.text, cp.Text());
    Note ours{cp.Text(), {{signer.name(), signer.key_id(), signer.Sign(cp.Text())}}};
    EXPECT_EQ(ours.Format(), theirs) << n;
    ++num_checkpoints;
  }
  for (const char* path : {"tile/0/000.p/15", "tile/entries/000.p/15"}) {
    EXPECT_EQ(files[path], *ReadFile(log_dir + path)) << path;
  }
  std::printf("[vectors] tessera log: %zu checkpoints and 2 tiles byte for byte\n",
              num_checkpoints);
  ASSERT_EQ(num_checkpoints, 16u);
}

TEST(TlogVectorsTest, SignedNotes) {
  json j = LoadJson(kDir + "signed-note-and-cosignature-vectors.json");
  size_t num_cases = 0;
  for (const json& c : j["signed_notes"]) {
    std::vector<std::unique_ptr<NoteVerifier>> owned;
    std::vector<const NoteVerifier*> vs;
    for (const json& vk : c["vkeys"]) {
      auto v = ParseVerifierKey(vk.get<std::string>());
      ASSERT_TRUE(v.ok()) << c["id"];
      vs.push_back(v->get());
      owned.push_back(std::move(*v));
    }
    const std::string msg = c["note"].get<std::string>();
    auto opened = OpenNote(msg, vs);
    EXPECT_EQ(opened.ok(), c["expect"] == "valid") << c["id"];
    if (c.contains("skey") && opened.ok()) {
      auto sk = ParseSecretKey(c["skey"].get<std::string>());
      ASSERT_TRUE(sk.ok());
      Ed25519NoteSigner signer(sk->name, std::move(sk->key));
      Note again{opened->note.text,
                 {{signer.name(), signer.key_id(), signer.Sign(opened->note.text)}}};
      EXPECT_EQ(again.signatures[0], opened->verified[0]) << c["id"];
    }
    ++num_cases;
  }
  std::printf("[vectors] signed notes: %zu cases\n", num_cases);
  ASSERT_GT(num_cases, 0u);
}

TEST(TlogVectorsTest, Ed25519Cosignatures) {
  json j = LoadJson(kDir + "signed-note-and-cosignature-vectors.json");
  size_t num_cases = 0;
  for (const json& c : j["cosignatures_ed25519_v1"]) {
    auto v = ParseVerifierKey(c["vkey"].get<std::string>());
    ASSERT_TRUE(v.ok()) << c["id"];
    const NoteVerifier* vs[] = {v->get()};
    const std::string msg = Slurp(kDir + c["note_file"].get<std::string>());
    auto opened = OpenNote(msg, vs);
    ASSERT_TRUE(opened.ok()) << c["id"];
    ASSERT_EQ(opened->verified.size(), 1u);
    const uint64_t ts = c["timestamp"].get<uint64_t>();
    EXPECT_EQ(*CosignatureTimestamp(opened->verified[0].signature), ts);
    if (c.contains("signed_message")) {
      EXPECT_EQ(CosignedMessage(ts, opened->note.text), c["signed_message"].get<std::string>());
    }
    auto key =
        crypto::Ed25519PrivateKey::FromSeed(*HexDecode(c["ed25519_seed_hex"].get<std::string>()));
    Cosigner cosigner(c["cosigner_name"].get<std::string>(), std::move(*key));
    EXPECT_EQ(cosigner.VerifierKey(), c["vkey"].get<std::string>());
    EXPECT_EQ(cosigner.Cosign(opened->note.text, ts), opened->verified[0]) << c["id"];
    // A cosignature over different text must fail.
    std::string tampered = msg;
    tampered[tampered.find('\n') + 1] ^= 1;
    EXPECT_FALSE(OpenNote(tampered, vs).ok());
    ++num_cases;
  }
  std::printf("[vectors] cosignature/v1: %zu cases\n", num_cases);
  ASSERT_GT(num_cases, 0u);
}

TEST(TlogVectorsTest, SunlightMirrorTilesMatchCheckpointRoot) {
  const std::string dir = kDir +
                          "sunlight-skylight-testdata/witness/mirror/"
                          "000de184301123b9278c086a7d9f68c9577e83872224c197058fd90784ea9706/";
  auto note = ParseNote(Slurp(dir + "checkpoint"));
  ASSERT_TRUE(note.ok());
  auto cp = ParseCheckpoint(note->text);
  ASSERT_TRUE(cp.ok());
  TileHashReader reader(cp->size, [&dir](const std::string& path) { return ReadFile(dir + path); });
  auto root = TreeRoot(cp->size, reader);
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(*root, cp->root);
  std::printf("[vectors] sunlight mirror: size %llu root matches from %zu tiles\n",
              static_cast<unsigned long long>(cp->size), reader.num_tiles_fetched());
  ASSERT_GT(reader.num_tiles_fetched(), 0u);
}

}  // namespace
}  // namespace candor::tlog
