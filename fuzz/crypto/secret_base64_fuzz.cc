// secret_base64_fuzz: crypto::Base64DecodeSecret (libsodium's constant-time codec) accepts
// exactly what Base64Decode accepts, with the same bytes, and refuses the rest as kMalformed;
// Base64EncodeSecret agrees with Base64Encode.
#include <string>

#include "candor/base/encoding.h"
#include "candor/crypto/secret_encoding.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = candor::fuzz::AsText(data, size);
  auto secret = candor::crypto::Base64DecodeSecret(text);
  auto plain = candor::Base64Decode(text);
  FUZZ_REQUIRE(secret.ok() == plain.ok());
  if (secret.ok()) {
    FUZZ_REQUIRE(candor::fuzz::SameBytes(secret->view(), *plain));
  } else {
    FUZZ_REQUIRE(secret.error().code == candor::Errc::kMalformed);
  }
  const candor::ByteView bytes(data, size);
  const candor::SecretBytes encoded = candor::crypto::Base64EncodeSecret(bytes);
  FUZZ_REQUIRE(candor::AsStringView(encoded.view()) == candor::Base64Encode(bytes));
  return 0;
}
