// schedule_test_util.h: helpers shared by the MLS schedule vector tests (tests/vectors/mls/,
// see README.md): JSON loading, hex fields, and per-suite "cases run / passed" tallies.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "candor/base/bytes.h"
#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/mls/cipher_suite.h"

namespace candor::mls::testing {

using nlohmann::json;

// LoadVectors parses tests/vectors/mls/<name>; a missing or unparsable file fails the test and
// yields an empty array.
inline json LoadVectors(const std::string& name) {
  const std::string path = std::string(CANDOR_SOURCE_DIR) + "/tests/vectors/mls/" + name;
  auto data = ReadFile(path);
  EXPECT_TRUE(data.ok()) << path;
  if (!data.ok()) return json::array();
  json j = json::parse(AsStringView(*data), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << path;
  return j.is_discarded() ? json::array() : j;
}

// Hex decodes a hex string field; a bad field fails the test and yields empty bytes.
inline Bytes Hex(const json& field) {
  EXPECT_TRUE(field.is_string());
  if (!field.is_string()) return {};
  auto b = HexDecode(field.get<std::string>());
  EXPECT_TRUE(b.ok()) << field;
  return b.ok() ? *b : Bytes{};
}

// Suite looks up the case's cipher_suite; nullptr (and a test failure) if unknown.
inline const CipherSuiteParams* Suite(const json& c) {
  auto cs = GetCipherSuiteParams(c.at("cipher_suite").get<uint16_t>());
  EXPECT_TRUE(cs.ok());
  return cs.ok() ? *cs : nullptr;
}

// Same checks that `got` equals the hex field `want`, reports `what` on a mismatch.
inline bool Same(ByteView got, const json& want, const std::string& what) {
  const Bytes w = Hex(want);
  const bool ok = Bytes(got.begin(), got.end()) == w;
  EXPECT_TRUE(ok) << what << ": got " << HexEncode(got) << " want " << HexEncode(w);
  return ok;
}

// Tally counts cases run and passed per cipher suite and prints them per file.
class Tally {
 public:
  explicit Tally(std::string file) : file_(std::move(file)) {}
  void Add(uint16_t suite, bool passed) {
    auto& [run, ok] = per_suite_[suite];
    ++run;
    if (passed) ++ok;
  }
  size_t run() const {
    size_t n = 0;
    for (const auto& [s, c] : per_suite_) n += c.first;
    return n;
  }
  size_t passed() const {
    size_t n = 0;
    for (const auto& [s, c] : per_suite_) n += c.second;
    return n;
  }
  // Report prints the counts and fails the test on zero cases or any failed case.
  void Report() const {
    for (const auto& [s, c] : per_suite_) {
      std::printf("%s suite %u: cases run %zu / passed %zu\n", file_.c_str(), s, c.first, c.second);
    }
    std::printf("%s total: cases run %zu / passed %zu\n", file_.c_str(), run(), passed());
    EXPECT_GT(run(), 0u) << file_;
    EXPECT_EQ(run(), passed()) << file_;
  }

 private:
  std::string file_;
  std::map<unsigned, std::pair<size_t, size_t>> per_suite_;
};

}  // namespace candor::mls::testing
