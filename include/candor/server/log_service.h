// log_service.h: a transparency log hosted by candord under /logs/<name>/:
//   GET  checkpoint                  the newest checkpoint with its witness cosignatures
//   GET  tile/<L>/<N>[.p/<W>]        hash tiles       (C2SP tlog-tiles, immutable)
//   GET  tile/entries/<N>[.p/<W>]    entry bundles    (C2SP tlog-tiles, immutable)
// Only tiles that a durable checkpoint covers are served (others are 404), so a tile once served
// never changes; they are streamed from disk by the blocking-work pool. They may run ahead of the
// published checkpoint: a partial tile is deleted once its full tile is durable, and a client of
// the published checkpoint then reads the full one.
//   POST append                      body = one entry; {"index":N} once durable
//   POST append-bundle               body = uint16-length-prefixed entries;
//   {"first_index":N,"count":K}
// Appends need `Authorization: Bearer <token>`. A publishing task submits every new checkpoint
// to the configured witnesses (all at once) and publishes it once `quorum` of them cosigned it;
// short of a quorum it retries every 500 ms with the newest checkpoint.
//
// In a cluster (issue 13), the sequencer's LogService writes the log to the shared database
// and every other node serves it with a reader (CreateReader): the same routes, read from the
// database, with appends refused (503) since only the sequencer appends.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/executor.h"
#include "candor/net/router.h"
#include "candor/server/witness_client.h"
#include "candor/tlog/log_writer.h"

namespace candor::server {

struct LogServiceOptions {
  std::string name;               // URL segment: /logs/<name>/
  tlog::LogWriterOptions writer;  // dir and origin
  Hash32 append_token_hash{};     // SHA-256 of the bearer token allowed to append
  std::vector<WitnessEndpoint> witnesses;
  size_t quorum = 0;
  size_t max_bundle_entries = 4096;
  // A published checkpoint that stays the newest is submitted to the witnesses again this
  // often, so its cosignatures carry fresh timestamps (a client that requires a recent
  // cosignature can tell a live view from a frozen one); 0: never.
  std::chrono::milliseconds cosign_refresh{0};
};

class LogService {
 public:
  // Create opens (or recovers) the log. Its batches and its publishing run as tasks on
  // `executor` (witness requests block on the network: lend it threads that may wait), which
  // must outlive the service.
  static Result<std::unique_ptr<LogService>> Create(LogServiceOptions options,
                                                    std::unique_ptr<tlog::Ed25519NoteSigner> key,
                                                    Executor& executor);
  // CreateReader serves a log that another node writes: the published checkpoint and the tiles
  // are read from `storage` on each request, and appends are refused with kUnavailable.
  // `storage` must commit atomically (store::SqlLogStorage), so that every tile it holds is
  // covered by a durable checkpoint.
  static std::unique_ptr<LogService> CreateReader(std::string name,
                                                  std::shared_ptr<tlog::LogStorage> storage,
                                                  Executor& executor);
  // The destructor stops publishing and flushes the queued appends.
  ~LogService();

  // Register adds the log's routes under /logs/<name>/.
  void Register(net::Router& router);
  // AppendMetrics adds Prometheus text-format lines for this log.
  void AppendMetrics(std::string& out) const;
  // Health is the writer's: kUnavailable while log storage is failing.
  Status Health() const;

  // PublishedCheckpoint returns the note served at /checkpoint (empty if there is none yet).
  std::string PublishedCheckpoint() const;
  // writer is the log's writer; only for a service made by Create.
  tlog::LogWriter& writer() { return *writer_; }

 private:
  LogService(LogServiceOptions options, std::unique_ptr<tlog::LogWriter> writer,
             std::shared_ptr<tlog::LogStorage> storage, Executor& executor);
  void HandleAppend(const net::HttpRequest& request, bool bundle, const net::Responder& respond);
  Result<net::HttpResponse> HandleTile(std::string_view path) const;
  bool Authorized(const net::HttpRequest& request) const;
  void OnCheckpoint(const tlog::SignedCheckpoint& cp);
  // PublishRound submits the newest checkpoint to the witnesses and publishes it with a
  // quorum; then it posts the next round (at once, or after a pause when short of a quorum)
  // until the newest checkpoint is published.
  void PublishRound();
  // ScheduleRefresh arms the cosign_refresh timer: when it fires with no round in flight and
  // the published checkpoint older than cosign_refresh, it posts a round that cosigns it again.
  void ScheduleRefresh();
  Status Publish(const tlog::SignedCheckpoint& cp, const std::vector<tlog::NoteSignature>& cosigs);

  const LogServiceOptions options_;
  std::unique_ptr<tlog::LogWriter> writer_;  // null in a reader
  const std::shared_ptr<tlog::LogStorage> storage_;
  std::vector<std::unique_ptr<WitnessClient>> witness_clients_;  // publishing task only
  std::vector<bool> witness_ok_;  // last outcome per witness, publishing task only

  mutable std::mutex mu_;
  bool publishing_ = false;  // a publishing round is posted or running
  bool refresh_ = false;     // the next round cosigns the published checkpoint again
  std::chrono::steady_clock::time_point published_at_;  // of the last publication
  tlog::SignedCheckpoint newest_;                       // newest durable checkpoint
  uint64_t published_size_ = 0;
  std::string published_note_;      // served at /checkpoint (with cosignatures)
  std::string published_log_note_;  // its log-signed part; empty until this process publishes

  std::atomic<uint64_t> num_appended_{0};
  std::atomic<uint64_t> num_append_errors_{0};
  std::atomic<uint64_t> num_witness_failures_{0};
  std::atomic<uint64_t> num_published_{0};

  TaskScope tasks_;  // the publishing rounds
};

}  // namespace candor::server
