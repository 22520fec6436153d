// release_rebuild.h: `candor release rebuild-check` (docs/formats/release.md §6). Anyone can
// check that a logged binary comes from the published source: it rebuilds the manifest's commit
// with the manifest's recipe and compares every artifact with the logged SHA-256.
#pragma once

#include <string>

#include "candor/release/manifest.h"

namespace candor::cli {

// kReleaseRecipe is the identity of the recipe this program knows how to run:
// scripts/release-build.sh of the commit being rebuilt.
inline constexpr char kReleaseRecipe[] = "release-build.sh/v1";

struct RebuildOptions {
  std::string source;    // a git repository (path or URL) that holds the commit
  std::string work_dir;  // where to clone and build; default: a new folder under $TMPDIR
  bool keep = false;     // keep work_dir afterwards
  bool as_json = false;
};

// RebuildCheck rebuilds `manifest` (already verified by the caller) and compares. Returns 0 when
// every artifact is identical, kExitNotVerified when one differs or is missing (each named),
// kExitFailed when the clone or the build fails (the build log is named).
int RebuildCheck(const release::ReleaseManifest& manifest, const RebuildOptions& options);

}  // namespace candor::cli
