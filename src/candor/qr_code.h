// qr_code.h: the QR code `candor device link` shows in the terminal, so that a device with a
// camera can read the link code instead of a person typing it. The matrix comes from
// libqrencode; we only draw it, two module rows per text line with Unicode half blocks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "candor/base/result.h"

namespace candor::cli {

// QrMatrix is a QR code's modules, row by row (true: dark).
struct QrMatrix {
  int width = 0;
  std::vector<bool> dark;  // width * width

  bool Dark(int x, int y) const { return dark[static_cast<size_t>(y * width + x)]; }
};

// EncodeQr encodes `text` (error correction level M, the smallest version that fits); the
// library's copy of the modules is wiped before it is freed (the text may be a secret).
// kInvalidArgument if it does not fit in a QR code.
Result<QrMatrix> EncodeQr(std::string_view text);

// kQrQuietZone is the light border around the code, in modules (ISO/IEC 18004 asks for 4).
inline constexpr int kQrQuietZone = 4;

// RenderQr draws `m` inside its quiet zone for a terminal with light text on a dark
// background: a light module is lit (the text colour), a dark one is not. Each line covers two
// module rows: "█" both light, "▀" only the upper, "▄" only the lower, " " neither. Lines end
// with "\n".
std::string RenderQr(const QrMatrix& m);

}  // namespace candor::cli
