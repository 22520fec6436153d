// The header rules applied before a body is read (RFC 9110 §5.3, RFC 9112 §3.2 and §6.1).
#include "src/net/request_headers.h"

#include <gtest/gtest.h>

namespace candor::net {
namespace {

using Fields = std::vector<std::pair<std::string_view, std::string_view>>;

std::optional<HeaderRefusal> Check(const Fields& f, unsigned version = 11) {
  std::map<std::string, std::string> out;
  return CollectRequestHeaders(f, version, &out);
}

TEST(RequestHeadersTest, JoinsListsAndRefusesRepeatedSingletons) {
  std::map<std::string, std::string> out;
  ASSERT_FALSE(CollectRequestHeaders({{"Host", "a"}, {"X-Y", "1"}, {"x-y", "2"}}, 11, &out));
  EXPECT_EQ(out["x-y"], "1, 2");
  EXPECT_EQ(out["host"], "a");
  for (const char* name : {"Authorization", "Host", "Content-Length", "Content-Type"}) {
    auto r = Check({{"Host", "a"}, {name, "1"}, {name, "1"}});
    if (std::string_view(name) == "Host") r = Check({{"Host", "a"}, {"host", "b"}});
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->status, 400) << name;
  }
  EXPECT_EQ(Check({{"Accept", "x"}})->status, 400);  // HTTP/1.1 without Host
  EXPECT_FALSE(Check({{"Accept", "x"}}, 10));        // HTTP/1.0 may omit it
}

TEST(RequestHeadersTest, TransferEncodingMustBeChunkedAlone) {
  EXPECT_FALSE(Check({{"Host", "a"}, {"Transfer-Encoding", "chunked"}}));
  EXPECT_FALSE(Check({{"Host", "a"}, {"Transfer-Encoding", " Chunked "}}));
  for (const char* te : {"gzip", "identity", "xchunked", "chunked, gzip", "chunked, chunked", ""}) {
    auto r = Check({{"Host", "a"}, {"Transfer-Encoding", te}});
    ASSERT_TRUE(r) << te;
    EXPECT_EQ(r->status, 400) << te;
  }
  // Split over two lines, the list is the same.
  EXPECT_EQ(
      Check({{"Host", "a"}, {"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "x"}})->status,
      400);
  EXPECT_EQ(Check({{"Host", "a"}, {"Transfer-Encoding", "gzip, chunked"}})->status, 501);
  EXPECT_EQ(Check({{"Host", "a"}, {"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}})
                ->status,
            501);
  EXPECT_EQ(
      Check({{"Host", "a"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})->status,
      400);
  EXPECT_EQ(Check({{"Transfer-Encoding", "chunked"}}, 10)->status, 400);
}

TEST(RequestHeadersTest, OnlyHundredContinueIsExpected) {
  EXPECT_FALSE(Check({{"Host", "a"}, {"Expect", "100-continue"}}));
  EXPECT_EQ(Check({{"Host", "a"}, {"Expect", "200-ok"}})->status, 417);
}

}  // namespace
}  // namespace candor::net
