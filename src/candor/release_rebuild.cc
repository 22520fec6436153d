#include "release_rebuild.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "candor/base/encoding.h"
#include "commands.h"
#include "release_policy.h"
#include "subprocess.h"

namespace candor::cli {
namespace {

using nlohmann::json;

// MakeWorkDir returns options.work_dir (created) or a new temporary folder.
Result<std::string> MakeWorkDir(const RebuildOptions& o) {
  if (!o.work_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.work_dir, ec);
    if (ec) return MakeError(Errc::kUnavailable, o.work_dir + ": " + ec.message());
    return std::filesystem::absolute(o.work_dir).string();
  }
  std::string pattern = std::filesystem::temp_directory_path().string() + "/candor-rebuild.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return MakeError(Errc::kUnavailable, "cannot make a temporary folder");
  }
  return pattern;
}

// Run runs one step and turns a non-zero exit into an error that names the log.
Status Run(const std::vector<std::string>& argv, const std::string& cwd, const std::string& log,
           const std::string& what) {
  CANDOR_ASSIGN_OR_RETURN(int status, RunProcess(argv, cwd, log));
  if (status != 0) {
    return MakeError(Errc::kUnavailable,
                     what + " failed (exit " + std::to_string(status) + "); see " + log);
  }
  return OkStatus();
}

}  // namespace

int RebuildCheck(const release::ReleaseManifest& m, const RebuildOptions& o) {
  if (m.recipe != kReleaseRecipe) {
    return NotVerified("the release was built with recipe " + m.recipe +
                       "; this program rebuilds " + kReleaseRecipe + " only");
  }
  auto work = MakeWorkDir(o);
  if (!work.ok()) return Fail(work.error().ToString());
  const std::string src = *work + "/src";
  const std::string out = *work + "/out";
  const std::string log = *work + "/build.log";
  Status built = Run({"git", "clone", "--quiet", "--no-checkout", o.source, src}, *work, log,
                     "git clone of " + o.source);
  if (built.ok()) {
    built = Run({"git", "checkout", "--quiet", "--detach", m.commit}, src, log,
                "git checkout of " + m.commit);
  }
  if (built.ok()) {
    built = Run({"bash", "scripts/release-build.sh", out}, src, log, "the release recipe");
  }
  if (!built.ok()) return Fail(built.error().message);

  json artifacts = json::array();
  std::vector<std::string> differ;
  for (const release::Artifact& a : m.artifacts) {
    auto rebuilt = release::HashFile(out + "/dist/" + a.name);
    const std::string logged = HexEncode(a.sha256);
    const std::string got = rebuilt.ok() ? HexEncode(*rebuilt) : "";
    const bool same = rebuilt.ok() && *rebuilt == a.sha256;
    artifacts.push_back({{"name", a.name}, {"logged", logged}, {"rebuilt", got}, {"same", same}});
    if (!same) {
      std::string why = a.name;
      if (rebuilt.ok()) {
        why += ": logged ";
        why += logged;
        why += ", rebuilt ";
        why += got;
      } else {
        why += ": the recipe did not make it";
      }
      differ.push_back(std::move(why));
    }
  }
  if (!o.keep) {
    std::error_code ec;
    std::filesystem::remove_all(*work, ec);
  }
  if (o.as_json) {
    (void)std::printf("%s\n", json({{"commit", m.commit},
                                    {"recipe", m.recipe},
                                    {"artifacts", artifacts},
                                    {"identical", differ.empty()}})
                                  .dump()
                                  .c_str());
  } else {
    for (const json& a : artifacts) {
      (void)std::printf("%s %s\n", a["same"].get<bool>() ? "identical" : "DIFFERS  ",
                        a["name"].get<std::string>().c_str());
    }
  }
  if (!differ.empty()) {
    std::string why;
    for (const std::string& d : differ) why += (why.empty() ? "" : "; ") + d;
    return NotVerified("rebuilding " + m.product + " " + m.version + " (commit " + m.commit +
                       ") does not give the logged files: " + why);
  }
  if (!o.as_json) {
    (void)std::printf(
        "rebuilt %s %s for %s from commit %s: all %zu artifacts are identical to "
        "the logged ones\n",
        m.product.c_str(), m.version.c_str(), m.platform.c_str(), m.commit.c_str(),
        m.artifacts.size());
  }
  return 0;
}

}  // namespace candor::cli
