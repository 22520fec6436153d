// Every directory tree head lands in a C2SP log: one durable entry per head, each verifiable
// against the log's checkpoint and under the directory's key.
#include "candor/kt/tlog_head_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "candor/net/worker_pool.h"
#include "candor/tlog/merkle.h"
#include "candor/tlog/note.h"
#include "directory_harness.h"

namespace candor::kt {
namespace {

using testing::B;

class TlogHeadSinkTest : public testing::DirectoryHarness {};

TEST_P(TlogHeadSinkTest, EveryHeadIsLoggedAndVerifies) {
  const std::string dir = ::testing::TempDir() + "candor_kt_heads_" + std::to_string(getpid()) +
                          "_" + std::to_string(static_cast<int>(GetParam()));
  std::filesystem::remove_all(dir);
  auto key = crypto::Ed25519PrivateKey::FromSeed(Bytes(32, 9));
  ASSERT_TRUE(key.ok());
  tlog::LogWriterOptions opts;
  opts.dir = dir;
  opts.origin = "candor.example/kt-heads";
  opts.min_batch_interval = std::chrono::milliseconds(1);
  net::WorkerPool pool(2);
  auto log = tlog::LogWriter::Open(
      opts, std::make_unique<tlog::Ed25519NoteSigner>(opts.origin, std::move(*key)), pool);
  ASSERT_TRUE(log.ok()) << log.error().message;

  MemoryDirectoryStore store;
  auto sig = crypto::SignaturePrivateKey::FromBytes(keys_->signature.scheme(),
                                                    keys_->signature.private_key());
  auto vrf = crypto::VrfPrivateKey::FromBytes(keys_->vrf.suite(), keys_->vrf.private_key());
  ASSERT_TRUE(sig.ok() && vrf.ok());
  std::vector<Bytes> entries;
  Directory::HeadSink to_log = TlogHeadSink(**log);
  auto d = Directory::Open(
      keys_->config, std::move(*sig), std::move(*vrf), store, [this] { return now_; },
      [&](ByteView tbs, ByteView signature) {
        entries.push_back(tls::Encode(LoggedTreeHead{Bytes(tbs.begin(), tbs.end()),
                                                     Bytes(signature.begin(), signature.end())}));
        return to_log(tbs, signature);
      });
  ASSERT_TRUE(d.ok()) << d.error().message;
  std::vector<HashValue> roots;
  for (int i = 0; i < 6; ++i) {
    if (i % 2 == 0) {
      ASSERT_TRUE((*d)->SubmitUpdate(UpdateRequest{std::nullopt,
                                                   B("user" + std::to_string(i)),
                                                   std::nullopt,
                                                   {LabelValue{B("keys")}}})
                      .ok());
    }
    Tick(100);
    ASSERT_TRUE((*d)->Publish().ok());
    roots.push_back((*d)->Head()->second);
  }
  const tlog::Checkpoint cp = (*log)->Latest().checkpoint;
  ASSERT_EQ(cp.size, entries.size());
  for (uint64_t i = 0; i < entries.size(); ++i) {
    auto proof = (*log)->ProveInclusion(i, cp.size);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(
        tlog::VerifyInclusion(i, cp.size, tlog::HashLeaf(entries[i]), *proof, cp.root).ok());
    auto logged = tls::DecodeExact<LoggedTreeHead>(entries[i]);
    ASSERT_TRUE(logged.ok());
    auto tbs = VerifyLoggedTreeHead(keys_->config, *logged);
    ASSERT_TRUE(tbs.ok()) << tbs.error().message;
    EXPECT_EQ(tbs->tree_size, i + 1);
    EXPECT_EQ(tbs->root, roots[i]);
    LoggedTreeHead forged = *logged;
    forged.signature[0] ^= 1;
    EXPECT_FALSE(VerifyLoggedTreeHead(keys_->config, forged).ok());
  }
  std::filesystem::remove_all(dir);
}

// The log holds the head of size i + 1 at entry i, whatever fails: a head the sink could not
// log is logged by the next Publish before its own, and a directory reopened after a crash
// between storing an entry and logging its head logs that head first.
TEST_P(TlogHeadSinkTest, TheLogHoldsOneHeadPerSizeAfterSinkFailuresAndRestarts) {
  MemoryDirectoryStore store;
  std::vector<uint64_t> logged_sizes;
  bool fail = false;
  auto open = [&](bool with_log_size) {
    auto sig = crypto::SignaturePrivateKey::FromBytes(keys_->signature.scheme(),
                                                      keys_->signature.private_key());
    auto vrf = crypto::VrfPrivateKey::FromBytes(keys_->vrf.suite(), keys_->vrf.private_key());
    DirectoryOptions options;
    if (with_log_size) options.logged_heads = [&] { return uint64_t{logged_sizes.size()}; };
    return Directory::Open(
        keys_->config, std::move(*sig), std::move(*vrf), store, [this] { return now_; },
        [&](ByteView tbs, ByteView) -> Status {
          if (fail) return MakeError(Errc::kUnavailable, "the log's disk is full");
          auto parsed = tls::DecodeExact<TreeHeadTBS>(tbs);
          if (!parsed.ok()) return parsed.error();
          logged_sizes.push_back(parsed->tree_size);
          return OkStatus();
        },
        options);
  };
  auto d = open(true);
  ASSERT_TRUE(d.ok()) << d.error().message;
  Tick(100);
  ASSERT_TRUE((*d)->Publish().ok());
  fail = true;
  Tick(100);
  EXPECT_FALSE((*d)->Publish().ok());  // entry 1 stored, its head not logged
  EXPECT_EQ((*d)->Head()->first.tree_size, 1u);
  EXPECT_FALSE((*d)->Publish().ok());  // still failing: nothing new is stored
  EXPECT_EQ(*store.EntryCount(), 2u);
  fail = false;
  Tick(100);
  ASSERT_TRUE((*d)->Publish().ok());
  EXPECT_EQ((*d)->Head()->first.tree_size, 3u);
  EXPECT_EQ(logged_sizes, (std::vector<uint64_t>{1, 2, 3}));

  // A crash after storing entry 3 and before logging its head: the store holds 4 entries, the
  // log 3 heads. Reopened, the directory logs the fourth head first.
  fail = true;
  Tick(100);
  EXPECT_FALSE((*d)->Publish().ok());
  d->reset();
  fail = false;
  d = open(true);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(logged_sizes, (std::vector<uint64_t>{1, 2, 3, 4}));
  Tick(100);
  ASSERT_TRUE((*d)->Publish().ok());
  EXPECT_EQ(logged_sizes, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  d->reset();
  // A log further behind than one head is not something a crash leaves: refused.
  logged_sizes.resize(3);
  auto refused = open(true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kInternal);
}

INSTANTIATE_TEST_SUITE_P(Suites, TlogHeadSinkTest,
                         ::testing::Values(CipherSuite::KT_128_SHA256_Ed25519,
                                           CipherSuite::KT_128_SHA256_P256));

}  // namespace
}  // namespace candor::kt
