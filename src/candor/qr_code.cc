#include "qr_code.h"

#include <qrencode.h>

#include <algorithm>
#include <memory>
#include <string>

#include "candor/base/bytes.h"

namespace candor::cli {
namespace {

struct QrFree {
  void operator()(QRcode* q) const {
    const size_t n = static_cast<size_t>(q->width) * static_cast<size_t>(q->width);
    SecureZero(q->data, n);
    QRcode_free(q);
  }
};

}  // namespace

Result<QrMatrix> EncodeQr(std::string_view text) {
  std::string input(text);  // libqrencode wants a NUL-terminated string
  std::unique_ptr<QRcode, QrFree> code(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  SecureZero(input.data(), input.size());
  if (!code) return MakeError(Errc::kInvalidArgument, "the text does not fit in a QR code");
  QrMatrix m;
  m.width = code->width;
  m.dark.resize(static_cast<size_t>(m.width) * static_cast<size_t>(m.width));
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (code->data[i] & 1) != 0;
  return m;
}

std::string RenderQr(const QrMatrix& m) {
  const int side = m.width + 2 * kQrQuietZone;
  // Light (lit) unless inside the code and dark.
  auto lit = [&](int x, int y) {
    x -= kQrQuietZone;
    y -= kQrQuietZone;
    if (x < 0 || y < 0 || x >= m.width || y >= m.width) return true;
    return !m.Dark(x, y);
  };
  std::string out;
  for (int y = 0; y < side; y += 2) {
    for (int x = 0; x < side; ++x) {
      const bool upper = lit(x, y);
      const bool lower = y + 1 < side ? lit(x, y + 1) : false;
      if (upper && lower) {
        out += "\u2588";
      } else if (upper) {
        out += "\u2580";
      } else if (lower) {
        out += "\u2584";
      } else {
        out += ' ';
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace candor::cli
