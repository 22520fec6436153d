// link_mailbox.h: the link rendezvous at the server (docs/formats/messaging-api.md §2.1): slots
// written once by one device and read by the other, which the server cannot read.
#pragma once

#include <chrono>
#include <string>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/client/trust.h"
#include "link_code.h"

namespace candor::client {

// PutSlot writes `body` (a sealed box) into slot `slot` of the rendezvous of `link`.
Status PutSlot(const ClientTrust& trust, const LinkKeys& link, const std::string& slot,
               ByteView body);
// WaitSlot reads slot `slot`, polling until it is written; kUnavailable after `wait`.
Result<Bytes> WaitSlot(const ClientTrust& trust, const LinkKeys& link, const std::string& slot,
                       std::chrono::seconds wait);

}  // namespace candor::client
