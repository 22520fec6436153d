// The persistence format of ClientState: Candor's own (not part of the draft), TLS-style with
// 4-byte element counts, versioned by a leading format byte.
#include <optional>
#include <string>

#include "candor/kt/verifier.h"
#include "codec_internal.h"

namespace candor::kt {

namespace {

using internal::DecodeCounted;
using internal::EncodeCounted;
using internal::ReadHash;

// Format 2 added the auditor tree head after the tree head.
constexpr uint8_t kFormat = 2;

// Ascending checks that map keys arrive strictly ascending, so that every state has exactly one
// encoding (a duplicate or out-of-order key is kMalformed).
template <class K>
Status Ascending(const std::optional<K>& previous, const K& key, std::string_view field) {
  if (previous && !(*previous < key)) {
    return MakeError(Errc::kMalformed, std::string(field) + ": keys not strictly ascending");
  }
  return OkStatus();
}

void EncodeVersions(tls::Writer& w, const std::map<uint32_t, KnownVersion>& versions) {
  internal::WriteCount(w, 4, versions.size());
  for (const auto& [v, k] : versions) {
    w.U32(v);
    w.Raw(k.vrf_output);
    w.U8(k.commitment ? 1 : 0);
    if (k.commitment) w.Raw(*k.commitment);
  }
}

Result<std::map<uint32_t, KnownVersion>> DecodeVersions(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint32_t count, internal::ReadCount(r, 4, "ClientState.versions"));
  std::map<uint32_t, KnownVersion> out;
  std::optional<uint32_t> previous;
  for (uint32_t i = 0; i < count; ++i) {
    CANDOR_ASSIGN_OR_RETURN(uint32_t v, r.U32("ClientState.version"));
    CANDOR_TRY(Ascending(previous, v, "ClientState.versions"));
    previous = v;
    KnownVersion k;
    CANDOR_ASSIGN_OR_RETURN(k.vrf_output, ReadHash(r, "ClientState.vrf_output"));
    CANDOR_ASSIGN_OR_RETURN(bool has, r.Optional("ClientState.commitment"));
    if (has) {
      CANDOR_ASSIGN_OR_RETURN(HashValue c, ReadHash(r, "ClientState.commitment"));
      k.commitment = c;
    }
    out[v] = k;
  }
  return out;
}

void WriteInt(tls::Writer& w, uint64_t v) { w.U64(v); }
void WriteInt(tls::Writer& w, uint32_t v) { w.U32(v); }

template <class K, class V>
void EncodeMap(tls::Writer& w, const std::map<K, V>& m) {
  internal::WriteCount(w, 4, m.size());
  for (const auto& [k, v] : m) {
    WriteInt(w, k);
    WriteInt(w, v);
  }
}

template <class K, class V>
Result<std::map<K, V>> DecodeMap(tls::Reader& r, std::string_view field) {
  CANDOR_ASSIGN_OR_RETURN(uint32_t count, internal::ReadCount(r, 4, field));
  std::map<K, V> out;
  std::optional<K> previous;
  for (uint32_t i = 0; i < count; ++i) {
    K k{};
    V v{};
    if constexpr (sizeof(K) == 8) {
      CANDOR_ASSIGN_OR_RETURN(k, r.U64(field));
    } else {
      CANDOR_ASSIGN_OR_RETURN(k, r.U32(field));
    }
    if constexpr (sizeof(V) == 8) {
      CANDOR_ASSIGN_OR_RETURN(v, r.U64(field));
    } else {
      CANDOR_ASSIGN_OR_RETURN(v, r.U32(field));
    }
    CANDOR_TRY(Ascending(previous, k, field));
    previous = k;
    out[k] = v;
  }
  return out;
}

}  // namespace

void ClientState::Encode(tls::Writer& w) const {
  w.U8(kFormat);
  w.U64(view.size);
  internal::EncodeHashes(w, 4, view.full_subtrees);
  internal::WriteCount(w, 4, view.frontier.size());
  for (const auto& [p, e] : view.frontier) {
    w.U64(p);
    w.U64(e.timestamp);
    w.Raw(e.prefix_root);
  }
  w.Raw(root);
  w.U8(head ? 1 : 0);
  if (head) head->Encode(w);
  w.U8(auditor_head ? 1 : 0);
  if (auditor_head) auditor_head->Encode(w);
  internal::WriteCount(w, 4, contacts.size());
  for (const auto& [label, c] : contacts) {
    w.Opaque8(label);
    EncodeVersions(w, c.versions);
    EncodeMap(w, c.monitor);
  }
  internal::WriteCount(w, 4, owned.size());
  for (const auto& [label, o] : owned) {
    w.Opaque8(label);
    w.U64(o.start);
    w.U64(o.verified);
    EncodeVersions(w, o.versions);
    EncodeMap(w, o.greatest_at);
    EncodeMap(w, o.created_at);
    EncodeMap(w, o.monitor);
  }
}

Result<ClientState> ClientState::Decode(tls::Reader& r) {
  ClientState s;
  CANDOR_ASSIGN_OR_RETURN(uint8_t format, r.U8("ClientState.format"));
  if (format != kFormat) return internal::UnknownValue("ClientState.format", format);
  CANDOR_ASSIGN_OR_RETURN(s.view.size, r.U64("ClientState.size"));
  CANDOR_ASSIGN_OR_RETURN(s.view.full_subtrees,
                          internal::DecodeHashes(r, 4, "ClientState.full_subtrees"));
  CANDOR_ASSIGN_OR_RETURN(uint32_t frontier, internal::ReadCount(r, 4, "ClientState.frontier"));
  std::optional<uint64_t> previous_position;
  for (uint32_t i = 0; i < frontier; ++i) {
    CANDOR_ASSIGN_OR_RETURN(uint64_t p, r.U64("ClientState.frontier.position"));
    CANDOR_TRY(Ascending(previous_position, p, "ClientState.frontier"));
    previous_position = p;
    RetainedEntry e;
    CANDOR_ASSIGN_OR_RETURN(e.timestamp, r.U64("ClientState.frontier.timestamp"));
    CANDOR_ASSIGN_OR_RETURN(e.prefix_root, ReadHash(r, "ClientState.frontier.prefix_root"));
    s.view.frontier[p] = e;
  }
  CANDOR_ASSIGN_OR_RETURN(s.root, ReadHash(r, "ClientState.root"));
  CANDOR_ASSIGN_OR_RETURN(bool has_head, r.Optional("ClientState.head"));
  if (has_head) {
    CANDOR_ASSIGN_OR_RETURN(TreeHead head, TreeHead::Decode(r));
    s.head = std::move(head);
  }
  CANDOR_ASSIGN_OR_RETURN(bool has_auditor_head, r.Optional("ClientState.auditor_head"));
  if (has_auditor_head) {
    CANDOR_ASSIGN_OR_RETURN(AuditorTreeHead auditor_head, AuditorTreeHead::Decode(r));
    s.auditor_head = std::move(auditor_head);
  }
  CANDOR_ASSIGN_OR_RETURN(uint32_t contacts, internal::ReadCount(r, 4, "ClientState.contacts"));
  std::optional<Bytes> previous_label;
  for (uint32_t i = 0; i < contacts; ++i) {
    CANDOR_ASSIGN_OR_RETURN(ByteView label, r.Opaque8("ClientState.contact.label"));
    CANDOR_TRY(
        Ascending(previous_label, Bytes(label.begin(), label.end()), "ClientState.contacts"));
    previous_label = Bytes(label.begin(), label.end());
    ContactLabel c;
    CANDOR_ASSIGN_OR_RETURN(c.versions, DecodeVersions(r));
    CANDOR_ASSIGN_OR_RETURN(c.monitor, (DecodeMap<uint64_t, uint32_t>(r, "ClientState.monitor")));
    s.contacts[Bytes(label.begin(), label.end())] = std::move(c);
  }
  CANDOR_ASSIGN_OR_RETURN(uint32_t owned, internal::ReadCount(r, 4, "ClientState.owned"));
  previous_label.reset();
  for (uint32_t i = 0; i < owned; ++i) {
    CANDOR_ASSIGN_OR_RETURN(ByteView label, r.Opaque8("ClientState.owned.label"));
    CANDOR_TRY(Ascending(previous_label, Bytes(label.begin(), label.end()), "ClientState.owned"));
    previous_label = Bytes(label.begin(), label.end());
    OwnedLabel o;
    CANDOR_ASSIGN_OR_RETURN(o.start, r.U64("ClientState.owned.start"));
    CANDOR_ASSIGN_OR_RETURN(o.verified, r.U64("ClientState.owned.verified"));
    CANDOR_ASSIGN_OR_RETURN(o.versions, DecodeVersions(r));
    CANDOR_ASSIGN_OR_RETURN(o.greatest_at,
                            (DecodeMap<uint64_t, uint32_t>(r, "ClientState.greatest_at")));
    CANDOR_ASSIGN_OR_RETURN(o.created_at,
                            (DecodeMap<uint32_t, uint64_t>(r, "ClientState.created_at")));
    CANDOR_ASSIGN_OR_RETURN(o.monitor, (DecodeMap<uint64_t, uint32_t>(r, "ClientState.monitor")));
    s.owned[Bytes(label.begin(), label.end())] = std::move(o);
  }
  return s;
}

}  // namespace candor::kt
