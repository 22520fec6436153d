// secret_encoding.h: base64 for secrets (key files, tokens). Unlike base/encoding.h, these run
// in constant time (libsodium's codec: no table lookup or branch on the data) and keep every
// byte of the secret, encoded or not, in wiped memory.
#pragma once

#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::crypto {

// Base64EncodeSecret returns the padded standard base64 encoding of `secret`.
SecretBytes Base64EncodeSecret(ByteView secret);

// Base64DecodeSecret decodes canonical padded standard base64 only (as Base64Decode does);
// anything else is kMalformed, with no part of the input in the message.
Result<SecretBytes> Base64DecodeSecret(std::string_view text);

}  // namespace candor::crypto
