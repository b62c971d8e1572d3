#include "server/upstream/connection_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace seedgate::upstream {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Ticket = ConnectionGate::Ticket;

constexpr char kOrigin[] = "https://upstream.example";

// Distinct tickets: the gate only compares them.
std::vector<int> slots(64);
Ticket T(int i) { return &slots[i]; }

TEST(ConnectionGateTest, FirstTransferOpensTheRestWaitForItsConnection) {
  ConnectionGate gate(100);
  EXPECT_TRUE(gate.Admit(T(0), kOrigin));
  for (int i = 1; i <= 5; ++i) EXPECT_FALSE(gate.Admit(T(i), kOrigin)) << i;
  EXPECT_EQ(gate.waiting(), 5u);
  EXPECT_THAT(gate.TakeReleased(), IsEmpty());

  // Up: one more may share it (the first guess is 2 streams a connection).
  gate.OnConnected(T(0), /*connection=*/40000);
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(1)));
  gate.OnConnected(T(1), 40000);
  // Full by the guess, and the connection has not answered yet (libcurl may
  // not have the server's limit): the next opens a connection.
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(2)));
  EXPECT_EQ(gate.waiting(), 3u);
}

TEST(ConnectionGateTest, ProbesAnAnsweredConnectionAndDoublesTheGuess) {
  ConnectionGate gate(100);
  ASSERT_TRUE(gate.Admit(T(0), kOrigin));
  for (int i = 1; i < 20; ++i) ASSERT_FALSE(gate.Admit(T(i), kOrigin));
  gate.OnConnected(T(0), 1);
  gate.OnResponse(T(0));
  ASSERT_THAT(gate.TakeReleased(), ElementsAre(T(1)));
  gate.OnConnected(T(1), 1);
  // Full at 2; it has answered: T(2) probes it, and shares it.
  ASSERT_THAT(gate.TakeReleased(), ElementsAre(T(2)));
  gate.OnConnected(T(2), 1);
  EXPECT_EQ(gate.streams_per_connection(kOrigin), 4u);
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(3)));
  gate.OnConnected(T(3), 1);
  ASSERT_THAT(gate.TakeReleased(), ElementsAre(T(4)));  // the next probe
  gate.OnConnected(T(4), 1);
  EXPECT_EQ(gate.streams_per_connection(kOrigin), 8u);
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(5), T(6), T(7)));
}

TEST(ConnectionGateTest, AProbeOnANewConnectionFixesTheLimit) {
  ConnectionGate gate(100);
  ASSERT_TRUE(gate.Admit(T(0), kOrigin));
  for (int i = 1; i < 10; ++i) ASSERT_FALSE(gate.Admit(T(i), kOrigin));
  gate.OnConnected(T(0), 1);
  gate.OnResponse(T(0));
  gate.TakeReleased();
  gate.OnConnected(T(1), 1);
  gate.TakeReleased();
  gate.OnConnected(T(2), 1);  // probe shared: 4
  gate.TakeReleased();
  gate.OnConnected(T(3), 1);
  ASSERT_THAT(gate.TakeReleased(), ElementsAre(T(4)));
  gate.OnConnected(T(4), 2);  // probe: libcurl had to open a connection
  EXPECT_EQ(gate.streams_per_connection(kOrigin), 4u);
  // Connection 2 takes 3 more, then the next opens a connection.
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(5), T(6), T(7)));
  for (int i = 5; i <= 7; ++i) gate.OnConnected(T(i), 2);
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(8)));
  gate.OnConnected(T(8), 3);
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(9)));
}

TEST(ConnectionGateTest, OneOpenerAtATime) {
  ConnectionGate gate(100);
  ASSERT_TRUE(gate.Admit(T(0), kOrigin));
  EXPECT_FALSE(gate.Admit(T(1), kOrigin));
  gate.OnConnected(T(0), 1);
  ASSERT_THAT(gate.TakeReleased(), ElementsAre(T(1)));
  gate.OnConnected(T(1), 1);
  // Full by the guess, not answered: T(2) opens a connection; T(3) waits.
  EXPECT_TRUE(gate.Admit(T(2), kOrigin));
  EXPECT_FALSE(gate.Admit(T(3), kOrigin));
  gate.OnConnected(T(2), 2);
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(3)));
}

TEST(ConnectionGateTest, AnOpenerLibcurlPutsOnAFullConnectionStallsTheGate) {
  ConnectionGate gate(100);
  ASSERT_TRUE(gate.Admit(T(0), kOrigin));
  for (int i = 1; i < 5; ++i) ASSERT_FALSE(gate.Admit(T(i), kOrigin));
  gate.OnConnected(T(0), 1);
  gate.TakeReleased();
  gate.OnConnected(T(1), 1);
  ASSERT_THAT(gate.TakeReleased(), ElementsAre(T(2)));  // opener
  gate.OnConnected(T(2), 1);  // libcurl does not know the server's limit yet
  EXPECT_THAT(gate.TakeReleased(), IsEmpty());
  // The connection answers: the gate goes on (a probe).
  gate.OnResponse(T(0));
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(3)));
}

TEST(ConnectionGateTest, ARefusedStreamThatMovesTeachesTheLimit) {
  ConnectionGate gate(100);
  ASSERT_TRUE(gate.Admit(T(0), kOrigin));
  for (int i = 1; i < 6; ++i) ASSERT_FALSE(gate.Admit(T(i), kOrigin));
  gate.OnConnected(T(0), 1);
  gate.TakeReleased();
  gate.OnConnected(T(1), 1);
  gate.TakeReleased();
  gate.OnConnected(T(2), 1);  // opener put on connection 1: stalled
  // The server allows 2: libcurl retries T(2) on a new connection.
  gate.OnConnected(T(2), 2);
  EXPECT_EQ(gate.streams_per_connection(kOrigin), 2u);
  // Connection 2 takes one more.
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(3)));
}

TEST(ConnectionGateTest, StandsAsideForAnOriginThatDoesNotMultiplex) {
  ConnectionGate gate(100);
  ASSERT_TRUE(gate.Admit(T(0), kOrigin));
  ASSERT_FALSE(gate.Admit(T(1), kOrigin));
  ASSERT_FALSE(gate.Admit(T(2), kOrigin));
  gate.OnConnected(T(0), 1);
  ASSERT_THAT(gate.TakeReleased(), ElementsAre(T(1)));
  gate.OnConnected(T(1), 2);  // HTTP/1.1: a connection per transfer
  EXPECT_EQ(gate.streams_per_connection(kOrigin), 1u);
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(2)));
  for (int i = 3; i < 8; ++i) EXPECT_TRUE(gate.Admit(T(i), kOrigin)) << i;
}

TEST(ConnectionGateTest, AFailedOpenerLetsTheWaitingGo) {
  ConnectionGate gate(100);
  ASSERT_TRUE(gate.Admit(T(0), kOrigin));
  ASSERT_FALSE(gate.Admit(T(1), kOrigin));
  ASSERT_FALSE(gate.Admit(T(2), kOrigin));
  EXPECT_FALSE(gate.Forget(T(0), /*finished=*/true));  // connect failed
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(1), T(2)));
  EXPECT_EQ(gate.waiting(), 0u);
}

TEST(ConnectionGateTest, ACancelledOpenerPassesTheTurnToTheNext) {
  ConnectionGate gate(100);
  ASSERT_TRUE(gate.Admit(T(0), kOrigin));
  ASSERT_FALSE(gate.Admit(T(1), kOrigin));
  ASSERT_FALSE(gate.Admit(T(2), kOrigin));
  EXPECT_FALSE(gate.Forget(T(0), /*finished=*/false));  // aborted, not failed
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(1)));
  EXPECT_EQ(gate.waiting(), 1u);
}

TEST(ConnectionGateTest, ForgettingAWaitingOrReleasedTransferSaysItNeverReachedLibcurl) {
  ConnectionGate gate(100);
  ASSERT_TRUE(gate.Admit(T(0), kOrigin));
  ASSERT_FALSE(gate.Admit(T(1), kOrigin));
  ASSERT_FALSE(gate.Admit(T(2), kOrigin));
  EXPECT_TRUE(gate.Forget(T(2), /*finished=*/false));  // waiting
  gate.OnConnected(T(0), 1);                           // releases T(1)
  EXPECT_TRUE(gate.Forget(T(1), /*finished=*/false));  // released, not taken
  EXPECT_THAT(gate.TakeReleased(), IsEmpty());
  EXPECT_FALSE(gate.Forget(T(0), /*finished=*/true));
  EXPECT_FALSE(gate.Forget(T(3), /*finished=*/true));  // never seen
}

TEST(ConnectionGateTest, OriginsAreGatedApart) {
  ConnectionGate gate(100);
  EXPECT_TRUE(gate.Admit(T(0), "https://a.example"));
  EXPECT_TRUE(gate.Admit(T(1), "https://b.example"));
  EXPECT_FALSE(gate.Admit(T(2), "https://a.example"));
  gate.OnConnected(T(1), 7);
  EXPECT_THAT(gate.TakeReleased(), IsEmpty());
  gate.OnConnected(T(0), 8);
  EXPECT_THAT(gate.TakeReleased(), ElementsAre(T(2)));
}

}  // namespace
}  // namespace seedgate::upstream
