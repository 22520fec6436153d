// A publish in flight against queries: the VRF work, the store's fsync and the head sink (the
// transparency log's append) run outside the directory's lock, and nothing of the new entry is
// visible until its head is logged.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "candor/kt/directory.h"
#include "directory_harness.h"

namespace candor::kt {
namespace {

using testing::B;

class DirectoryPublishTest : public testing::DirectoryHarness {};

TEST_P(DirectoryPublishTest, QueriesDoNotWaitForTheHeadSinkAndSeeOnlyTheVisibleHead) {
  Heartbeat();
  ClientState alice, bob, carol;
  InitOwner(alice, "alice");
  InitOwner(bob, "bob");
  Publish(alice, "alice", {"alice v0"});
  const uint64_t before = dir_->size();

  // The next head's log append blocks until the test lets it go.
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> block{true};
  sink_hook_ = [&entered, &block, released]() -> Status {
    if (block.exchange(false)) {
      entered.set_value();
      released.wait();
    }
    return OkStatus();
  };
  Queue(bob, "bob", {"bob v0"});
  Tick(200);
  auto publishing = std::async(std::launch::async, [this] { return dir_->Publish(); });
  entered.get_future().wait();

  // Meanwhile queries are answered, verified, at the head before the publish.
  auto searched = std::async(std::launch::async, [&] { return Search(carol, "alice"); });
  ASSERT_EQ(searched.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "a search waited for the head sink";
  ASSERT_TRUE(searched.get().ok());
  EXPECT_EQ(carol.head->tree_size, before);
  EXPECT_EQ(dir_->size(), before);
  EXPECT_EQ(dir_->Search(verifier_->MakeSearch(carol, B("bob"), std::nullopt)).error().code,
            Errc::kNotFound);
  EXPECT_FALSE(dir_->LatestValue(B("bob")).has_value());
  EXPECT_EQ(dir_->queued_versions(), 1u);
  // A second update of the label waits for the first to be visible.
  UpdateRequest again = Plain(verifier_->MakeUpdate(bob, B("bob"), {B("bob v0 again")}));
  EXPECT_EQ(dir_->SubmitUpdate(again).error().code, Errc::kConflict);

  release.set_value();
  auto position = publishing.get();
  sink_hook_ = nullptr;
  ASSERT_TRUE(position.ok()) << position.error().message;
  EXPECT_EQ(dir_->size(), before + 1);
  EXPECT_EQ(dir_->queued_versions(), 0u);
  auto found = Search(carol, "bob");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->value.value, B("bob v0"));
}

TEST_P(DirectoryPublishTest, AnEntryWhoseHeadWasNotLoggedBecomesVisibleWithTheNext) {
  Heartbeat();
  ClientState bob, carol;
  InitOwner(bob, "bob");
  const uint64_t before = dir_->size();
  Queue(bob, "bob", {"bob v0"});
  Tick(200);
  sink_hook_ = [] { return Status(MakeError(Errc::kUnavailable, "log unreachable")); };
  auto failed = dir_->Publish();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, Errc::kUnavailable);
  EXPECT_EQ(dir_->size(), before);  // stored, but not visible
  EXPECT_FALSE(dir_->LatestValue(B("bob")).has_value());
  EXPECT_EQ(dir_->queued_versions(), 1u);  // so the publish cadence tries again

  sink_hook_ = nullptr;
  Tick(200);
  auto position = dir_->Publish();
  ASSERT_TRUE(position.ok()) << position.error().message;
  EXPECT_EQ(dir_->size(), before + 2);
  EXPECT_EQ(dir_->queued_versions(), 0u);
  auto found = Search(carol, "bob");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->value.value, B("bob v0"));
  EXPECT_EQ(dir_->LatestValue(B("bob"))->first, 0u);

  // Reopened from the store, the directory serves both entries.
  Reopen();
  EXPECT_EQ(dir_->size(), before + 2);
  ASSERT_TRUE(Search(carol, "bob").ok());
}

INSTANTIATE_TEST_SUITE_P(Suites, DirectoryPublishTest,
                         ::testing::Values(CipherSuite::KT_128_SHA256_P256,
                                           CipherSuite::KT_128_SHA256_Ed25519));

}  // namespace
}  // namespace candor::kt
