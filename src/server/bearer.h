// bearer.h: the bearer-token check of operator endpoints (log appends, auditor heads).
#pragma once

#include "candor/base/bytes.h"
#include "candor/net/http.h"

namespace candor::server {

// BearerMatches says whether `request` carries `Authorization: Bearer <token>` with a token whose
// SHA-256 is `token_hash` (compared in constant time).
bool BearerMatches(const net::HttpRequest& request, const Hash32& token_hash);

}  // namespace candor::server
