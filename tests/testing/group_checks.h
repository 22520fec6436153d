// group_checks.h: what the system tests check of a group once its members converged.
#pragma once

#include <string>
#include <vector>

#include "candor/client/engine.h"

namespace candor::testing {

// ExpectOneAgreedGroup checks that every engine holds exactly one group, all at the same epoch
// and with exactly `members` ("handle/device", sorted).
void ExpectOneAgreedGroup(const std::vector<client::Engine*>& engines,
                          const std::vector<std::string>& members);

}  // namespace candor::testing
