#ifndef SEEDGATE_SERVER_UPSTREAM_CONNECTION_GATE_H_
#define SEEDGATE_SERVER_UPSTREAM_CONNECTION_GATE_H_

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"

namespace seedgate::upstream {

// Decides when a CurlLoop hands an HTTP/2 transfer to libcurl, so that a
// burst of calls shares a few connections per origin instead of opening one
// per call. libcurl 7.88 cannot put a transfer on a connection that is still
// in its TLS handshake: once the open connections are full, every transfer
// added during the next handshake opens a connection of its own (10,000
// streams at once took 4,545), and PIPEWAIT only parks them in a queue that
// libcurl drains one transfer per event.
//
// The gate lets a transfer through when an established connection of its
// origin has a free stream for it, or when nobody is opening a connection to
// that origin yet (it then opens one). The others wait here until the
// opener's connection is up. The server's stream limit is not visible
// through libcurl's API, so the gate learns it: it starts from 2 streams per
// connection and, when those are full, lets one transfer probe a connection
// that has answered (so libcurl has the server's SETTINGS) before it opens
// another; a probe that shares the connection doubles the guess (up to the
// client's own limit), one that gets a new connection fixes it. It steps
// aside for an origin that does not multiplex at all (one stream per
// connection) and for one whose connection could not be opened (so that
// those calls fail, retry or fall back as before).
//
// Pure bookkeeping, single-threaded (the loop's driver); a transfer is an
// opaque ticket (the easy handle), a connection its local port.
class ConnectionGate {
 public:
  using Ticket = const void*;

  // `streams_per_connection`: the most the client itself puts on one
  // connection (CURLMOPT_MAX_CONCURRENT_STREAMS).
  explicit ConnectionGate(size_t streams_per_connection);

  // A new transfer to `origin`. True: hand it to libcurl now. False: it
  // waits; it comes back from TakeReleased() when it may go.
  bool Admit(Ticket ticket, absl::string_view origin);
  // The transfer got its connection (libcurl's pre-request callback).
  void OnConnected(Ticket ticket, int connection);
  // The transfer's response began: its connection has the server's
  // SETTINGS (the first frame a server sends), so libcurl knows its limit.
  void OnResponse(Ticket ticket);
  // The transfer ended (`finished`: libcurl says it is done) or was removed
  // (an abort), wherever it was. True when it never reached libcurl (it
  // waited here, or was released but not yet taken). An opener that finished without a connection
  // makes the gate let its origin's waiting transfers go: they fail, retry
  // or fall back on their own, as without the gate.
  bool Forget(Ticket ticket, bool finished);
  // Transfers that may now go to libcurl, in arrival order.
  std::vector<Ticket> TakeReleased();

  // Transfers waiting in the gate (all origins).
  size_t waiting() const { return waiting_; }
  // The stream limit in force for `origin` (0: unknown origin; 1: the gate
  // stands aside for it).
  size_t streams_per_connection(absl::string_view origin) const;

 private:
  struct Connection {
    size_t streams = 0;
    bool full = false;     // takes no more transfers (the server said so)
    bool settled = false;  // a response came over it: libcurl knows its limit
  };
  struct Origin {
    size_t limit = 0;              // streams per connection, as far as we know
    bool limit_known = false;      // a connection filled up at `limit`, or it is ours
    size_t connecting = 0;         // handed to libcurl, no connection yet
    bool step_aside = false;       // no gating for this origin any more
    size_t most_streams_seen = 0;  // on one connection at once
    bool stalled = false;  // nothing goes until a connection answers or a stream ends or moves
    absl::flat_hash_map<int, Connection> connections;
    std::deque<Ticket> queue;
  };
  enum class State {
    kQueued,      // waits here
    kConnecting,  // handed over to share an established connection
    kProbing,     // handed over to find out whether a full one takes more
    kOpening,     // handed over to open a connection
    kConnected,   // has its connection
    kPassed,      // handed over while the gate stood aside: not counted
  };
  struct Transfer {
    Origin* origin;
    State state;
    int connection = -1;
  };

  // Streams the established, not-full connections of `origin` can still take.
  size_t FreeStreams(const Origin& origin) const;
  // A connection that can be probed for more streams.
  bool HasSettledConnection(const Origin& origin) const;
  // Moves queued transfers of `origin` to released_ while the rules allow.
  void Release(Origin& origin);
  void Hand(Origin& origin, Ticket ticket, State state);

  const size_t streams_per_connection_;
  absl::node_hash_map<std::string, Origin> origins_;  // stable addresses
  absl::flat_hash_map<Ticket, Transfer> transfers_;
  std::vector<Ticket> released_;
  size_t waiting_ = 0;
};

}  // namespace seedgate::upstream

#endif  // SEEDGATE_SERVER_UPSTREAM_CONNECTION_GATE_H_
