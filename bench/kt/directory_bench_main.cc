// directory_bench_main.cc: kt_directory_bench, the KEYTRANS directory at scale (issue 4's
// performance list), a driver that prints table rows rather than a benchmark loop:
//   publish <suite> <memory|sqlite> [labels] [at-publish]
//                                             SubmitUpdate + Publish of 1,000 / 10,000-label
//                                             batches into a directory of `labels` labels, beside
//                                             the VRF-prove bound (VrfEvaluate/s on 2 threads);
//                                             for sqlite also bytes on disk per label and update;
//                                             `at-publish`: with
//                                             DirectoryOptions::prove_at_publish.
//   search <suite> [labels] [entries] [entry_ms]
//                                             proof generation, verification (split VRF / tree
//                                             head / rest) and encoded SearchResponse size, with
//                                             where the bytes go (fresh and returning client);
//                                             log entries entry_ms apart (default 1,000).
//   shape <entry_ms> <from> <to> [step]       no directory: the proof's counts (lookups,
//                                             timestamps, prefix_roots, minimal log inclusion)
//                                             for tree sizes in [from, to), fresh and returning.
//   monitor <suite> [labels] [rmw_minutes] [audited]
//                                             bytes a client downloads in a day (one entry per
//                                             second) to monitor its own label and 100 contacts,
//                                             with a reasonable monitoring window of rmw_minutes
//                                             (default 60), optionally with a Third-Party Auditor.
//   publish-audited <suite> <memory|sqlite> [labels]
//                                             Third-Party Auditing: updates/s into an audited
//                                             directory of `labels` labels (at most 255 per
//                                             entry), and what following it costs the auditor.
//   contention <suite> [labels] [seconds] [sink_ms] [batch]
//                                             search latency alone, then while another thread
//                                             publishes back to back (`batch` new labels each,
//                                             `sink_ms` in the head sink, like the tree-head log).
// <suite> is p256 or ed25519. Results and commands: docs/benchmarks.md ("KEYTRANS directory").

#include <cstdio>
#include <cstdlib>
#include <string>

#include "candor/base/process.h"
#include "directory_bench_util.h"

namespace candor::kt::bench {
namespace {

// Main dispatches on the mode (see the file comment).
int Main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "publish" && argc >= 4) {
    const uint64_t labels = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1'000'000;
    const bool at_publish = argc > 5 && std::string(argv[5]) == "at-publish";
    return RunPublish(ParseSuite(argv[2]), argv[3], labels, at_publish);
  }
  if (mode == "search" && argc >= 3) {
    const uint64_t labels = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1'000'000;
    const uint64_t entries = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 86'400;
    const uint64_t entry_ms = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1'000;
    if (entries < 100 || entry_ms == 0 || entry_ms > 3'600'000) {
      (void)std::fprintf(stderr, "search: entries >= 100, 0 < entry_ms <= 3600000\n");
      return 2;
    }
    return RunSearch(ParseSuite(argv[2]), labels, entries, entry_ms);
  }
  if (mode == "shape" && argc >= 5) {
    const uint64_t entry_ms = std::strtoull(argv[2], nullptr, 10);
    const uint64_t from = std::strtoull(argv[3], nullptr, 10);
    const uint64_t to = std::strtoull(argv[4], nullptr, 10);
    const uint64_t step = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1;
    if (entry_ms == 0 || entry_ms > 3'600'000 || step == 0 || to <= from ||
        from < 100 + 3'600'000 / entry_ms) {
      (void)std::fprintf(stderr,
                         "shape: 0 < entry_ms <= 3600000, from >= 100 + one RMW, to > from\n");
      return 2;
    }
    return RunShape(entry_ms, from, to, step);
  }
  if (mode == "monitor" && argc >= 3) {
    const uint64_t labels = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1'000'000;
    const uint64_t rmw_minutes = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 60;
    const bool audited = argc > 5 && std::string(argv[5]) == "audited";
    if (rmw_minutes == 0 || rmw_minutes > 1440 || labels < 1) {
      (void)std::fprintf(stderr, "monitor: 1 <= rmw_minutes <= 1440, labels >= 1\n");
      return 2;
    }
    return RunMonitor(ParseSuite(argv[2]), labels, rmw_minutes * 60'000, audited);
  }
  if (mode == "contention" && argc >= 3) {
    const uint64_t labels = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 100'000;
    const int seconds = argc > 4 ? std::atoi(argv[4]) : 5;
    const int sink_ms = argc > 5 ? std::atoi(argv[5]) : 25;
    const int batch = argc > 6 ? std::atoi(argv[6]) : 100;
    if (labels < 2 || seconds < 1 || sink_ms < 0 || batch < 0) {
      (void)std::fprintf(stderr, "contention: labels >= 2, seconds >= 1, sink_ms, batch >= 0\n");
      return 2;
    }
    return RunContention(ParseSuite(argv[2]), labels, seconds, sink_ms, batch);
  }
  if (mode == "publish-audited" && argc >= 4) {
    const uint64_t labels = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1'000'000;
    return RunAuditedPublish(ParseSuite(argv[2]), argv[3], labels);
  }
  (void)std::fprintf(
      stderr,
      "usage: kt_directory_bench publish <p256|ed25519> <memory|sqlite> [labels] [at-publish]\n"
      "       kt_directory_bench search <p256|ed25519> [labels] [entries] [entry_ms]\n"
      "       kt_directory_bench shape <entry_ms> <from> <to> [step]\n"
      "       kt_directory_bench monitor <p256|ed25519> [labels] [rmw_minutes] [audited]\n"
      "       kt_directory_bench publish-audited <p256|ed25519> <memory|sqlite> [labels]\n"
      "       kt_directory_bench contention <p256|ed25519> [labels] [seconds] [sink_ms] [batch]\n");
  return 2;
}

}  // namespace
}  // namespace candor::kt::bench

int main(int argc, char** argv) { return candor::RunMain(argc, argv, candor::kt::bench::Main); }
