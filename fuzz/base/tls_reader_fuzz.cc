// tls_reader_fuzz: drives tls::Reader through a sequence of reads chosen by the input and checks
// each result against a plain reference reading of the same bytes: a read succeeds exactly when
// the reference says it should, consumes exactly the bytes it should, and on success
// tls::Writer re-encodes the value to the consumed bytes (minimal varints make that unique).
//
// Input layout: byte 0 is the number k of op codes, the next k bytes are op codes (taken modulo
// the number of ops), and the remaining bytes are what the Reader reads. VectorV enters the
// vector body (later ops read inside it) and End leaves it again.
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "candor/base/tls.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::ByteView;
using candor::Errc;
using candor::fuzz::SameBytes;
using candor::tls::Reader;
using candor::tls::Writer;

enum Op : uint8_t {
  kU8,
  kU16,
  kU32,
  kU64,
  kVarint,
  kOpaqueV,
  kOpaque8,
  kOpaque16,
  kOptional,
  kVectorV,
  kEnd,
  kNumOps,
};

constexpr size_t kMaxDepth = 32;

// Frame is one reader on the stack: `body` is everything that reader was given.
struct Frame {
  ByteView body;
  Reader reader;
};

// RefUint reads an n-byte big-endian integer from the front of `rest`.
std::optional<uint64_t> RefUint(ByteView rest, size_t n) {
  if (rest.size() < n) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | rest[i];
  return v;
}

struct RefVarintValue {
  uint32_t value;
  size_t len;
};

// RefVarint reads an RFC 9420 §2.1.2 varint from the front of `rest`: a 2-bit length prefix
// (00: 1 byte, 01: 2, 10: 4, 11: invalid), then the value in the remaining bits, which must be
// too large for the next shorter form.
std::optional<RefVarintValue> RefVarint(ByteView rest) {
  if (rest.empty()) return std::nullopt;
  size_t len = 0;
  switch (rest[0] >> 6) {
    case 0:
      len = 1;
      break;
    case 1:
      len = 2;
      break;
    case 2:
      len = 4;
      break;
    default:
      return std::nullopt;
  }
  std::optional<uint64_t> raw = RefUint(rest, len);
  if (!raw) return std::nullopt;
  const uint64_t value_bits = 8 * len - 2;
  const uint64_t value = *raw & ((uint64_t{1} << value_bits) - 1);
  if (len == 2 && value < 64) return std::nullopt;
  if (len == 4 && value < 16384) return std::nullopt;
  return RefVarintValue{static_cast<uint32_t>(value), len};
}

// RefOpaque returns the total length (prefix + body) of a vector whose body length is given by
// `prefix_len` bytes at the front of `rest` (0 means a varint prefix).
std::optional<size_t> RefOpaque(ByteView rest, size_t prefix_len) {
  size_t body_len = 0;
  if (prefix_len == 0) {
    std::optional<RefVarintValue> v = RefVarint(rest);
    if (!v) return std::nullopt;
    prefix_len = v->len;
    body_len = v->value;
  } else {
    std::optional<uint64_t> n = RefUint(rest, prefix_len);
    if (!n) return std::nullopt;
    body_len = static_cast<size_t>(*n);
  }
  if (rest.size() - prefix_len < body_len) return std::nullopt;
  return prefix_len + body_len;
}

// CheckRead compares one Reader result with the reference: both fail, or both succeed and the
// reader consumed `want_len` bytes that `reencode` reproduces. Returns false when the read
// failed (the reader's position is then unspecified, so the run stops).
template <class T, class Reencode>
bool CheckRead(const candor::Result<T>& got, std::optional<size_t> want_len, ByteView rest,
               const Reader& reader, Reencode reencode) {
  const size_t consumed = rest.size() - reader.remaining();
  if (!got.ok()) {
    FUZZ_REQUIRE(!want_len.has_value());
    FUZZ_REQUIRE(got.error().code == Errc::kMalformed);
    FUZZ_REQUIRE(!got.error().message.empty());
    FUZZ_REQUIRE(reader.remaining() <= rest.size());
    return false;
  }
  FUZZ_REQUIRE(want_len.has_value());
  FUZZ_REQUIRE(consumed == *want_len);
  Writer w;
  reencode(w, *got);
  FUZZ_REQUIRE(SameBytes(w.bytes(), rest.first(consumed)));
  return true;
}

// Step runs `op` on the innermost reader. Returns false when the run should stop.
bool Step(uint8_t op, std::vector<Frame>& stack) {
  Frame& f = stack.back();
  Reader& r = f.reader;
  FUZZ_REQUIRE(r.remaining() <= f.body.size());
  const ByteView rest = f.body.subspan(f.body.size() - r.remaining());
  FUZZ_REQUIRE(r.empty() == rest.empty());

  switch (op) {
    case kU8: {
      auto got = r.U8();
      if (got.ok()) FUZZ_REQUIRE(*got == RefUint(rest, 1));
      return CheckRead(got, RefUint(rest, 1) ? std::optional<size_t>(1) : std::nullopt, rest, r,
                       [](Writer& w, uint8_t v) { w.U8(v); });
    }
    case kU16: {
      auto got = r.U16();
      if (got.ok()) FUZZ_REQUIRE(*got == RefUint(rest, 2));
      return CheckRead(got, RefUint(rest, 2) ? std::optional<size_t>(2) : std::nullopt, rest, r,
                       [](Writer& w, uint16_t v) { w.U16(v); });
    }
    case kU32: {
      auto got = r.U32();
      if (got.ok()) FUZZ_REQUIRE(*got == RefUint(rest, 4));
      return CheckRead(got, RefUint(rest, 4) ? std::optional<size_t>(4) : std::nullopt, rest, r,
                       [](Writer& w, uint32_t v) { w.U32(v); });
    }
    case kU64: {
      auto got = r.U64();
      if (got.ok()) FUZZ_REQUIRE(*got == RefUint(rest, 8));
      return CheckRead(got, RefUint(rest, 8) ? std::optional<size_t>(8) : std::nullopt, rest, r,
                       [](Writer& w, uint64_t v) { w.U64(v); });
    }
    case kVarint: {
      const std::optional<RefVarintValue> want = RefVarint(rest);
      auto got = r.Varint();
      if (got.ok()) {
        FUZZ_REQUIRE(want.has_value() && *got == want->value);
        FUZZ_REQUIRE(*got <= candor::tls::kMaxVarint);
      }
      return CheckRead(got, want ? std::optional<size_t>(want->len) : std::nullopt, rest, r,
                       [](Writer& w, uint32_t v) { w.Varint(v); });
    }
    case kOpaqueV:
      return CheckRead(r.OpaqueV(), RefOpaque(rest, 0), rest, r,
                       [](Writer& w, ByteView v) { w.OpaqueV(v); });
    case kOpaque8:
      return CheckRead(r.Opaque8(), RefOpaque(rest, 1), rest, r,
                       [](Writer& w, ByteView v) { w.Opaque8(v); });
    case kOpaque16:
      return CheckRead(r.Opaque16(), RefOpaque(rest, 2), rest, r,
                       [](Writer& w, ByteView v) { w.Opaque16(v); });
    case kOptional: {
      const bool want_ok = !rest.empty() && rest[0] <= 1;
      auto got = r.Optional();
      if (got.ok()) FUZZ_REQUIRE(want_ok && *got == (rest[0] == 1));
      return CheckRead(got, want_ok ? std::optional<size_t>(1) : std::nullopt, rest, r,
                       [](Writer& w, bool present) { w.U8(present ? 1 : 0); });
    }
    case kVectorV: {
      const std::optional<size_t> want = RefOpaque(rest, 0);
      auto got = r.VectorV();
      const size_t consumed = rest.size() - r.remaining();
      if (!got.ok()) {
        FUZZ_REQUIRE(!want.has_value());
        FUZZ_REQUIRE(got.error().code == Errc::kMalformed);
        return false;
      }
      FUZZ_REQUIRE(want.has_value() && consumed == *want);
      const size_t body_len = got->remaining();
      FUZZ_REQUIRE(body_len <= consumed);
      const ByteView body = rest.subspan(consumed - body_len, body_len);
      Writer w;
      w.OpaqueV(body);
      FUZZ_REQUIRE(SameBytes(w.bytes(), rest.first(consumed)));
      if (stack.size() < kMaxDepth) stack.push_back(Frame{body, std::move(got).value()});
      return true;
    }
    case kEnd: {
      const candor::Status end = r.ExpectEnd();
      FUZZ_REQUIRE(end.ok() == rest.empty());
      if (!end.ok()) FUZZ_REQUIRE(end.error().code == Errc::kMalformed);
      if (stack.size() > 1) stack.pop_back();
      return true;
    }
    default:
      FUZZ_REQUIRE(false);
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const ByteView input(data, size);
  const size_t num_ops = std::min<size_t>(input[0], size - 1);
  const ByteView ops = input.subspan(1, num_ops);
  const ByteView payload = input.subspan(1 + num_ops);

  std::vector<Frame> stack;
  stack.push_back(Frame{payload, Reader(payload)});
  for (uint8_t op : ops) {
    if (!Step(static_cast<uint8_t>(op % kNumOps), stack)) break;
  }
  for (const Frame& f : stack) {
    FUZZ_REQUIRE(f.reader.ExpectEnd().ok() == f.reader.empty());
  }
  return 0;
}
