// encoding.h: hex and base64 (RFC 4648 §4, standard alphabet, padded) at the edges of the system.
// Decoders are strict: wrong alphabet, wrong padding or non-zero pad bits are kMalformed.
#pragma once

#include <string>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor {

// HexEncode returns the lowercase hex encoding of `bytes`.
std::string HexEncode(ByteView bytes);

// HexDecode decodes lowercase or uppercase hex; odd length or a non-hex character is kMalformed.
Result<Bytes> HexDecode(std::string_view text);

// Base64Encode returns the padded standard base64 encoding of `bytes`.
std::string Base64Encode(ByteView bytes);

// Base64Decode decodes canonical padded standard base64 only: a length that is not a multiple of
// 4, a character outside the alphabet, misplaced '=' or non-zero trailing bits is kMalformed.
Result<Bytes> Base64Decode(std::string_view text);

}  // namespace candor
