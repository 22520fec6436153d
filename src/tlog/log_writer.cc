#include "candor/tlog/log_writer.h"

#include <filesystem>
#include <future>

#include "candor/base/file.h"
#include "candor/tlog/tile.h"

namespace candor::tlog {
namespace {

constexpr char kStateCheckpoint[] = "/state/checkpoint";

}  // namespace

LogWriter::LogWriter(LogWriterOptions options, std::unique_ptr<Ed25519NoteSigner> signer)
    : options_(std::move(options)), signer_(std::move(signer)) {}

Result<std::unique_ptr<LogWriter>> LogWriter::Open(LogWriterOptions options,
                                                   std::unique_ptr<Ed25519NoteSigner> signer) {
  if (signer == nullptr || signer->name() != options.origin) {
    return MakeError(Errc::kInvalidArgument, "log key name must equal the origin");
  }
  if (options.dir.empty()) return MakeError(Errc::kInvalidArgument, "log directory is empty");
  std::unique_ptr<LogWriter> w(new LogWriter(std::move(options), std::move(signer)));
  CANDOR_TRY(w->Recover());
  w->thread_ = std::thread([raw = w.get()] { raw->Run(); });
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

Status LogWriter::Recover() {
  const std::string state = options_.dir + kStateCheckpoint;
  auto stored = ReadFile(state);
  if (!stored.ok() && stored.error().code == Errc::kNotFound) {
    CANDOR_ASSIGN_OR_RETURN(latest_, Sign(0, EmptyRoot()));
    return WriteFileDurable(state, AsBytes(latest_.note));
  }
  if (!stored.ok()) return std::move(stored).error();
  auto verifier = ParseVerifierKey(signer_->VerifierKey());
  CANDOR_CHECK(verifier.ok());
  const NoteVerifier* vs[] = {verifier->get()};
  auto opened = OpenNote(AsStringView(*stored), vs);
  if (!opened.ok()) {
    return MakeError(Errc::kInternal, "stored checkpoint does not verify with the log key: " +
                                          opened.error().message);
  }
  CANDOR_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(opened->note.text));
  if (cp.origin != options_.origin) return MakeError(Errc::kInternal, "stored checkpoint origin");
  auto builder =
      TileBuilder::Restore(cp.size, [this](const std::string& path) { return ReadTile(path); });
  if (!builder.ok()) return std::move(builder).error();
  if (builder->Root() != cp.root) {
    return MakeError(Errc::kInternal, "tiles do not match the stored checkpoint root");
  }
  builder_ = std::move(*builder);
  latest_ = SignedCheckpoint{cp, std::string(AsStringView(*stored))};
  return OkStatus();
}

LogWriter::~LogWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
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
    if (broken_) {
      done(MakeError(Errc::kUnavailable, "append: log storage failed; restart the server"));
      return;
    }
    if (stopping_ || num_pending_entries_ + entries.size() > options_.max_pending_entries) {
      done(MakeError(Errc::kUnavailable, "append: log is busy, retry later"));
      return;
    }
    num_pending_entries_ += entries.size();
    pending_.push_back({std::move(entries), std::move(done)});
  }
  cv_.notify_one();
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
  return ReadFile(options_.dir + "/" + path);
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
  for (Pending& p : batch) {
    firsts.push_back(builder_.size());
    for (const Bytes& e : p.entries) CANDOR_TRY(builder_.Append(e));
  }
  std::vector<TileFile> files = builder_.TakeChanged();
  std::vector<FileWrite> writes;
  writes.reserve(files.size());
  for (const TileFile& f : files) writes.push_back({options_.dir + "/" + f.path, f.data});
  CANDOR_TRY(WriteFilesDurable(writes));
  CANDOR_ASSIGN_OR_RETURN(SignedCheckpoint cp, Sign(builder_.size(), builder_.Root()));
  CANDOR_TRY(WriteFileDurable(options_.dir + kStateCheckpoint, AsBytes(cp.note)));
  // The partial tiles of a tile that is now full are superseded (tlog-tiles allows deleting
  // them; readers fall back to the full tile). Removing them keeps the file count proportional
  // to the log, not to the number of checkpoints. Best effort: leftovers are harmless.
  for (const TileFile& f : files) {
    if (f.path.find(".p/") != std::string::npos) continue;
    std::error_code ec;
    std::filesystem::remove_all(options_.dir + "/" + f.path + ".p", ec);
  }
  return cp;
}

void LogWriter::Run() {
  auto last = std::chrono::steady_clock::now() - options_.min_batch_interval;
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping with nothing queued
      if (!stopping_) {
        // Let the batch fill until the interval since the previous checkpoint has passed.
        cv_.wait_until(lock, last + options_.min_batch_interval, [this] {
          return stopping_ || num_pending_entries_ >= options_.max_batch_entries;
        });
      }
      size_t taken = 0;
      size_t i = 0;
      while (i < pending_.size() &&
             (i == 0 || taken + pending_[i].entries.size() <= options_.max_batch_entries)) {
        taken += pending_[i].entries.size();
        ++i;
      }
      batch.assign(std::make_move_iterator(pending_.begin()),
                   std::make_move_iterator(pending_.begin() + static_cast<ptrdiff_t>(i)));
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(i));
      num_pending_entries_ -= taken;
    }
    last = std::chrono::steady_clock::now();
    std::vector<uint64_t> firsts;
    const uint64_t before = builder_.size();
    auto cp = Integrate(batch, firsts);
    if (!cp.ok()) {
      // Nothing of this batch is acknowledged; rebuild the edge from the last durable state.
      auto restored =
          TileBuilder::Restore(before, [this](const std::string& path) { return ReadTile(path); });
      if (restored.ok()) {
        builder_ = std::move(*restored);
      } else {
        std::lock_guard<std::mutex> lock(mu_);
        broken_ = true;  // storage is failing: refuse every later append
      }
      for (Pending& p : batch) p.done(cp.error());
      continue;
    }
    CheckpointCallback observer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      latest_ = *cp;
      observer = on_checkpoint_;
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i].done(firsts[i]);
    if (observer) observer(*cp);
  }
}

}  // namespace candor::tlog
