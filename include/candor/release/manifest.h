// manifest.h: the release manifest (docs/formats/release.md §1): what one build of one product
// for one platform is, artifact by artifact, and where it comes from. Its text is the body of a
// C2SP signed note that the release key signs; that signed note, byte for byte, is the entry of
// the release log.
//
//   candor.release/v1
//   product candor
//   version 0.19.0
//   platform debian12-amd64
//   commit <40 or 64 lowercase hex>
//   recipe <printable token: the build recipe's identity>
//   artifact <64 lowercase hex SHA-256> <file name>     one line per artifact, sorted by name
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "candor/base/bytes.h"
#include "candor/base/result.h"
#include "candor/tlog/note.h"

namespace candor::release {

inline constexpr char kManifestHeader[] = "candor.release/v1";
inline constexpr size_t kMaxArtifacts = 64;

struct Artifact {
  std::string name;  // a file name: 1-128 of A-Z a-z 0-9 . _ + ~ -, not "." or ".."
  Hash32 sha256{};
  bool operator==(const Artifact&) const = default;
};

struct ReleaseManifest {
  std::string product;              // 1-64 of a-z 0-9 . _ -
  std::string version;              // 1-64 of A-Z a-z 0-9 . + ~ - (Debian version characters)
  std::string platform;             // 1-64 of a-z 0-9 . _ -
  std::string commit;               // the source commit: 40 or 64 lowercase hex digits
  std::string recipe;               // 1-128 printable ASCII characters, no space
  std::vector<Artifact> artifacts;  // 1 to kMaxArtifacts, strictly ascending by name

  // Text renders the manifest (the note text, ending in a newline). The manifest must pass
  // Check (CANDOR_CHECK).
  std::string Text() const;
  // Check validates every field as described; kInvalidArgument names the field.
  Status Check() const;
  // Find returns the artifact named `name`, or nullptr.
  const Artifact* Find(std::string_view name) const;
  bool operator==(const ReleaseManifest&) const = default;
};

// HashFile returns the SHA-256 of the file at `path`, read in chunks. kNotFound,
// kInvalidArgument (not a regular file) or kUnavailable as ReadOnlyFile::Open and ReadAt.
Result<Hash32> HashFile(const std::string& path);

// ParseManifest reads a manifest text strictly: the lines above in that order, each field
// valid, a final newline, nothing else (the text must be exactly what Text() renders).
// kMalformed names the line.
Result<ReleaseManifest> ParseManifest(std::string_view text);

// SignManifest renders `manifest` as a signed note, signed by `release_key` (an Ed25519 note
// key). kInvalidArgument if the manifest does not pass Check.
Result<std::string> SignManifest(const ReleaseManifest& manifest,
                                 const tlog::NoteSigner& release_key);

// OpenManifest verifies a signed manifest note with the release key and parses its text.
// kVerifyFailed if the release key's signature is absent or does not verify; kMalformed for a
// note or text that does not parse.
Result<ReleaseManifest> OpenManifest(std::string_view signed_note,
                                     const tlog::NoteVerifier& release_key);

}  // namespace candor::release
