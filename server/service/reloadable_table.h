#ifndef SEEDGATE_SERVER_SERVICE_RELOADABLE_TABLE_H_
#define SEEDGATE_SERVER_SERVICE_RELOADABLE_TABLE_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/service/small_file.h"

namespace seedgate::service {

// The current Table of a file, swapped whole on Reload; thread-safe. Table
// provides `static absl::StatusOr<Table> Parse(absl::string_view text)` and
// `static constexpr char kFileKind[]` (e.g. "tokens file"), which names the
// file in errors.
template <typename Table>
class ReloadableTable {
 public:
  // Reads `path`; an unreadable or invalid file is an error.
  static absl::StatusOr<std::unique_ptr<ReloadableTable>> Open(std::string path) {
    std::unique_ptr<ReloadableTable> store(new ReloadableTable(std::move(path)));
    if (absl::Status loaded = store->Reload(); !loaded.ok()) return loaded;
    return store;
  }

  // Re-reads the file. On error the table in use stays (a half-written
  // Secret must neither lock every client out nor lift every limit) and the
  // error says why.
  absl::Status Reload() {
    absl::StatusOr<std::string> text = ReadSmallFile(path_, Table::kFileKind);
    if (!text.ok()) return text.status();
    absl::StatusOr<Table> table = Table::Parse(*text);
    if (!table.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Table::kFileKind, " ", path_, ": ", table.status().message()));
    }
    auto fresh = std::make_shared<const Table>(*std::move(table));
    absl::MutexLock lock(&mu_);
    table_ = std::move(fresh);
    return absl::OkStatus();
  }

  std::shared_ptr<const Table> current() const {
    absl::MutexLock lock(&mu_);
    return table_;
  }
  const std::string& path() const { return path_; }

 private:
  explicit ReloadableTable(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Table> table_ ABSL_GUARDED_BY(mu_);
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_RELOADABLE_TABLE_H_
