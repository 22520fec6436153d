// constant_time.h: comparisons whose timing does not depend on the compared contents.
#pragma once

#include "candor/base/bytes.h"

namespace candor::crypto {

// ConstantTimeEqual reports whether `a` and `b` hold the same bytes. The time taken depends only
// on the lengths (which are public), never on the contents. Use it for MACs, tags, secrets,
// tokens and VRF outputs.
bool ConstantTimeEqual(ByteView a, ByteView b);

}  // namespace candor::crypto
