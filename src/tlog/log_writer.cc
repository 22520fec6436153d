#include "candor/tlog/log_writer.h"

#include <future>

#include "candor/tlog/tile.h"

namespace candor::tlog {

LogWriter::LogWriter(LogWriterOptions options, std::unique_ptr<Ed25519NoteSigner> signer,
                     Executor& executor)
    : options_(std::move(options)),
      storage_(options_.storage ? options_.storage
                                : std::make_shared<FileLogStorage>(options_.dir)),
      signer_(std::move(signer)),
      tasks_(executor) {}

Result<std::unique_ptr<LogWriter>> LogWriter::Open(LogWriterOptions options,
                                                   std::unique_ptr<Ed25519NoteSigner> signer,
                                                   Executor& executor) {
  if (signer == nullptr || signer->name() != options.origin) {
    return MakeError(Errc::kInvalidArgument, "log key name must equal the origin");
  }
  if (options.storage == nullptr && options.dir.empty()) {
    return MakeError(Errc::kInvalidArgument, "log directory is empty");
  }
  std::unique_ptr<LogWriter> w(new LogWriter(std::move(options), std::move(signer), executor));
  CANDOR_TRY(w->Recover());
  w->last_batch_ = std::chrono::steady_clock::now() - w->options_.min_batch_interval;
  return w;
}

Result<SignedCheckpoint> LogWriter::Sign(uint64_t size, const Hash32& root) const {
  SignedCheckpoint out;
  out.checkpoint = Checkpoint{options_.origin, size, root, {}};
  Note note;
  note.text = out.checkpoint.Text();
  note.signatures.push_back({signer_->name(), signer_->key_id(), signer_->Sign(note.text)});
  out.note = note.Format();
  return out;
}

Result<LogWriter::DurableState> LogWriter::ReadDurableState() const {
  CANDOR_ASSIGN_OR_RETURN(Bytes stored, storage_->ReadCheckpoint());
  auto verifier = ParseVerifierKey(signer_->VerifierKey());
  CANDOR_CHECK(verifier.ok());
  const NoteVerifier* vs[] = {verifier->get()};
  auto opened = OpenNote(AsStringView(stored), vs);
  if (!opened.ok()) {
    return MakeError(Errc::kInternal, "stored checkpoint does not verify with the log key: " +
                                          opened.error().message);
  }
  CANDOR_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(opened->note.text));
  if (cp.origin != options_.origin) return MakeError(Errc::kInternal, "stored checkpoint origin");
  CANDOR_ASSIGN_OR_RETURN(
      TileBuilder builder,
      TileBuilder::Restore(cp.size, [this](const std::string& path) { return ReadTile(path); }));
  if (builder.Root() != cp.root) {
    return MakeError(Errc::kInternal, "tiles do not match the stored checkpoint root");
  }
  return DurableState{SignedCheckpoint{cp, std::string(AsStringView(stored))}, std::move(builder)};
}

Status LogWriter::Recover() {
  auto durable = ReadDurableState();
  if (!durable.ok() && durable.error().code == Errc::kNotFound) {
    CANDOR_ASSIGN_OR_RETURN(latest_, Sign(0, EmptyRoot()));
    storage_->DropBeyond(0);
    return storage_->Commit(0, {}, 0, latest_.note);
  }
  if (!durable.ok()) return std::move(durable).error();
  builder_ = std::move(durable->builder);
  latest_ = std::move(durable->checkpoint);
  storage_->DropBeyond(latest_.checkpoint.size);
  return OkStatus();
}

Status LogWriter::Resync() {
  CANDOR_ASSIGN_OR_RETURN(DurableState durable, ReadDurableState());
  builder_ = std::move(durable.builder);
  // The failed batch may have made its checkpoint durable before failing: then it is the log's
  // newest head (its entries were answered with an error, but they are in the log).
  CheckpointCallback observer;
  bool advanced = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    advanced = durable.checkpoint.checkpoint.size != latest_.checkpoint.size;
    latest_ = durable.checkpoint;
    observer = on_checkpoint_;
  }
  if (advanced && observer) observer(durable.checkpoint);
  return OkStatus();
}

LogWriter::~LogWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;  // Append refuses from now on, and no batch is scheduled
  }
  tasks_.Close();
  std::lock_guard<std::mutex> one_batch(batch_mu_);
  for (std::vector<Pending> batch = TakeBatch(); !batch.empty(); batch = TakeBatch()) {
    IntegrateAndAnswer(batch);
  }
}

void LogWriter::Append(std::vector<Bytes> entries, AppendCallback done) {
  if (entries.empty()) {
    done(MakeError(Errc::kInvalidArgument, "append: no entries"));
    return;
  }
  for (const Bytes& e : entries) {
    if (e.size() > kMaxEntrySize) {
      done(MakeError(Errc::kInvalidArgument,
                     "append: entry of " + std::to_string(e.size()) + " bytes > 65535"));
      return;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || num_pending_entries_ + entries.size() > options_.max_pending_entries) {
      done(MakeError(Errc::kUnavailable, "append: log is busy, retry later"));
      return;
    }
    num_pending_entries_ += entries.size();
    pending_.push_back({std::move(entries), std::move(done)});
    ScheduleLocked();
  }
}

void LogWriter::ScheduleLocked() {
  if (stopping_ || pending_.empty()) return;
  if (num_pending_entries_ >= options_.max_batch_entries && !full_scheduled_) {
    full_scheduled_ = true;
    tasks_.Post([this] { RunBatch(); });
    return;
  }
  if (scheduled_) return;
  scheduled_ = true;
  tasks_.PostAt(last_batch_ + options_.min_batch_interval, [this] { RunBatch(); });
}

Result<uint64_t> LogWriter::AppendAndWait(Bytes entry) {
  std::promise<Result<uint64_t>> promise;
  auto future = promise.get_future();
  std::vector<Bytes> one;
  one.push_back(std::move(entry));
  Append(std::move(one), [&promise](Result<uint64_t> r) { promise.set_value(std::move(r)); });
  return future.get();
}

SignedCheckpoint LogWriter::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

Status LogWriter::Health() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (storage_error_.empty()) return OkStatus();
  return MakeError(Errc::kUnavailable, "log storage is failing: " + storage_error_);
}

void LogWriter::SetCheckpointCallback(const CheckpointCallback& cb) {
  SignedCheckpoint now;
  {
    std::lock_guard<std::mutex> lock(mu_);
    on_checkpoint_ = cb;
    now = latest_;
  }
  if (cb) cb(now);
}

Result<Bytes> LogWriter::ReadTile(const std::string& path) const {
  CANDOR_TRY(ParseTilePath(path));
  return storage_->ReadTile(path);
}

Result<std::vector<Hash32>> LogWriter::ProveConsistency(uint64_t old_size,
                                                        uint64_t new_size) const {
  if (new_size > Latest().checkpoint.size) {
    return MakeError(Errc::kInvalidArgument, "consistency: size beyond the log");
  }
  TileHashReader reader(new_size, [this](const std::string& p) { return ReadTile(p); });
  return tlog::ProveConsistency(old_size, new_size, reader);
}

Result<std::vector<Hash32>> LogWriter::ProveInclusion(uint64_t index, uint64_t size) const {
  if (size > Latest().checkpoint.size) {
    return MakeError(Errc::kInvalidArgument, "inclusion: size beyond the log");
  }
  TileHashReader reader(size, [this](const std::string& p) { return ReadTile(p); });
  return tlog::ProveInclusion(index, size, reader);
}

Result<SignedCheckpoint> LogWriter::Integrate(std::vector<Pending>& batch,
                                              std::vector<uint64_t>& firsts) {
  const uint64_t old_size = builder_.size();
  for (Pending& p : batch) {
    firsts.push_back(builder_.size());
    for (const Bytes& e : p.entries) CANDOR_TRY(builder_.Append(e));
  }
  const std::vector<TileFile> tiles = builder_.TakeChanged();
  CANDOR_ASSIGN_OR_RETURN(SignedCheckpoint cp, Sign(builder_.size(), builder_.Root()));
  CANDOR_TRY(storage_->Commit(old_size, tiles, cp.checkpoint.size, cp.note));
  return cp;
}

std::vector<LogWriter::Pending> LogWriter::TakeBatch() {
  std::lock_guard<std::mutex> lock(mu_);
  scheduled_ = false;
  full_scheduled_ = false;
  size_t taken = 0;
  size_t i = 0;
  while (i < pending_.size() &&
         (i == 0 || taken + pending_[i].entries.size() <= options_.max_batch_entries)) {
    taken += pending_[i].entries.size();
    ++i;
  }
  std::vector<Pending> batch(std::make_move_iterator(pending_.begin()),
                             std::make_move_iterator(pending_.begin() + static_cast<ptrdiff_t>(i)));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(i));
  num_pending_entries_ -= taken;
  if (i > 0) last_batch_ = std::chrono::steady_clock::now();
  return batch;
}

void LogWriter::RunBatch() {
  {
    std::lock_guard<std::mutex> one_batch(batch_mu_);
    std::vector<Pending> batch = TakeBatch();
    if (!batch.empty()) IntegrateAndAnswer(batch);
  }
  std::lock_guard<std::mutex> lock(mu_);
  ScheduleLocked();
}

void LogWriter::IntegrateAndAnswer(std::vector<Pending>& batch) {
  std::vector<uint64_t> firsts;
  // After a failure, first rebuild the edge from what is durable; if storage still fails, this
  // batch fails with it and the next one tries again.
  Status ready = needs_resync_ ? Resync() : OkStatus();
  if (ready.ok()) needs_resync_ = false;
  auto cp = ready.ok() ? Integrate(batch, firsts) : Result<SignedCheckpoint>(ready.error());
  if (!cp.ok()) {
    // Nothing of this batch is acknowledged.
    needs_resync_ = true;
    const Error error = MakeError(Errc::kUnavailable, cp.error().message);
    {
      std::lock_guard<std::mutex> lock(mu_);
      storage_error_ = cp.error().message;
    }
    for (Pending& p : batch) p.done(error);
    return;
  }
  CheckpointCallback observer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    latest_ = *cp;
    storage_error_.clear();
    observer = on_checkpoint_;
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(firsts[i]);
  if (observer) observer(*cp);
}

}  // namespace candor::tlog
