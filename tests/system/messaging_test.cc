// System tests of messaging: real candord and witness processes (messaging_stack.h) on SQLite
// and on PostgreSQL, and clients that are the real client engine, each with its own profile.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include "candor/base/encoding.h"
#include "candor/client/engine.h"
#include "candor/net/worker_pool.h"
#include "group_checks.h"
#include "lossy_proxy.h"
#include "messaging_stack.h"

namespace candor::testing {
namespace {

using client::Engine;
using client::Notice;

std::vector<std::string> Texts(const client::ReceiveReport& r) {
  std::vector<std::string> out;
  for (const auto& m : r.messages) out.push_back(m.text);
  return out;
}

bool HasAlarm(const std::vector<Notice>& notices, const std::string& part) {
  for (const auto& n : notices) {
    if (n.kind == Notice::Kind::kAlarm && n.text.find(part) != std::string::npos) return true;
  }
  return false;
}

bool HasNotice(const std::vector<Notice>& notices, const std::string& part) {
  for (const auto& n : notices) {
    if (n.text.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string Describe(const std::vector<Notice>& notices) {
  std::string out;
  for (const auto& n : notices) out += "[" + n.text + "] ";
  return out;
}

class MessagingTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string clean;
    for (char c : name) clean += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    auto s = MessagingStack::Create(clean.substr(0, 40), GetParam());
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    stack_ = std::move(*s);
  }

  Engine::Options Profile(const std::string& who) const {
    return {stack_->dir() + "/profiles/" + who, nullptr, &pool_, SystemClock()};
  }

  std::unique_ptr<Engine> Account(const std::string& handle, const std::string& device = "phone") {
    auto e = Engine::CreateAccount(Profile(handle + "-" + device), stack_->trust(), handle, device);
    EXPECT_TRUE(e.ok()) << e.error().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  // AccountBehind creates `handle` (device "phone") whose client reaches candord through
  // `proxy`, so the test can lose or alter its answers.
  std::unique_ptr<Engine> AccountBehind(const LossyProxy& proxy, const std::string& handle) {
    client::ClientTrust via_proxy = stack_->trust();
    via_proxy.server.port = proxy.port();
    auto e = Engine::CreateAccount(Profile(handle), via_proxy, handle, "phone");
    EXPECT_TRUE(e.ok()) << e.error().ToString();
    return e.ok() ? std::move(*e) : nullptr;
  }

  // Receive fetches `e`'s queue and returns the texts it decrypted.
  static std::vector<std::string> Receive(Engine& e) {
    auto r = e.Receive();
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return r.ok() ? Texts(*r) : std::vector<std::string>{};
  }

  mutable net::WorkerPool pool_{2};  // the engines' executor; outlives every engine
  std::unique_ptr<MessagingStack> stack_;
};

TEST_P(MessagingTest, ContactsConversationsAndRemoval) {
  auto alice = Account("alice");
  auto bob = Account("bob", "laptop");
  auto carol = Account("carol");
  ASSERT_TRUE(alice && bob && carol);
  ASSERT_TRUE(alice->AddContact("bob").ok());
  ASSERT_TRUE(bob->AddContact("alice").ok());
  auto unknown = alice->AddContact("nobody");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, Errc::kNotFound) << unknown.error().ToString();

  // Both sides derive the same safety number from the verified account keys.
  auto ab = alice->SafetyNumber("bob");
  auto ba = bob->SafetyNumber("alice");
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_EQ(*ab, *ba);
  auto ac = alice->SafetyNumber("carol");
  ASSERT_TRUE(ac.ok());
  EXPECT_NE(*ab, *ac);

  // One-to-one, both ways.
  ASSERT_TRUE(alice->Send("bob", "hi bob").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"hi bob"});
  ASSERT_TRUE(bob->Send("alice", "hi alice").ok());
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"hi alice"});
  EXPECT_TRUE(Receive(*bob).empty());  // acknowledged: nothing twice

  // A group of three.
  auto g = alice->CreateGroup("trio", {"bob", "carol"});
  ASSERT_TRUE(g.ok()) << g.error().ToString();
  EXPECT_EQ(g->members.size(), 3u);
  ASSERT_TRUE(alice->Send("trio", "g1").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"g1"});
  EXPECT_EQ(Receive(*carol), std::vector<std::string>{"g1"});
  ASSERT_TRUE(carol->Send("trio", "g2").ok());
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"g2"});
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"g2"});

  // carol is removed: what follows is not readable by her, and she cannot post.
  auto removed = alice->RemoveFromGroup("trio", {"carol"});
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_EQ(removed->members, (std::vector<std::string>{"alice/phone", "bob/laptop"}));
  ASSERT_TRUE(alice->Send("trio", "after carol").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"after carol"});
  EXPECT_TRUE(Receive(*carol).empty());
  EXPECT_FALSE(carol->Send("trio", "still here?").ok());
  EXPECT_TRUE(Receive(*bob).empty());

  // History persists in the profile across a restart of the client.
  alice.reset();
  auto reopened = Engine::Open(Profile("alice-phone"));
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  auto history = (*reopened)->History("trio");
  ASSERT_TRUE(history.ok());
  std::vector<std::string> texts;
  for (const auto& m : *history) texts.push_back(m.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"g1", "g2", "after carol"}));
}

TEST_P(MessagingTest, SealedProfileNeedsItsPassphrase) {
  Engine::Options options = Profile("dora");
  options.passphrase = std::make_shared<const SecretBytes>(AsBytes("correct horse battery staple"));
  auto dora = Engine::CreateAccount(options, stack_->trust(), "dora", "phone");
  ASSERT_TRUE(dora.ok()) << dora.error().ToString();
  EXPECT_TRUE((*dora)->sealed());
  dora->reset();
  Engine::Options wrong = options;
  wrong.passphrase = std::make_shared<const SecretBytes>(AsBytes("wrong"));
  EXPECT_FALSE(Engine::Open(wrong).ok());
  Engine::Options none = options;
  none.passphrase.reset();
  EXPECT_FALSE(Engine::Open(none).ok());
  EXPECT_TRUE(Engine::Open(options).ok());
}

TEST_P(MessagingTest, OfflineMessagesArriveOnceInOrder) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  ASSERT_TRUE(alice && bob);
  std::vector<std::string> sent;
  for (int i = 0; i < 40; ++i) {
    sent.push_back("m" + std::to_string(i));
    auto r = alice->Send("bob", sent.back());
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->queued, 0u);
  }
  EXPECT_EQ(Receive(*bob), sent);
  EXPECT_TRUE(Receive(*bob).empty());
}

// alice's message is held on the network while bob commits twice, so it reaches the others
// two epochs late. bob keeps two past epochs (the default) and reads it; carol keeps one, so
// its keys were already deleted (forward secrecy) and she is told a message was skipped.
TEST_P(MessagingTest, LateMessagesDecryptWithinTheEpochWindowOnly) {
  auto proxy = LossyProxy::Start(stack_->port());
  ASSERT_NE(proxy, nullptr);
  auto alice = AccountBehind(*proxy, "alice");
  auto bob = Account("bob");
  Engine::Options narrow = Profile("carol-phone");
  narrow.late_epochs = 1;
  auto carol = Engine::CreateAccount(narrow, stack_->trust(), "carol", "phone");
  ASSERT_TRUE(carol.ok()) << carol.error().ToString();
  auto dave = Account("dave");
  ASSERT_TRUE(alice && bob && dave);
  auto g = alice->CreateGroup("team", {"bob", "carol"});
  ASSERT_TRUE(g.ok()) << g.error().ToString();
  ASSERT_EQ(g->epoch, 1u);
  EXPECT_TRUE(Receive(*bob).empty());
  EXPECT_TRUE(Receive(**carol).empty());

  proxy->HoldRequests("POST /v1/groups/message ");
  Result<client::SendReport> sent = MakeError(Errc::kInternal, "not run");
  std::thread sender([&] { sent = alice->Send("team", "late hello"); });
  for (int i = 0; i < 3000 && proxy->held() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const bool held = proxy->held() == 1;
  if (held) {
    EXPECT_TRUE(bob->AddToGroup("team", {"dave"}).ok());
    EXPECT_TRUE(bob->RemoveFromGroup("team", {"dave"}).ok());
  }
  proxy->ReleaseHeld();
  sender.join();
  ASSERT_TRUE(held);
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();

  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"late hello"});
  auto at_carol = (*carol)->Receive();
  ASSERT_TRUE(at_carol.ok()) << at_carol.error().ToString();
  EXPECT_TRUE(at_carol->messages.empty());
  EXPECT_TRUE(HasNotice(at_carol->notices, "keys are deleted")) << Describe(at_carol->notices);
  auto groups = (*carol)->Groups();
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].epoch, 3u);
  // alice catches up and everyone reads what follows.
  ASSERT_TRUE(alice->Send("team", "on time").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"on time"});
  EXPECT_EQ(Receive(**carol), std::vector<std::string>{"on time"});
}

// carol's device loses its place: its storage is restored from a copy taken two commits
// earlier, after the server deleted what it had acknowledged since. The next message is of an
// epoch it never reached: it rejoins by external commit (removing its old leaf), is told what
// it missed, and the conversation goes on for everyone.
TEST_P(MessagingTest, AMemberThatLostItsStateRejoinsByItself) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  auto carol = Account("carol");
  auto dave = Account("dave");
  ASSERT_TRUE(alice && bob && carol && dave);
  ASSERT_TRUE(alice->CreateGroup("team", {"bob", "carol"}).ok());
  EXPECT_TRUE(Receive(*bob).empty());
  EXPECT_TRUE(Receive(*carol).empty());
  const std::string dir = stack_->dir() + "/profiles/carol-phone";
  carol.reset();
  ASSERT_EQ(std::system(("cp -a " + dir + " " + dir + ".copy").c_str()), 0);
  auto reopened = Engine::Open(Profile("carol-phone"));
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  carol = std::move(*reopened);
  ASSERT_TRUE(alice->AddToGroup("team", {"dave"}).ok());
  ASSERT_TRUE(alice->RemoveFromGroup("team", {"dave"}).ok());
  ASSERT_TRUE(alice->Send("team", "while carol was here").ok());
  EXPECT_EQ(Receive(*carol), std::vector<std::string>{"while carol was here"});

  carol.reset();
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mv " + dir + ".copy " + dir).c_str()), 0);
  auto restored = Engine::Open(Profile("carol-phone"));
  ASSERT_TRUE(restored.ok()) << restored.error().ToString();
  ASSERT_TRUE(alice->Send("team", "missed").ok());
  auto r = (*restored)->Receive();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->messages.empty());
  EXPECT_TRUE(HasNotice(r->notices, "joined it again by itself at epoch 4"))
      << Describe(r->notices);
  auto groups = (*restored)->Groups();
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].epoch, 4u);
  const std::vector<std::string> members = {"alice/phone", "bob/phone", "carol/phone"};
  EXPECT_EQ((*groups)[0].members, members);

  ASSERT_TRUE(alice->Send("team", "welcome back").ok());
  EXPECT_EQ(Receive(**restored), std::vector<std::string>{"welcome back"});
  EXPECT_EQ(Receive(*bob),
            (std::vector<std::string>{"while carol was here", "missed", "welcome back"}));
  ASSERT_TRUE((*restored)->Send("team", "thanks").ok());
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"thanks"});
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"thanks"});
  auto at_alice = alice->Groups();
  ASSERT_TRUE(at_alice.ok());
  EXPECT_EQ((*at_alice)[0].members, members);
}

TEST_P(MessagingTest, LinkedDeviceReadsAndRemovedDeviceIsCutOff) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->Send("bob", "before the tablet").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"before the tablet"});
  // Enough history for two chunks of the link rendezvous (16,000 bytes each).
  const std::string long_text(9000, 'h');
  ASSERT_TRUE(bob->Send("alice", long_text).ok());
  ASSERT_TRUE(bob->Send("alice", long_text).ok());
  EXPECT_EQ(Receive(*alice), (std::vector<std::string>{long_text, long_text}));

  // A code nobody answers expires; a device that guesses a wrong code gets nothing.
  auto code = alice->StartLink();
  ASSERT_TRUE(code.ok());
  auto bogus = Engine::JoinByLink(Profile("mallory"), stack_->trust(), "AAAA-AAAA-AAAA-AAAA",
                                  "tablet", std::chrono::seconds(2));
  ASSERT_FALSE(bogus.ok());
  EXPECT_EQ(Engine::Open(Profile("mallory")).ok(), false);  // no profile left behind

  std::vector<Notice> link_notices;
  std::vector<Notice> join_notices;
  Result<std::string> linked = MakeError(Errc::kInternal, "not run");
  std::thread existing(
      [&] { linked = alice->FinishLink(*code, std::chrono::seconds(60), &link_notices); });
  auto tablet = Engine::JoinByLink(Profile("alice-tablet"), stack_->trust(), *code, "tablet",
                                   std::chrono::seconds(60), &join_notices);
  existing.join();
  ASSERT_TRUE(linked.ok()) << linked.error().ToString();
  ASSERT_TRUE(tablet.ok()) << tablet.error().ToString();
  EXPECT_EQ(*linked, "tablet");
  EXPECT_EQ((*tablet)->handle(), "alice");
  // The phone handed its history over, sealed under the code: the tablet shows the
  // conversation as it was before it existed.
  EXPECT_TRUE(HasNotice(link_notices, "3 message(s) of history handed over"))
      << Describe(link_notices);
  EXPECT_TRUE(HasNotice(join_notices, "3 message(s) of history received"))
      << Describe(join_notices);
  EXPECT_TRUE(Receive(**tablet).empty());  // the Welcome to the conversation with bob
  auto history = (*tablet)->History("bob");
  ASSERT_TRUE(history.ok()) << history.error().ToString();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].text, "before the tablet");
  EXPECT_EQ((*history)[0].sender, "alice/phone");
  EXPECT_EQ((*history)[2].text, long_text);
  EXPECT_EQ((*history)[2].sender, "bob/phone");
  // The code is single-use.
  auto again = Engine::JoinByLink(Profile("alice-tablet2"), stack_->trust(), *code, "tablet2",
                                  std::chrono::seconds(2));
  EXPECT_FALSE(again.ok());

  // bob is told about the new device, and both of alice's devices read what he sends.
  auto sent = bob->Send("alice", "to both");
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  bool told = false;
  for (const auto& n : sent->notices) told |= n.text.find("tablet") != std::string::npos;
  EXPECT_TRUE(told) << Describe(sent->notices);
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"to both"});
  EXPECT_EQ(Receive(**tablet), std::vector<std::string>{"to both"});
  // What the tablet sends reaches bob and alice's phone.
  ASSERT_TRUE((*tablet)->Send("bob", "from the tablet").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"from the tablet"});
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"from the tablet"});

  // The tablet is removed (lost): it reads nothing that follows.
  auto removed = alice->RemoveDevice("tablet");
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  ASSERT_TRUE(bob->Send("alice", "after the tablet").ok());
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"after the tablet"});
  auto lost = (*tablet)->Receive();
  if (lost.ok()) EXPECT_TRUE(Texts(*lost).empty());
  auto devices = alice->Devices();
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ(*devices, std::vector<std::string>{"phone"});
  // Only the device with the account key links and removes devices.
  EXPECT_EQ((*tablet)->StartLink().error().code, Errc::kPermissionDenied);
}

TEST_P(MessagingTest, ConcurrentChangesHaveOneWinnerAndConverge) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  auto carol = Account("carol");
  auto dave = Account("dave");
  ASSERT_TRUE(alice && bob && carol && dave);
  ASSERT_TRUE(alice->CreateGroup("team", {"bob", "carol"}).ok());
  EXPECT_TRUE(Receive(*bob).empty());  // the Welcome (and the group's name) arrive
  EXPECT_TRUE(Receive(*carol).empty());

  // alice adds dave while bob removes carol, at the same epoch: the DS takes one commit; the
  // other device processes it and commits again.
  AddAndRemoveAtOnce(*alice, *bob, "team", "dave", "carol");
  ASSERT_FALSE(HasFailure());

  EXPECT_TRUE(Receive(*alice).empty());
  EXPECT_TRUE(Receive(*bob).empty());
  EXPECT_TRUE(Receive(*dave).empty());
  ExpectOneAgreedGroup({alice.get(), bob.get(), dave.get()},
                       {"alice/phone", "bob/phone", "dave/phone"});
  ASSERT_TRUE(alice->Send("team", "who is here").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"who is here"});
  EXPECT_EQ(Receive(*dave), std::vector<std::string>{"who is here"});
  EXPECT_TRUE(Receive(*carol).empty());
}

// The operator, compelled to let someone read bob's messages, publishes a device list for bob
// with a device it controls. It holds every server key and the database, and the witnesses
// cosign the new tree head as they cosign any other; it does not hold bob's account key.
TEST_P(MessagingTest, CompelledOperatorCannotAddAGhostDevice) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->Send("bob", "hello").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"hello"});
  ASSERT_TRUE(bob->Send("alice", "hello back").ok());
  EXPECT_EQ(Receive(*alice), std::vector<std::string>{"hello back"});

  auto forged = stack_->AddGhostDevice("bob", "ghost");
  ASSERT_TRUE(forged.ok()) << forged.error().ToString();

  // alice's next check of bob's list refuses it, and she sends nothing to bob.
  auto monitor = alice->Monitor();
  ASSERT_TRUE(monitor.ok()) << monitor.error().ToString();
  EXPECT_TRUE(HasAlarm(monitor->notices, "bob")) << Describe(monitor->notices);
  auto send = alice->Send("bob", "for bob only");
  EXPECT_FALSE(send.ok());
  auto groups = alice->Groups();
  ASSERT_TRUE(groups.ok());
  for (const auto& g : *groups) {
    for (const auto& m : g.members) EXPECT_EQ(m.find("ghost"), std::string::npos) << m;
  }
  // bob's own monitoring sees a version of his entry that his account key did not sign.
  auto own = bob->Monitor();
  ASSERT_TRUE(own.ok()) << own.error().ToString();
  EXPECT_TRUE(HasAlarm(own->notices, "bob")) << Describe(own->notices);
  auto alarms = bob->Alarms();
  ASSERT_TRUE(alarms.ok());
  EXPECT_FALSE(alarms->empty());
}

// candord is killed (SIGKILL) twice while alice sends a stream of messages. Every Send that
// succeeded is delivered exactly once, in order; a Send that failed stored nothing.
TEST_P(MessagingTest, NothingAcknowledgedIsLostWhenTheServerIsKilled) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->Send("bob", "start").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"start"});

  constexpr int kMessages = 150;
  std::atomic<int> progress{0};
  std::vector<std::string> sent;
  int failures = 0;
  int queued = 0;
  std::thread sender([&] {
    for (int i = 0; i < kMessages; ++i) {
      const std::string text = "storm " + std::to_string(i);
      for (int attempt = 0;; ++attempt) {
        auto r = alice->Send("bob", text);
        if (r.ok()) {
          if (r->queued > 0) ++queued;
          sent.push_back(text);
          break;
        }
        ++failures;
        if (attempt > 600) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      progress = i + 1;
    }
  });
  for (int kill : {40, 100}) {
    while (progress < kill) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stack_->KillServer();
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    ASSERT_TRUE(stack_->StartServer().ok());
  }
  sender.join();
  ASSERT_EQ(sent.size(), static_cast<size_t>(kMessages));
  std::printf("sends that failed and were retried: %d; sends left queued on the device: %d\n",
              failures, queued);
  // Whatever alice still holds goes out with her next command.
  ASSERT_TRUE(alice->Receive().ok());
  std::vector<std::string> got;
  for (int round = 0; round < 5; ++round) {
    auto more = Receive(*bob);
    got.insert(got.end(), more.begin(), more.end());
  }
  EXPECT_EQ(got, sent) << "failures " << failures << ", queued " << queued;
  EXPECT_GT(failures, 0) << "the kills did not interrupt any send";
  // The history holds each message once too.
  auto history = alice->History("bob");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), static_cast<size_t>(kMessages) + 1);
}

// candord is killed (SIGKILL) again and again while new accounts register: each registration
// is a directory update (answered once published and in the tree-head log) and a KeyPackage
// upload. Every registration that was acknowledged survives the kills: afterwards a new
// contact finds each such account by a verified lookup, claims one of its KeyPackages and
// reaches it.
TEST_P(MessagingTest, KillsDuringRegistrationsLoseNoAcknowledgedUpdateOrKeyPackage) {
  constexpr size_t kAccounts = 10;
  constexpr int kKills = 5;
  std::atomic<bool> done{false};
  std::atomic<int> attempts{0};
  std::vector<std::unique_ptr<Engine>> acked;  // the registrar's until it is joined
  std::vector<std::string> handles;
  int failures = 0;
  std::thread registrar([&] {
    for (int i = 0; acked.size() < kAccounts && i < 200; ++i) {
      const std::string handle = "user" + std::to_string(i);
      auto e = Engine::CreateAccount(Profile(handle), stack_->trust(), handle, "phone");
      attempts = i + 1;
      if (e.ok()) {
        handles.push_back(handle);
        acked.push_back(std::move(*e));
      } else {
        ++failures;  // not acknowledged: the account may or may not exist, nothing is claimed
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    done = true;
  });
  int kills = 0;
  bool restarted = true;
  while (!done && kills < kKills && restarted) {
    // Kill in the middle of a registration, at a different moment each time.
    const int seen = attempts.load();
    while (!done && attempts.load() < seen + 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (done) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + 45 * kills));
    stack_->KillServer();
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    restarted = stack_->StartServer().ok();
  }
  registrar.join();
  ASSERT_TRUE(restarted);
  std::printf("%d kills; %d registrations failed and were not acknowledged\n", kills, failures);
  ASSERT_EQ(acked.size(), kAccounts);
  EXPECT_GE(kills, 3) << "the registrations finished before the kills";
  EXPECT_GT(failures, 0) << "the kills did not interrupt any registration";

  auto zed = Account("zed");
  ASSERT_TRUE(zed);
  for (const std::string& h : handles) {
    auto sent = zed->Send(h, "hello " + h);
    ASSERT_TRUE(sent.ok()) << h << ": " << sent.error().ToString();
  }
  for (size_t i = 0; i < acked.size(); ++i) {
    EXPECT_EQ(Receive(*acked[i]), std::vector<std::string>{"hello " + handles[i]}) << handles[i];
  }
}

TEST_P(MessagingTest, LeavingAGroup) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  auto carol = Account("carol");
  ASSERT_TRUE(alice && bob && carol);
  ASSERT_TRUE(alice->CreateGroup("club", {"bob", "carol"}).ok());
  EXPECT_TRUE(Receive(*bob).empty());
  EXPECT_TRUE(Receive(*carol).empty());
  ASSERT_TRUE(alice->Send("bob", "just us").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"just us"});
  auto direct = bob->LeaveGroup("alice");
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.error().code, Errc::kInvalidArgument);

  auto left = carol->LeaveGroup("club");
  ASSERT_TRUE(left.ok()) << left.error().ToString();
  // bob is the next to act: he removes carol's devices.
  auto got = bob->Receive();
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  bool told = false;
  for (const auto& n : got->notices) told |= n.text == "carol left club";
  EXPECT_TRUE(told) << Describe(got->notices);
  ASSERT_TRUE(alice->Send("club", "after carol left").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"after carol left"});
  EXPECT_TRUE(Receive(*carol).empty());
  auto groups = alice->Groups();
  ASSERT_TRUE(groups.ok());
  for (const auto& g : *groups) {
    if (g.name != "club") continue;
    EXPECT_EQ(g.members, (std::vector<std::string>{"alice/phone", "bob/phone"}));
  }
  EXPECT_FALSE(carol->Send("club", "hello?").ok());
}

TEST_P(MessagingTest, ServerDownStoresNothingAndRecovers) {
  auto alice = Account("alice");
  auto bob = Account("bob");
  ASSERT_TRUE(alice && bob);
  ASSERT_TRUE(alice->Send("bob", "one").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"one"});
  stack_->KillServer();
  auto down = alice->Send("bob", "while down");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, Errc::kUnavailable) << down.error().ToString();
  EXPECT_FALSE(bob->Receive().ok());
  ASSERT_TRUE(stack_->StartServer().ok());
  auto history = alice->History("bob");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);  // the failed send stored nothing
  ASSERT_TRUE(alice->Send("bob", "two").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"two"});
}

// A tampered directory answer is refused (and remembers nothing); the next honest one works.
TEST_P(MessagingTest, TamperedAnswersAreRefused) {
  auto proxy = LossyProxy::Start(stack_->port());
  ASSERT_NE(proxy, nullptr);
  auto alice = AccountBehind(*proxy, "alice");
  ASSERT_TRUE(alice);
  auto bob = Account("bob");
  ASSERT_TRUE(bob);
  proxy->TamperAnswers("POST /v1/directory/search ", 1);
  auto looked = alice->AddContact("bob");
  EXPECT_EQ(proxy->tampered(), 1);
  ASSERT_FALSE(looked.ok());
  EXPECT_TRUE(looked.error().code == Errc::kVerifyFailed || looked.error().code == Errc::kMalformed)
      << looked.error().ToString();
  auto contacts = alice->Contacts();
  ASSERT_TRUE(contacts.ok());
  EXPECT_TRUE(contacts->empty());
  proxy->TamperAnswers("POST /v1/directory/owner-monitor ", 1);
  auto monitored = alice->Monitor();
  EXPECT_EQ(proxy->tampered(), 2);
  ASSERT_FALSE(monitored.ok());
  EXPECT_TRUE(monitored.error().code == Errc::kVerifyFailed ||
              monitored.error().code == Errc::kMalformed)
      << monitored.error().ToString();
  // (A tampered tree-head checkpoint is not refused at once: the client polls the log for a
  // cosigned checkpoint for a while, and the next honest answer gives it one.)
  ASSERT_TRUE(alice->AddContact("bob").ok());
  ASSERT_TRUE(alice->Send("bob", "checked").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"checked"});
}

// The server acts on a request and its answer is lost (the connection drops first). The
// device must end where the server is: a commit that won is adopted, not made again; a message
// that was queued is not queued twice.
TEST_P(MessagingTest, LostAnswersAreSettled) {
  auto proxy = LossyProxy::Start(stack_->port());
  ASSERT_NE(proxy, nullptr);
  auto alice = AccountBehind(*proxy, "alice");
  ASSERT_TRUE(alice);
  auto bob = Account("bob");
  auto carol = Account("carol");
  ASSERT_TRUE(bob && carol);

  // The answer to the commit that adds bob and carol is lost: the commit won all the same.
  proxy->LoseAnswers("POST /v1/groups/commit ", 1);
  auto g = alice->CreateGroup("g", {"bob", "carol"});
  ASSERT_TRUE(g.ok()) << g.error().ToString();
  EXPECT_EQ(proxy->lost(), 1);
  EXPECT_EQ(g->members.size(), 3u);
  EXPECT_EQ(g->epoch, 1u);
  EXPECT_TRUE(Receive(*bob).empty());

  // The answer to a message is lost: the message waits in alice's outbox, goes again with her
  // next command, and the DS queues it once.
  proxy->LoseAnswers("POST /v1/groups/message ", 1);
  auto sent = alice->Send("g", "exactly once");
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  EXPECT_EQ(proxy->lost(), 2);
  EXPECT_EQ(sent->queued, 1u);
  ASSERT_TRUE(alice->Receive().ok());
  auto got = bob->Receive();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Texts(*got), std::vector<std::string>{"exactly once"});
  for (const auto& n : got->notices) ADD_FAILURE() << "bob was told: " << n.text;

  // The answer to the commit that removes carol is lost; the device retries and learns that
  // it won.
  proxy->LoseAnswers("POST /v1/groups/commit ", 1);
  auto removed = alice->RemoveFromGroup("g", {"carol"});
  ASSERT_TRUE(removed.ok()) << removed.error().ToString();
  EXPECT_EQ(proxy->lost(), 3);
  EXPECT_EQ(removed->epoch, 2u);
  ASSERT_TRUE(alice->Send("g", "without carol").ok());
  EXPECT_EQ(Receive(*bob), std::vector<std::string>{"without carol"});
  EXPECT_TRUE(Receive(*carol).size() <= 1);  // she may read "exactly once", never the last
  auto history = alice->History("g");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
}

// A recipient's full queue holds messages back, never drops them: they wait on the sender's
// device until the recipient catches up.
TEST(MessagingLimitsTest, FullQueueHoldsMessagesBack) {
  auto s = MessagingStack::Create("fullqueue", Backend::kSqlite, R"({"delivery":{"max_queue":5}})");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  const std::string dir = (*s)->dir() + "/profiles/";
  auto alice = Engine::CreateAccount({dir + "alice", nullptr}, (*s)->trust(), "alice", "p");
  auto bob = Engine::CreateAccount({dir + "bob", nullptr}, (*s)->trust(), "bob", "p");
  ASSERT_TRUE(alice.ok() && bob.ok());
  std::vector<std::string> sent;
  size_t held = 0;
  for (int i = 0; i < 8; ++i) {
    sent.push_back("n" + std::to_string(i));
    auto r = (*alice)->Send("bob", sent.back());
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    held = r->queued;
  }
  EXPECT_GT(held, 0u) << "the queue limit (5) never held anything back";
  std::vector<std::string> got;
  for (int round = 0; round < 6 && got.size() < sent.size(); ++round) {
    auto r = (*bob)->Receive();
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    for (const auto& m : r->messages) got.push_back(m.text);
    ASSERT_TRUE((*alice)->Receive().ok());  // alice's next command sends what waited
  }
  EXPECT_EQ(got, sent);
}

INSTANTIATE_TEST_SUITE_P(Backends, MessagingTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return BackendName(info.param);
                         });

}  // namespace
}  // namespace candor::testing
