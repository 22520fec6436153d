// chat.h: `candor chat`, an interactive line-based chat in the terminal.
#pragma once

#include <string>

#include "candor/client/engine.h"

namespace candor::cli {

// RunChat shows the conversation's members and any security notice, then prints incoming
// messages as they arrive while the user types lines to send; "/quit" or end of input ends it.
int RunChat(client::Engine& engine, const std::string& to);

}  // namespace candor::cli
