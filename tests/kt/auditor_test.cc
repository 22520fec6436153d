// auditor_test: the Third-Party Auditor (auditor.h) following an honest directory in both
// suites, and refusing each kind of misbehaviour with the step that catches it and an unchanged
// state.
#include "candor/kt/auditor.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "candor/kt/log_tree.h"
#include "candor/kt/prefix_tree.h"
#include "candor/kt/verifier.h"
#include "directory_harness.h"

namespace candor::kt {
namespace {

using testing::B;

// AuditorFixture: a directory (DirectoryHarness) plus an auditor for the same log in
// thirdPartyAuditing mode, and a mirror PrefixTree of everything the auditor accepted (to build
// dishonest proofs).
class AuditorFixture : public testing::DirectoryHarness {
 public:
  void SetUp() override {
    testing::DirectoryHarness::SetUp();
    auto params = GetCipherSuite(static_cast<uint16_t>(GetParam()));
    ASSERT_TRUE(params.ok());
    auditor_key_bytes_ = crypto::SignaturePrivateKey::Generate(params->signature);
    auditor_config_ = keys_->config;
    auditor_config_.mode = DeploymentMode::thirdPartyAuditing;
    auditor_config_.max_auditor_lag = 10'000;
    auditor_config_.auditor_start_pos = 0;
    auditor_config_.auditor_public_key = auditor_key_bytes_->public_key();
    auto a = Auditor::Create(auditor_config_, AuditorKey());
    ASSERT_TRUE(a.ok()) << a.error().message;
    auditor_ = std::make_unique<Auditor>(std::move(*a));
  }

  crypto::SignaturePrivateKey AuditorKey() const {
    auto k = crypto::SignaturePrivateKey::FromBytes(auditor_key_bytes_->scheme(),
                                                    auditor_key_bytes_->private_key());
    EXPECT_TRUE(k.ok());
    return std::move(*k);
  }

  // PublishBatch queues `num_labels` labels (new ones, or new versions of older ones), each with
  // 1-3 values, and publishes them as one entry. Returns its position.
  uint64_t PublishBatch(int num_labels) {
    for (int i = 0; i < num_labels; ++i) {
      const std::string label = "label-" + std::to_string((counter_ * 7 + i * 13) % 40);
      ++counter_;
      if (queued_.count(label) != 0) continue;  // one queued request per label
      UpdateRequest req;
      req.label = B(label);
      auto it = greatest_.find(label);
      if (it != greatest_.end()) req.greatest_version = it->second;
      const int num_values = 1 + (counter_ % 3);
      for (int v = 0; v < num_values; ++v) {
        req.values.push_back(LabelValue{B(label + "/value-" + std::to_string(counter_ + v))});
      }
      auto ticket = dir_->SubmitUpdate(req);
      EXPECT_TRUE(ticket.ok()) << ticket.error().message;
      queued_[label] = static_cast<uint32_t>(num_values);
    }
    for (const auto& [label, n] : queued_) {
      auto it = greatest_.find(label);
      greatest_[label] = it == greatest_.end() ? n - 1 : it->second + n;
    }
    queued_.clear();
    Tick(250);
    auto p = dir_->Publish();
    EXPECT_TRUE(p.ok()) << p.error().message;
    return p.ok() ? *p : 0;
  }

  // UpdateFor fetches the AuditorUpdate of `position` and round-trips it through the wire.
  AuditorUpdate UpdateFor(uint64_t position) {
    auto u = dir_->AuditorUpdateFor(position);
    EXPECT_TRUE(u.ok()) << u.error().message;
    return Plain(*u);
  }

  // Follow processes entry `position` honestly and checks the auditor against the directory.
  void Follow(uint64_t position) {
    const AuditorUpdate u = UpdateFor(position);
    auto head = auditor_->Process(u);
    ASSERT_TRUE(head.ok()) << head.error().message;
    auto dir_head = dir_->Head();
    ASSERT_TRUE(dir_head.ok());
    EXPECT_EQ(head->tree_size, position + 1);
    EXPECT_EQ(head->timestamp, u.timestamp);
    ASSERT_EQ(auditor_->root(), dir_head->second) << "at entry " << position;
    EXPECT_TRUE(VerifyAuditorTreeHead(auditor_config_, Plain(*head), dir_head->second).ok());
    ASSERT_TRUE(mirror_.Insert(u.added).ok());
    EXPECT_EQ(auditor_->prefix_root(), mirror_.Root(mirror_.latest_version()));
  }

  // ExpectRefused processes `u` and expects a refusal naming `step`, with the state unchanged.
  void ExpectRefused(const AuditorUpdate& u, int step) {
    const AuditorState before = auditor_->state();
    auto head = auditor_->Process(u);
    ASSERT_FALSE(head.ok());
    EXPECT_EQ(head.error().code, Errc::kVerifyFailed);
    const std::string want = "auditor step " + std::to_string(step) + ":";
    EXPECT_EQ(head.error().message.rfind(want, 0), 0u) << head.error().message;
    EXPECT_EQ(auditor_->state(), before);
  }

  // Warm publishes and follows a few entries, so that the trees are not trivial.
  void Warm(int entries) {
    for (int i = 0; i < entries; ++i) Follow(PublishBatch(3 + i % 4));
  }

  std::optional<crypto::SignaturePrivateKey> auditor_key_bytes_;
  Configuration auditor_config_;
  std::unique_ptr<Auditor> auditor_;
  PrefixTree mirror_;
  std::map<std::string, uint32_t> greatest_;
  std::map<std::string, uint32_t> queued_;
  int counter_ = 0;
};

TEST_P(AuditorFixture, FollowsHonestDirectory) {
  constexpr int kEntries = 120;
  uint64_t keys_added = 0;
  int heartbeats = 0;
  int restarts = 0;
  for (int i = 0; i < kEntries; ++i) {
    uint64_t position;
    if (i % 5 == 4) {
      position = Heartbeat();
      ++heartbeats;
    } else {
      position = PublishBatch(1 + (i * 3) % 9);
    }
    keys_added += UpdateFor(position).added.size();
    ASSERT_NO_FATAL_FAILURE(Follow(position));
    if (i % 25 == 24) {
      // Restart: the auditor resumes from its encoded state.
      auto state = tls::DecodeExact<AuditorState>(tls::Encode(auditor_->state()));
      ASSERT_TRUE(state.ok()) << state.error().message;
      auto again = Auditor::Restore(auditor_config_, AuditorKey(), std::move(*state));
      ASSERT_TRUE(again.ok()) << again.error().message;
      *auditor_ = std::move(*again);
      ++restarts;
    }
  }
  EXPECT_EQ(auditor_->size(), static_cast<uint64_t>(kEntries));
  std::printf(
      "[auditor] %s: %d entries followed (%d heartbeats, %llu keys added, %d restarts), "
      "root equal to the directory's at every entry\n",
      GetParam() == CipherSuite::KT_128_SHA256_P256 ? "P256" : "Ed25519", kEntries, heartbeats,
      static_cast<unsigned long long>(keys_added), restarts);
  EXPECT_GT(keys_added, 300u);

  // The seed of fuzz/corpus/auditor_fuzz/: the first entries of a real log, concatenated.
  if (const char* out = std::getenv("CANDOR_AUDITOR_SEED_OUT");
      out != nullptr && GetParam() == CipherSuite::KT_128_SHA256_Ed25519) {
    Bytes seed;
    for (uint64_t p = 0; p < 4; ++p) {
      const Bytes one = tls::Encode(UpdateFor(p));
      seed.insert(seed.end(), one.begin(), one.end());
    }
    std::ofstream(out, std::ios::binary)
        .write(reinterpret_cast<const char*>(seed.data()),
               static_cast<std::streamsize>(seed.size()));
  }
}

TEST_P(AuditorFixture, StartsAtAuditorStartPos) {
  Warm(6);
  // A second auditor whose deployment starts at entry 6, handed the state at 6 out of band.
  Configuration late = auditor_config_;
  late.auditor_start_pos = 6;
  EXPECT_EQ(Auditor::Create(late, AuditorKey()).error().code, Errc::kInvalidArgument);
  AuditorState early = auditor_->state();
  early.tree_size = 5;
  early.full_subtrees.resize(2);
  EXPECT_EQ(Auditor::Restore(late, AuditorKey(), early).error().code, Errc::kInvalidArgument);
  auto second = Auditor::Restore(late, AuditorKey(), auditor_->state());
  ASSERT_TRUE(second.ok()) << second.error().message;
  for (int i = 0; i < 5; ++i) {
    const uint64_t position = PublishBatch(2);
    ASSERT_NO_FATAL_FAILURE(Follow(position));
    auto head = second->Process(UpdateFor(position));
    ASSERT_TRUE(head.ok()) << head.error().message;
    EXPECT_EQ(second->root(), auditor_->root());
    EXPECT_TRUE(VerifyAuditorTreeHead(late, *head, second->root()).ok());
  }
}

TEST_P(AuditorFixture, RefusesTimestampGoingBack) {
  Warm(3);
  AuditorUpdate u = UpdateFor(PublishBatch(2));
  u.timestamp = auditor_->state().timestamp - 1;
  ExpectRefused(u, 1);
}

TEST_P(AuditorFixture, RefusesUnsortedOrDuplicateAdded) {
  Warm(3);
  const uint64_t position = PublishBatch(4);
  const AuditorUpdate honest = UpdateFor(position);
  ASSERT_GE(honest.added.size(), 2u);
  AuditorUpdate swapped = honest;
  std::swap(swapped.added[0], swapped.added[1]);
  ExpectRefused(swapped, 2);
  AuditorUpdate duplicate = honest;
  duplicate.added.insert(duplicate.added.begin(), duplicate.added[0]);
  ExpectRefused(duplicate, 2);
  AuditorUpdate removed_twice = honest;
  removed_twice.removed = {honest.added[0], honest.added[0]};
  ExpectRefused(removed_twice, 2);
  Follow(position);  // the honest update still goes through
}

TEST_P(AuditorFixture, RefusesAddedKeyAlreadyPresent) {
  Warm(4);
  // The directory re-adds a key the tree already holds (with a new commitment).
  const AuditorUpdate earlier = UpdateFor(1);
  ASSERT_FALSE(earlier.added.empty());
  AuditorUpdate u;
  u.timestamp = auditor_->state().timestamp + 1;
  u.added = {earlier.added[0]};
  u.added[0].commitment[0] ^= 1;
  u.proof = mirror_.Prove(mirror_.latest_version(), {u.added[0].vrf_output});
  ASSERT_EQ(u.proof.results[0].result_type, PrefixSearchResultType::inclusion);
  ExpectRefused(u, 3);
  // Lying about the result type instead makes the proof evaluate elsewhere.
  u.proof.results[0].result_type = PrefixSearchResultType::nonInclusionParent;
  ExpectRefused(u, 6);
  // A results count that does not match the keys.
  AuditorUpdate short_proof = UpdateFor(PublishBatch(3));
  short_proof.proof.results.pop_back();
  ExpectRefused(short_proof, 3);
}

TEST_P(AuditorFixture, RefusesProofForAnotherTree) {
  Warm(5);
  AuditorUpdate u = UpdateFor(PublishBatch(3));
  std::vector<Hash32> keys;
  for (const PrefixLeaf& leaf : u.added) keys.push_back(leaf.vrf_output);
  u.proof = mirror_.Prove(mirror_.latest_version() - 2, keys);  // an older tree
  ExpectRefused(u, 6);
  u.proof = PrefixTree().Prove(0, keys);  // the empty tree
  ExpectRefused(u, 6);
}

TEST_P(AuditorFixture, WrongNewRootIsCaughtAgainstTheDirectoryHead) {
  Warm(4);
  const uint64_t position = PublishBatch(4);
  const AuditorUpdate honest = UpdateFor(position);
  ASSERT_GE(honest.added.size(), 2u);
  // The directory hides one of the entry's leaves from the auditor: the update is well formed,
  // so the auditor accepts it, but the root it signs is not the one the directory's head commits
  // to, so the auditor tree head fails against the directory's root, and the next update's proof
  // (from the directory's real tree) is refused.
  AuditorUpdate lying;
  lying.timestamp = honest.timestamp;
  lying.added.assign(honest.added.begin() + 1, honest.added.end());
  std::vector<Hash32> keys;
  for (const PrefixLeaf& leaf : lying.added) keys.push_back(leaf.vrf_output);
  lying.proof = mirror_.Prove(mirror_.latest_version(), keys);
  auto head = auditor_->Process(lying);
  ASSERT_TRUE(head.ok()) << head.error().message;
  auto dir_head = dir_->Head();
  ASSERT_TRUE(dir_head.ok());
  EXPECT_NE(auditor_->root(), dir_head->second);
  EXPECT_EQ(VerifyAuditorTreeHead(auditor_config_, *head, dir_head->second).error().code,
            Errc::kVerifyFailed);
  ExpectRefused(UpdateFor(PublishBatch(3)), 6);
}

TEST_P(AuditorFixture, WrongCommitmentIsCaughtAgainstTheDirectoryHead) {
  Warm(3);
  AuditorUpdate u = UpdateFor(PublishBatch(2));
  ASSERT_FALSE(u.added.empty());
  u.added.back().commitment[5] ^= 0x40;
  ASSERT_TRUE(auditor_->Process(u).ok());
  EXPECT_NE(auditor_->root(), dir_->Head()->second);
}

TEST_P(AuditorFixture, RefusesRemovals) {
  Warm(3);
  AuditorUpdate u = UpdateFor(PublishBatch(2));
  std::vector<Hash32> keys;
  for (const PrefixLeaf& leaf : u.added) keys.push_back(leaf.vrf_output);
  // A removed key that was never published: its result is a non-inclusion (step 4).
  PrefixLeaf ghost;
  ghost.vrf_output.fill(0x5a);
  u.removed = {ghost};
  keys.push_back(ghost.vrf_output);
  u.proof = mirror_.Prove(mirror_.latest_version(), keys);
  ExpectRefused(u, 4);
  // A removed key that is present: removal itself is not supported (step 5).
  const AuditorUpdate earlier = UpdateFor(0);
  ASSERT_FALSE(earlier.added.empty());
  u.removed = {earlier.added[0]};
  keys.back() = earlier.added[0].vrf_output;
  u.proof = mirror_.Prove(mirror_.latest_version(), keys);
  ExpectRefused(u, 5);
}

TEST_P(AuditorFixture, RefusesKeysSharing255Bits) {
  Hash32 a{};
  a.fill(0x11);
  Hash32 b = a;
  b[31] ^= 1;  // b < a: 0x10 < 0x11 in the last byte
  AuditorUpdate u;
  u.timestamp = 1;
  u.added = {PrefixLeaf{b, {}}, PrefixLeaf{a, {}}};
  u.proof = PrefixTree().Prove(0, {b, a});
  ExpectRefused(u, 7);
  u.added = {PrefixLeaf{a, {}}};
  u.proof = PrefixTree().Prove(0, {a});
  ASSERT_TRUE(auditor_->Process(u).ok());
  u.added = {PrefixLeaf{b, {}}};
  u.proof = PrefixTree().Prove(0, {b});  // the empty tree: not the auditor's
  ExpectRefused(u, 6);
}

TEST_P(AuditorFixture, CreateChecksTheSetup) {
  EXPECT_EQ(Auditor::Create(keys_->config, AuditorKey()).error().code, Errc::kInvalidArgument);
  Configuration other = auditor_config_;
  other.auditor_public_key = keys_->signature.public_key();
  EXPECT_EQ(Auditor::Create(other, AuditorKey()).error().code, Errc::kInvalidArgument);
}

// Directory::AuditorUpdateFor: unpublished positions, entries too large for one PrefixProof,
// and the same updates after the directory replays its store.
TEST_P(AuditorFixture, DirectoryAuditorUpdates) {
  Warm(3);
  EXPECT_EQ(dir_->AuditorUpdateFor(3).error().code, Errc::kNotFound);
  std::vector<Bytes> before;
  for (uint64_t p = 0; p < 3; ++p) before.push_back(tls::Encode(UpdateFor(p)));
  Reopen();
  for (uint64_t p = 0; p < 3; ++p) EXPECT_EQ(tls::Encode(UpdateFor(p)), before[p]);
  // 86 new labels with 3 versions each: 258 leaves in one entry.
  for (int i = 0; i < 86; ++i) {
    UpdateRequest req;
    req.label = B("bulk-" + std::to_string(i));
    for (int v = 0; v < 3; ++v) req.values.push_back(LabelValue{B("v" + std::to_string(v))});
    ASSERT_TRUE(dir_->SubmitUpdate(req).ok());
  }
  Tick(100);
  auto p = dir_->Publish();
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(dir_->AuditorUpdateFor(*p).error().code, Errc::kInvalidArgument);
}

// The client's check of an AuditorTreeHead (verifier.h, draft §"Auditor Tree Head Signature").
TEST_P(AuditorFixture, ClientChecksAuditorTreeHead) {
  Warm(3);
  const HashValue lagging_root = auditor_->root();
  const uint64_t lagging_size = auditor_->size();
  const uint64_t lagging_ts = auditor_->state().timestamp;
  // The auditor's latest head, then the log grows by two entries the auditor has not seen.
  auto head = auditor_->Process(UpdateFor(PublishBatch(2)));
  ASSERT_TRUE(head.ok());
  const HashValue auditor_root = auditor_->root();
  PublishBatch(1);
  const uint64_t last = PublishBatch(1);
  const uint64_t n = last + 1;
  const uint64_t rightmost = UpdateFor(last).timestamp;
  const Configuration& c = auditor_config_;
  EXPECT_TRUE(CheckAuditorTreeHead(c, *head, n, rightmost, auditor_root, std::nullopt).ok());
  EXPECT_TRUE(CheckAuditorTreeHead(c, *head, n, rightmost, auditor_root, lagging_size).ok());
  auto expect_step = [](const Status& st, const std::string& step) {
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, Errc::kVerifyFailed);
    EXPECT_NE(st.error().message.find(step), std::string::npos) << st.error().message;
  };
  Configuration late = c;
  late.auditor_start_pos = lagging_size + 1;
  expect_step(CheckAuditorTreeHead(late, *head, n, rightmost, auditor_root, lagging_size),
              "auditor step 1");
  expect_step(CheckAuditorTreeHead(c, *head, n, head->timestamp - 1, auditor_root, std::nullopt),
              "auditor step 2");
  expect_step(CheckAuditorTreeHead(c, *head, n, head->timestamp + c.max_auditor_lag + 1,
                                   auditor_root, std::nullopt),
              "auditor step 2");
  expect_step(
      CheckAuditorTreeHead(c, *head, head->tree_size - 1, rightmost, auditor_root, std::nullopt),
      "auditor step 3");
  expect_step(CheckAuditorTreeHead(c, *head, n, rightmost, lagging_root, std::nullopt),
              "auditor step 4");
  AuditorTreeHead relabelled = *head;
  relabelled.tree_size = lagging_size;  // a size whose root the signature does not cover
  relabelled.timestamp = lagging_ts;
  expect_step(CheckAuditorTreeHead(c, relabelled, n, rightmost, lagging_root, std::nullopt),
              "auditor step 4");
  EXPECT_EQ(CheckAuditorTreeHead(keys_->config, *head, n, rightmost, auditor_root, std::nullopt)
                .error()
                .code,
            Errc::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Suites, AuditorFixture,
                         ::testing::Values(CipherSuite::KT_128_SHA256_P256,
                                           CipherSuite::KT_128_SHA256_Ed25519),
                         [](const ::testing::TestParamInfo<CipherSuite>& info) {
                           return info.param == CipherSuite::KT_128_SHA256_P256 ? "P256"
                                                                                : "Ed25519";
                         });

// Keys with long shared prefixes (variants of one key with a few bits flipped, down to bit 254)
// split leaves deep in the tree; the auditor's roots must equal PrefixTree's and LogTree's after
// every batch.
TEST(AuditorDeepSplitTest, MatchesPrefixTreeAndLogTree) {
  auto key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  Configuration config;
  config.ciphersuite = CipherSuite::KT_128_SHA256_Ed25519;
  config.mode = DeploymentMode::thirdPartyAuditing;
  config.signature_public_key = key.public_key();
  config.vrf_public_key = key.public_key();
  config.auditor_public_key = key.public_key();
  config.reasonable_monitoring_window = 1'000;
  auto auditor = Auditor::Create(config, std::move(key));
  ASSERT_TRUE(auditor.ok()) << auditor.error().message;
  PrefixTree tree;
  LogTree log;
  uint64_t rng = 0x9e3779b97f4a7c15ull;
  auto next = [&rng] {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  Hash32 bases[3];
  for (Hash32& b : bases) {
    for (uint8_t& byte : b) byte = static_cast<uint8_t>(next());
  }
  constexpr int kBatches = 60;
  size_t num_keys = 0;
  for (int batch = 0; batch < kBatches; ++batch) {
    std::map<Hash32, HashValue> fresh;
    const int n = static_cast<int>(next() % 12);  // 0..11 keys, 0 = heartbeat
    for (int i = 0; i < n; ++i) {
      Hash32 k = bases[next() % 3];
      const int flips = 1 + static_cast<int>(next() % 3);
      for (int f = 0; f < flips; ++f) {
        // Mostly deep bits (200..254), sometimes any bit below 255.
        const unsigned bit = next() % 4 == 0 ? static_cast<unsigned>(next() % 255)
                                             : 200 + static_cast<unsigned>(next() % 55);
        k[bit / 8] = static_cast<uint8_t>(k[bit / 8] ^ (0x80u >> (bit % 8)));
      }
      if (tree.Lookup(tree.latest_version(), k).has_value()) continue;
      HashValue c{};
      c[0] = static_cast<uint8_t>(batch);
      c[1] = static_cast<uint8_t>(i);
      fresh[k] = c;
    }
    AuditorUpdate u;
    u.timestamp = 1'000 + static_cast<uint64_t>(batch);
    std::vector<Hash32> keys;
    for (const auto& [k, c] : fresh) {
      u.added.push_back(PrefixLeaf{k, c});
      keys.push_back(k);
    }
    u.proof = tree.Prove(tree.latest_version(), keys);
    auto head = auditor->Process(u);
    ASSERT_TRUE(head.ok()) << head.error().message;
    ASSERT_TRUE(tree.Insert(u.added).ok());
    log.Append(LogEntryHash(u.timestamp, tree.Root(tree.latest_version())));
    ASSERT_EQ(auditor->prefix_root(), tree.Root(tree.latest_version())) << "batch " << batch;
    ASSERT_EQ(auditor->root(), log.Root()) << "batch " << batch;
    EXPECT_TRUE(VerifyAuditorTreeHead(config, *head, log.Root()).ok());
    num_keys += u.added.size();
  }
  std::printf("[auditor] deep splits: %d batches, %zu keys, roots equal after every batch\n",
              kBatches, num_keys);
  EXPECT_GT(num_keys, 150u);
}

// The fuzz seed is a real log: a fresh auditor accepts every update in it.
TEST(AuditorFuzzSeedTest, SeedIsAnAcceptedLog) {
  const std::string path =
      std::string(CANDOR_SOURCE_DIR) + "/fuzz/corpus/auditor_fuzz/seed_real_log_4_entries";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  const Bytes seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  Configuration config;
  config.ciphersuite = CipherSuite::KT_128_SHA256_Ed25519;
  config.mode = DeploymentMode::thirdPartyAuditing;
  config.signature_public_key = key.public_key();
  config.vrf_public_key = key.public_key();
  config.auditor_public_key = key.public_key();
  config.reasonable_monitoring_window = 1'000;
  auto auditor = Auditor::Create(config, std::move(key));
  ASSERT_TRUE(auditor.ok()) << auditor.error().message;
  tls::Reader r(seed);
  size_t num_keys = 0;
  while (!r.empty()) {
    auto update = AuditorUpdate::Decode(r);
    ASSERT_TRUE(update.ok()) << update.error().message;
    num_keys += update->added.size();
    auto head = auditor->Process(*update);
    ASSERT_TRUE(head.ok()) << head.error().message;
  }
  EXPECT_EQ(auditor->size(), 4u);
  EXPECT_GT(num_keys, 4u);
}

TEST(AuditorStateTest, EncodingRoundTripsAndIsStrict) {
  AuditorState s;
  s.tree_size = 13;
  s.timestamp = 1'700'000'000'123;
  s.prefix_root.fill(7);
  s.full_subtrees.resize(3);
  for (size_t i = 0; i < 3; ++i) s.full_subtrees[i].fill(static_cast<uint8_t>(i + 1));
  const Bytes wire = tls::Encode(s);
  EXPECT_EQ(wire.size(), 8u + 8u + 32u + 1u + 3u * 32u);
  auto back = tls::DecodeExact<AuditorState>(wire);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, s);
  for (size_t n = 0; n < wire.size(); ++n) {
    auto cut = tls::DecodeExact<AuditorState>(ByteView(wire.data(), n));
    ASSERT_FALSE(cut.ok()) << n;
    EXPECT_EQ(cut.error().code, Errc::kMalformed);
  }
  Bytes trailing = wire;
  trailing.push_back(0);
  EXPECT_EQ(tls::DecodeExact<AuditorState>(trailing).error().code, Errc::kMalformed);
  AuditorState wrong = s;
  wrong.full_subtrees.pop_back();
  auto bad = tls::DecodeExact<AuditorState>(tls::Encode(wrong));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("AuditorState.full_subtrees"), std::string::npos);
  EXPECT_EQ(AuditorState{}.prefix_root, EmptyPrefixRoot());
  EXPECT_EQ(EmptyPrefixRoot(), PrefixTree().Root(0));
}

}  // namespace
}  // namespace candor::kt
