#include "candor/base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>

namespace candor {
namespace {

Error IoError(const std::string& what, const std::string& path) {
  return MakeError(Errc::kUnavailable, what + " " + path + ": " + strerror(errno));
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status FsyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open dir", dir);
  int rc = fsync(fd);
  close(fd);
  if (rc != 0) return IoError("fsync dir", dir);
  return OkStatus();
}

Status WriteAll(int fd, ByteView data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path);
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

std::string TempPath(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter.fetch_add(1));
}

// WriteSyncedTemp writes `data` to a new temporary file next to `path`, fsyncs it, and returns
// the temporary path.
Result<std::string> WriteSyncedTemp(const std::string& path, ByteView data, unsigned mode) {
  CANDOR_TRY(MakeDirs(Parent(path)));
  const std::string tmp = TempPath(path);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return IoError("create", tmp);
  Status st = WriteAll(fd, data, tmp);
  if (st.ok() && fsync(fd) != 0) st = IoError("fsync", tmp);
  close(fd);
  if (!st.ok()) {
    unlink(tmp.c_str());
    return std::move(st).error();
  }
  return tmp;
}

Status RenameOver(const std::string& tmp, const std::string& path) {
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = IoError("rename", path);
    unlink(tmp.c_str());
    return e;
  }
  return OkStatus();
}

// OpenForReading opens `path` read-only; a missing file is kNotFound.
Result<int> OpenForReading(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return fd;
  if (errno == ENOENT || errno == ENOTDIR) {
    return MakeError(Errc::kNotFound, "no such file: " + path);
  }
  return IoError("open", path);
}

// ReadSome reads up to `len` bytes into `out`, retrying after a signal; 0 at the end.
Result<size_t> ReadSome(int fd, uint8_t* out, size_t len, const std::string& path) {
  for (;;) {
    const ssize_t n = read(fd, out, len);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return IoError("read", path);
  }
}

}  // namespace

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

Status MakeDirs(const std::string& dir) {
  if (dir.empty() || FileExists(dir)) return OkStatus();
  std::string parent = Parent(dir);
  if (parent != dir) CANDOR_TRY(MakeDirs(parent));
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return IoError("mkdir", dir);
  return FsyncDir(parent);
}

Result<Bytes> ReadFile(const std::string& path, size_t max_len) {
  CANDOR_ASSIGN_OR_RETURN(const int fd, OpenForReading(path));
  Bytes out;
  uint8_t buf[65536];
  for (;;) {
    auto n = ReadSome(fd, buf, sizeof(buf), path);
    if (!n.ok()) {
      close(fd);
      return std::move(n).error();
    }
    if (*n == 0) break;
    if (out.size() + *n > max_len) {
      close(fd);
      return MakeError(Errc::kInvalidArgument, "file too large: " + path);
    }
    out.insert(out.end(), buf, buf + *n);
  }
  close(fd);
  return out;
}

Result<SecretBytes> ReadSecretFile(const std::string& path, size_t max_len) {
  CANDOR_ASSIGN_OR_RETURN(const int fd, OpenForReading(path));
  // One buffer, one byte larger than allowed so that a larger file is noticed; never resized.
  SecretBytes buffer(max_len + 1);
  size_t got = 0;
  while (got < buffer.size()) {
    auto n = ReadSome(fd, buffer.data() + got, buffer.size() - got, path);
    if (!n.ok()) {
      close(fd);
      return std::move(n).error();
    }
    if (*n == 0) break;
    got += *n;
  }
  close(fd);
  if (got > max_len) return MakeError(Errc::kInvalidArgument, "file too large: " + path);
  return SecretBytes(buffer.view().first(got));
}

Result<SecretBytes> ReadTokenFile(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(SecretBytes file, ReadSecretFile(path));
  size_t n = file.size();
  while (n > 0 && (file.data()[n - 1] == '\n' || file.data()[n - 1] == '\r')) --n;
  if (n == 0) return MakeError(Errc::kInvalidArgument, path + " holds no token");
  SecretBytes token(n);
  std::copy(file.data(), file.data() + n, token.data());
  return token;
}

Result<ReadOnlyFile> ReadOnlyFile::Open(const std::string& path) {
  CANDOR_ASSIGN_OR_RETURN(const int fd, OpenForReading(path));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    Error e = IoError("fstat", path);
    close(fd);
    return e;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return MakeError(Errc::kInvalidArgument, "not a regular file: " + path);
  }
  return ReadOnlyFile(fd, static_cast<uint64_t>(st.st_size), path);
}

ReadOnlyFile::ReadOnlyFile(ReadOnlyFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_), path_(std::move(other.path_)) {}

ReadOnlyFile& ReadOnlyFile::operator=(ReadOnlyFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    path_ = std::move(other.path_);
  }
  return *this;
}

ReadOnlyFile::~ReadOnlyFile() {
  if (fd_ >= 0) close(fd_);
}

Result<size_t> ReadOnlyFile::ReadAt(uint64_t offset, std::span<uint8_t> out) const {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path_);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status WriteFileDurable(const std::string& path, ByteView data, unsigned mode) {
  const FileWrite one{path, data, mode};
  return WriteFilesDurable(std::span<const FileWrite>(&one, 1));
}

Status WriteFilesDurable(std::span<const FileWrite> files) {
  std::vector<std::string> temps;
  for (const FileWrite& f : files) {
    auto tmp = WriteSyncedTemp(f.path, f.data, f.mode);
    if (!tmp.ok()) {
      for (const std::string& t : temps) unlink(t.c_str());
      return std::move(tmp).error();
    }
    temps.push_back(std::move(*tmp));
  }
  std::set<std::string> dirs;
  for (size_t i = 0; i < files.size(); ++i) {
    CANDOR_TRY(RenameOver(temps[i], files[i].path));
    dirs.insert(Parent(files[i].path));
  }
  for (const std::string& dir : dirs) CANDOR_TRY(FsyncDir(dir));
  return OkStatus();
}

}  // namespace candor
