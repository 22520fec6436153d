// RFC 9420 §9 secret tree and §6.3.2 sender-data keys against the official secret-tree.json
// vectors (all leaves and generations of all 7 suites), plus retention and deletion tests.
#include "candor/mls/secret_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "schedule_test_util.h"

namespace candor::mls {
namespace {

using testing::Hex;
using testing::json;
using testing::Same;

Bytes B(const SecretBytes& s) { return Bytes(s.view().begin(), s.view().end()); }

TEST(MlsSecretTreeTest, OfficialVectors) {
  const json cases = testing::LoadVectors("secret-tree.json");
  testing::Tally tally("secret-tree.json");
  size_t num_key_checks = 0;
  for (const json& c : cases) {
    const CipherSuiteParams* cs = testing::Suite(c);
    ASSERT_NE(cs, nullptr);
    const auto suite = static_cast<uint16_t>(cs->suite);
    const json& leaves = c.at("leaves");
    SCOPED_TRACE("suite " + std::to_string(suite) + " leaves " + std::to_string(leaves.size()));
    bool ok = true;

    const json& sd = c.at("sender_data");
    const Bytes sd_secret = Hex(sd.at("sender_data_secret"));
    const Bytes ciphertext = Hex(sd.at("ciphertext"));
    auto key = SenderDataKey(*cs, sd_secret, ciphertext);
    auto nonce = SenderDataNonce(*cs, sd_secret, ciphertext);
    ASSERT_TRUE(key.ok() && nonce.ok());
    ok = Same(key->view(), sd.at("key"), "sender_data key") && ok;
    ok = Same(nonce->view(), sd.at("nonce"), "sender_data nonce") && ok;

    const Bytes encryption_secret = Hex(c.at("encryption_secret"));
    const auto num_leaves = static_cast<uint32_t>(leaves.size());
    // The receiver side asks for exactly the listed generations; the sender side walks every
    // generation with NextSendKey. Both must give the vector's keys.
    auto receiver = SecretTree::Create(*cs, encryption_secret, num_leaves);
    auto sender = SecretTree::Create(*cs, encryption_secret, num_leaves);
    ASSERT_TRUE(receiver.ok() && sender.ok());
    for (uint32_t leaf = 0; leaf < num_leaves; ++leaf) {
      for (const json& g : leaves[leaf]) {
        const auto generation = g.at("generation").get<uint32_t>();
        const std::string where =
            " leaf " + std::to_string(leaf) + " generation " + std::to_string(generation);
        for (RatchetType type : {RatchetType::kHandshake, RatchetType::kApplication}) {
          const bool hs = type == RatchetType::kHandshake;
          const json& want_key = g.at(hs ? "handshake_key" : "application_key");
          const json& want_nonce = g.at(hs ? "handshake_nonce" : "application_nonce");
          auto got = receiver->ReceiveKey(leaf, type, generation);
          ASSERT_TRUE(got.ok()) << where;
          EXPECT_EQ(got->generation, generation);
          ok = Same(got->key.view(), want_key, "receive key" + where) && ok;
          ok = Same(got->nonce.view(), want_nonce, "receive nonce" + where) && ok;
          Result<KeyAndNonce> sent = MakeError(Errc::kInternal, "not reached");
          do {
            sent = sender->NextSendKey(leaf, type);
            ASSERT_TRUE(sent.ok()) << where;
          } while (sent->generation < generation);
          ok = Same(sent->key.view(), want_key, "send key" + where) && ok;
          ok = Same(sent->nonce.view(), want_nonce, "send nonce" + where) && ok;
          num_key_checks += 2;
        }
      }
    }
    tally.Add(suite, ok);
  }
  std::printf(
      "secret-tree.json: %zu (leaf, generation, ratchet) key+nonce checks, each on the "
      "receive and the send side\n",
      num_key_checks / 2);
  tally.Report();
  ASSERT_GT(tally.run(), 0u);
  ASSERT_GT(num_key_checks, 0u);
}

class SecretTreeUnitTest : public ::testing::Test {
 protected:
  const CipherSuiteParams& cs_ = **GetCipherSuiteParams(1);
  const Bytes secret_ = Bytes(32, 0x5a);

  SecretTree Make(uint32_t num_leaves, SecretTreeLimits limits = {}) {
    auto t = SecretTree::Create(cs_, secret_, num_leaves, limits);
    EXPECT_TRUE(t.ok());
    return std::move(t).value();
  }
  // Fresh returns the key of (leaf, type, generation) from an untouched tree.
  Bytes Fresh(uint32_t num_leaves, uint32_t leaf, RatchetType type, uint32_t generation) {
    SecretTree t = Make(num_leaves);
    auto k = t.ReceiveKey(leaf, type, generation);
    EXPECT_TRUE(k.ok());
    return k.ok() ? B(k->key) : Bytes{};
  }
};

void ExpectVerifyFailed(const Result<KeyAndNonce>& r) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kVerifyFailed);
}

TEST_F(SecretTreeUnitTest, CreateRejectsBadArguments) {
  EXPECT_EQ(SecretTree::Create(cs_, Bytes(31, 0), 4).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(SecretTree::Create(cs_, secret_, 0).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(SecretTree::Create(cs_, secret_, (uint32_t{1} << 31) + 1).error().code,
            Errc::kInvalidArgument);
  SecretTree t = Make(4);
  EXPECT_EQ(t.ReceiveKey(4, RatchetType::kHandshake, 0).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(t.NextSendKey(4, RatchetType::kApplication).error().code, Errc::kInvalidArgument);
}

TEST_F(SecretTreeUnitTest, KeyIsDeletedAfterUse) {
  SecretTree t = Make(4);
  ASSERT_TRUE(t.ReceiveKey(1, RatchetType::kApplication, 0).ok());
  ExpectVerifyFailed(t.ReceiveKey(1, RatchetType::kApplication, 0));
  // The other ratchet of the same leaf is independent.
  ASSERT_TRUE(t.ReceiveKey(1, RatchetType::kHandshake, 0).ok());
}

TEST_F(SecretTreeUnitTest, OutOfOrderWithinWindowOnceEach) {
  SecretTree t = Make(4);
  auto k5 = t.ReceiveKey(2, RatchetType::kApplication, 5);
  ASSERT_TRUE(k5.ok());
  EXPECT_EQ(t.num_retained_keys(2, RatchetType::kApplication), 5u);  // 0..4
  for (uint32_t g : {3u, 0u, 4u}) {
    auto k = t.ReceiveKey(2, RatchetType::kApplication, g);
    ASSERT_TRUE(k.ok()) << g;
    EXPECT_EQ(B(k->key), Fresh(4, 2, RatchetType::kApplication, g)) << g;
    ExpectVerifyFailed(t.ReceiveKey(2, RatchetType::kApplication, g));
  }
  EXPECT_EQ(t.num_retained_keys(2, RatchetType::kApplication), 2u);  // 1, 2
  ExpectVerifyFailed(t.ReceiveKey(2, RatchetType::kApplication, 5));
}

TEST_F(SecretTreeUnitTest, RetentionIsBoundedOldestDeletedFirst) {
  SecretTree t = Make(2, {.max_forward_distance = 1000, .max_retained_keys = 4});
  ASSERT_TRUE(t.ReceiveKey(0, RatchetType::kHandshake, 10).ok());
  EXPECT_EQ(t.num_retained_keys(0, RatchetType::kHandshake), 4u);  // 6..9
  ExpectVerifyFailed(t.ReceiveKey(0, RatchetType::kHandshake, 5));
  // Skipping 11 adds a fifth key; the oldest (6) goes: 7, 8, 9, 11 remain.
  ASSERT_TRUE(t.ReceiveKey(0, RatchetType::kHandshake, 12).ok());
  EXPECT_EQ(t.num_retained_keys(0, RatchetType::kHandshake), 4u);
  ExpectVerifyFailed(t.ReceiveKey(0, RatchetType::kHandshake, 6));
  ASSERT_TRUE(t.ReceiveKey(0, RatchetType::kHandshake, 7).ok());
  auto k9 = t.ReceiveKey(0, RatchetType::kHandshake, 9);
  ASSERT_TRUE(k9.ok());
  EXPECT_EQ(B(k9->key), Fresh(2, 0, RatchetType::kHandshake, 9));
}

TEST_F(SecretTreeUnitTest, TooFarAheadFailsAndLeavesStateUntouched) {
  SecretTree t = Make(8, {.max_forward_distance = 10, .max_retained_keys = 3});
  ExpectVerifyFailed(t.ReceiveKey(3, RatchetType::kApplication, 11));
  EXPECT_EQ(t.num_retained_keys(3, RatchetType::kApplication), 0u);
  // Exactly max_forward_distance ahead is allowed, and gives the same key as a fresh tree.
  auto k10 = t.ReceiveKey(3, RatchetType::kApplication, 10);
  ASSERT_TRUE(k10.ok());
  EXPECT_EQ(B(k10->key), Fresh(8, 3, RatchetType::kApplication, 10));
  ExpectVerifyFailed(t.ReceiveKey(3, RatchetType::kApplication, 22));
  auto k21 = t.ReceiveKey(3, RatchetType::kApplication, 21);
  ASSERT_TRUE(k21.ok());
  EXPECT_EQ(B(k21->key), Fresh(8, 3, RatchetType::kApplication, 21));
}

TEST_F(SecretTreeUnitTest, LeafOrderDoesNotMatter) {
  SecretTree a = Make(8);
  SecretTree b = Make(8);
  for (uint32_t leaf : {5u, 2u, 7u, 0u})
    ASSERT_TRUE(a.ReceiveKey(leaf, RatchetType::kHandshake, 1).ok());
  for (uint32_t leaf : {0u, 7u, 2u, 5u}) {
    auto x = b.ReceiveKey(leaf, RatchetType::kHandshake, 1);
    ASSERT_TRUE(x.ok());
    EXPECT_EQ(B(x->key), Fresh(8, leaf, RatchetType::kHandshake, 1)) << leaf;
  }
  auto x = a.ReceiveKey(3, RatchetType::kApplication, 0);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(B(x->key), Fresh(8, 3, RatchetType::kApplication, 0));
}

TEST_F(SecretTreeUnitTest, UnevenLeafCountMatchesPaddedTree) {
  for (uint32_t leaf = 0; leaf < 5; ++leaf) {
    EXPECT_EQ(Fresh(5, leaf, RatchetType::kApplication, 2),
              Fresh(8, leaf, RatchetType::kApplication, 2))
        << leaf;
  }
}

TEST_F(SecretTreeUnitTest, SendAndReceiveAgreeAndRatchetsDiffer) {
  SecretTree sender = Make(4);
  SecretTree receiver = Make(4);
  for (uint32_t g = 0; g < 3; ++g) {
    auto s = sender.NextSendKey(1, RatchetType::kApplication);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->generation, g);
    auto r = receiver.ReceiveKey(1, RatchetType::kApplication, g);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(B(s->key), B(r->key));
    EXPECT_EQ(B(s->nonce), B(r->nonce));
  }
  EXPECT_NE(Fresh(4, 1, RatchetType::kApplication, 0), Fresh(4, 1, RatchetType::kHandshake, 0));
  EXPECT_NE(Fresh(4, 1, RatchetType::kApplication, 0), Fresh(4, 2, RatchetType::kApplication, 0));
}

TEST_F(SecretTreeUnitTest, ShuffledDeliveryGivesEveryKeyExactlyOnce) {
  // Generations 0..39 arrive in a fixed pseudo-random order; with a window of 40 every one is
  // still held when it arrives, matches a fresh tree, and is refused the second time.
  constexpr uint32_t kNum = 40;
  SecretTree t = Make(4, {.max_forward_distance = 1000, .max_retained_keys = kNum});
  SecretTree reference = Make(4);
  std::vector<Bytes> expected;
  for (uint32_t g = 0; g < kNum; ++g) {
    auto k = reference.NextSendKey(3, RatchetType::kHandshake);
    ASSERT_TRUE(k.ok());
    expected.push_back(B(k->key));
  }
  std::vector<uint32_t> order(kNum);
  for (uint32_t i = 0; i < kNum; ++i) order[i] = (i * 17 + 5) % kNum;  // 17 is coprime to 40
  for (uint32_t g : order) {
    auto k = t.ReceiveKey(3, RatchetType::kHandshake, g);
    ASSERT_TRUE(k.ok()) << g;
    EXPECT_EQ(B(k->key), expected[g]) << g;
    ExpectVerifyFailed(t.ReceiveKey(3, RatchetType::kHandshake, g));
  }
  EXPECT_EQ(t.num_retained_keys(3, RatchetType::kHandshake), 0u);
}

TEST_F(SecretTreeUnitTest, PeekChangesNothingThenReceiveDeletes) {
  SecretTree t = Make(8, {.max_forward_distance = 1000, .max_retained_keys = 4});
  // Peek on an underived leaf, ahead of the ratchet: nothing is kept.
  auto peek = t.PeekReceiveKey(6, RatchetType::kApplication, 7);
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ(peek->generation, 7u);
  EXPECT_EQ(B(peek->key), Fresh(8, 6, RatchetType::kApplication, 7));
  EXPECT_EQ(t.num_retained_keys(6, RatchetType::kApplication), 0u);
  // Peeking again gives the same key; ReceiveKey gives it and deletes it.
  auto again = t.PeekReceiveKey(6, RatchetType::kApplication, 7);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(B(again->key), B(peek->key));
  auto got = t.ReceiveKey(6, RatchetType::kApplication, 7);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(B(got->key), B(peek->key));
  EXPECT_EQ(B(got->nonce), B(peek->nonce));
  ExpectVerifyFailed(t.PeekReceiveKey(6, RatchetType::kApplication, 7));
  // A retained key: peek leaves it, receive removes it.
  EXPECT_EQ(t.num_retained_keys(6, RatchetType::kApplication), 4u);  // 3..6
  ASSERT_TRUE(t.PeekReceiveKey(6, RatchetType::kApplication, 4).ok());
  EXPECT_EQ(t.num_retained_keys(6, RatchetType::kApplication), 4u);
  ASSERT_TRUE(t.ReceiveKey(6, RatchetType::kApplication, 4).ok());
  EXPECT_EQ(t.num_retained_keys(6, RatchetType::kApplication), 3u);
  ExpectVerifyFailed(t.PeekReceiveKey(6, RatchetType::kApplication, 4));
  ExpectVerifyFailed(t.PeekReceiveKey(6, RatchetType::kApplication, 2));     // evicted
  ExpectVerifyFailed(t.PeekReceiveKey(6, RatchetType::kApplication, 1009));  // 8 + 1001
  EXPECT_EQ(t.PeekReceiveKey(8, RatchetType::kApplication, 0).error().code, Errc::kInvalidArgument);
}

// A model of one receiving ratchet: the next generation and the set of kept skipped keys.
struct RatchetModel {
  uint64_t next = 0;
  std::set<uint32_t> kept;
};

TEST_F(SecretTreeUnitTest, RandomDeliveryMatchesModel) {
  // 4000 random receives (fixed seed) over 2 leaves x 2 ratchets, with small limits so that
  // evictions and refusals happen often. Every outcome must match the model, and every key
  // handed out must equal the sender's key of that generation.
  const SecretTreeLimits limits{.max_forward_distance = 20, .max_retained_keys = 5};
  SecretTree t = Make(2, limits);
  SecretTree sender = Make(2);
  std::map<std::pair<uint32_t, int>, std::vector<Bytes>> sent;  // (leaf, type) -> keys by gen
  std::map<std::pair<uint32_t, int>, RatchetModel> model;
  std::mt19937 rng(20261124);
  size_t num_ok = 0;
  size_t num_refused = 0;
  for (int step = 0; step < 4000; ++step) {
    const auto leaf = static_cast<uint32_t>(rng() % 2);
    const int type_index = static_cast<int>(rng() % 2);
    const RatchetType type = type_index == 0 ? RatchetType::kHandshake : RatchetType::kApplication;
    RatchetModel& m = model[{leaf, type_index}];
    // Mostly near the front of the ratchet, sometimes behind it or too far ahead.
    const int64_t offset = static_cast<int64_t>(rng() % 32) - 8;
    const int64_t g64 = std::max<int64_t>(0, static_cast<int64_t>(m.next) + offset);
    const auto g = static_cast<uint32_t>(g64);

    bool expect_ok;
    if (g < m.next) {
      expect_ok = m.kept.count(g) == 1;
    } else {
      expect_ok = g - m.next <= limits.max_forward_distance;
    }
    auto got = t.ReceiveKey(leaf, type, g);
    ASSERT_EQ(got.ok(), expect_ok) << "step " << step << " gen " << g << " next " << m.next;
    if (!got.ok()) {
      EXPECT_EQ(got.error().code, Errc::kVerifyFailed);
      ++num_refused;
      continue;
    }
    ++num_ok;
    // Update the model the way RFC 9420 §9.2 retention is specified here.
    if (g < m.next) {
      m.kept.erase(g);
    } else {
      for (uint64_t j = m.next; j < g; ++j) {
        if (g - j <= limits.max_retained_keys) m.kept.insert(static_cast<uint32_t>(j));
      }
      m.next = uint64_t{g} + 1;
      while (m.kept.size() > limits.max_retained_keys) m.kept.erase(m.kept.begin());
    }
    EXPECT_EQ(t.num_retained_keys(leaf, type), m.kept.size());
    std::vector<Bytes>& keys = sent[{leaf, type_index}];
    while (keys.size() <= g) {
      auto k = sender.NextSendKey(leaf, type);
      ASSERT_TRUE(k.ok());
      keys.push_back(B(k->key));
    }
    EXPECT_EQ(B(got->key), keys[g]) << "step " << step;
  }
  std::printf("random delivery: %zu keys handed out, %zu refused\n", num_ok, num_refused);
  EXPECT_GT(num_ok, 1000u);
  EXPECT_GT(num_refused, 100u);
}

TEST(MlsSenderDataTest, ShortCiphertextUsesWholeCiphertext) {
  const CipherSuiteParams& cs = **GetCipherSuiteParams(1);
  const Bytes secret(32, 3);
  const Bytes short_ct = {1, 2, 3};
  auto k = SenderDataKey(cs, secret, short_ct);
  auto direct = ExpandWithLabel(cs, secret, "key", short_ct, cs.nk);
  ASSERT_TRUE(k.ok() && direct.ok());
  EXPECT_EQ(B(*k), B(*direct));
  Bytes long_ct(100, 9);
  auto k_long = SenderDataKey(cs, secret, long_ct);
  long_ct[50] = 0;  // beyond the Nh-byte sample: no effect
  auto k_long2 = SenderDataKey(cs, secret, long_ct);
  ASSERT_TRUE(k_long.ok() && k_long2.ok());
  EXPECT_EQ(B(*k_long), B(*k_long2));
}

}  // namespace
}  // namespace candor::mls
