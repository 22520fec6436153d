// str_cat.h: joining pieces of text in one allocation.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace candor {

// StrCat returns the pieces joined in order, sized once (a chain of operator+ allocates a
// temporary per step).
inline std::string StrCat(std::initializer_list<std::string_view> pieces) {
  size_t size = 0;
  for (std::string_view p : pieces) size += p.size();
  std::string out;
  out.reserve(size);
  for (std::string_view p : pieces) out.append(p);
  return out;
}

}  // namespace candor
