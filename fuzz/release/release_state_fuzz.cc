// release_state_fuzz: the state files of `candor release monitor` and `candor update`
// (src/candor/release_state.h) parse strictly or are refused with a typed error, never crash;
// a parsed state formats to a text that parses back to the same state.
#include "fuzz/fuzz_target.h"
#include "fuzz/release/release_state_keys.h"
#include "src/candor/release_state.h"

namespace {

const candor::tlog::LogTrust& Trust() {
  static const candor::tlog::LogTrust trust = [] {
    auto t = candor::tlog::ParseLogTrust(candor::fuzz::ReleaseStateLogKey().VerifierKey(),
                                         {candor::fuzz::ReleaseStateWitness().VerifierKey()}, 1);
    return std::move(*t);
  }();
  return trust;
}

bool TypedError(const candor::Error& e) {
  return e.code == candor::Errc::kMalformed || e.code == candor::Errc::kInvalidArgument ||
         e.code == candor::Errc::kVerifyFailed;
}

std::string NoteOf(const std::optional<candor::tlog::VerifiedCheckpoint>& cp) {
  return cp ? cp->note : std::string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = candor::fuzz::AsText(data, size);
  auto monitor = candor::cli::ParseMonitorState(text, Trust());
  if (!monitor.ok()) {
    FUZZ_REQUIRE(TypedError(monitor.error()));
  } else {
    auto again = candor::cli::ParseMonitorState(candor::cli::FormatMonitorState(*monitor), Trust());
    FUZZ_REQUIRE(again.ok());
    FUZZ_REQUIRE(NoteOf(again->checkpoint) == NoteOf(monitor->checkpoint));
    FUZZ_REQUIRE(again->releases.size() == monitor->releases.size());
    FUZZ_REQUIRE(again->alarms == monitor->alarms);
  }
  const candor::cli::UpdaterTarget target{"candor", "debian12-amd64", "candor"};
  auto updater = candor::cli::ParseUpdaterState(text, target, Trust());
  if (!updater.ok()) {
    FUZZ_REQUIRE(TypedError(updater.error()));
    return 0;
  }
  auto again = candor::cli::ParseUpdaterState(candor::cli::FormatUpdaterState(target, *updater),
                                              target, Trust());
  FUZZ_REQUIRE(again.ok());
  FUZZ_REQUIRE(NoteOf(again->checkpoint) == NoteOf(updater->checkpoint));
  FUZZ_REQUIRE(again->releases.size() == updater->releases.size());
  FUZZ_REQUIRE(again->installed.has_value() == updater->installed.has_value());
  return 0;
}
