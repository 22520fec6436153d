#include "candor/release/manifest.h"

#include <algorithm>
#include <array>

#include "candor/base/encoding.h"
#include "candor/base/file.h"
#include "candor/crypto/sha256.h"

namespace candor::release {
namespace {

bool AllOf(std::string_view s, std::string_view extra, bool upper) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (upper && c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
  });
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool ValidName(std::string_view s) {
  return !s.empty() && s.size() <= 64 && AllOf(s, "._-", false);
}

bool ValidVersion(std::string_view s) {
  return !s.empty() && s.size() <= 64 && AllOf(s, ".+~-", true);
}

bool ValidCommit(std::string_view s) { return (s.size() == 40 || s.size() == 64) && IsLowerHex(s); }

bool ValidRecipe(std::string_view s) {
  return !s.empty() && s.size() <= 128 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c <= '~'; });
}

bool ValidFileName(std::string_view s) {
  return !s.empty() && s.size() <= 128 && s != "." && s != ".." && AllOf(s, "._+~-", true);
}

Error Invalid(const std::string& field) {
  return MakeError(Errc::kInvalidArgument, "release manifest: invalid " + field);
}

Error Malformed(size_t line, const std::string& why) {
  return MakeError(Errc::kMalformed,
                   "release manifest line " + std::to_string(line + 1) + ": " + why);
}

// Field reads "<key> <value>" from `line`.
Result<std::string_view> Field(std::string_view line, std::string_view key, size_t n) {
  if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ' ') {
    return Malformed(n, "expected \"" + std::string(key) + " ...\"");
  }
  return line.substr(key.size() + 1);
}

}  // namespace

Status ReleaseManifest::Check() const {
  if (!ValidName(product)) return Invalid("product");
  if (!ValidVersion(version)) return Invalid("version");
  if (!ValidName(platform)) return Invalid("platform");
  if (!ValidCommit(commit)) return Invalid("commit (40 or 64 lowercase hex digits)");
  if (!ValidRecipe(recipe)) return Invalid("recipe");
  if (artifacts.empty() || artifacts.size() > kMaxArtifacts) return Invalid("artifact count");
  for (size_t i = 0; i < artifacts.size(); ++i) {
    if (!ValidFileName(artifacts[i].name)) return Invalid("artifact name " + artifacts[i].name);
    if (i > 0 && !(artifacts[i - 1].name < artifacts[i].name)) {
      return Invalid("artifact order (strictly ascending by name)");
    }
  }
  return OkStatus();
}

std::string ReleaseManifest::Text() const {
  CANDOR_CHECK(Check().ok());
  std::string out = std::string(kManifestHeader) + "\n";
  out += "product " + product + "\n";
  out += "version " + version + "\n";
  out += "platform " + platform + "\n";
  out += "commit " + commit + "\n";
  out += "recipe " + recipe + "\n";
  for (const Artifact& a : artifacts) {
    out += "artifact " + HexEncode(a.sha256) + " " + a.name + "\n";
  }
  return out;
}

const Artifact* ReleaseManifest::Find(std::string_view name) const {
  for (const Artifact& a : artifacts) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

Result<Hash32> HashFile(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(ReadOnlyFile file, ReadOnlyFile::Open(path));
  crypto::Sha256Hasher hasher;
  std::vector<uint8_t> chunk(1 << 20);
  for (uint64_t offset = 0; offset < file.size();) {
    CANDOR_ASSIGN_OR_RETURN(size_t n, file.ReadAt(offset, chunk));
    if (n == 0) break;
    hasher.Update(ByteView(chunk.data(), n));
    offset += n;
  }
  return hasher.Final();
}

Result<ReleaseManifest> ParseManifest(std::string_view text) {
  if (text.empty() || text.back() != '\n') return Malformed(0, "the text must end in a newline");
  std::vector<std::string_view> lines;
  for (size_t at = 0; at < text.size();) {
    const size_t end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (lines.size() < 7) return Malformed(lines.size(), "too few lines");
  if (lines.size() > 6 + kMaxArtifacts) return Malformed(6 + kMaxArtifacts, "too many artifacts");
  if (lines[0] != kManifestHeader) return Malformed(0, "not a candor.release/v1 manifest");
  ReleaseManifest m;
  const std::array<std::pair<const char*, std::string*>, 5> fields = {{{"product", &m.product},
                                                                       {"version", &m.version},
                                                                       {"platform", &m.platform},
                                                                       {"commit", &m.commit},
                                                                       {"recipe", &m.recipe}}};
  for (size_t i = 0; i < fields.size(); ++i) {
    CANDOR_ASSIGN_OR_RETURN(std::string_view value, Field(lines[i + 1], fields[i].first, i + 1));
    *fields[i].second = std::string(value);
  }
  for (size_t i = 6; i < lines.size(); ++i) {
    CANDOR_ASSIGN_OR_RETURN(std::string_view rest, Field(lines[i], "artifact", i));
    if (rest.size() < 66 || rest[64] != ' ' || !IsLowerHex(rest.substr(0, 64))) {
      return Malformed(i, "expected \"artifact <64 lowercase hex> <name>\"");
    }
    auto digest = HexDecode(rest.substr(0, 64));
    if (!digest.ok() || digest->size() != 32) return Malformed(i, "bad SHA-256");
    Artifact a;
    std::copy(digest->begin(), digest->end(), a.sha256.begin());
    a.name = std::string(rest.substr(65));
    m.artifacts.push_back(std::move(a));
  }
  if (Status st = m.Check(); !st.ok()) {
    return MakeError(Errc::kMalformed, st.error().message);
  }
  return m;
}

Result<std::string> SignManifest(const ReleaseManifest& manifest,
                                 const tlog::NoteSigner& release_key) {
  CANDOR_TRY(manifest.Check());
  tlog::Note note;
  note.text = manifest.Text();
  note.signatures.push_back(
      {release_key.name(), release_key.key_id(), release_key.Sign(note.text)});
  return note.Format();
}

Result<ReleaseManifest> OpenManifest(std::string_view signed_note,
                                     const tlog::NoteVerifier& release_key) {
  const tlog::NoteVerifier* verifiers[] = {&release_key};
  auto opened = tlog::OpenNote(signed_note, verifiers);
  if (!opened.ok()) {
    if (opened.error().code == Errc::kMalformed) return opened.error();
    return MakeError(Errc::kVerifyFailed,
                     "the release manifest is not signed by the release key " + release_key.name());
  }
  return ParseManifest(opened->note.text);
}

}  // namespace candor::release
