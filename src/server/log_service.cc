#include "candor/server/log_service.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "bearer.h"
#include "candor/base/file.h"
#include "candor/tlog/checkpoint.h"
#include "candor/tlog/note.h"
#include "candor/tlog/tile.h"

namespace candor::server {
namespace {

net::HttpResponse Json(int status, const nlohmann::json& j) {
  return net::MakeResponse(status, "application/json", j.dump() + "\n");
}

}  // namespace

LogService::LogService(LogServiceOptions options, std::unique_ptr<tlog::LogWriter> writer,
                       std::shared_ptr<tlog::LogStorage> storage, Executor& executor)
    : options_(std::move(options)),
      writer_(std::move(writer)),
      storage_(std::move(storage)),
      tasks_(executor) {}

std::unique_ptr<LogService> LogService::CreateReader(std::string name,
                                                     std::shared_ptr<tlog::LogStorage> storage,
                                                     Executor& executor) {
  LogServiceOptions options;
  options.name = std::move(name);
  return std::unique_ptr<LogService>(
      new LogService(std::move(options), nullptr, std::move(storage), executor));
}

Result<std::unique_ptr<LogService>> LogService::Create(LogServiceOptions options,
                                                       std::unique_ptr<tlog::Ed25519NoteSigner> key,
                                                       Executor& executor) {
  if (options.name.empty() || options.name.find('/') != std::string::npos) {
    return MakeError(Errc::kInvalidArgument, "log name must be one path segment");
  }
  if (options.cosign_refresh.count() != 0 && options.cosign_refresh.count() < 1000) {
    return MakeError(Errc::kInvalidArgument, "cosign_refresh must be 0 or at least 1000 ms");
  }
  if (options.quorum > options.witnesses.size()) {
    return MakeError(Errc::kInvalidArgument, "quorum is larger than the number of witnesses");
  }
  CANDOR_ASSIGN_OR_RETURN(std::unique_ptr<tlog::LogWriter> writer,
                          tlog::LogWriter::Open(options.writer, std::move(key), executor));
  std::shared_ptr<tlog::LogStorage> storage = writer->storage();
  std::unique_ptr<LogService> s(
      new LogService(std::move(options), std::move(writer), std::move(storage), executor));
  // The last published checkpoint survives restarts; serve it until a newer one is cosigned.
  auto published = s->storage_->ReadPublished();
  if (published.ok()) {
    s->published_note_ = std::string(AsStringView(*published));
    // Its size bounds the tiles served. The file was written by this server after it verified
    // the checkpoint, and the recovered log is never smaller.
    auto note = tlog::ParseNote(s->published_note_);
    auto cp =
        note.ok() ? tlog::ParseCheckpoint(note->text) : Result<tlog::Checkpoint>(note.error());
    if (!cp.ok()) {
      return MakeError(Errc::kInternal,
                       "the published checkpoint is not a checkpoint: " + cp.error().message);
    }
    s->published_size_ = std::min(cp->size, s->writer_->Latest().checkpoint.size);
  }
  tlog::LogWriter* w = s->writer_.get();
  for (const WitnessEndpoint& e : s->options_.witnesses) {
    s->witness_clients_.push_back(std::make_unique<WitnessClient>(
        e, [w](uint64_t a, uint64_t b) { return w->ProveConsistency(a, b); }));
  }
  s->witness_ok_.assign(s->witness_clients_.size(), true);
  s->writer_->SetCheckpointCallback(
      [raw = s.get()](const tlog::SignedCheckpoint& cp) { raw->OnCheckpoint(cp); });
  if (s->options_.cosign_refresh.count() > 0) s->ScheduleRefresh();
  return s;
}

LogService::~LogService() {
  if (writer_) writer_->SetCheckpointCallback(nullptr);
  tasks_.Close();
  writer_.reset();  // flushes queued appends, answering their responders
}

void LogService::OnCheckpoint(const tlog::SignedCheckpoint& cp) {
  std::lock_guard<std::mutex> lock(mu_);
  newest_ = cp;
  if (publishing_) return;  // the round in flight publishes it, or posts the next that does
  publishing_ = true;
  tasks_.Post([this] { PublishRound(); });
}

Status LogService::Publish(const tlog::SignedCheckpoint& cp,
                           const std::vector<tlog::NoteSignature>& cosigs) {
  std::string note = cp.note;
  for (const tlog::NoteSignature& s : cosigs) note += s.Line();
  CANDOR_TRY(storage_->WritePublished(cp.checkpoint.size, note));
  std::lock_guard<std::mutex> lock(mu_);
  published_note_ = std::move(note);
  published_log_note_ = cp.note;
  published_size_ = cp.checkpoint.size;
  published_at_ = std::chrono::steady_clock::now();
  num_published_.fetch_add(1, std::memory_order_relaxed);
  return OkStatus();
}

void LogService::PublishRound() {
  tlog::SignedCheckpoint cp;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (newest_.note.empty() || (newest_.note == published_log_note_ && !refresh_)) {
      publishing_ = false;
      return;
    }
    refresh_ = false;
    cp = newest_;
  }
  // Ask every witness at once; a slow or dead witness delays only itself.
  std::vector<std::optional<Result<std::vector<tlog::NoteSignature>>>> answers(
      witness_clients_.size());
  ParallelFor(&tasks_.executor(), answers.size(), 2, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) answers[i].emplace(witness_clients_[i]->Submit(cp));
  });
  std::vector<tlog::NoteSignature> cosigs;
  size_t distinct = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    const Result<std::vector<tlog::NoteSignature>>& got = *answers[i];
    const bool ok = got.ok();
    if (ok) {
      cosigs.insert(cosigs.end(), got->begin(), got->end());
      ++distinct;  // each client returns only signatures of its own witness
    } else {
      num_witness_failures_.fetch_add(1, std::memory_order_relaxed);
    }
    // Log changes of a witness's health, not every retry.
    if (ok != witness_ok_[i]) {
      if (ok) {
        spdlog::info("log {}: witness {} cosigns again", options_.name,
                     witness_clients_[i]->name());
      } else {
        spdlog::warn("log {}: witness {} refused or failed: {}", options_.name,
                     witness_clients_[i]->name(), got.error().ToString());
      }
      witness_ok_[i] = ok;
    }
  }
  if (distinct >= options_.quorum && Publish(cp, cosigs).ok()) {
    tasks_.Post([this] { PublishRound(); });
    return;
  }
  // Not enough cosignatures (or the write failed): retry after a pause with the newest head.
  tasks_.PostAt(std::chrono::steady_clock::now() + std::chrono::milliseconds(500),
                [this] { PublishRound(); });
}

void LogService::ScheduleRefresh() {
  tasks_.PostAt(std::chrono::steady_clock::now() + options_.cosign_refresh, [this] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!publishing_ && !published_log_note_.empty() &&
          std::chrono::steady_clock::now() - published_at_ >= options_.cosign_refresh) {
        refresh_ = true;
        publishing_ = true;
        tasks_.Post([this] { PublishRound(); });
      }
    }
    ScheduleRefresh();
  });
}

std::string LogService::PublishedCheckpoint() const {
  if (!writer_) {
    auto note = storage_->ReadPublished();
    return note.ok() ? std::string(AsStringView(*note)) : std::string();
  }
  std::lock_guard<std::mutex> lock(mu_);
  return published_note_;
}

bool LogService::Authorized(const net::HttpRequest& request) const {
  return BearerMatches(request, options_.append_token_hash);
}

void LogService::HandleAppend(const net::HttpRequest& request, bool bundle,
                              const net::Responder& respond) {
  if (!writer_) {
    respond(net::JsonError(
        MakeError(Errc::kUnavailable,
                  "this node serves the log but does not append to it: append through "
                  "the node that holds the sequencer lease")));
    return;
  }
  if (!Authorized(request)) {
    respond(net::JsonError(MakeError(Errc::kUnauthenticated, "append needs a valid bearer token")));
    return;
  }
  std::vector<Bytes> entries;
  if (bundle) {
    auto decoded = tlog::SplitEntryBundle(AsBytes(request.body), options_.max_bundle_entries);
    if (!decoded.ok() || decoded->empty()) {
      respond(net::JsonError(
          MakeError(Errc::kInvalidArgument, "append-bundle: body must hold 1 to " +
                                                std::to_string(options_.max_bundle_entries) +
                                                " uint16-length-prefixed entries")));
      return;
    }
    for (ByteView e : *decoded) entries.emplace_back(e.begin(), e.end());
  } else {
    if (request.body.size() > tlog::kMaxEntrySize) {
      respond(net::JsonError(
          MakeError(Errc::kInvalidArgument, "append: entry larger than 65535 bytes")));
      return;
    }
    entries.emplace_back(request.body.begin(), request.body.end());
  }
  const size_t count = entries.size();
  writer_->Append(std::move(entries), [this, bundle, count, respond](Result<uint64_t> r) {
    if (!r.ok()) {
      num_append_errors_.fetch_add(1, std::memory_order_relaxed);
      respond(net::JsonError(r.error()));
      return;
    }
    num_appended_.fetch_add(count, std::memory_order_relaxed);
    if (bundle) {
      respond(Json(200, {{"first_index", *r}, {"count", count}}));
    } else {
      respond(Json(200, {{"index", *r}}));
    }
  });
}

void LogService::Register(net::Router& router) {
  const std::string base = "/logs/" + options_.name + "/";
  // An append body is one entry; a bundle at most max_bundle_entries length-prefixed entries.
  const size_t bundle_max = options_.max_bundle_entries * (tlog::kMaxEntrySize + 2);
  router.AddAsync("POST", base + "append", {tlog::kMaxEntrySize + 1, false, false},
                  [this](const net::RouteRequest& req, const net::Responder& respond) {
                    HandleAppend(req.http, false, respond);
                  });
  router.AddAsync("POST", base + "append-bundle", {bundle_max, false, false},
                  [this](const net::RouteRequest& req, const net::Responder& respond) {
                    HandleAppend(req.http, true, respond);
                  });
  // A reader reads the checkpoint from the database: on the worker pool.
  router.Add("GET", base + "checkpoint", {0, false, writer_ == nullptr},
             [this](const net::RouteRequest&) -> Result<net::HttpResponse> {
               std::string note = PublishedCheckpoint();
               if (note.empty()) {
                 return MakeError(Errc::kNotFound, "no checkpoint has been cosigned yet");
               }
               return net::MakeResponse(200, "text/plain; charset=utf-8", std::move(note),
                                        {{"Cache-Control", "no-cache"}});
             });
  // Tiles open a file or read the database: on the worker pool.
  router.Add(
      "GET", base + "tile/{path...}", {0, false, true},
      [this](const net::RouteRequest& req) { return HandleTile("tile/" + req.Param("path")); });
}

Result<net::HttpResponse> LogService::HandleTile(std::string_view path) const {
  CANDOR_ASSIGN_OR_RETURN(tlog::TileId id, tlog::ParseTilePath(path));
  const std::vector<std::pair<std::string, std::string>> immutable = {
      {"Cache-Control", "public, max-age=31536000, immutable"}};
  if (!writer_) {
    // Every tile of an atomically committing storage is covered by a durable checkpoint.
    CANDOR_ASSIGN_OR_RETURN(Bytes tile, storage_->ReadTile(std::string(path)));
    return net::MakeResponse(200, "application/octet-stream", std::string(AsStringView(tile)),
                             immutable);
  }
  // A tile past the durable checkpoint may still be rewritten (a batch that never became
  // durable): it does not exist for clients until a durable checkpoint covers it. One that a
  // durable checkpoint covers never changes, and is served even before the witnesses cosigned
  // that checkpoint: the writer deletes a partial tile as soon as its full tile is durable, so
  // a client of the published (older) checkpoint needs the full one.
  const uint64_t durable = writer_->Latest().checkpoint.size;
  if (!tlog::TileCoveredBy(id, durable)) {
    return MakeError(Errc::kNotFound, "no durable checkpoint covers " + std::string(path));
  }
  // A partial tile is deleted once its full tile exists (tlog-tiles allows it): then 404.
  const std::string file_name = storage_->FileOf(path);
  if (file_name.empty()) {
    CANDOR_ASSIGN_OR_RETURN(Bytes tile, storage_->ReadTile(std::string(path)));
    return net::MakeResponse(200, "application/octet-stream", std::string(AsStringView(tile)),
                             immutable);
  }
  CANDOR_ASSIGN_OR_RETURN(ReadOnlyFile file, ReadOnlyFile::Open(file_name));
  net::HttpResponse r = net::MakeResponse(200, "application/octet-stream", {}, immutable);
  r.file = std::make_shared<const ReadOnlyFile>(std::move(file));
  return r;
}

Status LogService::Health() const {
  if (!writer_) return OkStatus();
  Status st = writer_->Health();
  if (st.ok()) return st;
  return MakeError(st.error().code, "log " + options_.name + ": " + st.error().message);
}

void LogService::AppendMetrics(std::string& out) const {
  const std::string label = "{log=\"" + options_.name + "\"}";
  if (!writer_) return;  // the sequencer's metrics count its log
  const tlog::SignedCheckpoint latest = writer_->Latest();
  uint64_t published = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    published = published_size_;
  }
  out += "candor_log_entries_appended_total" + label + " " + std::to_string(num_appended_.load()) +
         "\n";
  out += "candor_log_append_errors_total" + label + " " +
         std::to_string(num_append_errors_.load()) + "\n";
  out += "candor_log_tree_size" + label + " " + std::to_string(latest.checkpoint.size) + "\n";
  out += "candor_log_published_tree_size" + label + " " + std::to_string(published) + "\n";
  out += "candor_log_checkpoints_published_total" + label + " " +
         std::to_string(num_published_.load()) + "\n";
  out += "candor_log_witness_failures_total" + label + " " +
         std::to_string(num_witness_failures_.load()) + "\n";
}

}  // namespace candor::server
