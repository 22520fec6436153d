// messaging_load: delivered messages per second and end-to-end latency (send -> pushed to every
// recipient device) through candord, or through bare_relay as the bound.
//
// Set-up (candord): `--devices` accounts of one device each are created with the real client
// engine (keys, KEYTRANS publish, sign-in, KeyPackages), then for each `--group-size` the
// devices are split into groups that the engine creates (a 1:1 conversation for size 2: real
// MLS commits and Welcomes through the Delivery Service). Their session tokens are read back
// from the profiles. Set-up is not measured.
//
// Load: every device holds an authenticated WebSocket (one io_context thread for all of them);
// `--senders` threads post application messages over keep-alive HTTP, closed-loop or paced to
// `--rate` messages/s in all. A message is an MLS PrivateMessage of the group's current epoch
// whose authenticated_data carries the send time; its `--size`-byte ciphertext is random (the
// server neither can nor does decrypt it). Receivers acknowledge as a client does (every 32
// frames and every 100 ms). Prints one JSON line per scenario.
//
// bare_relay (`--relay-bin`): the same groups and load with synthetic tokens and group ids; the
// driver writes the relay's configuration and starts it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/base/tls.h"
#include "candor/client/engine.h"
#include "candor/crypto/random.h"
#include "candor/net/http_client.h"
#include "candor/store/sql.h"
#include "engine_accounts.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using candor::Bytes;
using candor::ByteView;

struct Device {
  std::string handle;
  std::string token;
  uint64_t last_seq = 0;
};

struct Group {
  std::string id_b64;
  Bytes id;
  uint64_t epoch = 0;
  std::vector<size_t> members;  // device indexes
};

uint64_t NowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

// ---- set-up through the real client engine ----------------------------------------------

candor::Result<std::vector<Group>> CreateGroups(const std::string& work,
                                                std::vector<Device>& devices, size_t size,
                                                int threads) {
  const size_t count = devices.size() / size;
  std::vector<Group> groups(count);
  CANDOR_TRY(candor::bench::RunOnThreads(count, threads, [&](size_t g) -> candor::Status {
    const size_t first = g * size;
    CANDOR_ASSIGN_OR_RETURN(
        auto e, candor::client::Engine::Open(
                    {work + "/" + devices[first].handle, nullptr, nullptr, candor::SystemClock()}));
    std::string name = "g" + std::to_string(size) + "_" + std::to_string(g);
    std::vector<std::string> others;
    for (size_t i = first + 1; i < first + size; ++i) others.push_back(devices[i].handle);
    if (size == 2) {
      CANDOR_TRY(e->Send(others[0], "set-up"));
      name = others[0];
    } else {
      CANDOR_TRY(e->CreateGroup(name, others));
    }
    CANDOR_ASSIGN_OR_RETURN(auto list, e->Groups());
    for (const auto& s : list) {
      if (s.name != name && s.peer != name) continue;
      groups[g].id = s.group_id;
      groups[g].id_b64 = candor::Base64Encode(s.group_id);
      groups[g].epoch = s.epoch;
    }
    for (size_t i = first; i < first + size; ++i) groups[g].members.push_back(i);
    if (groups[g].id.empty()) return candor::MakeError(candor::Errc::kNotFound, "no group");
    return candor::OkStatus();
  }));
  return groups;
}

candor::Status ReadTokens(const std::string& work, const candor::net::Url& server,
                          std::vector<Device>& devices) {
  candor::net::HttpClient http;
  for (Device& d : devices) {
    CANDOR_ASSIGN_OR_RETURN(d.token, candor::bench::ReadSessionToken(work + "/" + d.handle));
    // Start the WebSocket after what set-up queued.
    CANDOR_ASSIGN_OR_RETURN(auto r, http.Request("GET", server.Join("v1/queue?after=0&limit=1"), "",
                                                 {{"Authorization", "Bearer " + d.token}}));
    const Json j = Json::parse(r.body, nullptr, false);
    if (r.status != 200 || !j.is_object()) {
      return candor::MakeError(candor::Errc::kInternal, "queue of " + d.handle + ": " + r.body);
    }
    d.last_seq = j.value("last_seq", uint64_t{0});
  }
  return candor::OkStatus();
}

// ---- receivers ------------------------------------------------------------------------

struct Stats {
  std::mutex mu;
  std::vector<double> latency_ms;
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> connected{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> acks{0};  // acknowledgements sent (each is one write on the server)
  uint64_t run_start_ns = 0;  // messages sent before (a previous run's stragglers) are not counted
};

// SentAt reads the send time from a queue entry's PrivateMessage authenticated_data.
bool SentAt(const std::string& b64, uint64_t* ns) {
  auto raw = candor::Base64Decode(b64);
  if (!raw.ok()) return false;
  candor::tls::Reader r(*raw);
  if (!r.U16().ok() || !r.U16().ok() || !r.OpaqueV().ok() || !r.U64().ok() || !r.U8().ok()) {
    return false;
  }
  auto ad = r.OpaqueV();
  if (!ad.ok() || ad->size() < 8) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | (*ad)[i];
  *ns = v;
  return true;
}

class Receiver : public std::enable_shared_from_this<Receiver> {
 public:
  Receiver(asio::io_context& ioc, Stats& stats, const candor::net::Url& server, Device device)
      : strand_(asio::make_strand(ioc)),
        ws_(strand_),
        timer_(strand_),
        stats_(stats),
        server_(server),
        device_(std::move(device)) {}

  void Start() {
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(asio::ip::make_address(server_.host), server_.port),
        [self = shared_from_this()](beast::error_code ec) {
          if (ec) return self->Fail();
          self->ws_.set_option(websocket::stream_base::decorator(
              [token = self->device_.token](websocket::request_type& req) {
                req.set(beast::http::field::authorization, "Bearer " + token);
              }));
          self->ws_.async_handshake(self->server_.host,
                                    "/v1/ws?after=" + std::to_string(self->device_.last_seq),
                                    [self](beast::error_code ec2) {
                                      if (ec2) return self->Fail();
                                      ++self->stats_.connected;
                                      self->Read();
                                      self->Tick();
                                    });
        });
  }
  // seq is the last queue sequence number received (read once the IO thread has stopped).
  uint64_t seq() const { return seq_; }
  void Stop() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->stopped_ = true;
      self->timer_.cancel();
      beast::error_code ec;
      beast::get_lowest_layer(self->ws_).socket().close(ec);
    });
  }

 private:
  void Fail() {
    if (!stopped_) ++stats_.failures;
  }
  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail();
      const uint64_t now = NowNs();
      const Json entry =
          Json::parse(beast::buffers_to_string(self->buffer_.data()), nullptr, false);
      self->buffer_.consume(self->buffer_.size());
      if (entry.is_object()) {
        uint64_t sent = 0;
        if (SentAt(entry.value("message", ""), &sent) && sent >= self->stats_.run_start_ns) {
          ++self->stats_.delivered;
          std::lock_guard<std::mutex> lock(self->stats_.mu);
          self->stats_.latency_ms.push_back(static_cast<double>(now - sent) / 1e6);
        }
        self->seq_ = std::max(self->seq_, entry.value("seq", uint64_t{0}));
        if (++self->unacked_ >= 32) self->Ack();
      }
      self->Read();
    });
  }
  void Ack() {
    if (unacked_ == 0 || writing_) return;
    unacked_ = 0;
    writing_ = true;
    ack_ = Json({{"ack", seq_}}).dump();
    ++stats_.acks;
    ws_.text(true);
    ws_.async_write(asio::buffer(ack_), [self = shared_from_this()](beast::error_code ec, size_t) {
      self->writing_ = false;
      if (ec) self->Fail();
    });
  }
  void Tick() {
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->stopped_) return;
      self->Ack();
      self->Tick();
    });
  }

  asio::strand<asio::io_context::executor_type> strand_;  // one receiver's handlers in order
  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer timer_;
  Stats& stats_;
  candor::net::Url server_;
  Device device_;
  beast::flat_buffer buffer_;
  uint64_t seq_ = 0;
  uint64_t unacked_ = 0;
  bool writing_ = false;
  bool stopped_ = false;
  std::string ack_;
};

// ---- senders --------------------------------------------------------------------------

std::string MessageBody(const Group& g, size_t size, uint64_t id) {
  candor::tls::Writer w;
  w.U16(1);  // mls10
  w.U16(2);  // mls_private_message
  w.OpaqueV(g.id);
  w.U64(g.epoch);
  w.U8(1);  // application
  Bytes ad(16);
  const uint64_t now = NowNs();
  for (size_t i = 0; i < 8; ++i) ad[i] = static_cast<uint8_t>(now >> (56 - 8 * i));
  for (size_t i = 0; i < 8; ++i) ad[8 + i] = static_cast<uint8_t>(id >> (56 - 8 * i));
  w.OpaqueV(ad);
  w.OpaqueV(candor::crypto::RandomBytes(24));
  w.OpaqueV(candor::crypto::RandomBytes(size));
  return Json({{"message", candor::Base64Encode(w.bytes())}}).dump();
}

long Rss(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// DbCounters are PostgreSQL's database-wide counters, read around a run (--stat-database).
struct DbCounters {
  int64_t write_transactions = 0;  // transaction ids handed out (only writers get one)
  int64_t rows_written = 0;        // inserted + updated + deleted
  int64_t wal_bytes = 0;           // write-ahead log written (the whole PostgreSQL cluster)
};

// ReadDbCounters waits until the server's backends reported their statistics (an idle backend
// flushes within 10 s) and reads the counters; nullopt without a database or on error.
std::optional<DbCounters> ReadDbCounters(candor::store::SqlDatabase* db) {
  if (db == nullptr) return std::nullopt;
  std::this_thread::sleep_for(std::chrono::seconds(11));
  DbCounters c;
  auto st = db->Read([&c](candor::store::SqlTx& tx) -> candor::Status {
    CANDOR_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT pg_snapshot_xmax(pg_current_snapshot())::TEXT::BIGINT, (tup_inserted + "
                 "tup_updated + tup_deleted)::BIGINT, (pg_current_wal_lsn() - "
                 "'0/0'::pg_lsn)::BIGINT FROM pg_stat_database WHERE datname = "
                 "current_database()",
                 {}));
    if (rows.empty()) return candor::MakeError(candor::Errc::kNotFound, "no statistics");
    CANDOR_ASSIGN_OR_RETURN(c.write_transactions, rows[0].Int(0, "xid"));
    CANDOR_ASSIGN_OR_RETURN(c.rows_written, rows[0].Int(1, "rows"));
    CANDOR_ASSIGN_OR_RETURN(c.wal_bytes, rows[0].Int(2, "wal"));
    return candor::OkStatus();
  });
  if (!st.ok()) {
    (void)std::fprintf(stderr, "messaging_load: --stat-database: %s\n", st.error().message.c_str());
    return std::nullopt;
  }
  return c;
}

// RunLoad runs one load: sender thread t posts to posts[t % posts.size()], device i's socket
// connects to sockets[i % sockets.size()] (several nodes of a cluster share the load).
Json RunLoad(const std::vector<candor::net::Url>& posts,
             const std::vector<candor::net::Url>& sockets, std::vector<Device>& devices,
             const std::vector<Group>& groups, int senders, double rate, size_t size, int seconds,
             pid_t server_pid, candor::store::SqlDatabase* stat_db) {
  Stats stats;
  stats.run_start_ns = NowNs();
  asio::io_context ioc;
  auto guard = asio::make_work_guard(ioc);
  std::thread io([&ioc] { ioc.run(); });
  std::thread io2([&ioc] { ioc.run(); });  // receivers parse on two threads, like the server
  const long rss_before = server_pid > 0 ? Rss(server_pid) : -1;
  std::vector<std::shared_ptr<Receiver>> receivers;
  for (const Device& d : devices) {
    receivers.push_back(
        std::make_shared<Receiver>(ioc, stats, sockets[receivers.size() % sockets.size()], d));
    receivers.back()->Start();
  }
  for (int i = 0; i < 600 && stats.connected + stats.failures < devices.size(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long rss_connected = server_pid > 0 ? Rss(server_pid) : -1;

  const std::optional<DbCounters> db_before = ReadDbCounters(stat_db);
  std::atomic<uint64_t> sent{0}, errors{0}, id{1};
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t) {
    threads.emplace_back([&, t] {
      candor::net::HttpClient http;
      const candor::net::Url& server = posts[static_cast<size_t>(t) % posts.size()];
      const double per_thread = rate / senders;
      auto next = Clock::now();
      for (size_t n = static_cast<size_t>(t); Clock::now() < deadline;
           n += static_cast<size_t>(senders)) {
        if (per_thread > 0) {
          next += std::chrono::nanoseconds(static_cast<int64_t>(1e9 / per_thread));
          std::this_thread::sleep_until(next);
        }
        const Group& g = groups[n % groups.size()];
        const size_t from = g.members[(n / groups.size()) % g.members.size()];
        auto r = http.Request("POST", server.Join("v1/groups/message"), MessageBody(g, size, id++),
                              {{"Content-Type", "application/json"},
                               {"Authorization", "Bearer " + devices[from].token},
                               {"X-Group", g.id_b64}});
        if (r.ok() && r->status == 200) {
          ++sent;
        } else {
          ++errors;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const size_t fanout = groups.empty() ? 0 : groups[0].members.size() - 1;
  const uint64_t expected = sent * fanout;
  for (int i = 0; i < 100 && stats.delivered < expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::optional<DbCounters> db_after = ReadDbCounters(stat_db);
  for (auto& r : receivers) r->Stop();
  guard.reset();
  io.join();
  io2.join();
  // The next run starts after what this one received.
  for (size_t i = 0; i < devices.size(); ++i) {
    devices[i].last_seq = std::max(devices[i].last_seq, receivers[i]->seq());
  }
  std::vector<double> lat;
  {
    std::lock_guard<std::mutex> lock(stats.mu);
    lat = stats.latency_ms;
  }
  Json out = {{"devices", devices.size()},
              {"connected", stats.connected.load()},
              {"group_size", fanout + 1},
              {"senders", senders},
              {"target_rate", rate},
              {"seconds", elapsed},
              {"sent", sent.load()},
              {"send_errors", errors.load()},
              {"sent_per_s", static_cast<double>(sent) / elapsed},
              {"delivered", stats.delivered.load()},
              {"expected", expected},
              {"delivered_per_s", static_cast<double>(stats.delivered) / elapsed},
              {"p50_ms", Percentile(lat, 0.50)},
              {"p99_ms", Percentile(lat, 0.99)},
              {"max_ms", lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end())}};
  if (db_before && db_after && sent > 0) {
    // Everything the database wrote while the load ran (messages, acknowledgements, anything
    // else the nodes did meanwhile), per message sent; and the write transactions left once
    // the receivers' acknowledgements (one each) are taken out.
    const double n = static_cast<double>(sent);
    const auto writes = db_after->write_transactions - db_before->write_transactions;
    out["db_write_transactions_per_message"] = static_cast<double>(writes) / n;
    out["db_write_transactions_per_message_without_acks"] =
        static_cast<double>(writes - static_cast<int64_t>(stats.acks.load())) / n;
    out["acks"] = stats.acks.load();
    out["db_rows_written_per_message"] =
        static_cast<double>(db_after->rows_written - db_before->rows_written) / n;
    out["wal_bytes_per_message"] =
        static_cast<double>(db_after->wal_bytes - db_before->wal_bytes) / n;
  }
  if (server_pid > 0) {
    out["server_rss_kib_idle_before"] = rss_before;
    out["server_rss_kib_connected"] = rss_connected;
    out["server_kib_per_socket"] =
        static_cast<double>(rss_connected - rss_before) / static_cast<double>(devices.size());
  }
  return out;
}

// ChildProcess stops (SIGTERM) and reaps the process it holds, on every way out.
struct ChildProcess {
  pid_t pid = 0;
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      (void)waitpid(pid, nullptr, 0);
    }
  }
};

int Run(int argc, char** argv) {
  CLI::App app{"messaging_load: delivered messages/s and latency through candord or bare_relay"};
  std::string trust_file, work, relay_bin;
  size_t n = 1000;
  std::vector<size_t> sizes = {2};
  int senders = 16, seconds = 10, setup_threads = 8;
  std::vector<double> rates = {0};
  size_t size = 1024;
  pid_t server_pid = 0;
  app.add_option("--trust", trust_file, "candord's client-trust.json")->required();
  app.add_option("--work", work, "folder for the devices' profiles")->required();
  app.add_option("--devices", n, "devices (one per account)");
  app.add_option("--group-sizes", sizes, "group sizes to run (2: one-to-one)");
  app.add_option("--senders", senders, "sending threads");
  app.add_option("--rates", rates, "total messages/s to run at (0: as fast as it goes)");
  bool also_half = false;
  app.add_flag("--also-half", also_half, "after a run at full speed, run at half its rate");
  app.add_option("--size", size, "ciphertext bytes per message");
  app.add_option("--seconds", seconds, "duration of each run");
  app.add_option("--setup-threads", setup_threads, "threads creating accounts and groups");
  app.add_option("--server-pid", server_pid, "candord's pid (memory per WebSocket)");
  app.add_option("--relay-bin", relay_bin, "run against bare_relay (started here) instead");
  std::vector<std::string> socket_urls;
  std::string stat_database;
  std::string handle_prefix = "u";
  app.add_option("--handle-prefix", handle_prefix,
                 "the devices' handles are <prefix>00000, <prefix>00001, ... (a second run on "
                 "the same directory needs another prefix)");
  std::vector<size_t> spread_counts;
  app.add_option("--spread-counts", spread_counts,
                 "instead of one run per --socket-urls node: for each K, one run with the load "
                 "spread over the first K nodes (device i's socket on node i mod K, sender "
                 "thread t posting to node t mod K)");
  app.add_option("--stat-database", stat_database,
                 "a postgresql: database whose commits, rows and WAL bytes per message to report");
  app.add_option("--socket-urls", socket_urls,
                 "the nodes the devices' WebSockets connect to, one run each over the same "
                 "devices (default: the trust file's server; another node of a cluster "
                 "measures the cross-node path)");
  CLI11_PARSE(app, argc, argv);
  std::unique_ptr<candor::store::SqlDatabase> stat_db;
  if (!stat_database.empty()) {
    auto opened = candor::store::OpenDatabase(stat_database);
    if (!opened.ok()) {
      (void)std::fprintf(stderr, "messaging_load: %s\n", opened.error().message.c_str());
      return 1;
    }
    stat_db = std::move(*opened);
  }
  auto trust_raw = candor::ReadFile(trust_file);
  if (!trust_raw.ok()) return 1;
  auto trust = candor::client::ParseClientTrust(candor::AsStringView(*trust_raw));
  if (!trust.ok()) {
    (void)std::fprintf(stderr, "messaging_load: %s\n", trust.error().message.c_str());
    return 1;
  }
  const auto t0 = Clock::now();
  std::vector<Device> devices;
  if (relay_bin.empty()) {
    auto created =
        candor::bench::CreateEngineAccounts(*trust, work, handle_prefix, n, setup_threads);
    if (!created.ok()) {
      (void)std::fprintf(stderr, "messaging_load: %s\n", created.error().message.c_str());
      return 1;
    }
    for (std::string& handle : *created) devices.push_back({std::move(handle), "", 0});
    (void)std::fprintf(stderr, "set-up: %zu accounts in %.1f s\n", n,
                       std::chrono::duration<double>(Clock::now() - t0).count());
  } else {
    for (size_t i = 0; i < n; ++i) {
      devices.push_back(
          {"u" + std::to_string(i), candor::HexEncode(candor::crypto::RandomBytes(16)), 0});
    }
  }
  for (size_t group_size : sizes) {
    if (group_size < 2 || group_size > devices.size()) {
      (void)std::fprintf(stderr, "messaging_load: group size %zu needs 2 to %zu devices: skipped\n",
                         group_size, devices.size());
      continue;
    }
    std::vector<Group> groups;
    candor::net::Url server = trust->server;
    ChildProcess relay_process;
    pid_t& relay = relay_process.pid;
    if (relay_bin.empty()) {
      auto made = CreateGroups(work, devices, group_size, setup_threads);
      if (!made.ok()) {
        (void)std::fprintf(stderr, "messaging_load: %s\n", made.error().message.c_str());
        return 1;
      }
      groups = std::move(*made);
      auto st = ReadTokens(work, server, devices);
      if (!st.ok()) {
        (void)std::fprintf(stderr, "messaging_load: %s\n", st.error().message.c_str());
        return 1;
      }
    } else {
      Json config = {{"tokens", Json::object()}, {"groups", Json::object()}};
      for (const Device& d : devices) config["tokens"][d.token] = d.handle;
      for (size_t g = 0; g < devices.size() / group_size; ++g) {
        Group group;
        group.id = candor::crypto::RandomBytes(16);
        group.id_b64 = candor::Base64Encode(group.id);
        Json members = Json::array();
        for (size_t i = g * group_size; i < (g + 1) * group_size; ++i) {
          group.members.push_back(i);
          members.push_back(devices[i].handle);
        }
        config["groups"][group.id_b64] = members;
        groups.push_back(std::move(group));
      }
      const std::string config_file = work + "/relay.json";
      const std::string port_file = work + "/relay.port";
      (void)candor::MakeDirs(work);
      (void)candor::WriteFileDurable(config_file, candor::AsBytes(config.dump()));
      std::remove(port_file.c_str());
      relay = fork();
      if (relay == 0) {
        execl(relay_bin.c_str(), relay_bin.c_str(), "--config", config_file.c_str(), "--port-file",
              port_file.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      for (int i = 0; i < 100 && !candor::FileExists(port_file); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto port = candor::ReadFile(port_file);
      if (!port.ok()) return 1;
      server.port = static_cast<uint16_t>(std::stoi(std::string(candor::AsStringView(*port))));
    }
    std::vector<candor::net::Url> socket_servers;
    for (const std::string& u : socket_urls) {
      auto parsed = candor::net::ParseUrl(u);
      if (!parsed.ok()) {
        (void)std::fprintf(stderr, "messaging_load: --socket-urls: %s\n",
                           parsed.error().message.c_str());
        return 1;
      }
      socket_servers.push_back(*parsed);
    }
    if (socket_servers.empty()) socket_servers.push_back(server);
    // The node sets of the runs: one run per node (sockets there, posts to the trust file's
    // server), or runs spread over the first K nodes (--spread-counts).
    std::vector<std::pair<std::vector<candor::net::Url>, std::vector<candor::net::Url>>> runs;
    if (!spread_counts.empty()) {
      for (size_t k : spread_counts) {
        k = std::clamp<size_t>(k, 1, socket_servers.size());
        std::vector<candor::net::Url> first(socket_servers.begin(),
                                            socket_servers.begin() + static_cast<ptrdiff_t>(k));
        runs.emplace_back(first, first);
      }
    } else {
      for (const candor::net::Url& u : socket_servers) {
        runs.push_back({std::vector<candor::net::Url>{server}, std::vector<candor::net::Url>{u}});
      }
    }
    for (const auto& [posts, sockets] : runs) {
      for (double rate : rates) {
        Json result = RunLoad(posts, sockets, devices, groups, senders, rate, size, seconds,
                              relay > 0 ? relay : server_pid, stat_db.get());
        result["target"] = relay_bin.empty() ? "candord" : "bare_relay";
        result["nodes"] = sockets.size();
        result["socket_url"] = sockets.size() == 1 ? sockets[0].ToString() : "spread";
        (void)std::printf("%s\n", result.dump().c_str());
        (void)std::fflush(stdout);
        if (rate == 0 && also_half) {
          // The latency at half the peak rate, paced: half of what was sent and delivered in
          // time (a saturated run sends more than it delivers).
          const double fanout = static_cast<double>(group_size - 1);
          const double peak = std::min(result["sent_per_s"].get<double>(),
                                       result["delivered_per_s"].get<double>() / fanout);
          Json half = RunLoad(posts, sockets, devices, groups, senders, peak / 2, size, seconds,
                              relay > 0 ? relay : server_pid, stat_db.get());
          half["target"] = result["target"];
          half["nodes"] = result["nodes"];
          half["socket_url"] = result["socket_url"];
          (void)std::printf("%s\n", half.dump().c_str());
          (void)std::fflush(stdout);
        }
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
