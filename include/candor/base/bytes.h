// bytes.h: byte vocabulary. ByteView for every input, Bytes for owned public bytes, fixed-size
// arrays for hashes, SecretBytes for secrets (zeroized on free, move-only, no equality).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace candor {

using ByteView = std::span<const uint8_t>;
using Bytes = std::vector<uint8_t>;
using Hash32 = std::array<uint8_t, 32>;

// AsBytes views the characters of `s` as bytes. The view borrows `s`, which must remain live.
inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// AsString copies bytes into a std::string (for text-bearing bytes only).
inline std::string_view AsStringView(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// SecureZero overwrites `len` bytes at `p` with zeros in a way the compiler cannot elide.
void SecureZero(void* p, size_t len);

// ZeroizingAllocator wipes every buffer it frees, including buffers dropped by reallocation.
template <class T>
struct ZeroizingAllocator {
  using value_type = T;
  ZeroizingAllocator() = default;
  template <class U>
  ZeroizingAllocator(const ZeroizingAllocator<U>&) noexcept {}  // NOLINT
  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) noexcept {
    SecureZero(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const ZeroizingAllocator<U>&) const noexcept {
    return true;
  }
};

// SecretBytes owns secret key material. It is move-only (copy with Clone()), has no operator==
// (compare with crypto::ConstantTimeEqual) and no stream or fmt formatter, and wipes its memory
// when destroyed.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t len) : data_(len) {}
  explicit SecretBytes(ByteView bytes) : data_(bytes.begin(), bytes.end()) {}
  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(SecretBytes&&) noexcept = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() = default;

  // Clone makes an explicit copy of the secret.
  SecretBytes Clone() const { return SecretBytes(view()); }

  ByteView view() const { return {data_.data(), data_.size()}; }
  uint8_t* data() { return data_.data(); }
  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }

 private:
  std::vector<uint8_t, ZeroizingAllocator<uint8_t>> data_;
};

}  // namespace candor
