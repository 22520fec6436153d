// tls.h: RFC 8446 §3 presentation-language codec with the MLS variable-length integer
// (RFC 9420 §2.1.2). Reader is a checked cursor that never reads past its end; Writer appends.
#pragma once

#include <cstdint>
#include <string_view>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::tls {

// kMaxVarint is the largest value the MLS varint can carry (2^30 - 1).
inline constexpr uint32_t kMaxVarint = (1u << 30) - 1;

// Reader reads big-endian integers and length-prefixed vectors from a byte view. The viewed
// bytes must remain live while the Reader (and any view it returned) is used. Every failure is
// kMalformed and names `field` (the RFC field being read).
class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }

  Result<uint8_t> U8(std::string_view field = "uint8");
  Result<uint16_t> U16(std::string_view field = "uint16");
  Result<uint32_t> U32(std::string_view field = "uint32");
  Result<uint64_t> U64(std::string_view field = "uint64");
  // Varint reads an RFC 9420 §2.1.2 variable-length integer; rejects the reserved 0b11 prefix
  // and any non-minimal encoding.
  Result<uint32_t> Varint(std::string_view field = "varint");
  // Fixed returns a view of the next `len` bytes.
  Result<ByteView> Fixed(size_t len, std::string_view field = "opaque");
  // OpaqueV reads `opaque field<V>`: a varint length then that many bytes, returned as a view.
  Result<ByteView> OpaqueV(std::string_view field = "opaque<V>");
  // Opaque8 / Opaque16 read vectors with a 1- or 2-byte length prefix.
  Result<ByteView> Opaque8(std::string_view field = "opaque<1..2^8-1>");
  Result<ByteView> Opaque16(std::string_view field = "opaque<1..2^16-1>");
  // Opaque32 reads a vector with a 4-byte length prefix (a length over the input is kMalformed).
  Result<ByteView> Opaque32(std::string_view field = "opaque<1..2^32-1>");
  // VectorV returns a sub-reader over the body of a varint-prefixed vector.
  Result<Reader> VectorV(std::string_view field = "vector<V>");
  // Optional reads the presence byte of `optional<T>`; anything but 0 or 1 is kMalformed.
  Result<bool> Optional(std::string_view field = "optional");
  // ExpectEnd fails unless every byte was consumed.
  Status ExpectEnd(std::string_view what = "value") const;

 private:
  Error Truncated(std::string_view field, size_t want) const;

  ByteView data_;
  size_t pos_ = 0;
};

// Writer appends encoded values to an owned buffer. A writer made by ForSecrets never leaves a
// copy behind: when its buffer grows the old one is wiped, its destructor wipes the buffer, and
// TakeSecret hands the bytes over as SecretBytes (for encodings of state that holds keys).
class Writer {
 public:
  Writer() = default;
  static Writer ForSecrets() {
    Writer w;
    w.secret_ = true;
    return w;
  }
  Writer(Writer&& other) noexcept : out_(std::move(other.out_)), secret_(other.secret_) {}
  Writer& operator=(Writer&&) = delete;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();

  void U8(uint8_t v) {
    Grow(1);
    out_.push_back(v);
  }
  void U16(uint16_t v);
  void U32(uint32_t v);
  void U64(uint64_t v);
  // Varint writes the minimal RFC 9420 varint; `v` must be <= kMaxVarint (checked).
  void Varint(uint32_t v);
  void Raw(ByteView bytes) {
    Grow(bytes.size());
    out_.insert(out_.end(), bytes.begin(), bytes.end());
  }
  void OpaqueV(ByteView bytes);
  // Opaque8 / Opaque16 write a 1- or 2-byte length prefix; the length must fit (checked).
  void Opaque8(ByteView bytes);
  void Opaque16(ByteView bytes);
  // Opaque32 writes a 4-byte length prefix; the length must fit (checked).
  void Opaque32(ByteView bytes);

  const Bytes& bytes() const { return out_; }
  Bytes Take() { return std::move(out_); }
  // TakeSecret returns the bytes as SecretBytes and wipes the buffer.
  SecretBytes TakeSecret();

 private:
  // Grow makes room for `n` more bytes; a secrets writer moves to a larger buffer itself and
  // wipes the old one (a plain vector reallocation would leave the old copy in freed memory).
  void Grow(size_t n) {
    if (secret_ && out_.size() + n > out_.capacity()) Regrow(n);
  }
  void Regrow(size_t n);

  Bytes out_;
  bool secret_ = false;
};

// DecodeExact decodes a T with `T::Decode(Reader&)` and rejects trailing bytes.
template <class T>
Result<T> DecodeExact(ByteView wire) {
  Reader r(wire);
  CANDOR_ASSIGN_OR_RETURN(T value, T::Decode(r));
  CANDOR_TRY(r.ExpectEnd());
  return value;
}

// Encode encodes a T with `T::Encode(Writer&) const`.
template <class T>
Bytes Encode(const T& value) {
  Writer w;
  value.Encode(w);
  return w.Take();
}

}  // namespace candor::tls
