// tlog_head_sink.h: every KEYTRANS tree head also goes into a C2SP transparency log (tlog layer),
// so that witnesses cosign the directory's heads and a split view needs two cosigned logs. One
// log entry per signed head:
//   struct { opaque tree_head_tbs<0..2^32-1>; opaque signature<0..2^16-1>; } LoggedTreeHead;
// where tree_head_tbs is the encoded TreeHeadTBS (Configuration, tree_size, root).
#pragma once

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/base/tls.h"
#include "candor/kt/directory.h"
#include "candor/kt/tree_head.h"
#include "candor/tlog/log_writer.h"

namespace candor::kt {

// LoggedTreeHead is one entry of the tree-head log.
struct LoggedTreeHead {
  Bytes tree_head_tbs;
  Bytes signature;

  // Decode reads a LoggedTreeHead; kMalformed names the field on bad input.
  static Result<LoggedTreeHead> Decode(tls::Reader& r);
  // Encode writes the LoggedTreeHead.
  void Encode(tls::Writer& w) const;
  bool operator==(const LoggedTreeHead&) const = default;
};

// VerifyLoggedTreeHead decodes a logged head's TreeHeadTBS, checks that its Configuration is
// `config` and its signature verifies, and returns it (kVerifyFailed / kMalformed otherwise).
Result<TreeHeadTBS> VerifyLoggedTreeHead(const Configuration& config, const LoggedTreeHead& logged);

// TlogHeadSink returns a Directory::HeadSink that appends every head to `log` and returns once
// the entry is durable. `log` must outlive the directory.
Directory::HeadSink TlogHeadSink(tlog::LogWriter& log);

}  // namespace candor::kt
