// mls_message_fuzz: MLSMessage::Decode (every wire format) must never crash; a decoded
// message re-encodes to exactly the input. The same input is also tried as the plaintext of
// a PrivateMessage (PrivateMessageContent, for each content type): on success it re-encodes
// to the input, padding included.
#include "candor/mls/framing.h"
#include "candor/mls/mls_message.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/mls/round_trip.h"

namespace {

using candor::ByteView;
using candor::mls::ContentType;
using candor::mls::PrivateMessageContent;

void CheckPrivateContent(ByteView input, ContentType type) {
  auto content = PrivateMessageContent::Decode(input, type);
  if (!content.ok()) {
    FUZZ_REQUIRE(content.error().code == candor::Errc::kMalformed);
    return;
  }
  FUZZ_REQUIRE(candor::mls::ContentTypeOf(content->content) == type);
  FUZZ_REQUIRE(candor::fuzz::SameBytes(candor::tls::Encode(*content), input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  candor::fuzz::CheckRoundTrip<candor::mls::MLSMessage>(input);
  for (ContentType type : {ContentType::application, ContentType::proposal, ContentType::commit}) {
    CheckPrivateContent(input, type);
  }
  return 0;
}
