// The KT tree machinery against the Python model's vectors (tests/vectors/kt/, see its README):
// implicit binary search tree, binary ladders, log-tree roots and batch InclusionProofs, prefix
// tree roots and batch PrefixProofs (byte-exact proofs, and their evaluation).
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/kt/binary_ladder.h"
#include "candor/kt/implicit_tree.h"
#include "candor/kt/log_tree.h"
#include "candor/kt/prefix_tree.h"

namespace candor::kt {
namespace {

using nlohmann::json;

const std::string kDir = std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/kt/";

json LoadCases(const std::string& name) {
  auto data = ReadFile(kDir + name);
  EXPECT_TRUE(data.ok()) << "missing " << kDir << name;
  if (!data.ok()) return json::array();
  json j = json::parse(AsStringView(*data), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << name;
  if (j.is_discarded() || !j.contains("cases")) return json::array();
  return j["cases"];
}

Bytes Hex(const json& j) {
  auto b = HexDecode(j.get<std::string>());
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes();
}

Hash32 H(const json& j) {
  const Bytes b = Hex(j);
  Hash32 h{};
  EXPECT_EQ(b.size(), 32u);
  if (b.size() == 32) std::copy(b.begin(), b.end(), h.begin());
  return h;
}

std::optional<uint64_t> OptU64(const json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<uint64_t>();
}

void Report(const char* file, int run, int passed) {
  std::printf("%s: %d cases run / %d passed\n", file, run, passed);
}

TEST(TreeVectorsTest, ImplicitTree) {
  const json cases = LoadCases("implicit_tree.json");
  int run = 0;
  int passed = 0;
  for (const json& c : cases) {
    ++run;
    const auto n = c["n"].get<uint64_t>();
    bool ok = ImplicitRoot(n) == c["root"].get<uint64_t>();
    ok = ok && ImplicitFrontier(n) == c["frontier"].get<std::vector<uint64_t>>();
    if (c.contains("nodes")) {
      for (const json& node : c["nodes"]) {
        const auto x = node["x"].get<uint64_t>();
        ok = ok && ImplicitLevel(x) == node["level"].get<uint64_t>();
        ok = ok && ImplicitLeft(x) == OptU64(node["left"]);
        ok = ok && ImplicitRight(x, n) == OptU64(node["right"]);
        ok = ok && ImplicitDirectPath(x, n) == node["direct_path"].get<std::vector<uint64_t>>();
      }
    }
    EXPECT_TRUE(ok) << "n=" << n;
    passed += ok ? 1 : 0;
  }
  Report("implicit_tree.json", run, passed);
  ASSERT_GT(run, 0);
  EXPECT_EQ(run, passed);
}

TEST(TreeVectorsTest, BinaryLadder) {
  const json cases = LoadCases("binary_ladder.json");
  int run = 0;
  int passed = 0;
  for (const json& c : cases) {
    ++run;
    const std::string kind = c["kind"].get<std::string>();
    const auto want = c["versions"].get<std::vector<uint32_t>>();
    std::vector<uint32_t> got;
    if (kind == "base") {
      got = BaseBinaryLadder(c["n"].get<uint32_t>());
    } else if (kind == "search") {
      const auto n = c["n"].get<int64_t>();
      const std::optional<uint32_t> greatest =
          n < 0 ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(n));
      got = SearchBinaryLadder(c["t"].get<uint32_t>(), greatest,
                               c["left_inclusion"].get<std::set<uint32_t>>(),
                               c["right_non_inclusion"].get<std::set<uint32_t>>());
    } else if (kind == "monitoring") {
      got = MonitoringBinaryLadder(c["t"].get<uint32_t>());
    } else {
      ADD_FAILURE() << "unknown kind " << kind;
      continue;
    }
    EXPECT_EQ(got, want) << c.dump();
    passed += got == want ? 1 : 0;
  }
  Report("binary_ladder.json", run, passed);
  ASSERT_GT(run, 0);
  EXPECT_EQ(run, passed);
}

TEST(TreeVectorsTest, LogTree) {
  const json cases = LoadCases("log_tree.json");
  int run = 0;
  int passed = 0;
  int proofs_run = 0;
  int proofs_passed = 0;
  int audited_run = 0;
  int audited_passed = 0;
  for (const json& c : cases) {
    ++run;
    const auto n = c["n"].get<uint64_t>();
    LogTree tree;
    for (const json& leaf : c["leaves"]) tree.Append(H(leaf));
    bool ok = tree.size() == n && tree.Root() == H(c["root"]);
    const std::vector<SubtreeRange> ranges = FullSubtrees(n);
    const std::vector<HashValue> heads = tree.FullSubtreeHeads(n);
    std::vector<HashValue> want_heads;
    ok = ok && ranges.size() == c["full_subtrees"].size();
    for (size_t i = 0; ok && i < ranges.size(); ++i) {
      const json& fs = c["full_subtrees"][i];
      ok = ranges[i].start == fs["start"].get<uint64_t>() &&
           ranges[i].start + ranges[i].size == fs["end"].get<uint64_t>() &&
           heads[i] == H(fs["value"]);
      want_heads.push_back(H(fs["value"]));
    }
    EXPECT_TRUE(ok) << "n=" << n;
    passed += ok ? 1 : 0;

    for (const json& p : c["proofs"]) {
      ++proofs_run;
      const uint64_t m = p["old_size"].is_null() ? 0 : p["old_size"].get<uint64_t>();
      const auto leaves = p["leaves"].get<std::vector<uint64_t>>();
      std::vector<HashValue> retained;
      for (const json& r : p["retained"]) retained.push_back(H(r));
      std::vector<HashValue> want;
      for (const json& e : p["elements"]) want.push_back(H(e));
      // Proofs with an auditor_size also give the root at that size (0: no auditor head).
      const uint64_t audited = p.value("auditor_size", uint64_t{0});
      audited_run += audited > 0 ? 1 : 0;
      const InclusionProof proof = tree.Prove(n, m, leaves, audited);
      bool pok = proof.elements == want;
      std::map<uint64_t, HashValue> known;
      for (const uint64_t l : leaves) known[l] = tree.Leaf(l);
      auto view = VerifyLogInclusion(n, m, retained, known, InclusionProof{want}, audited);
      pok = pok && view.ok() && view->root == H(p["root"]) && view->full_subtrees == want_heads;
      if (audited > 0) {
        pok = pok && view->auditor_root == H(p["auditor_root"]);
        audited_passed += pok ? 1 : 0;
      }
      EXPECT_TRUE(pok) << "n=" << n << " m=" << m << " proof " << p.dump();
      proofs_passed += pok ? 1 : 0;
    }
  }
  Report("log_tree.json (trees)", run, passed);
  Report("log_tree.json (proofs)", proofs_run, proofs_passed);
  Report("log_tree.json (proofs with an auditor size)", audited_run, audited_passed);
  ASSERT_GT(run, 0);
  ASSERT_GT(proofs_run, 0);
  ASSERT_GT(audited_run, 0);
  EXPECT_EQ(audited_run, audited_passed);
  EXPECT_EQ(run, passed);
  EXPECT_EQ(proofs_run, proofs_passed);
}

TEST(TreeVectorsTest, PrefixTree) {
  const json cases = LoadCases("prefix_tree.json");
  int run = 0;
  int passed = 0;
  int lookups_run = 0;
  int lookups_passed = 0;
  for (const json& c : cases) {
    ++run;
    const std::string name = c["name"].get<std::string>();
    std::vector<PrefixLeaf> entries;
    std::map<Hash32, HashValue> commitment_of;
    for (const json& e : c["entries"]) {
      entries.push_back(PrefixLeaf{H(e["key"]), H(e["commitment"])});
      commitment_of[entries.back().vrf_output] = entries.back().commitment;
    }
    // Two versions (first half, then the rest) so the persistent path is exercised too.
    PrefixTree tree;
    const auto half = static_cast<ptrdiff_t>(entries.size() / 2);
    bool ok = tree.Insert({entries.begin(), entries.begin() + half}).ok() &&
              tree.Insert({entries.begin() + half, entries.end()}).ok();
    const uint64_t version = tree.latest_version();
    ok = ok && tree.Root(version) == H(c["root"]);
    EXPECT_TRUE(ok) << name;
    passed += ok ? 1 : 0;

    for (const json& l : c["lookups"]) {
      ++lookups_run;
      std::vector<Hash32> keys;
      std::vector<std::optional<HashValue>> commitments;
      for (const json& k : l["keys"]) {
        keys.push_back(H(k));
        auto it = commitment_of.find(keys.back());
        commitments.push_back(it == commitment_of.end() ? std::nullopt
                                                        : std::optional<HashValue>(it->second));
      }
      const auto types = l["result_types"].get<std::vector<int>>();
      const Bytes want_wire = Hex(l["proof"]);
      bool lok = true;
      // Our prover produces the same bytes.
      if (ok) {
        tls::Writer w;
        tree.Prove(version, keys).Encode(w);
        lok = w.bytes() == want_wire;
      }
      // The model's proof decodes and evaluates to the stated root.
      auto proof = tls::DecodeExact<PrefixProof>(want_wire);
      lok = lok && proof.ok() && proof->results.size() == types.size();
      if (lok) {
        auto eval = EvaluatePrefixProof(*proof, keys, commitments);
        lok = eval.ok() && eval->root == H(l["root"]);
        for (size_t i = 0; lok && i < types.size(); ++i) {
          lok = static_cast<int>(proof->results[i].result_type) == types[i] &&
                eval->included[i] == (types[i] == 1);
        }
      }
      EXPECT_TRUE(lok) << name << ": " << l.dump().substr(0, 300);
      lookups_passed += lok ? 1 : 0;
    }
  }
  Report("prefix_tree.json (trees)", run, passed);
  Report("prefix_tree.json (lookups)", lookups_run, lookups_passed);
  ASSERT_GT(run, 0);
  ASSERT_GT(lookups_run, 0);
  EXPECT_EQ(run, passed);
  EXPECT_EQ(lookups_run, lookups_passed);
}

}  // namespace
}  // namespace candor::kt
