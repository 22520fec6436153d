// file.h: small, durable file helpers (POSIX). Errors are kUnavailable with the path and errno.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "candor/base/bytes.h"
#include "candor/base/result.h"

namespace candor {

// ReadFile returns the whole contents of `path`; a missing file is kNotFound. Files larger than
// `max_len` are kInvalidArgument.
Result<Bytes> ReadFile(const std::string& path, size_t max_len = size_t{64} << 20);

// ReadSecretFile is ReadFile for keys and tokens: the contents are read straight into wiped
// memory, and no copy is left behind in a growing buffer. Files larger than `max_len` are
// kInvalidArgument.
Result<SecretBytes> ReadSecretFile(const std::string& path, size_t max_len = 4096);

// ReadTokenFile reads a bearer-token file (one line; the trailing CR/LF are dropped) into wiped
// memory. kInvalidArgument if the token is empty; as ReadSecretFile otherwise.
Result<SecretBytes> ReadTokenFile(const std::string& path);

// WriteFileDurable writes `data` to `path` atomically and durably: it writes a temporary file in
// the same directory, fsyncs it, renames it over `path` and fsyncs the directory. Parent
// directories are created as needed (and fsynced). When it returns OK the file survives a crash.
// `mode` is the new file's permission bits (0600 for secrets).
Status WriteFileDurable(const std::string& path, ByteView data, unsigned mode = 0644);

// FileWrite is one file for WriteFilesDurable.
struct FileWrite {
  std::string path;
  ByteView data;  // must remain live during the call
  unsigned mode = 0644;
};

// WriteFilesDurable writes several files like WriteFileDurable, but batches the syncs: every
// temporary file is written and fsynced, then all are renamed, then each distinct parent
// directory is fsynced once. Each file is replaced atomically; on error some files may have
// been replaced and others not.
Status WriteFilesDurable(std::span<const FileWrite> files);

// MakeDirs creates `dir` and its missing parents, fsyncing each parent it changed.
Status MakeDirs(const std::string& dir);

// FileExists reports whether `path` exists.
bool FileExists(const std::string& path);

// ReadOnlyFile is an open regular file read by offset (pread), for streaming a file without
// holding it in memory. Move-only; the descriptor is closed on destruction. Reads through one
// object may run on several threads at once.
class ReadOnlyFile {
 public:
  // Open opens `path` for reading: kNotFound if it does not exist, kInvalidArgument if it is
  // not a regular file, kUnavailable (naming the path and errno) for any other failure.
  static Result<ReadOnlyFile> Open(const std::string& path);

  ReadOnlyFile(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile& operator=(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  ~ReadOnlyFile();

  // size is the file's length when it was opened.
  uint64_t size() const { return size_; }

  // ReadAt fills `out` from `offset` and returns the number of bytes read, which is less than
  // out.size() only at the end of the file. kUnavailable on a read error.
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) const;

 private:
  ReadOnlyFile(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
};

}  // namespace candor
