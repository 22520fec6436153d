#include "candor/base/tls.h"

#include <algorithm>
#include <string>

namespace candor::tls {

Error Reader::Truncated(std::string_view field, size_t want) const {
  return MakeError(Errc::kMalformed, std::string(field) + ": length " + std::to_string(want) +
                                         " > " + std::to_string(remaining()) + " remaining");
}

Result<ByteView> Reader::Fixed(size_t len, std::string_view field) {
  if (len > remaining()) return Truncated(field, len);
  ByteView out = data_.subspan(pos_, len);
  pos_ += len;
  return out;
}

Result<uint8_t> Reader::U8(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView b, Fixed(1, field));
  return b[0];
}

Result<uint16_t> Reader::U16(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView b, Fixed(2, field));
  return static_cast<uint16_t>((b[0] << 8) | b[1]);
}

Result<uint32_t> Reader::U32(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView b, Fixed(4, field));
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

Result<uint64_t> Reader::U64(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView b, Fixed(8, field));
  uint64_t v = 0;
  for (uint8_t byte : b) v = (v << 8) | byte;
  return v;
}

Result<uint32_t> Reader::Varint(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint8_t first, U8(field));
  const unsigned prefix = first >> 6;
  if (prefix == 3)
    return MakeError(Errc::kMalformed, std::string(field) + ": reserved varint prefix");
  const size_t len = size_t{1} << prefix;
  uint32_t v = first & 0x3f;
  CANDOR_ASSIGN_OR_RETURN(ByteView rest, Fixed(len - 1, field));
  for (uint8_t byte : rest) v = (v << 8) | byte;
  const bool minimal = (len == 1) || (len == 2 && v >= 64) || (len == 4 && v >= 16384);
  if (!minimal) return MakeError(Errc::kMalformed, std::string(field) + ": non-minimal varint");
  return v;
}

Result<ByteView> Reader::OpaqueV(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint32_t len, Varint(field));
  return Fixed(len, field);
}

Result<ByteView> Reader::Opaque8(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint8_t len, U8(field));
  return Fixed(len, field);
}

Result<ByteView> Reader::Opaque16(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint16_t len, U16(field));
  return Fixed(len, field);
}

Result<ByteView> Reader::Opaque32(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint32_t len, U32(field));
  return Fixed(len, field);
}

Result<Reader> Reader::VectorV(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView body, OpaqueV(field));
  return Reader(body);
}

Result<bool> Reader::Optional(std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint8_t flag, U8(field));
  if (flag > 1)
    return MakeError(Errc::kMalformed, std::string(field) + ": optional flag not 0 or 1");
  return flag == 1;
}

Status Reader::ExpectEnd(std::string_view what) const {
  if (remaining() != 0) {
    return MakeError(Errc::kMalformed,
                     std::string(what) + ": " + std::to_string(remaining()) + " trailing bytes");
  }
  return OkStatus();
}

void Writer::U16(uint16_t v) {
  Grow(2);
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void Writer::U32(uint32_t v) {
  Grow(4);
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
}

void Writer::U64(uint64_t v) {
  Grow(8);
  for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
}

Writer::~Writer() {
  if (secret_ && !out_.empty()) SecureZero(out_.data(), out_.size());
}

void Writer::Regrow(size_t n) {
  Bytes bigger;
  bigger.reserve(std::max({out_.size() + n, out_.capacity() * 2, size_t{256}}));
  bigger.assign(out_.begin(), out_.end());
  if (!out_.empty()) SecureZero(out_.data(), out_.size());
  out_.swap(bigger);
}

SecretBytes Writer::TakeSecret() {
  SecretBytes out(ByteView(out_.data(), out_.size()));
  if (!out_.empty()) SecureZero(out_.data(), out_.size());
  out_.clear();
  return out;
}

void Writer::Varint(uint32_t v) {
  CANDOR_CHECK(v <= kMaxVarint);
  if (v < 64) {
    U8(static_cast<uint8_t>(v));
  } else if (v < 16384) {
    U16(static_cast<uint16_t>(0x4000 | v));
  } else {
    U32(0x80000000u | v);
  }
}

void Writer::OpaqueV(ByteView bytes) {
  CANDOR_CHECK(bytes.size() <= kMaxVarint);
  Varint(static_cast<uint32_t>(bytes.size()));
  Raw(bytes);
}

void Writer::Opaque8(ByteView bytes) {
  CANDOR_CHECK(bytes.size() <= 0xff);
  U8(static_cast<uint8_t>(bytes.size()));
  Raw(bytes);
}

void Writer::Opaque16(ByteView bytes) {
  CANDOR_CHECK(bytes.size() <= 0xffff);
  U16(static_cast<uint16_t>(bytes.size()));
  Raw(bytes);
}

void Writer::Opaque32(ByteView bytes) {
  CANDOR_CHECK(bytes.size() <= 0xffffffffu);
  U32(static_cast<uint32_t>(bytes.size()));
  Raw(bytes);
}

}  // namespace candor::tls
