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

TEST(FileTest, ReadSecretFileReadsExactlyAndRefusesWhatIsTooLarge) {
  const std::string dir = ::testing::TempDir() + "candor_secret_file_" + std::to_string(getpid());
  const std::string path = dir + "/key";
  ASSERT_TRUE(WriteFileDurable(path, AsBytes("0123456789"), 0600).ok());
  for (size_t max : {10u, 11u, 4096u}) {
    auto got = ReadSecretFile(path, max);
    ASSERT_TRUE(got.ok()) << max;
    EXPECT_EQ(AsStringView(got->view()), "0123456789") << max;
  }
  auto too_big = ReadSecretFile(path, 9);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, Errc::kInvalidArgument);
  auto missing = ReadSecretFile(dir + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  ASSERT_TRUE(WriteFileDurable(path, {}, 0600).ok());
  auto empty = ReadSecretFile(path);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 0u);
}

}  // namespace
}  // namespace candor
