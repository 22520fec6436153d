// bare_relay: the bound for bench/server/messaging_load.cc — a Boost.Beast WebSocket relay that
// speaks the two routes of candord the load uses and does nothing else: no storage, no
// validation, no acknowledgement bookkeeping. POST /v1/groups/message with a bearer token and
// an X-Group header fans the body's message out, as a queue-entry JSON frame, to the other
// members' WebSockets (GET /v1/ws with a bearer token). Groups and tokens come from a JSON file
// the driver writes: {"tokens": {"<token>": "<device>"}, "groups": {"<b64 id>": ["<device>"]}}.
#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

class WsSession;

struct Registry {
  std::map<std::string, std::string> device_of_token;
  std::map<std::string, std::vector<std::string>> members;
  std::mutex mu;
  std::map<std::string, std::shared_ptr<WsSession>> online;
};

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket socket, Registry& registry, std::string device)
      : ws_(std::move(socket)), registry_(registry), device_(std::move(device)) {}

  void Start(http::request<http::string_body> req) {
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      {
        std::lock_guard<std::mutex> lock(self->registry_.mu);
        self->registry_.online[self->device_] = self;
      }
      self->Read();
    });
  }

  // Push queues a frame; frames are written one at a time, in order.
  void Push(std::shared_ptr<const std::string> frame) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), frame] {
      self->queue_.push_back(frame);
      if (self->queue_.size() == 1) self->WriteNext();
    });
  }

 private:
  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        std::lock_guard<std::mutex> lock(self->registry_.mu);
        auto it = self->registry_.online.find(self->device_);
        if (it != self->registry_.online.end() && it->second == self)
          self->registry_.online.erase(it);
        return;
      }
      self->buffer_.consume(self->buffer_.size());  // acknowledgements are ignored
      self->Read();
    });
  }
  void WriteNext() {
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      if (ec) return;
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) self->WriteNext();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  Registry& registry_;
  std::string device_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, Registry& registry)
      : stream_(std::move(socket)), registry_(registry) {}
  void Read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Handle();
                     });
  }

 private:
  std::string DeviceOf(beast::string_view auth) {
    const std::string a(auth);
    if (a.rfind("Bearer ", 0) != 0) return {};
    auto it = registry_.device_of_token.find(a.substr(7));
    return it == registry_.device_of_token.end() ? std::string() : it->second;
  }

  void Handle() {
    const std::string device = DeviceOf(req_[http::field::authorization]);
    const std::string target(req_.target());
    if (websocket::is_upgrade(req_) && target.rfind("/v1/ws", 0) == 0 && !device.empty()) {
      std::make_shared<WsSession>(stream_.release_socket(), registry_, device)
          ->Start(std::move(req_));
      return;
    }
    http::response<http::string_body> res{http::status::ok, req_.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req_.keep_alive());
    if (req_.method() == http::verb::post && target == "/v1/groups/message" && !device.empty()) {
      const Json body = Json::parse(req_.body(), nullptr, false);
      const std::string group(req_["X-Group"]);
      size_t delivered = 0;
      auto members = registry_.members.find(group);
      if (body.is_object() && members != registry_.members.end()) {
        Json entry = {{"seq", ++seq_},
                      {"kind", "application"},
                      {"group_id", group},
                      {"message", body.value("message", "")},
                      {"sender", {{"handle", device}, {"device_id", "d"}}}};
        auto frame = std::make_shared<const std::string>(entry.dump());
        std::vector<std::shared_ptr<WsSession>> to;
        {
          std::lock_guard<std::mutex> lock(registry_.mu);
          for (const std::string& m : members->second) {
            if (m == device) continue;
            auto it = registry_.online.find(m);
            if (it != registry_.online.end()) to.push_back(it->second);
          }
        }
        for (auto& s : to) s->Push(frame);
        delivered = to.size();
      }
      res.body() = Json({{"delivered", delivered}}).dump();
    } else {
      res.result(http::status::not_found);
      res.body() = R"({"error":"not_found"})";
    }
    res.prepare_payload();
    auto shared = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *shared,
                      [self = shared_from_this(), shared](beast::error_code ec, size_t) {
                        if (!ec && shared->keep_alive()) self->Read();
                      });
  }

  beast::tcp_stream stream_;
  Registry& registry_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  inline static std::atomic<uint64_t> seq_{0};
};

// Accept gives every connection its own strand: its handlers and the frames other connections
// push to it never run at once, whichever IO thread picks them up.
void Accept(asio::io_context& ioc, tcp::acceptor& acceptor, Registry& registry) {
  acceptor.async_accept(asio::make_strand(ioc),
                        [&ioc, &acceptor, &registry](beast::error_code ec, tcp::socket socket) {
                          if (!ec)
                            std::make_shared<HttpSession>(std::move(socket), registry)->Read();
                          Accept(ioc, acceptor, registry);
                        });
}

int Run(int argc, char** argv) {
  CLI::App app{"bare_relay: a storage-free WebSocket relay, the bound of the messaging load"};
  std::string config_file, port_file;
  int threads = 2;
  app.add_option("--config", config_file, "tokens and groups (JSON)")->required();
  app.add_option("--port-file", port_file, "write the bound port here")->required();
  app.add_option("--threads", threads, "IO threads");
  CLI11_PARSE(app, argc, argv);
  Registry registry;
  std::ifstream in(config_file);
  const Json config = Json::parse(in, nullptr, false);
  if (!config.is_object()) {
    (void)std::fprintf(stderr, "bare_relay: %s is not JSON\n", config_file.c_str());
    return 1;
  }
  for (const auto& [token, device] : config["tokens"].items()) {
    registry.device_of_token[token] = device.get<std::string>();
  }
  for (const auto& [group, members] : config["groups"].items()) {
    registry.members[group] = members.get<std::vector<std::string>>();
  }
  asio::io_context ioc(threads);
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  acceptor.listen(4096);
  Accept(ioc, acceptor, registry);
  {
    std::ofstream out(port_file);
    out << acceptor.local_endpoint().port() << "\n";
  }
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
