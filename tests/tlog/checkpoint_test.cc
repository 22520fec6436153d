#include "candor/tlog/checkpoint.h"

#include <gtest/gtest.h>

namespace candor::tlog {
namespace {

TEST(CheckpointTest, RoundTrip) {
  Checkpoint cp;
  cp.origin = "example.com/log";
  cp.size = 20852163;
  cp.root[0] = 7;
  cp.extensions = {"ext one"};
  auto parsed = ParseCheckpoint(cp.Text());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, cp);
}

TEST(CheckpointTest, RejectsMalformed) {
  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  for (const std::string& bad : std::vector<std::string>{
           "", "o\n1\n", "o\n1\n" + root, "\n1\n" + root + "\n", "o\n01\n" + root + "\n",
           "o\n-1\n" + root + "\n", "o\n18446744073709551616\n" + root + "\n", "o\n1\nAAAA\n",
           "o\n1\n" + root + "\n\n", "o\n 1\n" + root + "\n"}) {
    auto r = ParseCheckpoint(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_EQ(r.error().code, Errc::kMalformed);
  }
  EXPECT_TRUE(ParseCheckpoint("o\n0\n" + root + "\n").ok());
  EXPECT_EQ(ParseCheckpoint("o\n18446744073709551615\n" + root + "\n")->size, UINT64_MAX);
}

}  // namespace
}  // namespace candor::tlog
