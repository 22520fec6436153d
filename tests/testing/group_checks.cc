#include "group_checks.h"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

namespace candor::testing {

void AddAndRemoveAtOnce(client::Engine& adder, client::Engine& remover, const std::string& group,
                        const std::string& add, const std::string& remove) {
  Result<client::GroupSummary> added = MakeError(Errc::kInternal, "not run");
  Result<client::GroupSummary> removed = MakeError(Errc::kInternal, "not run");
  std::thread a([&] { added = adder.AddToGroup(group, {add}); });
  std::thread b([&] { removed = remover.RemoveFromGroup(group, {remove}); });
  a.join();
  b.join();
  EXPECT_TRUE(added.ok()) << added.error().ToString();
  EXPECT_TRUE(removed.ok()) << removed.error().ToString();
}

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
