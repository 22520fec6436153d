// Prover and verifier run the same algorithms over random directory histories: every proof the
// prover makes must verify to the true log root, and every tampered proof must be rejected.
#include "candor/kt/tree_algorithms.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "candor/crypto/sha256.h"
#include "candor/kt/directory_state.h"
#include "candor/kt/implicit_tree.h"

namespace candor::kt {
namespace {

Hash32 KeyOf(const std::string& label, uint32_t version) {
  crypto::Sha256Hasher h;
  h.Update(ByteView(reinterpret_cast<const uint8_t*>(label.data()), label.size()));
  uint8_t v[4] = {static_cast<uint8_t>(version >> 24), static_cast<uint8_t>(version >> 16),
                  static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version)};
  h.Update(ByteView(v, 4));
  return h.Final();
}

HashValue CommitmentOf(const std::string& label, uint32_t version) {
  Hash32 k = KeyOf(label + "/commitment", version);
  return k;
}

// History is a directory with one watched label ("alice") and background traffic.
struct History {
  DirectoryState state;
  std::vector<HashValue> roots;                 // log root after each entry
  std::map<uint32_t, uint64_t> alice_versions;  // version -> position created
  std::vector<uint64_t> timestamps;
};

History MakeHistory(uint64_t seed, int entries, int rmw_spacing) {
  std::mt19937_64 rng(seed);
  History h;
  uint64_t ts = 1000;
  uint32_t next_alice = 0;
  int background = 0;
  for (int i = 0; i < entries; ++i) {
    ts += rng() % static_cast<uint64_t>(rmw_spacing + 1);  // equal neighbours happen
    std::vector<PrefixLeaf> added;
    const int roll = static_cast<int>(rng() % 4);
    if (roll == 0) {
      const int count = 1 + static_cast<int>(rng() % 3);
      for (int c = 0; c < count; ++c) {
        h.alice_versions[next_alice] = static_cast<uint64_t>(i);
        added.push_back(PrefixLeaf{KeyOf("alice", next_alice), CommitmentOf("alice", next_alice)});
        ++next_alice;
      }
    }
    const int others = static_cast<int>(rng() % 5);
    for (int c = 0; c < others; ++c) {
      std::string label = "user" + std::to_string(background++);
      added.push_back(PrefixLeaf{KeyOf(label, 0), CommitmentOf(label, 0)});
    }
    auto pos = h.state.AppendEntry(ts, added);
    EXPECT_TRUE(pos.ok());
    h.roots.push_back(h.state.LogRootAt(h.state.size()));
    h.timestamps.push_back(ts);
  }
  return h;
}

// VersionsFor builds the verifier's LabelVersions from what the prover used: VRF outputs for
// each used version and commitments for versions that exist in a tree of size n.
LabelVersions VersionsFor(const History& h, const LabelVersions& used, uint64_t n) {
  LabelVersions out;
  for (uint32_t v : used.used()) {
    auto it = h.alice_versions.find(v);
    std::optional<HashValue> c;
    if (it != h.alice_versions.end() && it->second < n) c = CommitmentOf("alice", v);
    out.Add(v, KeyOf("alice", v), c);
  }
  return out;
}

LabelVersions ProverVersions() {
  return LabelVersions([](uint32_t v) { return KeyOf("alice", v); });
}

// ViewAt is a verified fresh view of a tree of size m.
TreeView ViewAt(const History& h, uint64_t m) {
  if (m == 0) return {};
  ProofSession p = ProofSession::Prover(h.state, m, 0);
  EXPECT_TRUE(UpdateView(p).ok());
  CombinedTreeProof proof = p.FinishProof();
  TreeView none;
  ProofSession v = ProofSession::Verifier(proof, m, none);
  EXPECT_TRUE(UpdateView(v).ok());
  auto done = v.FinishVerify();
  EXPECT_TRUE(done.ok());
  EXPECT_EQ(done->root, h.roots[m - 1]);
  return done->view;
}

std::optional<uint32_t> GreatestAt(const History& h, uint64_t n) {
  std::optional<uint32_t> g;
  for (const auto& [v, pos] : h.alice_versions) {
    if (pos < n) g = v;
  }
  return g;
}

// Mutations of a proof: each must make verification fail or change the computed root.
std::vector<CombinedTreeProof> Tamper(const CombinedTreeProof& p) {
  std::vector<CombinedTreeProof> out;
  for (size_t i = 0; i < p.timestamps.size(); ++i) {
    CombinedTreeProof q = p;
    q.timestamps[i] += 1;
    out.push_back(q);
    q = p;
    q.timestamps.erase(q.timestamps.begin() + static_cast<long>(i));
    out.push_back(q);
  }
  for (size_t i = 0; i < p.prefix_roots.size(); ++i) {
    CombinedTreeProof q = p;
    q.prefix_roots[i][3] ^= 1;
    out.push_back(q);
  }
  for (size_t i = 0; i < p.inclusion.elements.size(); ++i) {
    CombinedTreeProof q = p;
    q.inclusion.elements[i][0] ^= 0x80;
    out.push_back(q);
  }
  for (size_t i = 0; i < p.prefix_proofs.size(); ++i) {
    CombinedTreeProof q = p;
    q.prefix_proofs.erase(q.prefix_proofs.begin() + static_cast<long>(i));
    out.push_back(q);
    for (size_t e = 0; e < p.prefix_proofs[i].elements.size(); ++e) {
      q = p;
      q.prefix_proofs[i].elements[e][31] ^= 1;
      out.push_back(q);
    }
  }
  CombinedTreeProof extra = p;
  extra.timestamps.push_back(p.timestamps.empty() ? 0 : p.timestamps.back());
  out.push_back(extra);
  extra = p;
  extra.inclusion.elements.push_back(HashValue{});
  out.push_back(extra);
  return out;
}

constexpr TreeParams kParams{50, std::nullopt};

TEST(TreeAlgorithmsTest, AppendixWorkedExampleShape) {
  // 13 entries, user retained size 4: timestamps = [T7, T11, T12] from updating the view.
  History h = MakeHistory(7, 13, 10);
  TreeView old = ViewAt(h, 4);
  ProofSession p = ProofSession::Prover(h.state, 13, 4);
  ASSERT_TRUE(UpdateView(p).ok());
  CombinedTreeProof proof = p.FinishProof();
  EXPECT_EQ(proof.timestamps,
            (std::vector<uint64_t>{h.timestamps[7], h.timestamps[11], h.timestamps[12]}));
  EXPECT_EQ(proof.prefix_roots.size(), 3u);
  EXPECT_EQ(proof.inclusion.elements.size(), 4u);
  ProofSession v = ProofSession::Verifier(proof, 13, old);
  ASSERT_TRUE(UpdateView(v).ok());
  auto done = v.FinishVerify();
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->root, h.roots[12]);
}

TEST(TreeAlgorithmsTest, GreatestVersionSearchProvesAndVerifies) {
  int checked = 0;
  int tampered = 0;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    History h = MakeHistory(seed, 70, 30);
    for (uint64_t n = 1; n <= h.state.size(); n += 4) {
      std::optional<uint32_t> g = GreatestAt(h, n);
      if (!g) continue;
      for (uint64_t m : {uint64_t{0}, n / 2, n - 1, n}) {
        if (m == 0 && n > 1 && seed % 2 == 0) continue;
        TreeView old = ViewAt(h, m);
        LabelVersions pv = ProverVersions();
        ProofSession p = ProofSession::Prover(h.state, n, m);
        ASSERT_TRUE(UpdateView(p).ok());
        auto pout = GreatestVersionSearch(p, kParams, *g, pv);
        ASSERT_TRUE(pout.ok()) << pout.error().message;
        CombinedTreeProof proof = p.FinishProof();

        uint64_t terminal = 0;
        auto verify = [&](const CombinedTreeProof& candidate) -> Result<HashValue> {
          LabelVersions vv = VersionsFor(h, pv, n);
          ProofSession v = ProofSession::Verifier(candidate, n, old);
          CANDOR_TRY(UpdateView(v));
          CANDOR_ASSIGN_OR_RETURN(SearchOutcome out, GreatestVersionSearch(v, kParams, *g, vv));
          terminal = out.terminal;
          CANDOR_ASSIGN_OR_RETURN(ProofSession::Verified done, v.FinishVerify());
          return done.root;
        };
        auto root = verify(proof);
        ASSERT_TRUE(root.ok()) << root.error().message;
        EXPECT_EQ(*root, h.roots[n - 1]);
        EXPECT_EQ(terminal, pout->terminal);
        ++checked;
        for (const CombinedTreeProof& bad : Tamper(proof)) {
          auto r = verify(bad);
          EXPECT_TRUE(!r.ok() || *r != h.roots[n - 1]);
          ++tampered;
        }
        // Claiming an older version as the greatest must fail.
        if (*g > 0) {
          LabelVersions vv = VersionsFor(h, pv, n);
          ProofSession v = ProofSession::Verifier(proof, n, old);
          ASSERT_TRUE(UpdateView(v).ok());
          EXPECT_FALSE(GreatestVersionSearch(v, kParams, *g - 1, vv).ok());
        }
      }
    }
  }
  std::printf("greatest-version search: %d proofs verified, %d tampered proofs rejected\n", checked,
              tampered);
  EXPECT_GT(checked, 50);
}

TEST(TreeAlgorithmsTest, FixedVersionSearchProvesAndVerifies) {
  int checked = 0;
  for (uint64_t seed = 11; seed <= 12; ++seed) {
    History h = MakeHistory(seed, 60, 30);
    for (const TreeParams& params :
         {kParams, TreeParams{40, uint64_t{400}}, TreeParams{0, std::nullopt}}) {
      for (uint64_t n = 2; n <= h.state.size(); n += 7) {
        for (const auto& [version, pos] : h.alice_versions) {
          if (pos >= n) continue;
          LabelVersions pv = ProverVersions();
          ProofSession p = ProofSession::Prover(h.state, n, 0);
          ASSERT_TRUE(UpdateView(p).ok());
          auto pout = FixedVersionSearch(p, params, version, pv);
          if (!pout.ok()) {
            // Only expiry may refuse an existing version.
            EXPECT_NE(pout.error().message.find("expired"), std::string::npos)
                << pout.error().message;
            continue;
          }
          CombinedTreeProof proof = p.FinishProof();
          LabelVersions vv = VersionsFor(h, pv, n);
          ProofSession v = ProofSession::Verifier(proof, n, TreeView{});
          ASSERT_TRUE(UpdateView(v).ok());
          auto vout = FixedVersionSearch(v, params, version, vv);
          ASSERT_TRUE(vout.ok()) << vout.error().message;
          EXPECT_EQ(vout->terminal, pout->terminal);
          auto done = v.FinishVerify();
          ASSERT_TRUE(done.ok()) << done.error().message;
          EXPECT_EQ(done->root, h.roots[n - 1]);
          ++checked;
          for (const CombinedTreeProof& bad : Tamper(proof)) {
            LabelVersions bv = VersionsFor(h, pv, n);
            ProofSession b = ProofSession::Verifier(bad, n, TreeView{});
            Status st = UpdateView(b);
            if (st.ok())
              st = FixedVersionSearch(b, params, version, bv).ok() ? OkStatus() : VerifyFailed();
            if (st.ok()) {
              auto d = b.FinishVerify();
              EXPECT_TRUE(!d.ok() || d->root != h.roots[n - 1]);
            }
          }
        }
        // A version that does not exist yet cannot be proven.
        uint32_t missing = GreatestAt(h, n).value_or(0) + 1;
        LabelVersions pv = ProverVersions();
        ProofSession p = ProofSession::Prover(h.state, n, 0);
        ASSERT_TRUE(UpdateView(p).ok());
        EXPECT_FALSE(FixedVersionSearch(p, params, missing, pv).ok());
      }
    }
  }
  std::printf("fixed-version search: %d proofs verified\n", checked);
  EXPECT_GT(checked, 50);
}

TEST(TreeAlgorithmsTest, ContactMonitoringFollowsTheFrontier) {
  int checked = 0;
  for (uint64_t seed = 21; seed <= 24; ++seed) {
    History h = MakeHistory(seed, 90, 30);
    for (uint64_t n0 = 5; n0 + 10 < h.state.size(); n0 += 3) {
      std::optional<uint32_t> g = GreatestAt(h, n0);
      if (!g) continue;
      // A search at n0 leaves a terminal entry to monitor.
      LabelVersions pv = ProverVersions();
      ProofSession p = ProofSession::Prover(h.state, n0, 0);
      ASSERT_TRUE(UpdateView(p).ok());
      auto found = GreatestVersionSearch(p, kParams, *g, pv);
      ASSERT_TRUE(found.ok());
      TreeView view = ViewAt(h, n0);
      MonitoringMap map;
      if (found->needs_monitoring) map[found->terminal] = *g;
      for (uint64_t n = n0 + 3; n <= h.state.size() && !map.empty(); n += 4) {
        LabelVersions mpv = ProverVersions();
        ProofSession mp = ProofSession::Prover(h.state, n, view.size);
        ASSERT_TRUE(UpdateView(mp).ok());
        auto pmap = ContactMonitor(mp, kParams, map, std::nullopt, mpv);
        ASSERT_TRUE(pmap.ok()) << pmap.error().message;
        CombinedTreeProof proof = mp.FinishProof();
        LabelVersions vv = VersionsFor(h, mpv, n);
        ProofSession v = ProofSession::Verifier(proof, n, view);
        ASSERT_TRUE(UpdateView(v).ok());
        auto vmap = ContactMonitor(v, kParams, map, std::nullopt, vv);
        ASSERT_TRUE(vmap.ok()) << vmap.error().message;
        EXPECT_EQ(*vmap, *pmap);
        auto done = v.FinishVerify();
        ASSERT_TRUE(done.ok()) << done.error().message;
        EXPECT_EQ(done->root, h.roots[n - 1]);
        view = done->view;
        map = *vmap;
        ++checked;
      }
    }
  }
  std::printf("contact monitoring: %d rounds verified\n", checked);
  EXPECT_GT(checked, 10);
}

TEST(TreeAlgorithmsTest, OwnerInitAndMonitor) {
  int checked = 0;
  History h = MakeHistory(31, 80, 30);
  const uint64_t n = h.state.size();
  // Every distinguished, live entry is a valid starting position.
  ProofSession probe = ProofSession::Prover(h.state, n, 0);
  ASSERT_TRUE(UpdateView(probe).ok());
  for (uint64_t start = 0; start < n; ++start) {
    auto d = IsDistinguished(probe, kParams, start);
    ASSERT_TRUE(d.ok());
    if (!*d) continue;
    ProofSession p = ProofSession::Prover(h.state, n, 0);
    ASSERT_TRUE(UpdateView(p).ok());
    auto list = OwnerInitEntries(p, kParams, start);
    ASSERT_TRUE(list.ok());
    std::vector<uint32_t> greatest;
    for (uint64_t x : *list) {
      std::optional<uint32_t> g = GreatestAt(h, x + 1);
      if (!g) break;
      greatest.push_back(*g);
    }
    LabelVersions pv = ProverVersions();
    ProofSession p2 = ProofSession::Prover(h.state, n, 0);
    ASSERT_TRUE(UpdateView(p2).ok());
    ASSERT_TRUE(OwnerInit(p2, kParams, start, greatest, pv).ok());
    CombinedTreeProof proof = p2.FinishProof();
    LabelVersions vv = VersionsFor(h, pv, n);
    ProofSession v = ProofSession::Verifier(proof, n, TreeView{});
    ASSERT_TRUE(UpdateView(v).ok());
    Status st = OwnerInit(v, kParams, start, greatest, vv);
    ASSERT_TRUE(st.ok()) << st.error().message;
    auto done = v.FinishVerify();
    ASSERT_TRUE(done.ok()) << done.error().message;
    EXPECT_EQ(done->root, h.roots[n - 1]);
    if (!greatest.empty() && greatest[0] > 0) {
      // Claiming less than the truth fails.
      std::vector<uint32_t> wrong = greatest;
      wrong[0] -= 1;
      LabelVersions wv = VersionsFor(h, pv, n);
      ProofSession w = ProofSession::Verifier(proof, n, TreeView{});
      ASSERT_TRUE(UpdateView(w).ok());
      EXPECT_FALSE(OwnerInit(w, kParams, start, wrong, wv).ok());
    }
    // Owner monitoring from this start, with the owner's true history.
    ExpectedVersion expected = [&](uint64_t x) { return GreatestAt(h, x + 1); };
    LabelVersions mpv = ProverVersions();
    ProofSession mp = ProofSession::Prover(h.state, n, 0);
    ASSERT_TRUE(UpdateView(mp).ok());
    auto pverified = OwnerMonitor(mp, kParams, start, expected, nullptr, mpv);
    ASSERT_TRUE(pverified.ok()) << pverified.error().message;
    CombinedTreeProof mproof = mp.FinishProof();
    LabelVersions mvv = VersionsFor(h, mpv, n);
    ProofSession mv = ProofSession::Verifier(mproof, n, TreeView{});
    ASSERT_TRUE(UpdateView(mv).ok());
    auto verified = OwnerMonitor(mv, kParams, start, expected, nullptr, mvv);
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_EQ(verified->checked, pverified->checked);
    ASSERT_TRUE(mv.FinishVerify().ok());
    // An owner who does not know the newest version (a "ghost" version) detects it.
    if (!h.alice_versions.empty()) {
      const auto [last_version, last_pos] = *h.alice_versions.rbegin();
      ExpectedVersion unaware = [&, lv = last_version](uint64_t x) -> std::optional<uint32_t> {
        std::optional<uint32_t> g = GreatestAt(h, x + 1);
        if (g && *g >= lv) return lv == 0 ? std::nullopt : std::optional<uint32_t>(lv - 1);
        return g;
      };
      LabelVersions gv = VersionsFor(h, mpv, n);
      ProofSession g = ProofSession::Verifier(mproof, n, TreeView{});
      ASSERT_TRUE(UpdateView(g).ok());
      auto r = OwnerMonitor(g, kParams, start, unaware, nullptr, gv);
      if (pverified->verified > start && last_pos <= pverified->verified) EXPECT_FALSE(r.ok());
    }
    ++checked;
  }
  std::printf("owner init + monitoring: %d starting positions verified\n", checked);
  EXPECT_GT(checked, 3);
}

TEST(TreeAlgorithmsTest, LabelUpdateVerifies) {
  int checked = 0;
  History h = MakeHistory(41, 80, 30);
  std::optional<uint32_t> previous;
  std::optional<uint64_t> previous_pos;
  std::map<uint64_t, std::vector<uint32_t>> by_pos;
  for (const auto& [v, pos] : h.alice_versions) by_pos[pos].push_back(v);
  for (const auto& [pos, created] : by_pos) {
    for (uint64_t n = pos + 1; n <= std::min<uint64_t>(h.state.size(), pos + 12); n += 5) {
      LabelUpdate update{pos, previous, previous_pos, 0, created};
      LabelVersions pv = ProverVersions();
      ProofSession p = ProofSession::Prover(h.state, n, 0);
      ASSERT_TRUE(UpdateView(p).ok());
      auto pc = VerifyLabelUpdate(p, kParams, update, pv);
      ASSERT_TRUE(pc.ok()) << pc.error().message;
      CombinedTreeProof proof = p.FinishProof();
      LabelVersions vv = VersionsFor(h, pv, n);
      ProofSession v = ProofSession::Verifier(proof, n, TreeView{});
      ASSERT_TRUE(UpdateView(v).ok());
      auto vc = VerifyLabelUpdate(v, kParams, update, vv);
      ASSERT_TRUE(vc.ok()) << vc.error().message;
      auto done = v.FinishVerify();
      ASSERT_TRUE(done.ok()) << done.error().message;
      EXPECT_EQ(done->root, h.roots[n - 1]);
      ++checked;
    }
    previous = created.back();
    previous_pos = pos;
  }
  std::printf("label updates: %d verified\n", checked);
  EXPECT_GT(checked, 5);
}

TEST(TreeAlgorithmsTest, WalkDistinguished) {
  History h = MakeHistory(51, 100, 30);
  const uint64_t n = h.state.size();
  ProofSession p = ProofSession::Prover(h.state, n, 0);
  ASSERT_TRUE(UpdateView(p).ok());
  auto found =
      WalkDistinguished(p, kParams, std::nullopt, 10 * kParams.reasonable_monitoring_window);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->empty());
  for (uint64_t x : *found) {
    auto d = IsDistinguished(p, kParams, x);
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(*d);
  }
  CombinedTreeProof proof = p.FinishProof();
  ProofSession v = ProofSession::Verifier(proof, n, TreeView{});
  ASSERT_TRUE(UpdateView(v).ok());
  auto vfound =
      WalkDistinguished(v, kParams, std::nullopt, 10 * kParams.reasonable_monitoring_window);
  ASSERT_TRUE(vfound.ok());
  EXPECT_EQ(*vfound, *found);
  auto done = v.FinishVerify();
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->root, h.roots[n - 1]);
}

}  // namespace
}  // namespace candor::kt
