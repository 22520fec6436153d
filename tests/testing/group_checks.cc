#include "group_checks.h"

#include <gtest/gtest.h>

#include <optional>

namespace candor::testing {

void ExpectOneAgreedGroup(const std::vector<client::Engine*>& engines,
                          const std::vector<std::string>& members) {
  std::optional<uint64_t> epoch;
  for (client::Engine* e : engines) {
    auto groups = e->Groups();
    ASSERT_TRUE(groups.ok()) << e->handle() << ": " << groups.error().ToString();
    ASSERT_EQ(groups->size(), 1u) << e->handle();
    const auto& g = (*groups)[0];
    if (!epoch) epoch = g.epoch;
    EXPECT_EQ(g.epoch, *epoch) << e->handle();
    EXPECT_EQ(g.members, members) << e->handle();
  }
}

}  // namespace candor::testing
