#include "candor/server/config.h"

#include <gtest/gtest.h>

#include "candor/base/file.h"
#include "candor/server/witness_client.h"

namespace candor::server {
namespace {

TEST(ServerConfigTest, DefaultsRoundTrip) {
  auto parsed = ParseServerConfig("{}", "/data");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->listen, "127.0.0.1:8080");
  EXPECT_EQ(parsed->database, "sqlite:/data/candor.db");
  EXPECT_EQ(parsed->quorum, 0u);
  auto again = ParseServerConfig(FormatServerConfig(*parsed), "/elsewhere");
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->database, "sqlite:/data/candor.db");
  EXPECT_EQ(FormatServerConfig(*again), FormatServerConfig(*parsed));
}

TEST(ServerConfigTest, RefusesWhatItDoesNotKnow) {
  for (const char* bad : {"", "[]", "{\"listne\":\"x\"}", "{\"delivery\":{\"max_queue\":-1}}",
                          "{\"http_threads\":\"two\"}", "{\"directory\":{\"publish\":1}}"}) {
    auto parsed = ParseServerConfig(bad, "/data");
    EXPECT_FALSE(parsed.ok()) << bad;
  }
}

// The example configuration under packaging/ parses as it is.
TEST(ServerConfigTest, PackagedExampleParses) {
  auto raw = ReadFile(std::string(CANDOR_SOURCE_DIR) + "/packaging/candord.example.json");
  ASSERT_TRUE(raw.ok()) << raw.error().ToString();
  auto parsed = ParseServerConfig(AsStringView(*raw), "/var/lib/candord");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->witnesses.size(), 2u);
  EXPECT_EQ(parsed->quorum, 2u);
  EXPECT_EQ(parsed->database.rfind("postgresql:", 0), 0u);
  for (const std::string& w : parsed->witnesses) {
    auto spec = ParseWitnessSpec(w);
    EXPECT_TRUE(spec.ok()) << w << ": " << spec.error().ToString();
  }
}

}  // namespace
}  // namespace candor::server
