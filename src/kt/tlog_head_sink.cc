#include "candor/kt/tlog_head_sink.h"

namespace candor::kt {

Result<LoggedTreeHead> LoggedTreeHead::Decode(tls::Reader& r) {
  LoggedTreeHead h;
  CANDOR_ASSIGN_OR_RETURN(ByteView tbs, r.Opaque32("LoggedTreeHead.tree_head_tbs"));
  h.tree_head_tbs.assign(tbs.begin(), tbs.end());
  CANDOR_ASSIGN_OR_RETURN(ByteView sig, r.Opaque16("LoggedTreeHead.signature"));
  h.signature.assign(sig.begin(), sig.end());
  return h;
}

void LoggedTreeHead::Encode(tls::Writer& w) const {
  w.Opaque32(tree_head_tbs);
  w.Opaque16(signature);
}

Result<TreeHeadTBS> VerifyLoggedTreeHead(const Configuration& config,
                                         const LoggedTreeHead& logged) {
  CANDOR_ASSIGN_OR_RETURN(TreeHeadTBS tbs, tls::DecodeExact<TreeHeadTBS>(logged.tree_head_tbs));
  if (tbs.config != config) return VerifyFailed();
  CANDOR_TRY(VerifyTreeHead(config, TreeHead{tbs.tree_size, logged.signature}, tbs.root));
  return tbs;
}

Directory::HeadSink TlogHeadSink(tlog::LogWriter& log) {
  return [&log](ByteView tree_head_tbs, ByteView signature) -> Status {
    LoggedTreeHead entry{Bytes(tree_head_tbs.begin(), tree_head_tbs.end()),
                         Bytes(signature.begin(), signature.end())};
    CANDOR_TRY(log.AppendAndWait(tls::Encode(entry)));
    return OkStatus();
  };
}

}  // namespace candor::kt
