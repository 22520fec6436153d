// checkpoint.h: C2SP tlog-checkpoint note text: origin, tree size, root hash, extension lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor::tlog {

// Checkpoint is the body of a checkpoint note.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash32 root{};
  std::vector<std::string> extensions;  // opaque non-empty lines

  // Text renders the note text ("<origin>\n<size>\n<base64 root>\n" + extension lines).
  std::string Text() const;
  bool operator==(const Checkpoint&) const = default;
};

// ParseCheckpoint parses a checkpoint note text strictly: non-empty origin, canonical decimal
// size, base64 of exactly 32 bytes, non-empty extension lines, final newline. kMalformed
// otherwise, naming the line.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// ParseDecimalU64 parses a canonical ASCII decimal (no sign, no leading zeros unless "0", fits
// in 64 bits); kMalformed otherwise.
Result<uint64_t> ParseDecimalU64(std::string_view s);

}  // namespace candor::tlog
