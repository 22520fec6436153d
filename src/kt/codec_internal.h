// codec_internal.h: helpers shared by the KEYTRANS struct codecs in src/kt/. KEYTRANS vectors
// count ELEMENTS (draft §"Variable-Length Vectors"): `T x<0..2^8-1>` is a one-byte element count
// followed by the elements, `<0..2^16-1>` a two-byte count.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"

namespace candor::kt::internal {

// ReadHash reads a fixed 32-byte HashValue or VRF output.
inline Result<Hash32> ReadHash(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView view, r.Fixed(32, field));
  Hash32 out{};
  std::copy(view.begin(), view.end(), out.begin());
  return out;
}

// ReadCount reads an element count of `width` bytes (1, 2 or 4).
inline Result<uint32_t> ReadCount(tls::Reader& r, int width, std::string_view field) {
  switch (width) {
    case 1: {
      CANDOR_ASSIGN_OR_RETURN(uint8_t n, r.U8(field));
      return n;
    }
    case 2: {
      CANDOR_ASSIGN_OR_RETURN(uint16_t n, r.U16(field));
      return n;
    }
    default:
      return r.U32(field);
  }
}

// WriteCount writes an element count of `width` bytes; the count must fit (checked: callers pass
// vectors they built, so an overflow is a programming error).
inline void WriteCount(tls::Writer& w, int width, size_t n) {
  switch (width) {
    case 1:
      CANDOR_CHECK(n <= 0xff);
      w.U8(static_cast<uint8_t>(n));
      return;
    case 2:
      CANDOR_CHECK(n <= 0xffff);
      w.U16(static_cast<uint16_t>(n));
      return;
    default:
      CANDOR_CHECK(n <= 0xffffffffu);
      w.U32(static_cast<uint32_t>(n));
  }
}

// DecodeCounted reads `T field<0..2^(8*width)-1>` with `decode_one(reader)` per element. Nothing
// is reserved from the untrusted count: a count larger than the input fails on truncation.
template <class T, class DecodeOne>
Result<std::vector<T>> DecodeCounted(tls::Reader& r, int width, std::string_view field,
                                     DecodeOne decode_one) {
  CANDOR_ASSIGN_OR_RETURN(uint32_t n, ReadCount(r, width, field));
  std::vector<T> out;
  for (uint32_t i = 0; i < n; ++i) {
    CANDOR_ASSIGN_OR_RETURN(T item, decode_one(r));
    out.push_back(std::move(item));
  }
  return out;
}

// EncodeCounted writes `T field<0..2^(8*width)-1>` with `encode_one(writer, element)`.
template <class T, class EncodeOne>
void EncodeCounted(tls::Writer& w, int width, const std::vector<T>& items, EncodeOne encode_one) {
  WriteCount(w, width, items.size());
  for (const T& item : items) encode_one(w, item);
}

// DecodeHashes / EncodeHashes handle `HashValue field<...>`.
inline Result<std::vector<Hash32>> DecodeHashes(tls::Reader& r, int width, std::string_view field) {
  return DecodeCounted<Hash32>(r, width, field,
                               [field](tls::Reader& in) { return ReadHash(in, field); });
}
inline void EncodeHashes(tls::Writer& w, int width, const std::vector<Hash32>& items) {
  EncodeCounted(w, width, items, [](tls::Writer& out, const Hash32& h) { out.Raw(h); });
}

// UnknownValue is the kMalformed error for an enum or selector value the draft does not define.
inline Error UnknownValue(std::string_view field, uint64_t value) {
  return MakeError(Errc::kMalformed,
                   std::string(field) + ": unknown value " + std::to_string(value));
}

}  // namespace candor::kt::internal
