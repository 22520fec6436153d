#include "link_mailbox.h"

#include <thread>

#include "candor/net/http_client.h"
#include "server_api.h"

namespace candor::client {

Status PutSlot(const ClientTrust& trust, const LinkKeys& link, const std::string& slot,
               ByteView body) {
  net::HttpClient http;
  CANDOR_ASSIGN_OR_RETURN(
      net::HttpResponse r,
      http.Request("PUT", trust.server.Join("v1/link/" + link.id_hex + "/" + slot),
                   std::string(body.begin(), body.end()),
                   {{"Content-Type", "application/octet-stream"}}));
  if (r.status != 200) return net::ErrorFromResponse(r);
  return OkStatus();
}

Result<Bytes> WaitSlot(const ClientTrust& trust, const LinkKeys& link, const std::string& slot,
                       std::chrono::seconds wait) {
  net::HttpClient http;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http.Get(trust.server.Join("v1/link/" + link.id_hex + "/" + slot));
    if (r.ok() && r->status == 200) return Bytes(r->body.begin(), r->body.end());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  return MakeError(Errc::kUnavailable, "the other device did not answer the link code in time");
}

}  // namespace candor::client
