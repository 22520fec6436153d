// Cross-node wake-up hints (presence_store.h, pg_listener.h) on a real PostgreSQL: a hint is
// delivered only when the queueing transaction commits, once per node that holds a recipient,
// never to the sender's own node; and the payload decoder is strict.
#include "candor/store/presence_store.h"

#include <gtest/gtest.h>

#include "candor/store/delivery_store.h"
#include "candor/store/pg_listener.h"
#include "candor/store/wake_hint.h"
#include "test_database.h"

namespace candor::store {
namespace {

using testing::Backend;

TEST(PresenceHintTest, PayloadsAreDevicesOrEverything) {
  auto devices = ParseHint("alice\tphone\nbob\tlaptop");
  ASSERT_TRUE(devices.ok());
  ASSERT_TRUE(devices->has_value());
  EXPECT_EQ(**devices, (std::vector<DeviceAddress>{{"alice", "phone"}, {"bob", "laptop"}}));
  auto all = ParseHint("*");
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->has_value());
  EXPECT_EQ(FormatHint({{"alice", "phone"}, {"bob", "laptop"}}), "alice\tphone\nbob\tlaptop");
  EXPECT_EQ(FormatHint(std::vector<DeviceAddress>(1000, {"someone", "phone"})), "*");
  for (const char* bad :
       {"", "alice", "\tphone", "alice\t", "alice\tphone\n", "a\tb\nc", "a\tb\tc"}) {
    EXPECT_EQ(ParseHint(bad).error().code, Errc::kMalformed) << bad;
  }
  EXPECT_EQ(PresenceStore::Open(*testing::FreshDatabase(Backend::kSqlite, "presence_names").value(),
                                "Node-1")
                .error()
                .code,
            Errc::kInvalidArgument);
}

TEST(PresenceHintTest, AHintReachesTheNodesHoldingARecipientOnlyAtCommit) {
  auto spec = testing::FreshDatabaseSpec(Backend::kPostgres, "presence_hints");
  ASSERT_TRUE(spec.ok()) << spec.error().ToString();
  auto db = OpenDatabase(*spec);
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  const std::string conninfo = spec->substr(spec->find(':') + 1);
  auto node_a = PresenceStore::Open(**db, "nodea");
  auto node_b = PresenceStore::Open(**db, "nodeb");
  auto node_c = PresenceStore::Open(**db, "nodec");
  ASSERT_TRUE(node_a.ok() && node_b.ok() && node_c.ok());
  auto listen_b = PgListener::Open(conninfo, (*node_b)->channel());
  auto listen_c = PgListener::Open(conninfo, (*node_c)->channel());
  ASSERT_TRUE(listen_b.ok() && listen_c.ok());
  // bob's phone is on node b; carol's laptop on node c and (a second socket) on node a.
  ASSERT_TRUE((*node_b)->Attach({"bob", "phone"}, 1000).ok());
  ASSERT_TRUE((*node_c)->Attach({"carol", "laptop"}, 1000).ok());
  ASSERT_TRUE((*node_a)->Attach({"carol", "laptop"}, 1000).ok());

  // Node a queues for bob and carol: one hint to b, one to c, none to itself; a rolled-back
  // transaction hints nobody.
  const std::vector<DeviceAddress> to = {{"bob", "phone"}, {"carol", "laptop"}, {"dave", "x"}};
  Status rolled_back = (*db)->Write([&](SqlTx& tx) -> Status {
    CANDOR_TRY((*node_a)->HintInTx(tx, to));
    return MakeError(Errc::kConflict, "the commit lost");
  });
  ASSERT_FALSE(rolled_back.ok());
  ASSERT_TRUE((*db)->Write([&](SqlTx& tx) { return (*node_a)->HintInTx(tx, to); }).ok());
  auto got_b = (*listen_b)->Wait(std::chrono::seconds(5));
  auto got_c = (*listen_c)->Wait(std::chrono::seconds(5));
  ASSERT_TRUE(got_b.ok() && got_c.ok());
  EXPECT_EQ(*got_b, std::vector<std::string>{"bob\tphone"});
  EXPECT_EQ(*got_c, std::vector<std::string>{"carol\tlaptop"});
  EXPECT_TRUE((*listen_b)->Wait(std::chrono::milliseconds(200))->empty());

  // A device that left node b gets no hint there; a node that stopped refreshing is forgotten.
  ASSERT_TRUE((*node_b)->Detach({"bob", "phone"}).ok());
  ASSERT_TRUE((*node_a)->Refresh(5000).ok());
  ASSERT_TRUE((*node_a)->Collect(2000).ok());  // drops node c's row (seen at 1000)
  ASSERT_TRUE((*db)->Write([&](SqlTx& tx) { return (*node_a)->HintInTx(tx, to); }).ok());
  EXPECT_TRUE((*listen_b)->Wait(std::chrono::milliseconds(300))->empty());
  EXPECT_TRUE((*listen_c)->Wait(std::chrono::milliseconds(300))->empty());
}

TEST(PresenceHintTest, DeliveriesAndCommitsCarryTheirHint) {
  auto spec = testing::FreshDatabaseSpec(Backend::kPostgres, "presence_delivery");
  ASSERT_TRUE(spec.ok()) << spec.error().ToString();
  auto db = OpenDatabase(*spec);
  ASSERT_TRUE(db.ok());
  auto here = PresenceStore::Open(**db, "here");
  auto there = PresenceStore::Open(**db, "there");
  auto queues = DeliveryStore::Open(**db, {});
  ASSERT_TRUE(here.ok() && there.ok() && queues.ok());
  (*queues)->SetPresence(here->get());
  auto listen = PgListener::Open(spec->substr(spec->find(':') + 1), (*there)->channel());
  ASSERT_TRUE(listen.ok());
  ASSERT_TRUE((*there)->Attach({"bob", "phone"}, 1).ok());
  const Bytes group = {1, 2, 3};
  ASSERT_TRUE((*queues)->CreateGroup({group, 0, Bytes{9}, Bytes{8}, {}}, 1).ok());
  auto made = (*queues)->Deliver(
      {QueueKind::kApplication, group, 0, Bytes{7, 7}, {"alice", "phone"}, {{"bob", "phone"}}}, 2);
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  auto got = (*listen)->Wait(std::chrono::seconds(5));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, std::vector<std::string>{"bob\tphone"});
  // The same bytes again: nothing queued, no hint.
  ASSERT_TRUE((*queues)
                  ->Deliver({QueueKind::kApplication,
                             group,
                             0,
                             Bytes{7, 7},
                             {"alice", "phone"},
                             {{"bob", "phone"}}},
                            3)
                  ->duplicate);
  EXPECT_TRUE((*listen)->Wait(std::chrono::milliseconds(300))->empty());
}

}  // namespace
}  // namespace candor::store
