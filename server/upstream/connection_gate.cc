#include "server/upstream/connection_gate.h"

#include <algorithm>
#include <utility>

namespace seedgate::upstream {
namespace {

// Streams per connection assumed for an origin until a connection has
// carried more: low, because a burst released against a guess the server
// does not honour opens a connection per surplus transfer.
constexpr size_t kFirstGuess = 2;

}  // namespace

ConnectionGate::ConnectionGate(size_t streams_per_connection)
    : streams_per_connection_(std::max<size_t>(1, streams_per_connection)) {}

bool ConnectionGate::Admit(Ticket ticket, absl::string_view origin_key) {
  Origin& origin = origins_[origin_key];
  if (origin.limit == 0) origin.limit = std::min(kFirstGuess, streams_per_connection_);
  transfers_[ticket] = Transfer{&origin, State::kQueued};
  origin.queue.push_back(ticket);
  ++waiting_;
  Release(origin);
  if (transfers_[ticket].state == State::kQueued) return false;
  // Released at once: the caller hands it over itself.
  released_.pop_back();
  return true;
}

void ConnectionGate::OnConnected(Ticket ticket, int connection) {
  auto it = transfers_.find(ticket);
  if (it == transfers_.end()) return;
  Transfer& transfer = it->second;
  Origin& origin = *transfer.origin;
  switch (transfer.state) {
    case State::kConnecting:
    case State::kProbing:
    case State::kOpening:
      --origin.connecting;
      break;
    case State::kConnected: {
      // libcurl moved it to another connection: the server refused the
      // stream (more than it allows; libcurl learns the limit only from the
      // server's first SETTINGS) or is going away. The old connection holds
      // what the server takes.
      if (connection == transfer.connection) return;
      origin.stalled = false;
      auto old = origin.connections.find(transfer.connection);
      if (old != origin.connections.end()) {
        old->second.full = true;
        if (--old->second.streams == 0) {
          origin.connections.erase(old);
        } else if (old->second.streams >= 2) {
          origin.limit = std::min(origin.limit, old->second.streams);
          origin.limit_known = true;
        }
      }
      break;
    }
    case State::kQueued:
    case State::kPassed:
      return;
  }
  auto [conn, is_new] = origin.connections.try_emplace(connection);
  if (is_new && (transfer.state == State::kConnecting || transfer.state == State::kProbing)) {
    // It was meant to share a connection and got a new one: the fullest
    // connection holds what the server allows (SETTINGS_MAX_CONCURRENT_
    // STREAMS), or is closing (GOAWAY); either way those take no more. When
    // no connection ever carried two streams, the origin does not multiplex.
    size_t fullest = 0;
    for (const auto& [id, other] : origin.connections) {
      if (id != connection && !other.full) fullest = std::max(fullest, other.streams);
    }
    if (fullest >= 2) {
      origin.limit = std::min(origin.limit, fullest);
      origin.limit_known = true;
      for (auto& [id, other] : origin.connections) {
        if (id != connection) other.full = true;
      }
    } else if (fullest == 1 && origin.most_streams_seen <= 1) {
      origin.step_aside = true;
    }
    // Otherwise the others are new themselves (libcurl opened several in one
    // burst): nothing to learn from them.
  }
  ++conn->second.streams;
  origin.most_streams_seen = std::max(origin.most_streams_seen, conn->second.streams);
  if (transfer.state == State::kProbing && !is_new && conn->second.settled && !origin.limit_known &&
      conn->second.streams > origin.limit) {
    // The probe shared a connection we counted as full: it takes more.
    // Double the guess, so that reaching a high limit takes a few probes.
    origin.limit = std::min(streams_per_connection_, 2 * origin.limit);
    if (origin.limit == streams_per_connection_) origin.limit_known = true;
  }
  if (transfer.state == State::kOpening && !is_new) {
    // libcurl put the opener on a connection that is full by our count: it
    // does not know the server's limit yet (the server's first SETTINGS are
    // still on their way) and would put the next opener there too, to be
    // refused and retried on connections of their own. Wait until a
    // connection answers or a stream ends or moves.
    origin.stalled = true;
  }
  transfer.state = State::kConnected;
  transfer.connection = connection;
  Release(origin);
}

bool ConnectionGate::Forget(Ticket ticket, bool finished) {
  auto it = transfers_.find(ticket);
  if (it == transfers_.end()) return false;
  Transfer transfer = it->second;
  transfers_.erase(it);
  Origin& origin = *transfer.origin;
  if (transfer.state != State::kQueued) origin.stalled = false;
  bool queued = false;
  // Released, but not yet handed to libcurl: it never reached libcurl.
  if (auto pending = std::find(released_.begin(), released_.end(), ticket);
      pending != released_.end()) {
    released_.erase(pending);
    queued = true;
  }
  switch (transfer.state) {
    case State::kQueued:
      origin.queue.erase(std::find(origin.queue.begin(), origin.queue.end(), ticket));
      --waiting_;
      queued = true;
      break;
    case State::kOpening:
      --origin.connecting;
      if (finished) {
        // No connection could be made: let the waiting transfers find that
        // out for themselves (and retry elsewhere) rather than one by one.
        while (!origin.queue.empty()) Hand(origin, origin.queue.front(), State::kPassed);
      }
      break;
    case State::kConnecting:
    case State::kProbing:
      --origin.connecting;
      break;
    case State::kConnected: {
      auto conn = origin.connections.find(transfer.connection);
      if (conn != origin.connections.end() && --conn->second.streams == 0) {
        // libcurl may keep it for reuse; the next transfer that finds it is
        // counted as an opener that landed on it.
        origin.connections.erase(conn);
      }
      break;
    }
    case State::kPassed:
      break;
  }
  Release(origin);
  return queued;
}

void ConnectionGate::OnResponse(Ticket ticket) {
  auto it = transfers_.find(ticket);
  if (it == transfers_.end() || it->second.state != State::kConnected) return;
  Origin& origin = *it->second.origin;
  auto conn = origin.connections.find(it->second.connection);
  if (conn == origin.connections.end() || conn->second.settled) return;
  conn->second.settled = true;
  origin.stalled = false;
  Release(origin);
}

bool ConnectionGate::HasSettledConnection(const Origin& origin) const {
  for (const auto& [id, conn] : origin.connections) {
    if (conn.settled && !conn.full) return true;
  }
  return false;
}

std::vector<ConnectionGate::Ticket> ConnectionGate::TakeReleased() {
  std::vector<Ticket> released;
  released.swap(released_);
  return released;
}

size_t ConnectionGate::streams_per_connection(absl::string_view origin_key) const {
  auto it = origins_.find(origin_key);
  if (it == origins_.end()) return 0;
  return it->second.step_aside ? 1 : it->second.limit;
}

size_t ConnectionGate::FreeStreams(const Origin& origin) const {
  size_t free = 0;
  for (const auto& [id, conn] : origin.connections) {
    if (!conn.full && conn.streams < origin.limit) free += origin.limit - conn.streams;
  }
  return free;
}

void ConnectionGate::Release(Origin& origin) {
  while (!origin.queue.empty()) {
    Ticket next = origin.queue.front();
    if (origin.step_aside) {
      Hand(origin, next, State::kPassed);
    } else if (origin.stalled) {
      return;
    } else if (FreeStreams(origin) > origin.connecting) {
      Hand(origin, next, State::kConnecting);
    } else if (origin.connecting != 0) {
      return;  // wait for those to get their connections
    } else if (!origin.limit_known && HasSettledConnection(origin)) {
      // Every connection is full by our guess: probe whether the server
      // allows more streams on them before opening another.
      Hand(origin, next, State::kProbing);
    } else {
      Hand(origin, next, State::kOpening);
    }
  }
}

void ConnectionGate::Hand(Origin& origin, Ticket ticket, State state) {
  origin.queue.pop_front();
  --waiting_;
  Transfer& transfer = transfers_[ticket];
  transfer.state = state;
  if (state != State::kPassed) ++origin.connecting;
  released_.push_back(ticket);
}

}  // namespace seedgate::upstream
