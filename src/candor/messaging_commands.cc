// messaging_commands.cc: the messaging commands of `candor`: account, device, contact, verify,
// send, recv, listen, history, group, monitor, alarms, chat. Each opens the device profile
// (--profile, default $XDG_DATA_HOME/candor/default), calls the client Engine and prints.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/client/engine.h"
#include "candor/client/link_uri.h"
#include "candor/net/worker_pool.h"
#include "chat.h"
#include "commands.h"
#include "qr_code.h"

namespace candor::cli {
namespace {

using client::Engine;
using Json = nlohmann::json;

std::string DefaultProfile() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/candor/default";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.local/share/candor/default";
}

std::string Time(uint64_t ms) {
  const auto t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  (void)std::strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
  return buf;
}

const char* KindWord(client::Notice::Kind k) {
  switch (k) {
    case client::Notice::Kind::kInfo:
      return "note";
    case client::Notice::Kind::kWarning:
      return "warning";
    case client::Notice::Kind::kAlarm:
      return "ALARM";
  }
  return "note";
}

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

class MessagingCommands final : public CommandGroup {
 public:
  void Add(CLI::App& app) override {
    app.add_option("--profile", profile_, "device profile folder")->default_val(DefaultProfile());
    app.add_option("--passphrase-file", passphrase_file_,
                   "file holding the profile's passphrase (or set CANDOR_PASSPHRASE)");
    app.add_flag("--json", json_, "print JSON where a script would read the answer");
    app.add_option("--late-epochs", late_epochs_,
                   "past epochs whose keys a conversation keeps for late messages (0: none)")
        ->default_val(2)
        ->check(CLI::Range(0, 16));

    auto* account = app.add_subcommand("account", "this account");
    account->require_subcommand(1);
    create_ = account->add_subcommand("create", "create an account and this device's keys");
    create_->add_option("handle", handle_, "the account's handle")->required();
    create_->add_option("--device", device_, "this device's name")->default_val("phone");
    create_->add_option("--trust", trust_file_, "the trust file of the server")->required();
    create_->add_flag("--unsealed", unsealed_,
                      "keep secrets unsealed (no passphrase; for tests and demos)");

    auto* device = app.add_subcommand("device", "this account's devices");
    device->require_subcommand(1);
    devices_ = device->add_subcommand("list", "list this account's devices");
    link_ = device->add_subcommand(
        "link", "show a one-time code to link a new device, then link it (account-key device)");
    link_->add_option("--wait", wait_seconds_, "seconds to wait for the new device")
        ->default_val(300);
    link_->add_flag("--no-qr", no_qr_, "show the code as text only, without its QR code");
    link_->add_flag("--no-history", no_history_,
                    "do not hand this device's message history to the new device");
    join_ = device->add_subcommand("join", "make this profile a new device of an account");
    join_->add_option("--code", code_, "the code the existing device shows")->required();
    join_->add_option("--device", device_, "this device's name")->required();
    join_->add_option("--trust", trust_file_, "the trust file of the server")->required();
    join_->add_option("--wait", wait_seconds_, "seconds to wait for the existing device")
        ->default_val(300);
    join_->add_flag("--unsealed", unsealed_, "keep secrets unsealed (for tests and demos)");
    device_remove_ =
        device->add_subcommand("remove", "remove a device from the account and every conversation");
    device_remove_->add_option("name", device_)->required();

    auto* contact = app.add_subcommand("contact", "contacts");
    contact->require_subcommand(1);
    contact_add_ = contact->add_subcommand("add", "look a contact up (verified) and remember it");
    contact_add_->add_option("handle", handle_)->required();
    contact_list_ = contact->add_subcommand("list", "list contacts");

    verify_ = app.add_subcommand("verify", "show the safety number shared with a contact");
    verify_->add_option("handle", handle_)->required();
    verify_->add_flag("--confirm", confirm_, "record that you compared it out of band");

    send_ = app.add_subcommand("send", "send a message to a contact or a group");
    send_->add_option("to", to_, "a contact's handle or a group's name")->required();
    send_->add_option("text", words_, "the message")->required();

    recv_ = app.add_subcommand("recv", "fetch, print and acknowledge new messages");
    listen_ = app.add_subcommand("listen", "print messages as they arrive (Ctrl-C stops)");
    history_ = app.add_subcommand("history", "show a conversation's messages");
    history_->add_option("conversation", to_)->required();

    auto* group = app.add_subcommand("group", "group conversations");
    group->require_subcommand(1);
    group_create_ = group->add_subcommand("create", "create a group with these accounts");
    group_create_->add_option("name", name_)->required();
    group_create_->add_option("handles", handles_)->required();
    group_add_ = group->add_subcommand("add", "add accounts (all their devices) to a group");
    group_add_->add_option("name", name_)->required();
    group_add_->add_option("handles", handles_)->required();
    group_remove_ = group->add_subcommand("remove", "remove accounts from a group");
    group_remove_->add_option("name", name_)->required();
    group_remove_->add_option("handles", handles_)->required();
    group_leave_ = group->add_subcommand(
        "leave", "leave a group (its members remove all your devices; your history stays)");
    group_leave_->add_option("name", name_)->required();
    group_rejoin_ = group->add_subcommand(
        "rejoin", "join a conversation again after this device lost its state there");
    group_rejoin_->add_option("name", name_)->required();
    group_list_ = group->add_subcommand("list", "list conversations");
    group_members_ = group->add_subcommand("members", "list a conversation's members");
    group_members_->add_option("name", name_)->required();

    monitor_ = app.add_subcommand(
        "monitor", "check this account's directory entry and every contact's (alarms if changed)");
    alarms_ = app.add_subcommand("alarms", "list the security alarms recorded in this profile");
    chat_ = app.add_subcommand("chat", "an interactive chat with a contact or a group");
    chat_->add_option("to", to_)->required();
  }

  std::optional<int> RunIfChosen() override {
    for (CLI::App* c :
         {create_,        devices_,   link_,         join_,        device_remove_, contact_add_,
          contact_list_,  verify_,    send_,         recv_,        listen_,        history_,
          group_create_,  group_add_, group_remove_, group_leave_, group_rejoin_,  group_list_,
          group_members_, monitor_,   alarms_,       chat_}) {
      if (*c) return Run(c);
    }
    return std::nullopt;
  }

 private:
  // Passphrase reads the profile's passphrase from --passphrase-file (without its final line
  // break) or CANDOR_PASSPHRASE into one wiped buffer; nullptr if neither is given.
  Result<std::shared_ptr<const SecretBytes>> Passphrase() const {
    if (!passphrase_file_.empty()) {
      CANDOR_ASSIGN_OR_RETURN(SecretBytes raw, ReadSecretFile(passphrase_file_, 4096));
      ByteView text = raw.view();
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text = text.first(text.size() - 1);
      }
      return std::make_shared<const SecretBytes>(text);
    }
    const char* env = std::getenv("CANDOR_PASSPHRASE");
    if (env != nullptr && *env != '\0') return std::make_shared<const SecretBytes>(AsBytes(env));
    return std::shared_ptr<const SecretBytes>();
  }

  int Report(const Error& e) const {
    return e.code == Errc::kVerifyFailed ? (Fail(e.message), kExitNotVerified) : Fail(e.message);
  }

  void PrintNotices(const std::vector<client::Notice>& notices) const {
    for (const auto& n : notices) {
      (void)std::fprintf(stderr, "%s: %s\n", KindWord(n.kind), n.text.c_str());
    }
  }

  void PrintMessage(const client::StoredMessage& m) const {
    if (json_) {
      Json j = {{"conversation", m.group},
                {"from", m.sender},
                {"at", m.at},
                {"text", m.text},
                {"outgoing", m.outgoing}};
      (void)std::printf("%s\n", j.dump().c_str());
    } else {
      (void)std::printf("[%s] %s %s: %s\n", Time(m.at).c_str(), m.group.c_str(), m.sender.c_str(),
                        m.text.c_str());
    }
    (void)std::fflush(stdout);
  }

  void PrintGroup(const client::GroupSummary& g) const {
    if (json_) {
      Json j = {{"name", g.name},
                {"peer", g.peer},
                {"epoch", g.epoch},
                {"members", g.members},
                {"group_id", Base64Encode(g.group_id)}};
      (void)std::printf("%s\n", j.dump().c_str());
      return;
    }
    (void)std::printf("%s (epoch %llu): ", g.name.c_str(),
                      static_cast<unsigned long long>(g.epoch));
    for (size_t i = 0; i < g.members.size(); ++i) {
      (void)std::printf("%s%s", i ? ", " : "", g.members[i].c_str());
    }
    (void)std::printf("\n");
  }

  int Run(CLI::App* chosen) {
    auto passphrase = Passphrase();
    if (!passphrase.ok()) return Fail(passphrase.error().message);
    // Heavy crypto (VRF proofs, large groups) gets two threads when the system has them.
    auto pool = net::WorkerPool::Create(2);
    const Engine::Options options{profile_, std::move(*passphrase),
                                  pool.ok() ? pool->get() : nullptr, SystemClock(), late_epochs_};
    if (chosen == create_ || chosen == join_) {
      if (!unsealed_ && !options.passphrase) {
        return Fail(
            "a new profile needs a passphrase (--passphrase-file or CANDOR_PASSPHRASE), "
            "or --unsealed for a test profile");
      }
      auto trust_raw = ReadFile(trust_file_);
      if (!trust_raw.ok()) return Fail(trust_raw.error().message);
      auto trust = client::ParseClientTrust(AsStringView(*trust_raw));
      if (!trust.ok()) return Fail(trust.error().message);
      Engine::Options create_options = options;
      if (unsealed_) create_options.passphrase.reset();
      std::vector<client::Notice> join_notices;
      auto engine = chosen == create_
                        ? Engine::CreateAccount(create_options, *trust, handle_, device_)
                        : Engine::JoinByLink(create_options, *trust, code_, device_,
                                             std::chrono::seconds(wait_seconds_), &join_notices);
      if (!engine.ok()) return Report(engine.error());
      PrintNotices(join_notices);
      handle_ = (*engine)->handle();
      if (unsealed_) {
        (void)std::fprintf(stderr,
                           "warning: this profile is UNSEALED: its keys are stored in the clear "
                           "in %s\n",
                           profile_.c_str());
      }
      if (json_) {
        (void)std::printf("%s\n", Json({{"handle", handle_}, {"device", device_}}).dump().c_str());
      } else {
        (void)std::printf(chosen == create_
                              ? "account %s created with device %s; its device list is "
                                "published in the key directory and verified\n"
                              : "this profile is now account %s, device %s; the device list "
                                "holding it is verified against the key directory\n",
                          handle_.c_str(), device_.c_str());
      }
      return 0;
    }
    auto engine = Engine::Open(options);
    if (!engine.ok()) return Report(engine.error());
    Engine& e = **engine;
    if (chosen == devices_) {
      auto d = e.Devices();
      if (!d.ok()) return Report(d.error());
      for (const std::string& id : *d) {
        (void)std::printf("%s%s\n", id.c_str(), id == e.device_id() ? " (this device)" : "");
      }
      return 0;
    }
    if (chosen == link_) {
      auto code = e.StartLink();
      if (!code.ok()) return Report(code.error());
      if (json_) {
        (void)std::printf("%s\n", Json({{"code", *code}}).dump().c_str());
      } else {
        (void)std::printf(
            "link code: %s\non the new device run: candor device join --code %s --device NAME "
            "--trust TRUST_FILE\n",
            code->c_str(), code->c_str());
        if (!no_qr_) {
          auto qr = cli::EncodeQr(client::kLinkUriPrefix + *code);
          if (!qr.ok()) return Report(qr.error());
          (void)std::printf("or scan it (%s%s):\n%s", client::kLinkUriPrefix, code->c_str(),
                            cli::RenderQr(*qr).c_str());
        }
        (void)std::printf("waiting up to %d s...\n", wait_seconds_);
      }
      (void)std::fflush(stdout);
      std::vector<client::Notice> notices;
      auto name = e.FinishLink(*code, std::chrono::seconds(wait_seconds_), &notices, !no_history_);
      if (!name.ok()) return Report(name.error());
      PrintNotices(notices);
      if (json_) {
        (void)std::printf("%s\n", Json({{"linked", *name}}).dump().c_str());
      } else {
        (void)std::printf("device %s linked\n", name->c_str());
      }
      return 0;
    }
    if (chosen == device_remove_) {
      auto notices = e.RemoveDevice(device_);
      if (!notices.ok()) return Report(notices.error());
      PrintNotices(*notices);
      return 0;
    }
    if (chosen == contact_add_) {
      auto c = e.AddContact(handle_);
      if (!c.ok()) return Report(c.error());
      if (json_) {
        (void)std::printf("%s\n",
                          Json({{"handle", c->handle}, {"devices", c->devices}}).dump().c_str());
      } else {
        (void)std::printf("%s: %zu device(s), verified against the witnessed key directory\n",
                          c->handle.c_str(), c->devices.size());
      }
      return 0;
    }
    if (chosen == contact_list_) {
      auto list = e.Contacts();
      if (!list.ok()) return Report(list.error());
      for (const auto& c : *list) {
        (void)std::printf("%s (%zu devices%s)\n", c.handle.c_str(), c.devices.size(),
                          c.user_verified ? ", safety number compared" : "");
      }
      return 0;
    }
    if (chosen == verify_) {
      auto number = e.SafetyNumber(handle_);
      if (!number.ok()) return Report(number.error());
      if (confirm_) {
        auto st = e.MarkVerified(handle_);
        if (!st.ok()) return Report(st.error());
      }
      if (json_) {
        (void)std::printf("%s\n",
                          Json({{"handle", handle_}, {"safety_number", *number}}).dump().c_str());
      } else {
        (void)std::printf(
            "safety number with %s:\n  %s\ncompare it with %s in person or over a "
            "channel you trust%s\n",
            handle_.c_str(), number->c_str(), handle_.c_str(),
            confirm_ ? " (recorded as compared)" : "");
      }
      return 0;
    }
    if (chosen == send_) {
      std::string text;
      for (const std::string& w : words_) text += (text.empty() ? "" : " ") + w;
      auto sent = e.Send(to_, text);
      if (!sent.ok()) return Report(sent.error());
      PrintNotices(sent->notices);
      if (json_) {
        (void)std::printf("%s\n", Json({{"to", to_}, {"queued", sent->queued}}).dump().c_str());
      } else {
        (void)std::printf(sent->queued > 0
                              ? "queued for %s: the server did not confirm it yet; it goes out "
                                "with the next command\n"
                              : "sent to %s\n",
                          to_.c_str());
      }
      return 0;
    }
    if (chosen == recv_) {
      auto report = e.Receive();
      if (!report.ok()) return Report(report.error());
      PrintNotices(report->notices);
      for (const auto& m : report->messages) PrintMessage(m);
      if (!json_ && report->messages.empty()) (void)std::printf("no new messages\n");
      return 0;
    }
    if (chosen == listen_) {
      (void)std::signal(SIGINT, OnSignal);
      (void)std::signal(SIGTERM, OnSignal);
      auto st = e.Listen([this](const client::StoredMessage& m) { PrintMessage(m); },
                         [this](const client::Notice& n) { PrintNotices({n}); },
                         [] { return g_stop != 0; });
      if (!st.ok()) return Report(st.error());
      return 0;
    }
    if (chosen == history_) {
      auto list = e.History(to_);
      if (!list.ok()) return Report(list.error());
      for (const auto& m : *list) PrintMessage(m);
      return 0;
    }
    if (chosen == group_create_ || chosen == group_add_ || chosen == group_remove_) {
      auto g = chosen == group_create_ ? e.CreateGroup(name_, handles_)
               : chosen == group_add_  ? e.AddToGroup(name_, handles_)
                                       : e.RemoveFromGroup(name_, handles_);
      if (!g.ok()) return Report(g.error());
      PrintGroup(*g);
      return 0;
    }
    if (chosen == group_leave_) {
      auto left = e.LeaveGroup(name_);
      if (!left.ok()) return Report(left.error());
      if (json_) {
        (void)std::printf("%s\n", Json({{"left", left->name}}).dump().c_str());
      } else {
        (void)std::printf("you left %s; its members remove your devices when they next act\n",
                          left->name.c_str());
      }
      return 0;
    }
    if (chosen == group_rejoin_) {
      auto rejoined = e.Rejoin(name_);
      if (!rejoined.ok()) return Report(rejoined.error());
      PrintGroup(*rejoined);
      return 0;
    }
    if (chosen == group_list_ || chosen == group_members_) {
      auto groups = e.Groups();
      if (!groups.ok()) return Report(groups.error());
      bool found = false;
      for (const auto& g : *groups) {
        if (chosen == group_members_ && g.name != name_ && g.peer != name_) continue;
        found = true;
        PrintGroup(g);
      }
      if (chosen == group_members_ && !found) return Fail("no conversation " + name_);
      return 0;
    }
    if (chosen == monitor_) {
      auto report = e.Monitor();
      if (!report.ok()) return Report(report.error());
      PrintNotices(report->notices);
      bool alarm = false;
      for (const auto& n : report->notices) alarm |= n.kind == client::Notice::Kind::kAlarm;
      if (!json_) {
        (void)std::printf(alarm ? "security alarm: see above (kept in `candor alarms`)\n"
                                : "your directory entry and your contacts' verify\n");
      }
      return alarm ? kExitNotVerified : 0;
    }
    if (chosen == alarms_) {
      auto list = e.Alarms();
      if (!list.ok()) return Report(list.error());
      for (const auto& n : *list) (void)std::printf("ALARM: %s\n", n.text.c_str());
      if (list->empty()) (void)std::printf("no alarms\n");
      return 0;
    }
    if (chosen == chat_) return RunChat(e, to_);
    return Fail("unknown command");
  }

  std::string profile_;
  std::string passphrase_file_;
  uint32_t late_epochs_ = 2;
  bool no_history_ = false;
  bool no_qr_ = false;
  bool json_ = false;
  std::string handle_, device_, trust_file_, to_, name_;
  std::vector<std::string> words_, handles_;
  std::string code_;
  int wait_seconds_ = 300;
  bool unsealed_ = false;
  bool confirm_ = false;
  CLI::App *create_ = nullptr, *devices_ = nullptr, *contact_add_ = nullptr,
           *contact_list_ = nullptr, *verify_ = nullptr, *send_ = nullptr, *recv_ = nullptr,
           *listen_ = nullptr, *history_ = nullptr, *group_create_ = nullptr, *group_add_ = nullptr,
           *group_remove_ = nullptr, *group_list_ = nullptr, *group_members_ = nullptr,
           *monitor_ = nullptr, *alarms_ = nullptr, *chat_ = nullptr, *link_ = nullptr,
           *join_ = nullptr, *device_remove_ = nullptr, *group_leave_ = nullptr,
           *group_rejoin_ = nullptr;
};

}  // namespace

std::unique_ptr<CommandGroup> MakeMessagingCommands() {
  return std::make_unique<MessagingCommands>();
}

}  // namespace candor::cli
