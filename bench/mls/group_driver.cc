// group_driver.cc: MLS group operations at scale through the public GroupState API (suite 1:
// X25519, AES-128-GCM, SHA-256, Ed25519), printed as a table. One-shot operations with seconds
// of setup do not fit a benchmark loop, so this driver times each operation a few times and
// prints the median wall time and the process CPU time of that run.
//
// For each N in --n (default 1000,10000) on a "blank tree" (a 1-member group commits one Add of
// the other N - 1 KeyPackages, so every parent node is blank):
//   (d) bulk add: that Commit of N - 1 Adds (KeyPackage generation is setup, timed apart);
//   (a) commit with path: an empty Commit with force_path by leaf 0;
//   (b) process: HandleCommit of that Commit by the last member (who joined from the bulk
//       Welcome);
//   (c) join: JoinFromWelcome of a new member added to the N-member group by one Add.
// Rows marked "1 thread" run serially, pinned to one CPU (sched_setaffinity); "2 threads" rows
// lend the operation a one-thread pool (the caller is the other thread) and may use both CPUs.
// Sizes: the encoded MLSMessage of (a) and of the Welcome of (c), for the blank tree and for a
// full tree (see FullTreeSizes). --messages times Protect / Unprotect of 100-byte application
// messages and the bare Ed25519 sign / verify. Results and command: docs/benchmarks.md.
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/tls.h"
#include "candor/crypto/signature.h"
#include "candor/mls/cipher_suite.h"
#include "candor/mls/group_state.h"
#include "candor/mls/key_package_ops.h"
#include "candor/mls/ratchet_tree.h"
#include "candor/mls/tree_kem.h"
#include "candor/mls/tree_math.h"
#include "candor/net/worker_pool.h"

namespace candor::mls {
namespace {

const CipherSuiteParams& Suite1() {
  auto cs = GetCipherSuiteParams(CipherSuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
  if (!cs.ok()) std::abort();
  return **cs;
}

template <class T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, r.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

// Timing is one measured run: wall seconds, process CPU seconds (all threads) and the CPU
// seconds of the calling thread.
struct Timing {
  double wall = 0;
  double cpu = 0;
  double main_cpu = 0;
};

double CpuSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <class F>
Timing Time(F&& f) {
  const double cpu0 = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  const double main0 = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
  const auto t0 = std::chrono::steady_clock::now();
  f();
  const auto t1 = std::chrono::steady_clock::now();
  return {std::chrono::duration<double>(t1 - t0).count(),
          CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0, CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - main0};
}

// Median returns the run with the median wall time.
Timing Median(std::vector<Timing> runs) {
  std::sort(runs.begin(), runs.end(),
            [](const Timing& a, const Timing& b) { return a.wall < b.wall; });
  return runs[runs.size() / 2];
}

std::string FormatSeconds(double s) {
  char buf[32];
  if (s >= 1) {
    std::snprintf(buf, sizeof buf, "%.2f s", s);
  } else if (s >= 1e-3) {
    std::snprintf(buf, sizeof buf, "%.1f ms", s * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f us", s * 1e6);
  }
  return buf;
}

double LoadAverage() {
  double load[1] = {0};
  if (getloadavg(load, 1) != 1) return -1;
  return load[0];
}

void PrintRow(const std::string& op, uint32_t n, const char* threads, const Timing& t,
              size_t runs) {
  std::printf("| %s | %u | %s | %s | %s | %s | %zu | %.1f |\n", op.c_str(), n, threads,
              FormatSeconds(t.wall).c_str(), FormatSeconds(t.cpu).c_str(),
              FormatSeconds(t.main_cpu).c_str(), runs, LoadAverage());
  std::fflush(stdout);
}

// Pin restricts this thread (and the threads it starts) to one CPU, or lifts that.
class Pin {
 public:
  Pin() { sched_getaffinity(0, sizeof all_, &all_); }
  void OneCpu() {
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int i = 0; i < CPU_SETSIZE; ++i) {
      if (CPU_ISSET(i, &all_)) {
        CPU_SET(i, &one);
        break;
      }
    }
    sched_setaffinity(0, sizeof one, &one);
  }
  void AllCpus() { sched_setaffinity(0, sizeof all_, &all_); }

 private:
  cpu_set_t all_{};
};

// Member is a would-be member: its KeyPackage, its private keys and its signer.
struct Member {
  KeyPackage key_package;
  KeyPackagePrivateKeys keys;
  LeafNode leaf_template;
  std::optional<crypto::SignaturePrivateKey> signer;
};

Member MakeMember(const CipherSuiteParams& cs, uint32_t i) {
  auto signer = crypto::SignaturePrivateKey::Generate(cs.signature);
  Credential credential;
  const std::string name = "member-" + std::to_string(i);
  credential.identity.assign(name.begin(), name.end());
  auto kp = Must(
      CreateKeyPackage(cs, signer, credential, Lifetime{0, std::numeric_limits<uint64_t>::max()}),
      "CreateKeyPackage");
  Member m;
  m.leaf_template = kp.key_package.leaf_node;
  m.key_package = std::move(kp.key_package);
  m.keys = {std::move(kp.init_private_key), std::move(kp.encryption_private_key),
            SecretBytes(signer.private_key())};
  m.signer.emplace(std::move(signer));
  return m;
}

// FillTree returns `blank` with every parent node set (a fresh-sized encryption key and parent
// hash, unmerged_leaves listing `unmerged` where it is a descendant) and every leaf but
// `unmerged` turned into a commit-source leaf with an Nh-byte parent_hash: the shape of the
// tree after every member has committed with a path once. Keys and hashes are not valid
// (random bytes of the right lengths); only sizes are measured from it.
RatchetTree FillTree(const CipherSuiteParams& cs, RatchetTree tree, uint32_t num_leaves,
                     std::optional<uint32_t> unmerged) {
  std::vector<bool> has_unmerged(tree.nodes.size(), false);
  if (unmerged) {
    for (NodeIndex x : DirectPath(*ToNodeIndex(LeafIndex{*unmerged}), num_leaves)) {
      if (x.value < has_unmerged.size()) has_unmerged[x.value] = true;
    }
  }
  for (size_t x = 0; x < tree.nodes.size(); ++x) {
    if (x % 2 == 1) {
      ParentNode p;
      p.encryption_key = Bytes(32, static_cast<uint8_t>(x));
      p.parent_hash = Bytes(cs.nh, 0x5a);
      if (has_unmerged[x]) p.unmerged_leaves = {*unmerged};
      tree.nodes[x] = Node{std::move(p)};
      continue;
    }
    if (!tree.nodes[x]) continue;
    if (unmerged && x == 2 * static_cast<size_t>(*unmerged)) continue;
    auto& leaf = std::get<LeafNode>(tree.nodes[x]->node);
    leaf.leaf_node_source = LeafNodeSource::commit;
    leaf.parent_hash = Bytes(cs.nh, 0xa5);
  }
  return tree;
}

size_t EncodedSize(const MLSMessage& m) { return tls::Encode(m).size(); }

// UpdatePathSize is the encoded size of an UpdatePath from `sender` in `tree`.
size_t UpdatePathSize(const PublicTree& tree, const Member& sender, ByteView group_id) {
  auto pending =
      Must(CreateUpdatePath(tree, LeafIndex{0}, *sender.signer, group_id, sender.leaf_template),
           "CreateUpdatePath");
  const Bytes context(128, 0x42);
  auto path = Must(EncryptUpdatePath(pending, context, {}), "EncryptUpdatePath");
  return tls::Encode(path).size();
}

void RunGroup(uint32_t n, size_t reps, bool bulk_only, Pin& pin, Executor& helper) {
  const CipherSuiteParams& cs = Suite1();
  // Setup: n + 1 KeyPackages (the creator, n - 1 bulk-added members, one later joiner).
  std::vector<Member> members;
  members.reserve(n + 1);
  pin.AllCpus();
  const Timing keygen = Time([&] {
    for (uint32_t i = 0; i <= n; ++i) members.push_back(MakeMember(cs, i));
  });
  PrintRow("setup: CreateKeyPackage x " + std::to_string(n + 1) + " (excluded)", n, "1 thread",
           keygen, 1);

  const Bytes group_id = {'b', 'e', 'n', 'c', 'h'};
  GroupState creator = Must(
      GroupState::CreateGroup(members[0].key_package, members[0].keys, group_id), "CreateGroup");

  // (d) bulk add of n - 1 members by a 1-member group.
  std::vector<Proposal> adds;
  adds.reserve(n - 1);
  for (uint32_t i = 1; i < n; ++i) adds.push_back(Proposal{Add{members[i].key_package}});
  std::optional<GroupState::CommitResult> bulk;
  pin.OneCpu();
  const Timing bulk_time =
      Time([&] { bulk.emplace(Must(creator.Commit(adds), "Commit (bulk add)")); });
  PrintRow("(d) Commit adding " + std::to_string(n - 1) + " members (bulk add)", n, "1 thread",
           bulk_time, 1);
  // The same Commit on both CPUs (Commit by PublicMessage leaves `creator` as it was).
  pin.AllCpus();
  CommitOptions two_threads;
  two_threads.executor = &helper;
  const Timing bulk_time_2 =
      Time([&] { (void)Must(creator.Commit(adds, two_threads), "Commit (bulk add)"); });
  PrintRow("(d) Commit adding " + std::to_string(n - 1) + " members (bulk add)", n, "2 threads",
           bulk_time_2, 1);
  pin.OneCpu();
  const size_t bulk_commit_len = EncodedSize(bulk->commit);
  const size_t bulk_welcome_len = EncodedSize(*bulk->welcome);
  GroupState a = std::move(bulk->next);
  const Welcome bulk_welcome = std::get<Welcome>(bulk->welcome->message);
  // Timing split: one stand-alone EncryptWithLabel("Welcome") with this Welcome's
  // encrypted_group_info as context (what each recipient would cost if the context were hashed
  // per recipient; EncryptGroupSecretsForAll hashes it once), against an empty context.
  {
    const Bytes plaintext(100, 0x33);
    const ByteView init_key = members[1].key_package.init_key;
    constexpr int kSplitRuns = 20;
    for (const bool with_info : {true, false}) {
      const ByteView context = with_info ? ByteView(bulk_welcome.encrypted_group_info) : ByteView();
      const Timing t = Time([&] {
        for (int i = 0; i < kSplitRuns; ++i) {
          (void)Must(EncryptWithLabel(cs, init_key, "Welcome", context, plaintext),
                     "EncryptWithLabel");
        }
      });
      std::printf(
          "SPLIT n=%u EncryptWithLabel(\"Welcome\") context %zu bytes: %.1f us CPU each "
          "(x %u recipients = %.2f s)\n",
          n, context.size(), t.cpu / kSplitRuns * 1e6, n - 1, t.cpu / kSplitRuns * (n - 1));
    }
  }
  if (bulk_only) return;
  bulk.reset();
  adds.clear();

  // The last bulk-added member joins (it processes the commits below).
  const Member& last = members[n - 1];
  std::optional<GroupState> b;
  const Timing bulk_join = Time([&] {
    b.emplace(Must(
        GroupState::JoinFromWelcome(last.key_package, last.keys, bulk_welcome, std::nullopt, {}),
        "JoinFromWelcome (bulk)"));
  });
  PrintRow("JoinFromWelcome of the bulk Welcome (last member)", n, "1 thread", bulk_join, 1);

  // (a) empty commit with path by leaf 0, single CPU and both CPUs.
  CommitOptions force;
  force.force_path = true;
  std::optional<GroupState::CommitResult> update;
  std::vector<Timing> runs;
  for (size_t i = 0; i < reps; ++i) {
    runs.push_back(Time([&] { update.emplace(Must(a.Commit({}, force), "Commit (path)")); }));
  }
  PrintRow("(a) Commit with UpdatePath (empty, force_path)", n, "1 thread", Median(runs), reps);
  pin.AllCpus();
  runs.clear();
  CommitOptions force_two = force;
  force_two.executor = &helper;
  for (size_t i = 0; i < reps; ++i) {
    runs.push_back(Time([&] { update.emplace(Must(a.Commit({}, force_two), "Commit (path)")); }));
  }
  PrintRow("(a) Commit with UpdatePath (empty, force_path)", n, "2 threads", Median(runs), reps);
  pin.OneCpu();

  // (b) the last member processes the last of those commits.
  runs.clear();
  for (size_t i = 0; i < reps; ++i) {
    runs.push_back(Time([&] {
      auto next = Must(b->HandleCommit(update->commit), "HandleCommit");
      if (next.epoch() != update->next.epoch()) std::abort();
    }));
  }
  PrintRow("(b) HandleCommit of (a) (last member)", n, "1 thread", Median(runs), reps);
  const size_t path_commit_len = EncodedSize(update->commit);

  // (c) a new member is added by one Add and joins from its Welcome.
  const Member& joiner = members[n];
  auto add_one = Must(a.Commit({Proposal{Add{joiner.key_package}}}), "Commit (add one)");
  const Welcome& welcome = std::get<Welcome>(add_one.welcome->message);
  for (const bool both_cpus : {false, true}) {
    if (both_cpus) pin.AllCpus();
    runs.clear();
    for (size_t i = 0; i < reps; ++i) {
      runs.push_back(Time([&] {
        auto joined =
            Must(GroupState::JoinFromWelcome(joiner.key_package, joiner.keys, welcome, std::nullopt,
                                             {}, both_cpus ? &helper : nullptr),
                 "JoinFromWelcome");
        if (joined.epoch() != add_one.next.epoch()) std::abort();
      }));
    }
    PrintRow("(c) JoinFromWelcome (1 new member, group of N + 1)", n,
             both_cpus ? "2 threads" : "1 thread", Median(runs), reps);
  }
  pin.OneCpu();
  const size_t add_welcome_len = EncodedSize(*add_one.welcome);

  // Full-tree sizes: the measured blank-tree message minus its blank part plus the same part
  // of a full tree (see FillTree). The Commit differs only in its UpdatePath; the Welcome only
  // in the ratchet_tree extension inside the encrypted GroupInfo.
  const PublicTree& blank_n = a.tree();
  const PublicTree full_n =
      Must(PublicTree::FromRatchetTree(cs, FillTree(cs, blank_n.ToRatchetTree(), n, std::nullopt)),
           "FromRatchetTree (full)");
  const size_t blank_path_len = UpdatePathSize(blank_n, members[0], group_id);
  const size_t full_path_len = UpdatePathSize(full_n, members[0], group_id);
  const PublicTree& blank_n1 = add_one.next.tree();
  const size_t blank_tree_len = tls::Encode(blank_n1.ToRatchetTree()).size();
  const size_t full_tree_len = tls::Encode(FillTree(cs, blank_n1.ToRatchetTree(), n + 1, n)).size();
  std::printf(
      "SIZE n=%u blank: commit_with_path=%zu welcome_add_one=%zu (ratchet_tree %zu, "
      "update_path %zu); bulk add: commit=%zu welcome=%zu\n",
      n, path_commit_len, add_welcome_len, blank_tree_len, blank_path_len, bulk_commit_len,
      bulk_welcome_len);
  std::printf(
      "SIZE n=%u full: commit_with_path=%zu welcome_add_one=%zu (ratchet_tree %zu, "
      "update_path %zu)\n",
      n, path_commit_len - blank_path_len + full_path_len,
      add_welcome_len - blank_tree_len + full_tree_len, full_tree_len, full_path_len);
  std::fflush(stdout);
}

// RunMessages times Protect and Unprotect of 100-byte application messages in a 2-member
// group, and bare Ed25519 sign / verify of a 200-byte message (crypto::Signature*, what MLS
// uses), each for about `seconds`.
void RunMessages(double seconds) {
  const CipherSuiteParams& cs = Suite1();
  Member ma = MakeMember(cs, 0);
  Member mb = MakeMember(cs, 1);
  GroupState a =
      Must(GroupState::CreateGroup(ma.key_package, ma.keys, Bytes{'m', 's', 'g'}), "CreateGroup");
  auto r = Must(a.Commit({Proposal{Add{mb.key_package}}}), "Commit (add)");
  GroupState b =
      Must(GroupState::JoinFromWelcome(mb.key_package, mb.keys,
                                       std::get<Welcome>(r.welcome->message), std::nullopt, {}),
           "JoinFromWelcome");
  a = std::move(r.next);
  const Bytes data(100, 0x61);

  auto rate = [](size_t count, const Timing& t) {
    std::printf(
        "  %zu ops in %.3f s wall, %.3f s CPU: %.0f ops/s (CPU), %.1f us/op (CPU), "
        "load %.1f\n",
        count, t.wall, t.cpu, static_cast<double>(count) / t.cpu,
        t.cpu / static_cast<double>(count) * 1e6, LoadAverage());
  };
  std::vector<MLSMessage> sent;
  const Timing protect = Time([&] {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
           seconds) {
      for (int i = 0; i < 64; ++i) sent.push_back(Must(a.Protect(data), "Protect"));
    }
  });
  std::printf("MSG Protect (100 B):\n");
  rate(sent.size(), protect);
  const Timing unprotect = Time([&] {
    for (const MLSMessage& m : sent) {
      auto got = Must(b.Unprotect(m), "Unprotect");
      if (got.application_data.size() != data.size()) std::abort();
    }
  });
  std::printf("MSG Unprotect (100 B):\n");
  rate(sent.size(), unprotect);

  const auto key = crypto::SignaturePrivateKey::Generate(crypto::SignatureScheme::kEd25519);
  const Bytes msg(200, 0x5a);
  size_t num_signs = 0;
  Bytes sig;
  const Timing sign = Time([&] {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
           seconds) {
      for (int i = 0; i < 64; ++i) sig = key.Sign(msg);
      num_signs += 64;
    }
  });
  std::printf("MSG Ed25519 sign (crypto::SignaturePrivateKey, libsodium, 200 B):\n");
  rate(num_signs, sign);
  size_t num_verifies = 0;
  const Timing verify = Time([&] {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
           seconds) {
      for (int i = 0; i < 64; ++i) {
        if (!crypto::SignatureVerify(crypto::SignatureScheme::kEd25519, key.public_key(), msg, sig)
                 .ok()) {
          std::abort();
        }
      }
      num_verifies += 64;
    }
  });
  std::printf("MSG Ed25519 verify (crypto::SignatureVerify, libsodium, 200 B):\n");
  rate(num_verifies, verify);
}

std::vector<uint32_t> ParseList(const char* s) {
  std::vector<uint32_t> out;
  std::string item;
  for (const char* p = s;; ++p) {
    if (*p == ',' || *p == '\0') {
      if (!item.empty()) out.push_back(static_cast<uint32_t>(std::stoul(item)));
      item.clear();
      if (*p == '\0') break;
    } else {
      item.push_back(*p);
    }
  }
  return out;
}

int Main(int argc, char** argv) {
  std::vector<uint32_t> ns = {1000, 10000};
  size_t reps = 3;
  bool messages = false;
  bool bulk_only = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--n") == 0 && i + 1 < argc) {
      ns = ParseList(argv[++i]);
    } else if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = std::stoul(argv[++i]);
    } else if (std::strcmp(argv[i], "--bulk-only") == 0) {
      bulk_only = true;
    } else if (std::strcmp(argv[i], "--messages") == 0) {
      messages = true;
    } else {
      std::fprintf(stderr, "usage: %s [--n 1000,10000] [--reps 3] [--bulk-only] [--messages]\n",
                   argv[0]);
      return 2;
    }
  }
  Pin pin;
  // Made before any pinning, so that its thread may run on every CPU.
  net::WorkerPool helper(1);
  std::printf(
      "| operation | N | threads | wall (median) | process CPU | main-thread CPU | runs | load "
      "avg |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (uint32_t n : ns) {
    if (n < 2) continue;
    RunGroup(n, reps, bulk_only, pin, helper);
  }
  if (messages) {
    pin.OneCpu();
    RunMessages(2.0);
  }
  return 0;
}

}  // namespace
}  // namespace candor::mls

int main(int argc, char** argv) { return candor::mls::Main(argc, argv); }
