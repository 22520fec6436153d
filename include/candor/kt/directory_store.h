// directory_store.h: the KEYTRANS directory's durable state, behind an interface so that the
// embedded SQLite store and the PostgreSQL store (store layer) can serve it. The directory keeps
// its trees in memory and writes, per log entry, the entry's timestamp and every label version it
// added; replaying the entries in order rebuilds the trees exactly. A write returns only once it
// is durable.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/kt/cipher_suite.h"
#include "candor/kt/proofs.h"

namespace candor::kt {

// StoredVersion is one label-version pair as the directory published it.
struct StoredVersion {
  Bytes label;  // 1..255 bytes
  uint32_t version = 0;
  std::array<uint8_t, kOpeningSize> opening{};  // commitment opening (deletable later)
  Bytes value;                                  // UpdateValue.value
  Bytes suffix_signature;                       // UpdateSuffix.signature (thirdPartyManagement)
  Hash32 vrf_output{};                          // prefix-tree search key
  HashValue commitment{};
  Bytes vrf_proofs;  // the VRF proofs made at publish (stored_proofs.h); empty: none
  bool operator==(const StoredVersion&) const = default;
};

// StoredEntry is one log entry: its position, timestamp and the versions it added (empty for a
// heartbeat).
struct StoredEntry {
  uint64_t position = 0;
  uint64_t timestamp = 0;
  std::vector<StoredVersion> versions;
  bool operator==(const StoredEntry&) const = default;
};

// DirectoryStore persists log entries. Implementations are used by one directory at a time.
class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;
  // AppendEntry durably stores `entry`, whose position must be the number of entries stored so
  // far (else kConflict, nothing written). Returns only after the entry is durable; on failure
  // nothing of it is visible afterwards.
  virtual Status AppendEntry(const StoredEntry& entry) = 0;
  // EntryCount is the number of stored entries.
  virtual Result<uint64_t> EntryCount() = 0;
  // LoadEntries calls `visit` for every stored entry in position order; stops at the first error
  // `visit` returns and returns it.
  virtual Status LoadEntries(const std::function<Status(StoredEntry&&)>& visit) = 0;
  // LoadEntriesFrom is LoadEntries for the entries at positions [first, end) only (a directory
  // that follows one another process appends to). This default reads from the start and skips;
  // stores that can seek override it.
  virtual Status LoadEntriesFrom(uint64_t first, uint64_t end,
                                 const std::function<Status(StoredEntry&&)>& visit);
  // GetVersion returns a stored label version, or kNotFound.
  virtual Result<StoredVersion> GetVersion(ByteView label, uint32_t version) = 0;
};

// MemoryDirectoryStore keeps entries in memory (tests, benchmarks). Not durable.
class MemoryDirectoryStore final : public DirectoryStore {
 public:
  Status AppendEntry(const StoredEntry& entry) override;
  Result<uint64_t> EntryCount() override { return entries_.size(); }
  Status LoadEntries(const std::function<Status(StoredEntry&&)>& visit) override;
  Result<StoredVersion> GetVersion(ByteView label, uint32_t version) override;

 private:
  std::vector<StoredEntry> entries_;
  std::map<std::pair<Bytes, uint32_t>, std::pair<size_t, size_t>> index_;  // -> entry, slot
};

}  // namespace candor::kt
