#include "candor/store/sqlite_directory_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "candor/store/sqlite.h"

namespace candor::store {
namespace {

using kt::StoredEntry;
using kt::StoredVersion;

std::string TempDbPath(const std::string& name) {
  const std::string path =
      ::testing::TempDir() + "candor_kt_store_" + name + "_" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

// Fill writes a deterministic pattern derived from `seed`.
template <class Container>
void Fill(Container& out, uint64_t seed) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<uint8_t>(x);
  }
}

StoredVersion MakeVersion(Bytes label, uint32_t version, size_t value_len, size_t sig_len,
                          uint64_t seed) {
  StoredVersion v;
  v.label = std::move(label);
  v.version = version;
  Fill(v.opening, seed);
  v.value.resize(value_len);
  Fill(v.value, seed + 1);
  v.suffix_signature.resize(sig_len);
  Fill(v.suffix_signature, seed + 2);
  Fill(v.vrf_output, seed + 3);
  Fill(v.commitment, seed + 4);
  if (seed % 2 == 1) {  // half of them with the VRF proofs made at publish
    v.vrf_proofs.resize(80 + (version == 0 ? 112 : 0));
    Fill(v.vrf_proofs, seed + 5);
  }
  return v;
}

Bytes Label(const std::string& s) { return Bytes(s.begin(), s.end()); }

// CrashEntry is the entry at `position` in the crash test: every fifth one is a heartbeat.
StoredEntry CrashEntry(uint64_t position) {
  StoredEntry e;
  e.position = position;
  e.timestamp = 1'700'000'000'000 + position;
  const uint64_t num_versions = position % 5;
  for (uint64_t i = 0; i < num_versions; ++i) {
    e.versions.push_back(
        MakeVersion(Label("user-" + std::to_string(position) + "-" + std::to_string(i)),
                    static_cast<uint32_t>(position % 3), (position * 37) % 300, i == 0 ? 64 : 0,
                    position * 8 + i));
  }
  return e;
}

// The entries of the round-trip tests: heartbeats, a 0-byte value, 1- and 255-byte labels, a
// 64 KiB value, several versions of one label, versions with and without a suffix signature.
std::vector<StoredEntry> SampleEntries() {
  std::vector<StoredEntry> entries;
  StoredEntry e0;
  e0.position = 0;
  e0.timestamp = 1000;  // heartbeat
  entries.push_back(e0);

  StoredEntry e1;
  e1.position = 1;
  e1.timestamp = 1001;
  e1.versions.push_back(MakeVersion(Label("alice"), 0, 0, 0, 1));               // 0-byte value
  e1.versions.push_back(MakeVersion(Label("b"), 0, 32, 64, 2));                 // 1-byte label
  e1.versions.push_back(MakeVersion(Bytes(255, 0xee), 7, 100, 0, 3));           // 255-byte label
  e1.versions.push_back(MakeVersion(Label("big"), 0, size_t{64} << 10, 0, 4));  // 64 KiB
  entries.push_back(e1);

  StoredEntry e2;
  e2.position = 2;
  e2.timestamp = 1002;  // heartbeat
  entries.push_back(e2);

  StoredEntry e3;
  e3.position = 3;
  e3.timestamp = 1003;
  e3.versions.push_back(MakeVersion(Label("alice"), 1, 10, 0, 5));
  e3.versions.push_back(MakeVersion(Label("alice"), 2, 11, 0, 6));
  e3.versions.push_back(MakeVersion(Bytes{0x00}, 0xffffffff, 1, 1, 7));  // max uint32 version
  entries.push_back(e3);
  return entries;
}

std::unique_ptr<SqliteDirectoryStore> OpenOrDie(const std::string& path) {
  auto store = SqliteDirectoryStore::Open(path);
  if (!store.ok()) {
    ADD_FAILURE() << store.error().ToString();
    return nullptr;
  }
  return std::move(store).value();
}

Result<std::vector<StoredEntry>> LoadAll(kt::DirectoryStore& store) {
  std::vector<StoredEntry> out;
  CANDOR_TRY(store.LoadEntries([&](StoredEntry&& e) {
    out.push_back(std::move(e));
    return OkStatus();
  }));
  return out;
}

void ExpectAllVersionsFound(kt::DirectoryStore& store, const std::vector<StoredEntry>& entries) {
  for (const StoredEntry& e : entries) {
    for (const StoredVersion& v : e.versions) {
      auto got = store.GetVersion(v.label, v.version);
      ASSERT_TRUE(got.ok()) << got.error().ToString();
      EXPECT_EQ(*got, v);
    }
  }
}

TEST(SqliteDirectoryStoreTest, RoundTripAndReopen) {
  const std::string path = TempDbPath("roundtrip");
  const std::vector<StoredEntry> entries = SampleEntries();
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    auto count = store->EntryCount();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, 0u);
    for (const StoredEntry& e : entries) {
      auto st = store->AppendEntry(e);
      ASSERT_TRUE(st.ok()) << st.error().ToString();
    }
    count = store->EntryCount();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, entries.size());
    auto loaded = LoadAll(*store);
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    EXPECT_EQ(*loaded, entries);
    ExpectAllVersionsFound(*store, entries);
    auto missing = store->GetVersion(Label("alice"), 3);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::kNotFound);
  }
  // Reopen the file: everything is there, and appending continues at the next position.
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  auto count = store->EntryCount();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, entries.size());
  auto loaded = LoadAll(*store);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(*loaded, entries);
  ExpectAllVersionsFound(*store, entries);

  StoredEntry next;
  next.position = entries.size();
  next.timestamp = 2000;
  next.versions.push_back(MakeVersion(Label("carol"), 0, 5, 0, 99));
  ASSERT_TRUE(store->AppendEntry(next).ok());
  loaded = LoadAll(*store);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), entries.size() + 1);
  EXPECT_EQ(loaded->back(), next);
}

TEST(SqliteDirectoryStoreTest, EmptyFileBecomesAStore) {
  const std::string path = TempDbPath("emptyfile");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(std::fclose(f), 0);
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  auto count = store->EntryCount();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0u);
}

TEST(SqliteDirectoryStoreTest, LoadStopsAtTheVisitorsError) {
  const std::string path = TempDbPath("visiterror");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  for (const StoredEntry& e : SampleEntries()) ASSERT_TRUE(store->AppendEntry(e).ok());
  int num_visited = 0;
  auto st = store->LoadEntries([&](StoredEntry&& e) -> Status {
    ++num_visited;
    if (e.position == 1) return MakeError(Errc::kVerifyFailed, "stop here");
    return OkStatus();
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "stop here");
  EXPECT_EQ(num_visited, 2);
  // The store is usable afterwards (the read snapshot ended).
  StoredEntry next;
  next.position = 4;
  ASSERT_TRUE(store->AppendEntry(next).ok());
}

TEST(SqliteDirectoryStoreTest, ConflictsLeaveTheStoreUnchanged) {
  const std::string path = TempDbPath("conflict");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  const std::vector<StoredEntry> entries = SampleEntries();
  for (const StoredEntry& e : entries) ASSERT_TRUE(store->AppendEntry(e).ok());

  auto expect_unchanged = [&](const Status& st, Errc code, const char* what) {
    ASSERT_FALSE(st.ok()) << what;
    EXPECT_EQ(st.error().code, code) << what << ": " << st.error().ToString();
    auto count = store->EntryCount();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, entries.size()) << what;
    auto loaded = LoadAll(*store);
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    EXPECT_EQ(*loaded, entries) << what;
    auto fresh = store->GetVersion(Label("fresh"), 0);
    ASSERT_FALSE(fresh.ok()) << what;
    EXPECT_EQ(fresh.error().code, Errc::kNotFound) << what;
  };

  StoredEntry e;
  e.timestamp = 5000;
  e.versions.push_back(MakeVersion(Label("fresh"), 0, 10, 0, 50));

  e.position = entries.size() + 1;  // a gap
  expect_unchanged(store->AppendEntry(e), Errc::kConflict, "position too high");
  e.position = entries.size() - 1;  // already taken
  expect_unchanged(store->AppendEntry(e), Errc::kConflict, "position taken");
  e.position = 0;
  expect_unchanged(store->AppendEntry(e), Errc::kConflict, "position 0 again");

  e.position = entries.size();
  StoredEntry dup_stored = e;  // "fresh" first, then a label version stored in entry 1
  dup_stored.versions.push_back(entries[1].versions[2]);
  expect_unchanged(store->AppendEntry(dup_stored), Errc::kConflict, "version already stored");

  StoredEntry dup_inside = e;  // the same label version twice in one entry
  dup_inside.versions.push_back(MakeVersion(Label("fresh"), 0, 3, 0, 51));
  expect_unchanged(store->AppendEntry(dup_inside), Errc::kConflict, "version twice in entry");

  StoredEntry empty_label = e;
  empty_label.versions.push_back(MakeVersion(Bytes{}, 0, 3, 0, 52));
  expect_unchanged(store->AppendEntry(empty_label), Errc::kInvalidArgument, "empty label");
  StoredEntry long_label = e;
  long_label.versions.push_back(MakeVersion(Bytes(256, 1), 0, 3, 0, 53));
  expect_unchanged(store->AppendEntry(long_label), Errc::kInvalidArgument, "256-byte label");
  StoredEntry huge_position = e;
  huge_position.position = uint64_t{1} << 63;
  expect_unchanged(store->AppendEntry(huge_position), Errc::kInvalidArgument, "position 2^63");

  // The right entry still goes in afterwards.
  ASSERT_TRUE(store->AppendEntry(e).ok());
  auto fresh = store->GetVersion(Label("fresh"), 0);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh, e.versions[0]);
}

TEST(SqliteDirectoryStoreTest, LockedFileIsUnavailableAndWritesNothing) {
  const std::string path = TempDbPath("locked");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  const std::vector<StoredEntry> entries = SampleEntries();
  for (const StoredEntry& e : entries) ASSERT_TRUE(store->AppendEntry(e).ok());
  StoredEntry next;
  next.position = entries.size();
  next.versions.push_back(MakeVersion(Label("late"), 0, 8, 0, 60));
  {
    // Another connection holds the write lock for longer than the 5 s busy timeout.
    auto other = Database::Open(path);
    ASSERT_TRUE(other.ok()) << other.error().ToString();
    auto txn = Transaction::Begin(*other, Transaction::Mode::kWrite);
    ASSERT_TRUE(txn.ok()) << txn.error().ToString();
    auto st = store->AppendEntry(next);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, Errc::kUnavailable) << st.error().ToString();
    EXPECT_NE(st.error().message.find("begin write transaction"), std::string::npos)
        << st.error().message;
  }
  auto count = store->EntryCount();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, entries.size());
  ASSERT_TRUE(store->AppendEntry(next).ok());
}

void WriteJunk(const std::string& path, size_t offset, size_t len) {
  const int fd = open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> junk(len);
  Fill(junk, 12345);
  ASSERT_EQ(pwrite(fd, junk.data(), junk.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(len));
  ASSERT_EQ(close(fd), 0);
}

size_t FileSize(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return static_cast<size_t>(st.st_size);
}

TEST(SqliteDirectoryStoreTest, NotADatabaseIsAClearError) {
  const std::string path = TempDbPath("notadb");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const std::string text = "{\"this\": \"is a JSON file, not a KT store\"}\n";
  ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), f), text.size());
  ASSERT_EQ(std::fclose(f), 0);
  auto store = SqliteDirectoryStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, Errc::kMalformed);
  EXPECT_NE(store.error().message.find("not a database"), std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
}

TEST(SqliteDirectoryStoreTest, CorruptedDatabaseIsAClearError) {
  const std::string path = TempDbPath("corrupt");
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    for (const StoredEntry& e : SampleEntries()) ASSERT_TRUE(store->AppendEntry(e).ok());
    for (uint64_t p = 4; p < 60; ++p) {
      StoredEntry e = CrashEntry(p);
      ASSERT_TRUE(store->AppendEntry(e).ok());
    }
  }  // closing checkpoints the WAL into the main file
  const size_t size = FileSize(path);
  ASSERT_GT(size, size_t{16384});
  // Keep page 1 (the header and the schema), overwrite every other page with junk.
  WriteJunk(path, 4096, size - 4096);
  auto store = SqliteDirectoryStore::Open(path);
  Status st = OkStatus();
  if (store.ok()) {
    st = (*store)->LoadEntries([](StoredEntry&&) { return OkStatus(); });
  } else {
    st = store.error();
  }
  ASSERT_FALSE(st.ok()) << "a corrupted file loaded without error";
  EXPECT_EQ(st.error().code, Errc::kMalformed) << st.error().ToString();
  EXPECT_NE(st.error().message.find("malformed"), std::string::npos) << st.error().message;

  // A clobbered header makes the file "not a database".
  WriteJunk(path, 0, 100);
  auto again = SqliteDirectoryStore::Open(path);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::kMalformed);
  EXPECT_NE(again.error().message.find("not a database"), std::string::npos)
      << again.error().message;
}

TEST(SqliteDirectoryStoreTest, RefusesForeignAndNewerSchemas) {
  const std::string foreign = TempDbPath("foreign");
  {
    auto db = Database::Open(foreign);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("create", "CREATE TABLE photos (id INTEGER PRIMARY KEY)").ok());
  }
  auto store = SqliteDirectoryStore::Open(foreign);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, Errc::kInvalidArgument);
  EXPECT_NE(store.error().message.find("not a Candor KT store"), std::string::npos)
      << store.error().message;

  const std::string newer = TempDbPath("newer");
  ASSERT_NE(OpenOrDie(newer), nullptr);
  {
    auto db = Database::Open(newer);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("bump", "UPDATE schema_version SET version = 3").ok());
  }
  store = SqliteDirectoryStore::Open(newer);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, Errc::kInvalidArgument);
  EXPECT_NE(store.error().message.find("schema version 3"), std::string::npos)
      << store.error().message;
}

// A file written by a release with schema version 1 (no VRF proofs column) is upgraded when
// opened: its rows read back with no proofs, and new rows keep theirs.
TEST(SqliteDirectoryStoreTest, UpgradesAVersion1File) {
  const std::string path = TempDbPath("v1");
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("v1 schema", R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE entries (position INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL);
CREATE TABLE versions (
  label BLOB NOT NULL, version INTEGER NOT NULL,
  position INTEGER NOT NULL REFERENCES entries (position), slot INTEGER NOT NULL,
  opening BLOB NOT NULL, value BLOB NOT NULL, suffix_signature BLOB NOT NULL,
  vrf_output BLOB NOT NULL, commitment BLOB NOT NULL,
  PRIMARY KEY (label, version), UNIQUE (position, slot));
INSERT INTO entries (position, timestamp) VALUES (0, 1000);
INSERT INTO versions VALUES (X'616c696365', 0, 0, 0, zeroblob(16), X'7630', X'',
                             zeroblob(32), zeroblob(32));
)sql")
                    .ok());
  }
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  auto loaded = LoadAll(*store);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  ASSERT_EQ(loaded->size(), 1u);
  ASSERT_EQ((*loaded)[0].versions.size(), 1u);
  EXPECT_EQ((*loaded)[0].versions[0].value, Label("v0"));
  EXPECT_TRUE((*loaded)[0].versions[0].vrf_proofs.empty());

  StoredEntry next{1, 2000, {MakeVersion(Label("bob"), 0, 5, 0, 7)}};
  ASSERT_FALSE(next.versions[0].vrf_proofs.empty());
  ASSERT_TRUE(store->AppendEntry(next).ok());
  store.reset();
  store = OpenOrDie(path);  // now a version 2 file
  ASSERT_NE(store, nullptr);
  loaded = LoadAll(*store);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[1], next);
}

TEST(SqliteDirectoryStoreTest, LoadRejectsRowsThatBreakTheSchemaInvariants) {
  struct Case {
    const char* name;
    const char* sql;
    const char* field;
  };
  const Case cases[] = {
      {"gap", "INSERT INTO entries (position, timestamp) VALUES (10, 1)", "entries.position"},
      {"short opening",
       "UPDATE versions SET opening = x'00' WHERE label = x'616c696365' AND version = 0",
       "versions.opening"},
      {"long vrf output", "UPDATE versions SET vrf_output = zeroblob(33) WHERE label = x'62'",
       "versions.vrf_output"},
      {"text value", "UPDATE versions SET value = 'text' WHERE label = x'62'", "versions.value"},
      {"slot gap", "UPDATE versions SET slot = 9 WHERE label = x'62'", "versions.slot"},
      {"negative timestamp", "UPDATE entries SET timestamp = -1 WHERE position = 2",
       "entries.timestamp"},
      {"version above uint32", "UPDATE versions SET version = 4294967296 WHERE label = x'62'",
       "versions.version"},
  };
  int num_cases = 0;
  for (const Case& c : cases) {
    const std::string path = TempDbPath("invariant");
    {
      auto store = OpenOrDie(path);
      ASSERT_NE(store, nullptr);
      for (const StoredEntry& e : SampleEntries()) ASSERT_TRUE(store->AppendEntry(e).ok());
    }
    {
      auto db = Database::Open(path);
      ASSERT_TRUE(db.ok());
      auto st = db->Exec(c.name, c.sql);
      ASSERT_TRUE(st.ok()) << c.name << ": " << st.error().ToString();
    }
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    auto loaded = LoadAll(*store);
    ASSERT_FALSE(loaded.ok()) << c.name;
    EXPECT_EQ(loaded.error().code, Errc::kMalformed) << c.name;
    EXPECT_NE(loaded.error().message.find(c.field), std::string::npos)
        << c.name << ": " << loaded.error().message;
    ++num_cases;
  }
  std::printf("LoadRejectsRowsThatBreakTheSchemaInvariants: %d cases run / %d passed\n", num_cases,
              ::testing::Test::HasFailure() ? 0 : num_cases);
  ASSERT_GT(num_cases, 0);
}

// The child of the crash test: appends CrashEntry(n), CrashEntry(n + 1), ... forever and writes
// each acknowledged position to `fd`. Exits only by signal (or with a code on an error).
[[noreturn]] void AppendForever(const std::string& path, int fd) {
  auto store = SqliteDirectoryStore::Open(path);
  if (!store.ok()) _exit(3);
  auto count = (*store)->EntryCount();
  if (!count.ok()) _exit(4);
  for (uint64_t p = *count;; ++p) {
    if (!(*store)->AppendEntry(CrashEntry(p)).ok()) _exit(5);
    if (write(fd, &p, sizeof(p)) != static_cast<ssize_t>(sizeof(p))) _exit(6);
  }
}

TEST(SqliteDirectoryStoreTest, AcknowledgedEntriesSurviveSigkill) {
  const std::string path = TempDbPath("crash");
  std::random_device rd;
  const unsigned seed = rd();
  std::printf("crash test seed %u\n", seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(20, 400);
  constexpr int kRounds = 10;
  int num_rounds = 0;
  int64_t last_acked = -1;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      AppendForever(path, fds[1]);
    }
    close(fds[1]);
    const int delay = delay_ms(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child stopped by itself, exit code "
        << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    uint64_t p = 0;
    int num_acked = 0;
    while (read(fds[0], &p, sizeof(p)) == static_cast<ssize_t>(sizeof(p))) {
      EXPECT_EQ(static_cast<int64_t>(p), last_acked + 1);
      last_acked = static_cast<int64_t>(p);
      ++num_acked;
    }
    close(fds[0]);

    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    uint64_t expected = 0;
    auto st = store->LoadEntries([&](StoredEntry&& e) -> Status {
      if (e.position != expected || e != CrashEntry(expected)) {
        return MakeError(Errc::kInternal, "entry " + std::to_string(expected) + " differs");
      }
      ++expected;
      return OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st.error().ToString();
    auto count = store->EntryCount();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, expected);
    // Every acknowledged entry is there; at most one more (appended, killed before the ack).
    EXPECT_GE(static_cast<int64_t>(expected), last_acked + 1);
    EXPECT_LE(static_cast<int64_t>(expected), last_acked + 2);
    std::printf("round %d: killed after %d ms, %d appends acknowledged, %llu entries stored\n",
                round, delay, num_acked, static_cast<unsigned long long>(expected));
    // The next child continues from the stored count, which may include an unacknowledged one.
    last_acked = static_cast<int64_t>(expected) - 1;
    ++num_rounds;
  }
  std::printf("AcknowledgedEntriesSurviveSigkill: %d rounds run / %d passed\n", num_rounds,
              ::testing::Test::HasFailure() ? 0 : num_rounds);
  ASSERT_EQ(num_rounds, kRounds);
  EXPECT_GT(last_acked, 0) << "no append finished before any kill";
}

}  // namespace
}  // namespace candor::store
