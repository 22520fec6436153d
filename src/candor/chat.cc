#include "chat.h"

#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <iostream>

#include "candor/base/clock.h"
#include "commands.h"

namespace candor::cli {
namespace {

std::string TimeOfDay(uint64_t ms) {
  const auto t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  (void)std::strftime(buf, sizeof(buf), "%H:%M", &tm);
  return buf;
}

void Show(const client::Notice& n) {
  const char* tag = n.kind == client::Notice::Kind::kAlarm     ? "!! ALARM"
                    : n.kind == client::Notice::Kind::kWarning ? "!  warning"
                                                               : "*  note";
  (void)std::printf("%s: %s\n", tag, n.text.c_str());
}

void Header(client::Engine& e, const std::string& to) {
  auto groups = e.Groups();
  if (!groups.ok()) return;
  for (const auto& g : *groups) {
    if (g.name != to && g.peer != to) continue;
    (void)std::printf("== %s: ", g.name.c_str());
    for (size_t i = 0; i < g.members.size(); ++i) {
      (void)std::printf("%s%s", i ? ", " : "", g.members[i].c_str());
    }
    (void)std::printf("\n");
  }
}

}  // namespace

int RunChat(client::Engine& e, const std::string& to) {
  (void)std::printf("chat with %s as %s/%s (type a line and Enter to send, /quit to leave)\n",
                    to.c_str(), e.handle().c_str(), e.device_id().c_str());
  auto alarms = e.Alarms();
  if (alarms.ok()) {
    for (const auto& n : *alarms) Show(n);
  }
  // History first, then new messages as they come.
  auto history = e.History(to);
  if (history.ok()) {
    for (const auto& m : *history) {
      (void)std::printf("%s %s: %s\n", TimeOfDay(m.at).c_str(),
                        m.outgoing ? "you" : m.sender.c_str(), m.text.c_str());
    }
  }
  Header(e, to);
  (void)std::fflush(stdout);
  std::string line;
  for (;;) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    const int ready = poll(&p, 1, 500);
    if (ready > 0) {
      if (!std::getline(std::cin, line)) break;
      if (line == "/quit") break;
      if (line.empty()) continue;
      auto sent = e.Send(to, line);
      if (!sent.ok()) {
        Show({client::Notice::Kind::kAlarm, "not sent: " + sent.error().message});
      } else {
        for (const auto& n : sent->notices) Show(n);
        (void)std::printf("%s you: %s\n", TimeOfDay(SystemNowMs()).c_str(), line.c_str());
        Header(e, to);
      }
    } else {
      auto got = e.Receive();
      if (!got.ok()) {
        Show({client::Notice::Kind::kWarning, "receive failed: " + got.error().message});
        sleep(1);
      } else {
        for (const auto& n : got->notices) Show(n);
        for (const auto& m : got->messages) {
          (void)std::printf("%s %s: %s\n", TimeOfDay(m.at).c_str(), m.sender.c_str(),
                            m.text.c_str());
        }
      }
    }
    (void)std::fflush(stdout);
  }
  return 0;
}

}  // namespace candor::cli
