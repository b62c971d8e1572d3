#include "server/upstream/base_url_health.h"

#include <gtest/gtest.h>

#include <vector>

namespace seedgate::upstream {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'000'000);

TEST(BaseUrlHealthTest, ConsecutiveFailuresEjectForTheEjectionTime) {
  std::vector<size_t> ejected;
  BaseUrlHealth health(2, EjectionPolicy{3, absl::Seconds(30)},
                       [&](size_t index) { ejected.push_back(index); });
  const std::vector<size_t> preferred = {0, 1};
  health.OnFailure(0, kStart);
  health.OnFailure(0, kStart);
  EXPECT_FALSE(health.ejected(0, kStart));
  EXPECT_EQ(health.Order(preferred, kStart), preferred);
  health.OnFailure(0, kStart);
  EXPECT_TRUE(health.ejected(0, kStart));
  EXPECT_EQ(ejected, std::vector<size_t>{0});
  // Ejected: still tried, but last.
  EXPECT_EQ(health.Order(preferred, kStart), (std::vector<size_t>{1, 0}));
  EXPECT_TRUE(health.ejected(0, kStart + absl::Seconds(29)));
  EXPECT_FALSE(health.ejected(0, kStart + absl::Seconds(30)));
  EXPECT_EQ(health.Order(preferred, kStart + absl::Seconds(30)), preferred);
}

TEST(BaseUrlHealthTest, ASuccessResetsTheCount) {
  BaseUrlHealth health(1, EjectionPolicy{2, absl::Seconds(30)});
  health.OnFailure(0, kStart);
  health.OnSuccess(0);
  health.OnFailure(0, kStart);
  EXPECT_FALSE(health.ejected(0, kStart));
  health.OnFailure(0, kStart);
  EXPECT_TRUE(health.ejected(0, kStart));
}

TEST(BaseUrlHealthTest, AFailedProbeEjectsAgainForLonger) {
  int ejections = 0;
  BaseUrlHealth health(1, EjectionPolicy{2, absl::Seconds(10)}, [&](size_t) { ++ejections; });
  health.OnFailure(0, kStart);
  health.OnFailure(0, kStart);
  ASSERT_EQ(ejections, 1);
  // Failures of calls still running while it is out do not count.
  health.OnFailure(0, kStart + absl::Seconds(1));
  EXPECT_EQ(ejections, 1);
  // The probe after the cool-down fails: out again at once, for 20 s.
  const absl::Time probe = kStart + absl::Seconds(10);
  health.OnFailure(0, probe);
  EXPECT_EQ(ejections, 2);
  EXPECT_TRUE(health.ejected(0, probe + absl::Seconds(19)));
  EXPECT_FALSE(health.ejected(0, probe + absl::Seconds(20)));
  // Doubling stops at 8x.
  absl::Time t = probe + absl::Seconds(20);
  for (int i = 0; i < 5; ++i) {
    health.OnFailure(0, t);
    t += absl::Seconds(80);
  }
  EXPECT_FALSE(health.ejected(0, t));
  // A successful probe brings it back for good.
  health.OnSuccess(0);
  EXPECT_FALSE(health.ejected(0, t));
  health.OnFailure(0, t);
  EXPECT_FALSE(health.ejected(0, t)) << "one failure after recovery does not eject";
}

TEST(BaseUrlHealthTest, ZeroNeverEjects) {
  BaseUrlHealth health(1, EjectionPolicy{0, absl::Seconds(10)});
  for (int i = 0; i < 100; ++i) health.OnFailure(0, kStart);
  EXPECT_FALSE(health.ejected(0, kStart));
}

}  // namespace
}  // namespace seedgate::upstream
