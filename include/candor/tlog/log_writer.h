// log_writer.h: a durable, tiled transparency log (C2SP tlog-tiles) over a LogStorage: files
// on local disk, or a database shared by the nodes of a cluster (log_storage.h).
//
// Appends are queued and integrated in batches, one batch at a time, by tasks on an executor
// the caller lends ("group commit"): the batch's new tiles and entry bundles and then a
// checkpoint signed by the log key are committed to the storage, and only once that is durable
// are the appends acknowledged. After a crash, Open() resumes from the last durable checkpoint,
// so every acknowledged entry survives and a checkpoint for a given size never changes its
// root; tiles a lost batch wrote beyond that size are dropped, so no tile that could still
// change is left. A storage that refuses a commit (kConflict: another writer moved the log, or
// this writer's lease is gone) fails the batch like a disk error: nothing is acknowledged.
//
// A failed batch (a full disk, no descriptors left) answers its appends with the error and
// leaves the writer to resynchronise with the durable state before the next batch; failures do
// not latch, so the log works again as soon as storage does.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/executor.h"
#include "candor/base/result.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/log_storage.h"
#include "candor/tlog/merkle.h"
#include "candor/tlog/note.h"
#include "candor/tlog/tile_builder.h"

namespace candor::tlog {

// SignedCheckpoint is a checkpoint and its note signed by the log key (no cosignatures).
struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string note;
};

struct LogWriterOptions {
  // storage holds the log; when null, a FileLogStorage over `dir` (created if missing).
  std::shared_ptr<LogStorage> storage;
  std::string dir;
  std::string origin;  // checkpoint origin line; must equal the signer's key name
  // min_batch_interval spaces checkpoints at least this far apart; appends arriving meanwhile
  // join the next batch.
  std::chrono::milliseconds min_batch_interval{20};
  size_t max_batch_entries = 1 << 16;    // a batch never holds more entries than this
  size_t max_pending_entries = 1 << 20;  // appends beyond this are refused with kUnavailable
};

class LogWriter {
 public:
  // AppendCallback receives the index of the first appended entry once the batch holding it is
  // durable, or the error. It runs in the batch's task (or in the destructor) and must not
  // block.
  using AppendCallback = std::function<void(Result<uint64_t>)>;
  // CheckpointCallback observes every new durable checkpoint, where AppendCallbacks run.
  using CheckpointCallback = std::function<void(const SignedCheckpoint&)>;

  // Open creates or recovers the log in `options.dir`. Recovery verifies the stored checkpoint
  // with the log key and rebuilds the right edge of the tree from the published tiles; a
  // mismatch is kInternal. A new log starts with a signed checkpoint of size 0. Batches run as
  // tasks on `executor`, which must outlive the writer.
  static Result<std::unique_ptr<LogWriter>> Open(LogWriterOptions options,
                                                 std::unique_ptr<Ed25519NoteSigner> signer,
                                                 Executor& executor);

  // The destructor cancels the scheduled batch, waits for a running one, and integrates what is
  // still queued on the calling thread.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Append queues `entries` (each at most kMaxEntrySize bytes) to be stored at consecutive
  // indices; `done` gets the first index once durable. Oversized entries or an empty list are
  // kInvalidArgument and a full queue kUnavailable, reported through `done` immediately.
  void Append(std::vector<Bytes> entries, AppendCallback done);

  // AppendAndWait appends one entry and blocks until it is durable. Not from a task of the
  // executor: the batch needs one of its threads.
  Result<uint64_t> AppendAndWait(Bytes entry);

  // Latest returns the newest durable checkpoint. Thread-safe.
  SignedCheckpoint Latest() const;

  // Health is OK unless the last batch failed and storage has not worked since (kUnavailable
  // with the storage error). Thread-safe.
  Status Health() const;

  // SetCheckpointCallback installs the observer (replacing any) and calls it with Latest().
  void SetCheckpointCallback(const CheckpointCallback& cb);

  // ProveConsistency and ProveInclusion read the published tiles of the `new_size` tree
  // (which must be a size this log has published) and build an RFC 9162 proof. Thread-safe.
  Result<std::vector<Hash32>> ProveConsistency(uint64_t old_size, uint64_t new_size) const;
  Result<std::vector<Hash32>> ProveInclusion(uint64_t index, uint64_t size) const;

  // ReadTile returns a published tile or bundle by TilePath (kNotFound if absent).
  Result<Bytes> ReadTile(const std::string& path) const;

  const std::shared_ptr<LogStorage>& storage() const { return storage_; }
  const std::string& origin() const { return options_.origin; }

 private:
  struct Pending {
    std::vector<Bytes> entries;
    AppendCallback done;
  };

  // DurableState is what a crash leaves: the verified `state/checkpoint` and the right edge of
  // its tree rebuilt from the tiles.
  struct DurableState {
    SignedCheckpoint checkpoint;
    TileBuilder builder;
  };

  LogWriter(LogWriterOptions options, std::unique_ptr<Ed25519NoteSigner> signer,
            Executor& executor);
  // ReadDurableState reads it: kNotFound if there is no checkpoint yet, kInternal if the
  // checkpoint does not verify or the tiles do not match its root.
  Result<DurableState> ReadDurableState() const;
  Status Recover();
  // Resync rebuilds the in-memory edge from the durable checkpoint and tiles after a failed
  // batch (which may or may not have made its checkpoint durable). Under batch_mu_.
  Status Resync();
  Result<SignedCheckpoint> Sign(uint64_t size, const Hash32& root) const;
  // ScheduleLocked posts the next batch if appends wait and none is posted: at once when a full
  // batch waits, else when min_batch_interval has passed since the last batch. Under mu_.
  void ScheduleLocked();
  // RunBatch is the task: integrates one batch, then schedules the next.
  void RunBatch();
  // TakeBatch removes the next batch (at most max_batch_entries, at least one append) from
  // the queue.
  std::vector<Pending> TakeBatch();
  // IntegrateAndAnswer stores `batch` and answers its appends. Under batch_mu_.
  void IntegrateAndAnswer(std::vector<Pending>& batch);
  // Integrate stores one batch durably and returns the new checkpoint. Under batch_mu_.
  Result<SignedCheckpoint> Integrate(std::vector<Pending>& batch, std::vector<uint64_t>& firsts);

  const LogWriterOptions options_;
  const std::shared_ptr<LogStorage> storage_;
  const std::unique_ptr<Ed25519NoteSigner> signer_;

  std::mutex batch_mu_;        // held while a batch is integrated: one at a time
  TileBuilder builder_;        // under batch_mu_ (and in Open)
  bool needs_resync_ = false;  // a batch failed; the edge must be rebuilt before the next one

  mutable std::mutex mu_;
  std::vector<Pending> pending_;
  size_t num_pending_entries_ = 0;
  bool stopping_ = false;
  bool scheduled_ = false;       // a batch task is posted and has not taken its batch yet
  bool full_scheduled_ = false;  // a batch task for a full batch is posted
  std::chrono::steady_clock::time_point last_batch_;
  std::string storage_error_;  // why the last batch failed, until one succeeds
  SignedCheckpoint latest_;
  CheckpointCallback on_checkpoint_;

  TaskScope tasks_;  // last member: closed first (the destructor closes it explicitly)
};

}  // namespace candor::tlog
