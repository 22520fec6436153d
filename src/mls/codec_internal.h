// codec_internal.h: helpers shared by the RFC 9420 struct codecs in src/mls/: owned opaque
// fields, `T list<V>` vectors read through a sub-reader, and checked enum reads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"

namespace candor::mls::internal {

// ReadOpaqueV reads `opaque field<V>` and copies it out.
inline Result<Bytes> ReadOpaqueV(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(ByteView view, r.OpaqueV(field));
  return Bytes(view.begin(), view.end());
}

// DecodeList reads `T field<V>`: a varint-prefixed body, decoded element by element with
// `decode_one(sub_reader)` until the body is used up. Every element consumes at least one byte
// (all MLS structs do), so the loop ends; nothing is reserved from the untrusted length.
template <class T, class DecodeOne>
Result<std::vector<T>> DecodeList(tls::Reader& r, std::string_view field, DecodeOne decode_one) {
  CANDOR_ASSIGN_OR_RETURN(tls::Reader body, r.VectorV(field));
  std::vector<T> out;
  while (!body.empty()) {
    CANDOR_ASSIGN_OR_RETURN(T item, decode_one(body));
    out.push_back(std::move(item));
  }
  return out;
}

// DecodeStructList reads `T field<V>` with `T::Decode`.
template <class T>
Result<std::vector<T>> DecodeStructList(tls::Reader& r, std::string_view field) {
  return DecodeList<T>(r, field, [](tls::Reader& body) { return T::Decode(body); });
}

// EncodeList writes `T list<V>` with `encode_one(writer, element)` for each element.
template <class T, class EncodeOne>
void EncodeList(tls::Writer& w, const std::vector<T>& items, EncodeOne encode_one) {
  tls::Writer body;
  for (const T& item : items) encode_one(body, item);
  w.OpaqueV(body.bytes());
}

// EncodeStructList writes `T list<V>` with `T::Encode`.
template <class T>
void EncodeStructList(tls::Writer& w, const std::vector<T>& items) {
  EncodeList(w, items, [](tls::Writer& body, const T& item) { item.Encode(body); });
}

// DecodeU16List reads `uint16 field<V>` as values of type E (an enum or uint16_t), any value.
template <class E>
Result<std::vector<E>> DecodeU16List(tls::Reader& r, std::string_view field) {
  return DecodeList<E>(r, field, [field](tls::Reader& body) -> Result<E> {
    CANDOR_ASSIGN_OR_RETURN(uint16_t v, body.U16(field));
    return static_cast<E>(v);
  });
}

// EncodeU16List writes `uint16 field<V>`.
template <class E>
void EncodeU16List(tls::Writer& w, const std::vector<E>& items) {
  EncodeList(w, items, [](tls::Writer& body, E v) { body.U16(static_cast<uint16_t>(v)); });
}

// UnknownValue is the kMalformed error for an enum value the RFC's select cannot handle.
inline Error UnknownValue(std::string_view field, unsigned value) {
  return MakeError(Errc::kMalformed,
                   std::string(field) + ": unknown value " + std::to_string(value));
}

}  // namespace candor::mls::internal
