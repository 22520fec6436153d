#include "candor/crypto/secret_encoding.h"

#include <sodium.h>

namespace candor::crypto {

SecretBytes Base64EncodeSecret(ByteView secret) {
  CANDOR_CHECK(sodium_init() >= 0);
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  if (secret.empty()) return {};  // libsodium takes no null pointer
  // libsodium writes a terminating NUL: encode into a buffer one longer, then copy.
  SecretBytes with_nul(sodium_base64_ENCODED_LEN(secret.size(), kVariant));
  sodium_bin2base64(reinterpret_cast<char*>(with_nul.data()), with_nul.size(), secret.data(),
                    secret.size(), kVariant);
  return SecretBytes(with_nul.view().first(with_nul.size() - 1));
}

Result<SecretBytes> Base64DecodeSecret(std::string_view text) {
  CANDOR_CHECK(sodium_init() >= 0);
  if (text.size() % 4 != 0) return MakeError(Errc::kMalformed, "base64 secret: bad length");
  if (text.empty()) return SecretBytes{};
  SecretBytes buffer(text.size() / 4 * 3);
  size_t len = 0;
  if (sodium_base642bin(buffer.data(), buffer.size(), text.data(), text.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return MakeError(Errc::kMalformed, "base64 secret: not base64");
  }
  SecretBytes out(buffer.view().first(len));
  // Canonical only: the encoding of what was decoded must be the text (unused bits zero).
  const SecretBytes again = Base64EncodeSecret(out.view());
  if (again.size() != text.size() ||
      sodium_memcmp(again.view().data(), text.data(), text.size()) != 0) {
    return MakeError(Errc::kMalformed, "base64 secret: not canonical");
  }
  return out;
}

}  // namespace candor::crypto
