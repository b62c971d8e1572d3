#ifndef SEEDGATE_SERVER_SERVICE_FILE_WATCHER_H_
#define SEEDGATE_SERVER_SERVICE_FILE_WATCHER_H_

#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace seedgate::service {

// Notices when files change and says so, on its own thread. It polls each
// file's identity (device, inode, size, modification time) through any
// symlinks: a Kubernetes Secret update swaps a symlink to a new directory,
// which inotify on the file itself would miss, and polling a few files
// every few seconds costs nothing.
class FileWatcher {
 public:
  explicit FileWatcher(absl::Duration interval) : interval_(interval) {}
  ~FileWatcher();

  // Calls `on_change` (on the watcher's thread) whenever `path` changes.
  // Call before Start.
  void Watch(std::string path, std::function<void()> on_change);
  void Start();

 private:
  struct Identity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const Identity& o) const {
      return device == o.device && inode == o.inode && size == o.size && mtime_ns == o.mtime_ns;
    }
  };
  struct Watched {
    std::string path;
    std::function<void()> on_change;
    Identity last;
  };
  static Identity Stat(const std::string& path);
  void Run();

  const absl::Duration interval_;
  std::vector<Watched> files_;
  std::thread thread_;
  // std:: rather than absl:: primitives: ThreadSanitizer cannot see the
  // waits of Debian's (uninstrumented) Abseil, and would report the
  // destructor's lock as taken twice.
  std::mutex mu_;
  std::condition_variable stop_;
  bool stopping_ = false;  // guarded by mu_
};

}  // namespace seedgate::service

#endif  // SEEDGATE_SERVER_SERVICE_FILE_WATCHER_H_
