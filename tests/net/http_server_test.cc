// The HTTP server over real sockets: malformed and oversized requests get a JSON 4xx and close
// the connection, keep-alive works, and the server keeps serving afterwards.
#include "candor/net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "candor/net/http_client.h"

namespace candor::net {
namespace {

class EchoHandler : public HttpHandler {
 public:
  void Handle(HttpRequest request, Responder respond) override {
    if (request.target == "/later") {
      // Answer from another thread, as the log does once an append is durable.
      std::thread([respond] { respond(HttpResponse{200, "text/plain", {}, "late"}); }).detach();
      return;
    }
    respond(HttpResponse{
        200,
        "text/plain",
        {},
        request.method + " " + request.target + " " + std::to_string(request.body.size())});
  }
};

// RawExchange sends `bytes` on a new connection and returns everything read until close.
std::string RawExchange(uint16_t port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  (void)!write(fd, bytes.data(), bytes.size());
  shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions opts;
    opts.max_body_bytes = 1024;
    auto s = HttpServer::Start(opts, handler_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(*s);
    url_.host = "127.0.0.1";
    url_.port = server_->port();
  }
  EchoHandler handler_;
  std::unique_ptr<HttpServer> server_;
  Url url_;
};

TEST_F(HttpServerTest, ServesKeepAliveRequestsAndLateAnswers) {
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    auto r = client.Request("POST", url_.Join("x"), "body");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, "POST /x 4");
  }
  auto late = client.Get(url_.Join("later"));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->body, "late");
}

TEST_F(HttpServerTest, GarbageAndOversizedRequestsGetJsonErrors) {
  std::string r = RawExchange(server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(r.find("400 Bad Request"), std::string::npos) << r;
  EXPECT_NE(r.find("\"error\":\"malformed\""), std::string::npos) << r;
  r = RawExchange(server_->port(), "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n" +
                                       std::string(5000, 'a'));
  EXPECT_NE(r.find("413"), std::string::npos) << r;
  EXPECT_NE(r.find("\"error\":\"too_large\""), std::string::npos) << r;
  r = RawExchange(server_->port(),
                  "GET /x HTTP/1.1\r\nHost: a\r\n" + std::string(20000, 'h') + "\r\n\r\n");
  EXPECT_NE(r.find("413"), std::string::npos) << r.substr(0, 200);
  // Still serving.
  HttpClient client;
  auto ok = client.Get(url_.Join("after"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
}

TEST(UrlTest, ParsesHttpUrlsStrictly) {
  auto u = ParseUrl("http://127.0.0.1:8080/logs/main/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->Join("/checkpoint").path, "/logs/main/checkpoint");
  EXPECT_EQ(ParseUrl("http://h")->path, "/");
  for (const char* bad : {"https://h/", "http://", "http://h:0/", "http://h:99999/", "http://u@h/",
                          "ftp://h", "http://h:x/"}) {
    EXPECT_FALSE(ParseUrl(bad).ok()) << bad;
  }
  EXPECT_EQ(SplitHostPort("127.0.0.1:0")->second, 0);
  EXPECT_FALSE(SplitHostPort("nohost").ok());
}

}  // namespace
}  // namespace candor::net
