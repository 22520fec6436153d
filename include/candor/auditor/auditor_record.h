// auditor_record.h: what a `candor-auditor` keeps on disk between runs (docs/formats/
// auditor_state.md §"The auditor's record"): the `kt` AuditorState after the entries it checked,
// and the AuditorTreeHead it signed for the last of them, so that it can hand that head to a
// restarted directory without signing anything new.
//
//   struct {
//     uint16 version = 1;
//     AuditorState state;
//     optional<AuditorTreeHead> head;   // present iff state.tree_size > 0, for that size
//   } AuditorRecord;
#pragma once

#include <optional>
#include <string>

#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/kt/auditor.h"
#include "candor/kt/tree_head.h"

namespace candor::auditor {

struct AuditorRecord {
  kt::AuditorState state;
  std::optional<kt::AuditorTreeHead> head;

  // Decode reads an AuditorRecord. An unknown version, a head present at size 0, absent
  // after, or for another size is kMalformed naming the field.
  static Result<AuditorRecord> Decode(tls::Reader& r);
  // Encode writes the AuditorRecord.
  void Encode(tls::Writer& w) const;
  bool operator==(const AuditorRecord&) const = default;
};

// LoadRecord reads `path`; a missing file is the record of an auditor that checked nothing
// (size 0). A file that does not decode exactly is kMalformed.
Result<AuditorRecord> LoadRecord(const std::string& path);
// SaveRecord replaces `path` durably (written aside, fsynced, renamed).
Status SaveRecord(const std::string& path, const AuditorRecord& record);

}  // namespace candor::auditor
