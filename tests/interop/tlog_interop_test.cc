// Independent verification: Go's golang.org/x/mod/sumdb/{note,tlog} (Debian's package), driven
// by tests/interop/tlogverify, checks a log of 100,000 entries written by a real candord: the
// checkpoint signature and both witness cosignatures, every tile hash against the root, every
// entry against its leaf hash, inclusion proofs and consistency with earlier checkpoints. A
// tampered copy of the log must be rejected.
#include <gtest/gtest.h>

#include <filesystem>

#include "candor/base/file.h"
#include "stack.h"

namespace candor::testing {
namespace {

constexpr uint64_t kNumEntries = 100000;

TEST(TlogInteropTest, GoSumdbVerifiesCandordLog) {
  auto stack = Stack::Create("interop", StackOptions{});
  ASSERT_TRUE(stack.ok()) << stack.error().message;
  Stack& s = **stack;
  std::vector<std::string> old_checkpoints;
  uint64_t next = 0;
  while (next < kNumEntries) {
    std::vector<std::string> batch;
    for (int i = 0; i < 2000 && next < kNumEntries; ++i, ++next) {
      batch.push_back("candor interop entry " + std::to_string(next));
    }
    auto first = s.Append(batch);
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_EQ(*first, next - batch.size());
    if (next % 20000 == 0) {
      // Keep a cosigned intermediate checkpoint for the consistency checks.
      auto cp = s.WaitForPublished(next, std::chrono::seconds(30));
      ASSERT_TRUE(cp.ok()) << cp.error().message;
      const std::string path = s.dir() + "/old-" + std::to_string(cp->checkpoint.size);
      ASSERT_TRUE(WriteFileDurable(path, AsBytes(cp->note)).ok());
      old_checkpoints.push_back(path);
    }
  }
  auto cp = s.WaitForPublished(kNumEntries, std::chrono::seconds(60));
  ASSERT_TRUE(cp.ok()) << cp.error().message;
  ASSERT_EQ(cp->checkpoint.size, kNumEntries);

  std::vector<std::string> argv = {
      TLOGVERIFY_PATH, "-url", s.log_url().ToString(), "-log-vkey", s.log_vkey(), "-quorum", "2",
      "-sample",       "256"};
  for (const std::string& w : s.witness_vkeys()) {
    argv.push_back("-witness-vkey");
    argv.push_back(w);
  }
  for (const std::string& old : old_checkpoints) {
    argv.push_back("-old-checkpoint");
    argv.push_back(old);
  }
  CommandResult ok = RunCommand(argv);
  std::printf("%s", ok.output.c_str());
  ASSERT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("tlogverify: OK"), std::string::npos);
  EXPECT_NE(ok.output.find("size=100000"), std::string::npos);
  EXPECT_NE(ok.output.find("cosignatures=2"), std::string::npos);
  EXPECT_NE(ok.output.find("consistency=" + std::to_string(old_checkpoints.size())),
            std::string::npos);

  // The same verifier rejects a copy with one flipped byte in a level-1 tile.
  const std::string copy = s.dir() + "/tampered";
  std::filesystem::copy(s.log_dir(), copy, std::filesystem::copy_options::recursive);
  const std::string tile = copy + "/tile/1/000";
  auto data = ReadFile(tile);
  ASSERT_TRUE(data.ok());
  (*data)[100] ^= 0x01;
  ASSERT_TRUE(WriteFileDurable(tile, *data).ok());
  std::vector<std::string> bad = {TLOGVERIFY_PATH, "-dir", copy, "-log-vkey", s.log_vkey()};
  CommandResult rejected = RunCommand(bad);
  std::printf("%s", rejected.output.c_str());
  EXPECT_NE(rejected.status, 0);
  EXPECT_NE(rejected.output.find("tlogverify: FAIL"), std::string::npos);
}

}  // namespace
}  // namespace candor::testing
