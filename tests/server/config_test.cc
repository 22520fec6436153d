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

// A cluster node needs PostgreSQL, a sequencer its URL; the section survives a round trip.
TEST(ServerConfigTest, ClusterRoles) {
  const std::string pg = R"("database": "postgresql:dbname=candor", )";
  auto front = ParseServerConfig("{" + pg + R"("cluster": {"role": "front"}})", "/data");
  ASSERT_TRUE(front.ok()) << front.error().ToString();
  EXPECT_EQ(front->cluster.role, NodeRole::kFront);
  auto on_sqlite = ParseServerConfig(R"({"cluster": {"role": "front"}})", "/data");
  ASSERT_FALSE(on_sqlite.ok());
  EXPECT_NE(on_sqlite.error().message.find("postgresql"), std::string::npos);
  EXPECT_FALSE(ParseServerConfig("{" + pg + R"("cluster": {"role": "sequencer"}})", "/data").ok());
  EXPECT_FALSE(ParseServerConfig("{" + pg + R"("cluster": {"role": "leader"}})", "/data").ok());
  EXPECT_FALSE(ParseServerConfig("{" + pg + R"("cluster": {"lease_ms": 100}})", "/data").ok());
  auto seq = ParseServerConfig("{" + pg +
                                   R"("cluster": {"role": "sequencer", "lease_ms": 3000,
                                   "advertise_url": "http://10.0.0.5:8080/"}})",
                               "/data");
  ASSERT_TRUE(seq.ok()) << seq.error().ToString();
  auto again = ParseServerConfig(FormatServerConfig(*seq), "/data");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cluster.role, NodeRole::kSequencer);
  EXPECT_EQ(again->cluster.advertise_url, "http://10.0.0.5:8080/");
  EXPECT_EQ(again->cluster.lease.count(), 3000);
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
