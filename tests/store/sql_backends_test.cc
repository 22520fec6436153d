// One behaviour suite for both SqlDatabase backends (SQLite and a real PostgreSQL server): the
// SQL interface, migrations, and every service store written on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "candor/store/auth_store.h"
#include "candor/store/delivery_store.h"
#include "candor/store/key_package_store.h"
#include "candor/store/lease_store.h"
#include "candor/store/sql_directory_store.h"
#include "candor/store/sqlite_database.h"
#include "test_database.h"

namespace candor::store {
namespace {

using testing::Backend;

class SqlBackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = testing::FreshDatabase(
        GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
  }
  std::unique_ptr<SqlDatabase> db_;
};

TEST_P(SqlBackendTest, WritesCommitOrRollBackWhole) {
  ASSERT_TRUE(db_->ExecScript("CREATE TABLE t (k BIGINT PRIMARY KEY, v BLOB, s TEXT)").ok());
  ASSERT_TRUE(db_->Write([](SqlTx& tx) -> Status {
                   CANDOR_TRY(tx.Exec("INSERT INTO t (k, v, s) VALUES ($1, $2, $3)",
                                      {int64_t{1}, Bytes{1, 2}, std::string("one")}));
                   CANDOR_TRY(tx.Exec("INSERT INTO t (k, v, s) VALUES ($1, $2, $3)",
                                      {int64_t{-2}, Bytes{}, SqlValue{}}));
                   return OkStatus();
                 })
                  .ok());
  // A failing work leaves nothing behind, and a duplicate key is kConflict.
  Status failed = db_->Write([](SqlTx& tx) -> Status {
    CANDOR_TRY(tx.Exec("INSERT INTO t (k, v, s) VALUES ($1, $2, $3)",
                       {int64_t{3}, Bytes{3}, std::string("three")}));
    CANDOR_TRY(tx.Exec("INSERT INTO t (k, v, s) VALUES ($1, $2, $3)",
                       {int64_t{1}, Bytes{9}, std::string("dup")}));
    return OkStatus();
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, Errc::kConflict) << failed.error().message;
  std::vector<SqlRow> rows;
  ASSERT_TRUE(db_->Read([&](SqlTx& tx) -> Status {
                   CANDOR_ASSIGN_OR_RETURN(rows, tx.Query("SELECT k, v, s FROM t ORDER BY k", {}));
                   return OkStatus();
                 })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[0].Int(0, "k"), -2);
  EXPECT_EQ(*rows[0].Blob(1, "v"), Bytes{});
  EXPECT_TRUE(rows[0].IsNull(2));
  EXPECT_EQ(*rows[1].Text(2, "s"), "one");
  EXPECT_EQ(rows[1].Int(1, "v").error().code, Errc::kMalformed);  // a BLOB read as an integer
  // Exec reports the rows it changed; RETURNING works on both.
  uint64_t changed = 0;
  ASSERT_TRUE(db_->Write([&](SqlTx& tx) -> Status {
                   CANDOR_ASSIGN_OR_RETURN(changed,
                                           tx.Exec("UPDATE t SET s = $1", {std::string("x")}));
                   CANDOR_ASSIGN_OR_RETURN(
                       auto r, tx.Query("DELETE FROM t WHERE k = $1 RETURNING v", {int64_t{1}}));
                   EXPECT_EQ(r.size(), 1u);
                   return OkStatus();
                 })
                  .ok());
  EXPECT_EQ(changed, 2u);
}

TEST_P(SqlBackendTest, ConcurrentWritersAllLandAndSqliteBatchesThem) {
  ASSERT_TRUE(db_->ExecScript("CREATE TABLE c (k BIGINT PRIMARY KEY)").ok());
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Status st = db_->Write([&](SqlTx& tx) -> Status {
          CANDOR_TRY(tx.Exec("INSERT INTO c (k) VALUES ($1)", {int64_t{t * 1000 + i}}));
          // Every eighth work fails on purpose: only it must roll back, not its batch.
          if (i % 8 == 7) return MakeError(Errc::kInvalidArgument, "on purpose");
          return OkStatus();
        });
        if (!st.ok() && i % 8 != 7) failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  int64_t count = 0;
  ASSERT_TRUE(db_->Read([&](SqlTx& tx) -> Status {
                   CANDOR_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COUNT(*) FROM c", {}));
                   CANDOR_ASSIGN_OR_RETURN(count, rows[0].Int(0, "n"));
                   return OkStatus();
                 })
                  .ok());
  EXPECT_EQ(count, kThreads * kEach * 7 / 8);
  if (auto* sqlite = dynamic_cast<SqliteDatabase*>(db_.get())) {
    std::printf("[store] sqlite: %d writes in %llu commits\n", kThreads * kEach,
                static_cast<unsigned long long>(sqlite->num_commits()));
    EXPECT_LE(sqlite->num_commits(), static_cast<uint64_t>(kThreads * kEach));
  }
}

TEST_P(SqlBackendTest, MigrationsRunOnceAndRefuseANewerSchema) {
  constexpr Migration v1[] = {{1, "CREATE TABLE m1 (k BIGINT)"}};
  constexpr Migration v2[] = {{1, "CREATE TABLE m1 (k BIGINT)"}, {2, "CREATE TABLE m2 (k BLOB)"}};
  ASSERT_TRUE(Migrate(*db_, "comp", v1).ok());
  ASSERT_TRUE(Migrate(*db_, "comp", v1).ok());  // nothing to do
  ASSERT_TRUE(Migrate(*db_, "comp", v2).ok());
  Status older = Migrate(*db_, "comp", v1);  // this program knows only version 1
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.error().code, Errc::kInternal);
  // Concurrent migrations of a fresh component (two processes starting together).
  constexpr Migration c[] = {{1, "CREATE TABLE race (k BIGINT)"}};
  std::atomic<int> ok{0};
  std::thread a([&] { ok += Migrate(*db_, "race", c).ok() ? 1 : 0; });
  std::thread b([&] { ok += Migrate(*db_, "race", c).ok() ? 1 : 0; });
  a.join();
  b.join();
  EXPECT_EQ(ok.load(), 2);
}

TEST_P(SqlBackendTest, DirectoryStoreRoundTrip) {
  auto store = SqlDirectoryStore::Open(*db_);
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::vector<kt::StoredEntry> written;
  for (uint64_t p = 0; p < 5; ++p) {
    kt::StoredEntry e{p, 1700000000000 + p, {}};
    for (uint32_t v = 0; v < p; ++v) {
      kt::StoredVersion sv;
      sv.label = Bytes{'u', static_cast<uint8_t>('0' + v)};
      sv.version = static_cast<uint32_t>(p);
      sv.value = Bytes(10, static_cast<uint8_t>(p));
      sv.opening.fill(static_cast<uint8_t>(v));
      sv.vrf_output.fill(1);
      sv.commitment.fill(2);
      if (v % 2 == 1) sv.vrf_proofs = Bytes(80 + 112, static_cast<uint8_t>(v));
      e.versions.push_back(sv);
    }
    ASSERT_TRUE((*store)->AppendEntry(e).ok());
    written.push_back(e);
  }
  EXPECT_EQ(*(*store)->EntryCount(), 5u);
  EXPECT_EQ((*store)->AppendEntry({3, 1, {}}).error().code, Errc::kConflict);
  std::vector<kt::StoredEntry> read;
  ASSERT_TRUE((*store)
                  ->LoadEntries([&](kt::StoredEntry&& e) {
                    read.push_back(std::move(e));
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(read, written);
  auto v = (*store)->GetVersion(Bytes{'u', '1'}, 3);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value, Bytes(10, 3));
  EXPECT_EQ((*store)->GetVersion(Bytes{'u', '9'}, 3).error().code, Errc::kNotFound);
  // A follower reads a range: [2, 4), and nothing past the end.
  read.clear();
  auto collect = [&read](kt::StoredEntry&& e) {
    read.push_back(std::move(e));
    return OkStatus();
  };
  ASSERT_TRUE((*store)->LoadEntriesFrom(2, 4, collect).ok());
  EXPECT_EQ(read, std::vector<kt::StoredEntry>(written.begin() + 2, written.begin() + 4));
  read.clear();
  ASSERT_TRUE((*store)->LoadEntriesFrom(4, 100, collect).ok());
  EXPECT_EQ(read, std::vector<kt::StoredEntry>(written.begin() + 4, written.end()));
  read.clear();
  ASSERT_TRUE((*store)->LoadEntriesFrom(5, 100, collect).ok());
  EXPECT_TRUE(read.empty());
  // A row written before the vrf_proofs column (schema migration 2) reads as no proofs.
  ASSERT_TRUE(db_->Write([](SqlTx& tx) -> Status {
                   CANDOR_TRY(
                       tx.Exec("INSERT INTO kt_entries (position, timestamp) "
                               "VALUES (5, 1700000000005)",
                               {}));
                   CANDOR_TRY(tx.Exec(
                       "INSERT INTO kt_versions (label, version, position, slot, opening, value, "
                       "suffix_signature, vrf_output, commitment) "
                       "VALUES ($1, 0, 5, 0, $2, $3, $3, $4, $4)",
                       {Bytes{'o', 'l', 'd'}, Bytes(16, 0), Bytes{}, Bytes(32, 0)}));
                   return OkStatus();
                 })
                  .ok());
  auto old = (*store)->GetVersion(Bytes{'o', 'l', 'd'}, 0);
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_TRUE(old->vrf_proofs.empty());
}

TEST_P(SqlBackendTest, ADirectoryStoreFencedByTheLeaseRefusesAnOldSequencer) {
  auto leases = LeaseStore::Open(*db_);
  ASSERT_TRUE(leases.ok()) << leases.error().message;
  auto a = (*leases)->Acquire("node-a", 1000, 500);
  ASSERT_TRUE(a.ok());
  auto fenced = [](const Lease& l) {
    return [l](SqlTx& tx) { return LeaseStore::CheckFence(tx, l); };
  };
  auto store_a = SqlDirectoryStore::Open(*db_, fenced(*a));
  ASSERT_TRUE(store_a.ok()) << store_a.error().message;
  ASSERT_TRUE((*store_a)->AppendEntry({0, 1, {}}).ok());
  auto b = (*leases)->Acquire("node-b", 2000, 500);  // node-a's lease expired
  ASSERT_TRUE(b.ok());
  Status stale = (*store_a)->AppendEntry({1, 2, {}});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, Errc::kConflict);
  EXPECT_NE(stale.error().message.find("fenced"), std::string::npos) << stale.error().message;
  auto store_b = SqlDirectoryStore::Open(*db_, fenced(*b));
  ASSERT_TRUE(store_b.ok());
  EXPECT_EQ(*(*store_b)->EntryCount(), 1u);
  ASSERT_TRUE((*store_b)->AppendEntry({1, 3, {}}).ok());
}

TEST_P(SqlBackendTest, ChallengesAreSingleUseAndSessionsExpire) {
  auto auth = AuthStore::Open(*db_);
  ASSERT_TRUE(auth.ok()) << auth.error().message;
  const DeviceAddress alice{"alice", "phone"};
  const Bytes c(32, 7);
  ASSERT_TRUE((*auth)->PutChallenge(c, alice, 1000).ok());
  EXPECT_EQ((*auth)->TakeChallenge(c, 1001).error().code, Errc::kNotFound);  // expired
  ASSERT_TRUE((*auth)->PutChallenge(Bytes(32, 8), alice, 1000).ok());
  // Raced by many: exactly one taker.
  std::atomic<int> takers{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] { takers += (*auth)->TakeChallenge(Bytes(32, 8), 10).ok() ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(takers.load(), 1);
  Hash32 token{};
  token[0] = 1;
  ASSERT_TRUE((*auth)->PutSession(token, alice, 5000).ok());
  EXPECT_EQ(*(*auth)->GetSession(token, 4000), alice);
  EXPECT_EQ((*auth)->GetSession(token, 5001).error().code, Errc::kNotFound);
  EXPECT_EQ(*(*auth)->RemoveExpired(6000), 1u);
}

TEST_P(SqlBackendTest, KeyPackagesAreHandedOutOnceUnderConcurrentClaims) {
  auto kps = KeyPackageStore::Open(*db_);
  ASSERT_TRUE(kps.ok()) << kps.error().message;
  const DeviceAddress bob{"bob", "laptop"};
  std::vector<StoredKeyPackage> batch;
  for (uint8_t i = 0; i < 40; ++i) batch.push_back({Bytes{i}, Bytes{100, i}, 2000});
  batch.push_back({Bytes{200}, Bytes{100, 200}, 50});  // expired at 100
  ASSERT_TRUE((*kps)->Add(bob, batch, StoredKeyPackage{Bytes{250}, Bytes{7, 7}, 3000}, 100).ok());
  EXPECT_EQ((*kps)->Add(bob, {{Bytes{1}, Bytes{1}, 9}}, std::nullopt, 100).error().code,
            Errc::kConflict);
  EXPECT_EQ((*kps)->Add(bob, batch, std::nullopt, 50).error().code, Errc::kTooLarge);
  auto stock = (*kps)->Stock(bob, 100);
  ASSERT_TRUE(stock.ok());
  EXPECT_EQ(stock->available, 40u);
  EXPECT_TRUE(stock->last_resort);
  std::mutex mu;
  std::multiset<Bytes> handed;
  int last_resort = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 6; ++i) {
        auto got = (*kps)->Claim(bob, 100);
        ASSERT_TRUE(got.ok()) << got.error().message;
        std::lock_guard<std::mutex> lock(mu);
        if (got->last_resort) {
          ++last_resort;
        } else {
          handed.insert(got->body);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  // 48 claims: the 40 valid ordinary ones once each (the expired one never), then last resort.
  EXPECT_EQ(handed.size(), 40u);
  EXPECT_EQ(std::set<Bytes>(handed.begin(), handed.end()).size(), 40u);
  EXPECT_EQ(handed.count(Bytes{100, 200}), 0u);
  EXPECT_EQ(last_resort, 8);
  EXPECT_EQ((*kps)->Stock(bob, 100)->available, 0u);
  // An upload that brings back KeyPackages handed out (a replayed request) stores nothing.
  auto replay = (*kps)->Add(bob, {batch[0], {Bytes{201}, Bytes{1}, 2000}}, std::nullopt, 100);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, Errc::kConflict);
  EXPECT_EQ((*kps)->Stock(bob, 100)->available, 0u);
  EXPECT_EQ((*kps)->Claim(bob, 4000).error().code, Errc::kNotFound);  // all expired
  EXPECT_EQ(*(*kps)->RemoveExpired(4000), 2u);
}

GroupRecord Group(const Bytes& id, uint64_t epoch, std::vector<GroupMember> members) {
  return GroupRecord{id, epoch, Bytes{static_cast<uint8_t>(epoch)}, Bytes{9}, std::move(members)};
}

TEST_P(SqlBackendTest, OneCommitPerEpochWinsAndQueuesAreOrdered) {
  auto ds = DeliveryStore::Open(*db_, DeliveryLimits{5});
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  const DeviceAddress a{"alice", "1"}, b{"bob", "1"}, c{"carol", "1"};
  const Bytes gid{1, 2, 3};
  ASSERT_TRUE((*ds)->CreateGroup(Group(gid, 0, {{0, a}}), 1).ok());
  EXPECT_EQ((*ds)->CreateGroup(Group(gid, 0, {{0, a}}), 1).error().code, Errc::kConflict);
  // Eight concurrent commits for epoch 0: exactly one wins; the others learn epoch 1.
  std::atomic<int> won{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Delivery d{QueueKind::kCommit, gid, 0, Bytes{static_cast<uint8_t>(t)}, a, {b, c}};
      auto r = (*ds)->CommitEpoch(gid, 0, Group(gid, 1, {{0, a}, {1, b}, {2, c}}), {d}, 2);
      ASSERT_TRUE(r.ok()) << r.error().message;
      if (r->won) won.fetch_add(1);
      EXPECT_EQ(r->epoch, 1u);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  auto g = (*ds)->GetGroup(gid);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->epoch, 1u);
  EXPECT_EQ(g->members.size(), 3u);
  EXPECT_EQ((*(*ds)->GroupsOf(c)).size(), 1u);
  // Application messages follow in order; the winner's commit came first.
  for (uint8_t i = 0; i < 3; ++i) {
    ASSERT_TRUE((*ds)->Deliver({QueueKind::kApplication, gid, 1, Bytes{50, i}, a, {b, c}}, 3).ok());
  }
  auto q = (*ds)->Fetch(b, 0, 10);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 4u);
  EXPECT_EQ((*q)[0].kind, QueueKind::kCommit);
  for (size_t i = 0; i < q->size(); ++i) EXPECT_EQ((*q)[i].seq, i + 1);
  EXPECT_EQ((*q)[3].message, (Bytes{50, 2}));
  EXPECT_EQ((*q)[3].sender, a);
  // Acknowledge two; fetching after 2 gives the rest. The queue is full at 5 unacknowledged.
  EXPECT_EQ(*(*ds)->Ack(b, 2), 2u);
  EXPECT_EQ((*(*ds)->Fetch(b, 0, 10)).size(), 2u);
  EXPECT_EQ(*(*ds)->Ack(b, 99), 4u);  // never beyond the last queued
  // carol holds 4 unacknowledged entries; one more fills her queue (5).
  ASSERT_TRUE((*ds)->Deliver({QueueKind::kApplication, gid, 1, Bytes{6}, a, {c}}, 4).ok());
  auto full = (*ds)->Deliver({QueueKind::kApplication, gid, 1, Bytes{7}, a, {b, c}}, 4);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, Errc::kRateLimited);
  EXPECT_NE(full.error().message.find("carol/1"), std::string::npos);
  EXPECT_EQ((*(*ds)->Fetch(b, 4, 10)).size(), 0u);  // nothing of the refused message landed
  EXPECT_EQ(*(*ds)->LastSeq(c), 5u);
  // The same message sent again (its sender missed the answer) is queued once.
  auto again = (*ds)->Deliver({QueueKind::kApplication, gid, 1, Bytes{6}, a, {c}}, 4);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->queued, 0u);
  EXPECT_EQ(*(*ds)->LastSeq(c), 5u);
  // Old entries expire; the queue frees up and the message bodies go.
  EXPECT_EQ(*(*ds)->Collect(5), 5u);
  // A refused message was not remembered: it is delivered once there is room.
  auto later = (*ds)->Deliver({QueueKind::kApplication, gid, 1, Bytes{7}, a, {c}}, 6);
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->duplicate);
  EXPECT_EQ(later->queued, 1u);
  EXPECT_EQ(*(*ds)->LastSeq(c), 6u);
  auto rest = (*ds)->Fetch(c, 0, 10);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].seq, 6u);  // the gap after 0 shows carol lost 1..5
  EXPECT_EQ((*rest)[0].message, Bytes{7});
}

// The sequencer lease: one holder at a time, a new term on every change of holder, and a fence
// that stops an old holder's writes whatever its clock says.
TEST_P(SqlBackendTest, OneSequencerHoldsTheLeaseAndAnOldOneIsFenced) {
  auto leases = LeaseStore::Open(*db_);
  ASSERT_TRUE(leases.ok()) << leases.error().message;
  LeaseStore& ls = **leases;
  EXPECT_EQ(ls.Current().error().code, Errc::kNotFound);
  auto a = ls.Acquire("node-a", 1000, 500);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(*a, (Lease{"node-a", 1, 1500}));
  auto b = ls.Acquire("node-b", 1200, 500);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, Errc::kConflict);
  EXPECT_NE(b.error().message.find("held by node-a (term 1)"), std::string::npos);
  auto renewed = ls.Renew(*a, 1400, 500);
  ASSERT_TRUE(renewed.ok()) << renewed.error().message;
  EXPECT_EQ(renewed->expires_ms, 1900u);

  // A fenced write: a table written only under the lease.
  ASSERT_TRUE(db_->ExecScript("CREATE TABLE fenced (k BIGINT PRIMARY KEY, who TEXT)").ok());
  auto write = [&](const Lease& l, int64_t k) {
    return db_->Write([&](SqlTx& tx) -> Status {
      CANDOR_TRY(tx.Exec("INSERT INTO fenced (k, who) VALUES ($1, $2)", {k, l.holder}));
      return LeaseStore::CheckFence(tx, l);  // after the insert: the insert must roll back
    });
  };
  ASSERT_TRUE(write(*renewed, 1).ok());

  // node-a stops renewing (paused); once the lease expired node-b takes it, term 2.
  b = ls.Acquire("node-b", 2000, 500);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->term, 2u);
  // node-a wakes up: its renewal and its writes fail, and leave nothing behind.
  EXPECT_EQ(ls.Renew(*renewed, 1800, 500).error().code, Errc::kConflict);
  Status stale = write(*renewed, 2);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, Errc::kConflict);
  ASSERT_TRUE(write(*b, 3).ok());
  std::vector<SqlRow> rows;
  ASSERT_TRUE(db_->Read([&](SqlTx& tx) -> Status {
                   CANDOR_ASSIGN_OR_RETURN(rows, tx.Query("SELECT k FROM fenced ORDER BY k", {}));
                   return OkStatus();
                 })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[1].Int(0, "k"), 3);
  // A holder that let its lease expire acquires again, with a new term.
  auto again = ls.Acquire("node-b", 3000, 500);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->term, 3u);
  EXPECT_FALSE(write(*b, 4).ok());
  // Released, the lease goes to a standby at once.
  ASSERT_TRUE(ls.Release(*again).ok());
  auto c = ls.Acquire("node-c", 3001, 500);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(*c, (Lease{"node-c", 4, 3501}));
  EXPECT_EQ(*ls.Current(), *c);
}

TEST_P(SqlBackendTest, StandbysRacingForAnExpiredLeaseGetOneTermEach) {
  auto leases = LeaseStore::Open(*db_);
  ASSERT_TRUE(leases.ok()) << leases.error().message;
  constexpr int kNodes = 6;
  for (uint64_t round = 0; round < 3; ++round) {
    // Every node tries at the same moment, after the previous holding expired.
    const uint64_t now = 10000 * (round + 1);
    std::atomic<int> won{0};
    std::mutex mu;
    std::set<uint64_t> terms;
    std::vector<std::thread> nodes;
    for (int n = 0; n < kNodes; ++n) {
      nodes.emplace_back([&, n] {
        auto l = (*leases)->Acquire("node-" + std::to_string(n), now, 1000);
        if (!l.ok()) {
          EXPECT_EQ(l.error().code, Errc::kConflict) << l.error().message;
          return;
        }
        won.fetch_add(1);
        std::lock_guard<std::mutex> lock(mu);
        terms.insert(l->term);
      });
    }
    for (std::thread& t : nodes) t.join();
    EXPECT_EQ(won.load(), 1) << "round " << round;
    EXPECT_EQ(terms, std::set<uint64_t>{round + 1});
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlBackendTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return testing::BackendName(info.param);
                         });

}  // namespace
}  // namespace candor::store
