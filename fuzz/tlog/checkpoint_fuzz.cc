// checkpoint_fuzz: ParseCheckpoint accepts a checkpoint body only if Text() gives back the exact
// input (canonical size, canonical base64 root, non-empty lines). ParseDecimalU64 accepts only
// canonical decimals. If the input is a whole signed note, its text is checked the same way.
#include <string>

#include "candor/tlog/checkpoint.h"
#include "candor/tlog/note.h"
#include "fuzz/fuzz_target.h"

namespace {

using candor::Errc;

void CheckCheckpoint(std::string_view text) {
  auto cp = candor::tlog::ParseCheckpoint(text);
  if (!cp.ok()) {
    FUZZ_REQUIRE(cp.error().code == Errc::kMalformed);
    return;
  }
  FUZZ_REQUIRE(cp->Text() == text);
  FUZZ_REQUIRE(!cp->origin.empty() && cp->origin.find('\n') == std::string::npos);
  for (const std::string& ext : cp->extensions) {
    FUZZ_REQUIRE(!ext.empty() && ext.find('\n') == std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = candor::fuzz::AsText(data, size);
  CheckCheckpoint(text);

  auto note = candor::tlog::ParseNote(text);
  if (note.ok()) CheckCheckpoint(note->text);

  auto n = candor::tlog::ParseDecimalU64(text);
  if (n.ok()) {
    FUZZ_REQUIRE(std::to_string(*n) == text);
  } else {
    FUZZ_REQUIRE(n.error().code == Errc::kMalformed);
  }
  return 0;
}
