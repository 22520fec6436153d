#include "bearer.h"

#include "candor/crypto/constant_time.h"
#include "candor/crypto/sha256.h"

namespace candor::server {

bool BearerMatches(const net::HttpRequest& request, const Hash32& token_hash) {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view auth = request.Header("authorization");
  if (auth.substr(0, kBearer.size()) != kBearer) return false;
  auth.remove_prefix(kBearer.size());
  const Hash32 presented = crypto::Sha256(AsBytes(auth));
  return crypto::ConstantTimeEqual(presented, token_hash);
}

}  // namespace candor::server
