#include "candor/base/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace candor {
namespace {

TEST(FileTest, WriteDurableCreatesParentsAndReplacesAtomically) {
  const std::string dir = ::testing::TempDir() + "candor_file_test_" + std::to_string(getpid());
  const std::string path = dir + "/a/b/c.txt";
  ASSERT_TRUE(WriteFileDurable(path, AsBytes("one")).ok());
  ASSERT_TRUE(WriteFileDurable(path, AsBytes("two")).ok());
  auto got = ReadFile(path);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(AsStringView(*got), "two");
  auto missing = ReadFile(dir + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  auto too_big = ReadFile(path, 2);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor
