#include "candor/auditor/auditor_record.h"

#include "candor/base/file.h"

namespace candor::auditor {
namespace {

constexpr uint16_t kVersion = 1;

Error Malformed(const std::string& what) {
  return MakeError(Errc::kMalformed, "AuditorRecord: " + what);
}

}  // namespace

Result<AuditorRecord> AuditorRecord::Decode(tls::Reader& r) {
  CANDOR_ASSIGN_OR_RETURN(uint16_t version, r.U16("AuditorRecord.version"));
  if (version != kVersion) return Malformed("unknown version " + std::to_string(version));
  AuditorRecord out;
  CANDOR_ASSIGN_OR_RETURN(out.state, kt::AuditorState::Decode(r));
  CANDOR_ASSIGN_OR_RETURN(bool has_head, r.Optional("AuditorRecord.head"));
  if (has_head) {
    CANDOR_ASSIGN_OR_RETURN(out.head, kt::AuditorTreeHead::Decode(r));
  }
  if (has_head != (out.state.tree_size > 0)) {
    return Malformed("a head must be present exactly when entries were checked");
  }
  if (out.head && out.head->tree_size != out.state.tree_size) {
    return Malformed("the head is not for the state's tree size");
  }
  return out;
}

void AuditorRecord::Encode(tls::Writer& w) const {
  w.U16(kVersion);
  state.Encode(w);
  w.U8(head ? 1 : 0);
  if (head) head->Encode(w);
}

Result<AuditorRecord> LoadRecord(const std::string& path) {
  if (!FileExists(path)) return AuditorRecord{};
  CANDOR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(path, 1 << 20));
  return tls::DecodeExact<AuditorRecord>(raw);
}

Status SaveRecord(const std::string& path, const AuditorRecord& record) {
  return WriteFileDurable(path, tls::Encode(record), 0600);
}

}  // namespace candor::auditor
