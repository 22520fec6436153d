#include "candor/base/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace candor {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return MakeError(Errc::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  CANDOR_ASSIGN_OR_RETURN(int h, Half(x));
  CANDOR_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  CANDOR_TRY(Half(x));
  return OkStatus();
}

TEST(ResultTest, PropagatesErrorsAndValues) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(r.error().ToString(), "invalid_argument: odd");
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_FALSE(CheckEven(3).ok());
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, ErrcNamesAreStable) {
  EXPECT_EQ(ErrcName(Errc::kVerifyFailed), "verify_failed");
  EXPECT_EQ(ErrcName(Errc::kMalformed), "malformed");
  EXPECT_EQ(VerifyFailed().message, "verification failed");
}

TEST(ResultDeathTest, WrongAlternativeAborts) {
  Result<int> r = MakeError(Errc::kInternal, "x");
  EXPECT_DEATH((void)r.value(), "");
}

}  // namespace
}  // namespace candor
