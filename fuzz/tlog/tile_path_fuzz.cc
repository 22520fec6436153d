// tile_path_fuzz: ParseTilePath accepts a path only if TilePath() gives back the exact input,
// and every TileId (built from the input bytes) survives TilePath -> ParseTilePath.
#include <string>

#include "candor/tlog/tile.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using candor::tlog::TileId;
  const std::string_view path = candor::fuzz::AsText(data, size);

  auto id = candor::tlog::ParseTilePath(path);
  if (id.ok()) {
    FUZZ_REQUIRE(candor::tlog::TilePath(*id) == path);
    FUZZ_REQUIRE(id->width >= 1 && id->width <= candor::tlog::kTileWidth);
    FUZZ_REQUIRE(id->level <= candor::tlog::kMaxTileLevel);
    FUZZ_REQUIRE(!id->entries || id->level == 0);
  } else {
    FUZZ_REQUIRE(id.error().code == candor::Errc::kMalformed);
  }

  // The other direction, for the TileId spelled by the first 11 input bytes.
  if (size >= 11) {
    TileId want;
    want.entries = (data[0] & 1) != 0;
    want.level =
        want.entries ? 0 : static_cast<uint8_t>(data[1] % (candor::tlog::kMaxTileLevel + 1));
    want.index = 0;
    for (size_t i = 2; i < 10; ++i) want.index = (want.index << 8) | data[i];
    want.width = uint32_t{data[10]} + 1;
    const std::string spelled = candor::tlog::TilePath(want);
    auto back = candor::tlog::ParseTilePath(spelled);
    FUZZ_REQUIRE(back.ok() && *back == want);
  }
  return 0;
}
