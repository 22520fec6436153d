// The terminal QR code of `candor device link`: what RenderQr draws is exactly the matrix
// libqrencode made, inside its quiet zone, and an independent reader (ZBar's zbarimg) decodes
// the drawing back to the text.
#include "src/candor/qr_code.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace candor::cli {
namespace {

constexpr char kLinkUri[] = "CANDOR-LINK:TZ8G-TYY8-1G0S-M10M";

// Lit reads a drawing back: one bool per module of the whole square (quiet zone included),
// true where the glyph lights it. Fails the test on a glyph RenderQr does not use.
std::vector<std::vector<bool>> ReadBack(const std::string& drawing, int side) {
  std::vector<std::vector<bool>> lit(static_cast<size_t>(side),
                                     std::vector<bool>(static_cast<size_t>(side)));
  static const std::array<std::pair<std::string, std::pair<bool, bool>>, 4> kGlyphs = {{
      {"\u2588", {true, true}},
      {"\u2580", {true, false}},
      {"\u2584", {false, true}},
      {" ", {false, false}},
  }};
  size_t at = 0;
  for (int y = 0; y < side; y += 2) {
    for (int x = 0; x < side; ++x) {
      bool matched = false;
      for (const auto& [glyph, halves] : kGlyphs) {
        if (drawing.compare(at, glyph.size(), glyph) == 0) {
          lit[static_cast<size_t>(y)][static_cast<size_t>(x)] = halves.first;
          if (y + 1 < side) lit[static_cast<size_t>(y + 1)][static_cast<size_t>(x)] = halves.second;
          at += glyph.size();
          matched = true;
          break;
        }
      }
      if (!matched) {
        ADD_FAILURE() << "unexpected glyph at byte " << at;
        return lit;
      }
    }
    EXPECT_EQ(drawing[at], '\n') << "line " << y / 2 << " is not " << side << " glyphs";
    ++at;
  }
  EXPECT_EQ(at, drawing.size()) << "more lines than the code has";
  return lit;
}

TEST(QrCodeTest, TheDrawingIsTheMatrixInsideItsQuietZone) {
  auto m = EncodeQr(kLinkUri);
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  ASSERT_GE(m->width, 21);  // version 1 at least
  ASSERT_EQ((m->width - 17) % 4, 0);
  const int side = m->width + 2 * kQrQuietZone;
  const auto lit = ReadBack(RenderQr(*m), side);
  int dark = 0;
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      const int cx = x - kQrQuietZone;
      const int cy = y - kQrQuietZone;
      const bool inside = cx >= 0 && cy >= 0 && cx < m->width && cy < m->width;
      const bool want_lit = !inside || !m->Dark(cx, cy);
      ASSERT_EQ(lit[static_cast<size_t>(y)][static_cast<size_t>(x)], want_lit)
          << "module " << x << "," << y;
      dark += want_lit ? 0 : 1;
    }
  }
  // The top-left finder pattern: a dark 7x7 ring around a light ring around a dark 3x3.
  for (int i = 0; i < 7; ++i) {
    EXPECT_TRUE(m->Dark(i, 0) && m->Dark(0, i) && m->Dark(i, 6) && m->Dark(6, i)) << i;
  }
  EXPECT_FALSE(m->Dark(1, 1));
  EXPECT_TRUE(m->Dark(3, 3));
  EXPECT_GT(dark, m->width * m->width / 4);
}

TEST(QrCodeTest, ZBarReadsTheDrawingBackToTheText) {
  auto m = EncodeQr(kLinkUri);
  ASSERT_TRUE(m.ok());
  const int side = m->width + 2 * kQrQuietZone;
  const auto lit = ReadBack(RenderQr(*m), side);
  // As a camera would see it printed dark on light: a lit module is the background (white).
  constexpr int kScale = 6;
  const std::string file =
      (std::filesystem::temp_directory_path() / "candor_qr_code_test.pgm").string();
  {
    std::ofstream out(file, std::ios::binary);
    out << "P5\n" << side * kScale << " " << side * kScale << "\n255\n";
    for (int y = 0; y < side * kScale; ++y) {
      for (int x = 0; x < side * kScale; ++x) {
        out.put(lit[static_cast<size_t>(y / kScale)][static_cast<size_t>(x / kScale)]
                    ? static_cast<char>(255)
                    : static_cast<char>(0));
      }
    }
  }
  // stdout only: zbarimg also complains on stderr when there is no D-Bus (here, tests).
  FILE* p = popen(("zbarimg --raw -q " + file + " 2>/dev/null").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string read;
  std::array<char, 256> buf{};
  while (fgets(buf.data(), buf.size(), p) != nullptr) read += buf.data();
  const int status = pclose(p);
  std::filesystem::remove(file);
  ASSERT_EQ(status, 0) << "zbarimg (Debian zbar-tools): " << read;
  EXPECT_EQ(read, std::string(kLinkUri) + "\n");
}

TEST(QrCodeTest, TextTooLongForAnyVersionIsRefused) {
  auto m = EncodeQr(std::string(8000, 'x'));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace candor::cli
