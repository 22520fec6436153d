// json_body_fuzz: the request bodies of the messaging API (server/json_util.h) are parsed
// strictly: any bytes give an object whose members are all known, or a typed error, never a
// crash; every field reader answers a value within its bounds or an error.
#include "fuzz/fuzz_target.h"
#include "src/server/json_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using candor::server::Json;
  auto body = candor::server::ParseObject(candor::fuzz::AsText(data, size),
                                          {"handle", "device_id", "message", "up_to", "welcome"});
  if (!body.ok()) {
    FUZZ_REQUIRE(body.error().code == candor::Errc::kMalformed);
    return 0;
  }
  for (const auto& [name, value] : body->items()) {
    FUZZ_REQUIRE(name == "handle" || name == "device_id" || name == "message" || name == "up_to" ||
                 name == "welcome");
  }
  auto handle = candor::server::StringField(*body, "handle", 64);
  if (handle.ok()) FUZZ_REQUIRE(handle->size() <= 64);
  auto message = candor::server::Base64Field(*body, "message", 1024);
  if (message.ok()) FUZZ_REQUIRE(message->size() <= 1024);
  auto welcome = candor::server::OptionalBase64Field(*body, "welcome", 16);
  if (welcome.ok() && welcome->has_value()) FUZZ_REQUIRE((*welcome)->size() <= 16);
  (void)candor::server::UintField(*body, "up_to");
  return 0;
}
