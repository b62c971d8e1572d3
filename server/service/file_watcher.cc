#include "server/service/file_watcher.h"

#include <sys/stat.h>

namespace seedgate::service {

FileWatcher::~FileWatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FileWatcher::Watch(std::string path, std::function<void()> on_change) {
  Identity now = Stat(path);
  files_.push_back({std::move(path), std::move(on_change), now});
}

void FileWatcher::Start() {
  if (files_.empty()) return;
  thread_ = std::thread([this] { Run(); });
}

FileWatcher::Identity FileWatcher::Stat(const std::string& path) {
  struct stat st;
  Identity id;
  if (stat(path.c_str(), &st) != 0) return id;  // gone: a change when it comes back
  id.device = st.st_dev;
  id.inode = st.st_ino;
  id.size = st.st_size;
  id.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return id;
}

void FileWatcher::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_.wait_for(lock, absl::ToChronoNanoseconds(interval_),
                         [this] { return stopping_; })) {
        return;
      }
    }
    for (Watched& file : files_) {
      Identity now = Stat(file.path);
      if (now == file.last) continue;
      file.last = now;
      if (now.size >= 0) file.on_change();
    }
  }
}

}  // namespace seedgate::service
