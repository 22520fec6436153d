#include "candor/kt/directory_store.h"

#include <set>
#include <utility>

namespace candor::kt {

Status DirectoryStore::LoadEntriesFrom(uint64_t first, uint64_t end,
                                       const std::function<Status(StoredEntry&&)>& visit) {
  return LoadEntries([&](StoredEntry&& e) -> Status {
    if (e.position < first || e.position >= end) return OkStatus();
    return visit(std::move(e));
  });
}

Status MemoryDirectoryStore::AppendEntry(const StoredEntry& entry) {
  if (entry.position != entries_.size()) {
    return MakeError(Errc::kConflict, "kt store: entry position is not the next one");
  }
  std::set<std::pair<Bytes, uint32_t>> in_entry;
  for (const StoredVersion& v : entry.versions) {
    if (index_.contains({v.label, v.version}) || !in_entry.insert({v.label, v.version}).second) {
      return MakeError(Errc::kConflict, "kt store: label version already stored");
    }
  }
  for (size_t i = 0; i < entry.versions.size(); ++i) {
    const StoredVersion& v = entry.versions[i];
    index_[{v.label, v.version}] = {entries_.size(), i};
  }
  entries_.push_back(entry);
  return OkStatus();
}

Status MemoryDirectoryStore::LoadEntries(const std::function<Status(StoredEntry&&)>& visit) {
  for (const StoredEntry& e : entries_) {
    StoredEntry copy = e;
    CANDOR_TRY(visit(std::move(copy)));
  }
  return OkStatus();
}

Result<StoredVersion> MemoryDirectoryStore::GetVersion(ByteView label, uint32_t version) {
  auto it = index_.find({Bytes(label.begin(), label.end()), version});
  if (it == index_.end()) return MakeError(Errc::kNotFound, "kt store: no such label version");
  return entries_[it->second.first].versions[it->second.second];
}

}  // namespace candor::kt
