// combined_tree.json from the independent Python model (tests/kt/model): for every case the C++
// verifier must reach the model's verdict and retained state, and for every accepted case the
// C++ prover, run over the same directory history, must produce the model's proof byte for byte.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/encoding.h"
#include "candor/crypto/hash.h"
#include "candor/crypto/sha256.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/directory_state.h"
#include "candor/kt/tree_algorithms.h"

namespace candor::kt {
namespace {

using json = nlohmann::json;

Bytes Hex(const json& j) {
  auto b = HexDecode(j.get<std::string>());
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes{};
}

Hash32 Hash(const json& j) {
  Bytes b = Hex(j);
  Hash32 out{};
  EXPECT_EQ(b.size(), 32u);
  std::copy_n(b.begin(), std::min<size_t>(32, b.size()), out.begin());
  return out;
}

Bytes VrfInput(const Bytes& label, uint32_t version) {
  tls::Writer w;
  w.Opaque8(label);
  w.U32(version);
  return w.Take();
}

// The model's stand-ins: key = SHA-256(VrfInput); opening = SHA-256("opening" || VrfInput)[:16];
// value = "value <label> v<version>"; commitment = HMAC-SHA256(Kc, CommitmentValue).
Hash32 ModelKey(const Bytes& label, uint32_t version) {
  return crypto::Sha256(VrfInput(label, version));
}

HashValue ModelCommitment(const Bytes& label, uint32_t version) {
  Bytes in = VrfInput(label, version);
  Bytes seed = {'o', 'p', 'e', 'n', 'i', 'n', 'g'};
  seed.insert(seed.end(), in.begin(), in.end());
  Hash32 opening = crypto::Sha256(seed);
  std::string value =
      "value " + std::string(label.begin(), label.end()) + " v" + std::to_string(version);
  tls::Writer w;
  w.Raw(ByteView(opening.data(), kOpeningSize));
  w.Opaque8(label);
  w.U32(version);
  w.U32(static_cast<uint32_t>(value.size()));
  w.Raw(ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
  Bytes mac = crypto::Hmac(crypto::HashId::kSha256, kCommitmentKey, w.bytes());
  HashValue out{};
  std::copy(mac.begin(), mac.end(), out.begin());
  return out;
}

struct Scenario {
  TreeParams params;
  DirectoryState state;
  std::map<Bytes, std::map<uint32_t, uint64_t>> versions;  // label -> version -> position
};

std::map<std::string, Scenario> LoadScenarios(const json& doc) {
  std::map<std::string, Scenario> out;
  for (const json& sc : doc["scenarios"]) {
    Scenario& s = out[sc["name"].get<std::string>()];
    s.params.reasonable_monitoring_window = sc["rmw"].get<uint64_t>();
    if (!sc["maximum_lifetime"].is_null()) {
      s.params.maximum_lifetime = sc["maximum_lifetime"].get<uint64_t>();
    }
    uint64_t position = 0;
    for (const json& e : sc["entries"]) {
      std::vector<PrefixLeaf> added;
      for (const json& u : e["updates"]) {
        Bytes label = Hex(u["label"]);
        auto& known = s.versions[label];
        uint32_t next = known.empty() ? 0 : known.rbegin()->first + 1;
        for (int i = 0; i < u["count"].get<int>(); ++i, ++next) {
          known[next] = position;
          added.push_back(PrefixLeaf{ModelKey(label, next), ModelCommitment(label, next)});
        }
      }
      auto pos = s.state.AppendEntry(e["timestamp"].get<uint64_t>(), added);
      EXPECT_TRUE(pos.ok());
      EXPECT_EQ(s.state.PrefixRoot(position), Hash(e["prefix_root"])) << "entry " << position;
      ++position;
    }
  }
  return out;
}

MonitoringMap MapOf(const json& j) {
  MonitoringMap m;
  for (const json& e : j) m[e["position"].get<uint64_t>()] = e["version"].get<uint32_t>();
  return m;
}

TreeView RetainedOf(const json& c) {
  TreeView v;
  if (c["last"].is_null()) return v;
  v.size = c["last"].get<uint64_t>();
  for (const json& h : c["retained"]["full_subtrees"]) v.full_subtrees.push_back(Hash(h));
  for (const json& f : c["retained"]["frontier"]) {
    v.frontier[f["index"].get<uint64_t>()] =
        RetainedEntry{f["timestamp"].get<uint64_t>(), Hash(f["prefix_root"])};
  }
  return v;
}

// Outcome is what one run of an operation reports, compared with `expected`.
struct Outcome {
  std::string status = "ok";
  json fields = json::object();
};

// RunOperation runs case `c` in session `s` (prover or verifier).
Result<Outcome> RunOperation(ProofSession& s, const json& c, const Scenario& sc,
                             LabelVersions& versions) {
  const TreeParams& params = sc.params;
  const std::string op = c["operation"].get<std::string>();
  const json& req = c["request"];
  Outcome out;
  CANDOR_TRY(UpdateView(s));
  auto monitor_json = [](const MonitoringMap& m) {
    json arr = json::array();
    for (const auto& [p, v] : m) arr.push_back({{"position", p}, {"version", v}});
    return arr;
  };
  if (op == "update_view") return out;
  if (op == "gv_search" || op == "fv_search") {
    const uint32_t version = req["version"].get<uint32_t>();
    auto r = op == "gv_search" ? GreatestVersionSearch(s, params, version, versions)
                               : FixedVersionSearch(s, params, version, versions);
    if (!r.ok()) {
      const std::string& msg = r.error().message;
      if (msg.find("does not exist") != std::string::npos) {
        out.status = "not_found";
      } else if (msg.find("is expired") != std::string::npos) {
        out.status = "expired";
      } else {
        return std::move(r).error();
      }
      return out;
    }
    out.fields["terminal"] = r->terminal;
    MonitoringMap m;
    if (r->needs_monitoring) m[r->terminal] = version;
    out.fields["monitor"] = monitor_json(m);
    return out;
  }
  if (op == "contact_monitor") {
    CANDOR_ASSIGN_OR_RETURN(MonitoringMap m, ContactMonitor(s, params, MapOf(req["monitor_map"]),
                                                            std::nullopt, versions));
    out.fields["monitor"] = monitor_json(m);
    return out;
  }
  if (op == "owner_init") {
    const uint64_t start = req["start"].get<uint64_t>();
    std::vector<uint32_t> greatest = req["greatest_versions"].get<std::vector<uint32_t>>();
    CANDOR_TRY(OwnerInit(s, params, start, greatest, versions));
    out.fields["greatest_versions"] = greatest;
    return out;
  }
  if (op == "owner_monitor") {
    const uint64_t start = req["start"].get<uint64_t>();
    std::map<uint64_t, uint32_t> owner;  // position -> version created there (greatest)
    for (const json& pv : req["owner_versions"]) {
      uint32_t& v = owner[pv[1].get<uint64_t>()];
      v = std::max(v, pv[0].get<uint32_t>());
    }
    ExpectedVersion expected = [&owner](uint64_t x) -> std::optional<uint32_t> {
      std::optional<uint32_t> g;
      for (const auto& [p, v] : owner) {
        if (p <= x) g = g ? std::max(*g, v) : v;
      }
      return g;
    };
    std::optional<uint32_t> advertised;
    if (!req["greatest_version"].is_null()) advertised = req["greatest_version"].get<uint32_t>();
    const Bytes label = Hex(c["label"]);
    ProverStop stop = [&](uint64_t x) {
      auto it = sc.versions.find(label);
      if (it == sc.versions.end()) return false;
      std::optional<uint32_t> g;
      for (const auto& [v, p] : it->second) {
        if (p <= x) g = v;
      }
      return g && (!advertised || *g > *advertised);
    };
    CANDOR_ASSIGN_OR_RETURN(MonitoringMap m,
                            ContactMonitor(s, params, MapOf(req["monitor_map"]), start, versions));
    CANDOR_ASSIGN_OR_RETURN(OwnerMonitorOutcome o,
                            OwnerMonitor(s, params, start, expected, stop, versions));
    out.fields["monitor"] = monitor_json(m);
    out.fields["checked"] = o.checked;
    return out;
  }
  if (op == "update") {
    LabelUpdate u;
    u.position = req["position"].get<uint64_t>();
    if (!req["prev_greatest"].is_null()) u.previous_greatest = req["prev_greatest"].get<uint32_t>();
    if (!req["prev_position"].is_null()) {
      u.previous_position = req["prev_position"].get<uint64_t>();
    }
    u.owner_start = req["start"].get<uint64_t>();
    u.new_versions = req["new_versions"].get<std::vector<uint32_t>>();
    CANDOR_ASSIGN_OR_RETURN(UpdateCheck check, VerifyLabelUpdate(s, params, u, versions));
    out.fields["distinguished"] = check.distinguished;
    MonitoringMap m;
    if (!check.distinguished) m[u.position] = u.new_versions.back();
    out.fields["monitor"] = monitor_json(m);
    return out;
  }
  if (op == "walk") {
    std::optional<uint64_t> stop;
    if (!req["stop"].is_null()) stop = req["stop"].get<uint64_t>();
    CANDOR_ASSIGN_OR_RETURN(std::vector<uint64_t> found,
                            WalkDistinguished(s, params, stop, req["recent"].get<uint64_t>()));
    (void)found;
    return out;
  }
  return MakeError(Errc::kInvalidArgument, "unknown operation " + op);
}

TEST(CombinedTreeVectorsTest, ModelVectors) {
  std::ifstream in(std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/kt/combined_tree.json");
  ASSERT_TRUE(in.good());
  json doc = json::parse(in);
  std::map<std::string, Scenario> scenarios = LoadScenarios(doc);
  std::map<std::string, std::pair<int, int>> per_op;  // run, passed
  int proofs_equal = 0;
  for (const json& c : doc["cases"]) {
    const std::string op = c["operation"].get<std::string>();
    const std::string want = c["expected"]["status"].get<std::string>();
    auto& [run, passed] = per_op[op + "/" + want];
    ++run;
    const Scenario& sc = scenarios.at(c["scenario"].get<std::string>());
    const uint64_t n = c["tree_size"].get<uint64_t>();
    const TreeView old = RetainedOf(c);
    SCOPED_TRACE(op + " n=" + std::to_string(n) + " case " + std::to_string(run));
    const Bytes wire = Hex(c["proof"]);
    tls::Reader r(wire);
    auto decoded = CombinedTreeProof::Decode(r);
    if (decoded.ok() && !r.empty()) decoded = MakeError(Errc::kMalformed, "trailing bytes");
    if (want == "malformed") {
      EXPECT_FALSE(decoded.ok());
      passed += decoded.ok() ? 0 : 1;
      continue;
    }
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    LabelVersions versions;
    for (const json& lv : c["label_versions"]) {
      std::optional<HashValue> commitment;
      if (!lv["commitment"].is_null()) commitment = Hash(lv["commitment"]);
      versions.Add(lv["version"].get<uint32_t>(), Hash(lv["vrf_output"]), commitment);
    }
    ProofSession v = ProofSession::Verifier(*decoded, n, old);
    auto outcome = RunOperation(v, c, sc, versions);
    Result<ProofSession::Verified> done = MakeError(Errc::kInternal, "not run");
    if (outcome.ok()) done = v.FinishVerify();
    const bool accepted = outcome.ok() && done.ok() && done->root == Hash(c["tree_head_root"]);
    if (want == "verify_failed") {
      EXPECT_FALSE(accepted);
      passed += accepted ? 0 : 1;
      continue;
    }
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    ASSERT_TRUE(done.ok()) << done.error().message;
    EXPECT_EQ(outcome->status, want);
    const json& exp = c["expected"];
    EXPECT_EQ(done->root, Hash(exp["root"]));
    std::vector<HashValue> subtrees;
    for (const json& h : exp["full_subtrees"]) subtrees.push_back(Hash(h));
    EXPECT_EQ(done->view.full_subtrees, subtrees);
    std::map<uint64_t, RetainedEntry> frontier;
    for (const json& f : exp["frontier"]) {
      frontier[f["index"].get<uint64_t>()] =
          RetainedEntry{f["timestamp"].get<uint64_t>(), Hash(f["prefix_root"])};
    }
    EXPECT_EQ(done->view.frontier, frontier);
    bool fields_match = true;
    for (const auto& [key, value] : outcome->fields.items()) {
      if (exp.contains(key)) {
        EXPECT_EQ(value, exp[key]) << key;
        fields_match = fields_match && value == exp[key];
      }
    }
    // The C++ prover over the same history must produce the same bytes.
    const Bytes label = Hex(c["label"]);
    LabelVersions prover_versions([&label](uint32_t ver) { return ModelKey(label, ver); });
    ProofSession p = ProofSession::Prover(sc.state, n, old.size);
    auto pout = RunOperation(p, c, sc, prover_versions);
    ASSERT_TRUE(pout.ok()) << pout.error().message;
    CombinedTreeProof mine = p.FinishProof();
    const bool same = mine == *decoded;
    EXPECT_TRUE(same) << "prover output differs from the model's proof";
    proofs_equal += same ? 1 : 0;
    passed += (fields_match && same && outcome->status == want) ? 1 : 0;
  }
  int total_run = 0;
  for (const auto& [name, rp] : per_op) {
    std::printf("combined_tree.json %-28s run %3d passed %3d\n", name.c_str(), rp.first, rp.second);
    total_run += rp.first;
    EXPECT_EQ(rp.first, rp.second) << name;
  }
  std::printf("combined_tree.json: %d cases; C++ prover reproduced %d proofs byte for byte\n",
              total_run, proofs_equal);
  EXPECT_GT(total_run, 0);
}

}  // namespace
}  // namespace candor::kt

namespace candor::kt {
namespace {

// distinguished.json: the distinguished entries of random timestamp series, checked through the
// verifier-side IsDistinguished (a fresh user's view of each log).
TEST(CombinedTreeVectorsTest, DistinguishedEntries) {
  std::ifstream in(std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/kt/distinguished.json");
  ASSERT_TRUE(in.good());
  json doc = json::parse(in);
  int run = 0;
  int passed = 0;
  for (const json& c : doc["cases"]) {
    ++run;
    DirectoryState state;
    for (const json& t : c["timestamps"])
      ASSERT_TRUE(state.AppendEntry(t.get<uint64_t>(), {}).ok());
    const uint64_t n = state.size();
    const TreeParams params{c["rmw"].get<uint64_t>(), std::nullopt};
    ProofSession p = ProofSession::Prover(state, n, 0);
    ASSERT_TRUE(UpdateView(p).ok());
    std::vector<uint64_t> found;
    for (uint64_t x = 0; x < n; ++x) {
      auto d = IsDistinguished(p, params, x);
      ASSERT_TRUE(d.ok());
      if (*d) found.push_back(x);
    }
    // The verifier reaches the same answer from the proof the prover built.
    const CombinedTreeProof proof = p.FinishProof();
    ProofSession v = ProofSession::Verifier(proof, n, TreeView{});
    ASSERT_TRUE(UpdateView(v).ok());
    std::vector<uint64_t> verified;
    for (uint64_t x = 0; x < n; ++x) {
      auto d = IsDistinguished(v, params, x);
      ASSERT_TRUE(d.ok());
      if (*d) verified.push_back(x);
    }
    const auto want = c["distinguished"].get<std::vector<uint64_t>>();
    EXPECT_EQ(found, want);
    EXPECT_EQ(verified, want);
    passed += (found == want && verified == want) ? 1 : 0;
  }
  std::printf("distinguished.json: cases run %d / passed %d\n", run, passed);
  EXPECT_GT(run, 0);
  EXPECT_EQ(run, passed);
}

}  // namespace
}  // namespace candor::kt
