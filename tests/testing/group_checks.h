// group_checks.h: concurrent changes to a group, and what the system tests check of it once its
// members converged.
#pragma once

#include <string>
#include <vector>

#include "candor/client/engine.h"

namespace candor::testing {

// AddAndRemoveAtOnce has `adder` add `add` to `group` while `remover` removes `remove`, both
// from the same epoch, on two threads, and checks that both calls end well (the Delivery
// Service takes one commit; the other device processes it and commits again).
void AddAndRemoveAtOnce(client::Engine& adder, client::Engine& remover, const std::string& group,
                        const std::string& add, const std::string& remove);

// ExpectOneAgreedGroup checks that every engine holds exactly one group, all at the same epoch
// and with exactly `members` ("handle/device", sorted).
void ExpectOneAgreedGroup(const std::vector<client::Engine*>& engines,
                          const std::vector<std::string>& members);

}  // namespace candor::testing
