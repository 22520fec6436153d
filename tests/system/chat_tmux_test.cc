// `candor chat` used the way a person uses it: tmux runs it in a terminal, send-keys types, and
// capture-pane reads the screen. The other side is bob's client engine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "candor/client/engine.h"
#include "messaging_stack.h"

namespace candor::testing {
namespace {

using client::Engine;

class Tmux {
 public:
  explicit Tmux(std::string session) : session_(std::move(session)) {}
  ~Tmux() { (void)RunCommand({"/usr/bin/env", "tmux", "kill-session", "-t", session_}); }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  bool Start(const std::string& command) {
    return RunCommand({"/usr/bin/env", "tmux", "new-session", "-d", "-s", session_, "-x", "160",
                       "-y", "40", command})
               .status == 0;
  }
  void Type(const std::string& text) {
    (void)RunCommand({"/usr/bin/env", "tmux", "send-keys", "-t", session_, "-l", text});
    (void)RunCommand({"/usr/bin/env", "tmux", "send-keys", "-t", session_, "Enter"});
  }
  std::string Screen() {
    return RunCommand({"/usr/bin/env", "tmux", "capture-pane", "-p", "-t", session_, "-S", "-200"})
        .output;
  }
  // WaitFor polls the screen until it shows `text`, up to `timeout`.
  bool WaitFor(const std::string& text, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Screen().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  bool Alive() {
    return RunCommand({"/usr/bin/env", "tmux", "has-session", "-t", session_}).status == 0;
  }

 private:
  std::string session_;
};

TEST(ChatTmuxTest, ChatInATerminal) {
  auto stack = MessagingStack::Create("chat", Backend::kSqlite);
  ASSERT_TRUE(stack.ok()) << stack.error().ToString();
  const std::string profiles = (*stack)->dir() + "/profiles/";
  {
    auto alice =
        Engine::CreateAccount({profiles + "alice", nullptr}, (*stack)->trust(), "alice", "phone");
    ASSERT_TRUE(alice.ok()) << alice.error().ToString();
  }
  auto bob = Engine::CreateAccount({profiles + "bob", nullptr}, (*stack)->trust(), "bob", "laptop");
  ASSERT_TRUE(bob.ok()) << bob.error().ToString();
  ASSERT_TRUE((*bob)->Send("alice", "hello before the chat").ok());

  Tmux tmux("candor_chat_" + std::to_string(getpid()));
  ASSERT_TRUE(tmux.Start(std::string(CANDOR_PATH) + " --profile " + profiles +
                         "alice chat bob; echo chat-ended-$?; sleep 30"));
  // The header, the member list and what arrived before.
  ASSERT_TRUE(tmux.WaitFor("chat with bob as alice/phone", std::chrono::seconds(20)))
      << tmux.Screen();
  ASSERT_TRUE(tmux.WaitFor("hello before the chat", std::chrono::seconds(20))) << tmux.Screen();
  ASSERT_TRUE(tmux.WaitFor("bob/laptop", std::chrono::seconds(20))) << tmux.Screen();

  // alice types; bob reads.
  tmux.Type("hi bob, typed in a terminal");
  ASSERT_TRUE(tmux.WaitFor("you: hi bob, typed in a terminal", std::chrono::seconds(20)))
      << tmux.Screen();
  std::vector<std::string> got;
  for (int i = 0; i < 50 && got.empty(); ++i) {
    auto r = (*bob)->Receive();
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    for (const auto& m : r->messages) got.push_back(m.text);
    if (got.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(got, std::vector<std::string>{"hi bob, typed in a terminal"});

  // bob answers; it appears on alice's screen without her typing.
  ASSERT_TRUE((*bob)->Send("alice", "answer on your screen").ok());
  EXPECT_TRUE(tmux.WaitFor("bob/laptop: answer on your screen", std::chrono::seconds(20)))
      << tmux.Screen();

  // /quit leaves the chat with status 0 (the shell's sleep keeps the pane for a last look).
  tmux.Type("/quit");
  EXPECT_TRUE(tmux.WaitFor("chat-ended-0", std::chrono::seconds(10))) << tmux.Screen();
  EXPECT_EQ(tmux.Screen().find("you: /quit"), std::string::npos) << tmux.Screen();
}

}  // namespace
}  // namespace candor::testing
