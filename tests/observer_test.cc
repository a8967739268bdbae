// The events the lab layer reports through LabObserver (lab/observer.h), on
// the recording backend: one per action, in order, with its result, for
// apply, for the rollback of a failed apply, and for teardown.
#include <gtest/gtest.h>

#include <vector>

#include "front/validate.h"
#include "lab/apply.h"
#include "lab/observer.h"
#include "lab/teardown.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "testutil.h"

namespace topo {
namespace {

struct Recorded {
  ActionEvent::Step step;
  size_t index;
  bool performed, ok;
  size_t handled, total;
};

class RecordingObserver : public LabObserver {
 public:
  void OnAction(const ActionEvent& e) override {
    ASSERT_NE(e.action, nullptr);
    EXPECT_GE(e.duration.count(), 0);
    events.push_back({e.step, e.index, e.performed, e.status.ok(), e.handled, e.total});
  }
  std::vector<Recorded> events;
};

Plan Seed() {
  Document doc;
  DiagnosticList diags("seed");
  auto t = LoadAndValidate(testing::SourcePath("topologies/server-router-client.yaml"), {}, &doc,
                           &diags);
  EXPECT_TRUE(t) << FormatDiagnostics(diags, doc.text);
  return Compile(*t, "seed");
}

TEST(ObserverTest, ApplyReportsEachActionInOrderWithItsResult) {
  Plan p = Seed();
  RecordingBackend b;
  RecordingObserver o;
  ApplyOptions options;
  options.observer = &o;
  ASSERT_TRUE(Apply(p, b, options).status.ok());
  ASSERT_EQ(o.events.size(), p.actions.size());
  for (size_t i = 0; i < o.events.size(); ++i) {
    EXPECT_EQ(o.events[i].step, ActionEvent::Step::kApply);
    EXPECT_EQ(o.events[i].index, i);
    EXPECT_TRUE(o.events[i].performed);
    EXPECT_TRUE(o.events[i].ok);
    EXPECT_EQ(o.events[i].handled, i + 1);
    EXPECT_EQ(o.events[i].total, p.actions.size());
  }
}

TEST(ObserverTest, AFailedApplyReportsTheFailureThenTheRollback) {
  Plan p = Seed();
  RecordingBackend b;
  b.FailAt(5);
  RecordingObserver o;
  ApplyOptions options;
  options.observer = &o;
  ApplyResult r = Apply(p, b, options);
  ASSERT_FALSE(r.status.ok());
  ASSERT_TRUE(r.failed_index);
  const size_t failed = *r.failed_index;
  // The actions before the failure, ok; the failing one, not ok.
  ASSERT_GT(o.events.size(), failed + 1);
  for (size_t i = 0; i < failed; ++i) EXPECT_TRUE(o.events[i].ok) << i;
  EXPECT_EQ(o.events[failed].step, ActionEvent::Step::kApply);
  EXPECT_EQ(o.events[failed].index, failed);
  EXPECT_FALSE(o.events[failed].ok);
  // Then the rollback: every action of the plan, last first, the completed
  // ones performed (or skipped when they go with their namespace).
  std::vector<Recorded> undo(o.events.begin() + static_cast<long>(failed) + 1, o.events.end());
  ASSERT_EQ(undo.size(), p.actions.size());
  size_t performed = 0;
  for (size_t k = 0; k < undo.size(); ++k) {
    EXPECT_EQ(undo[k].step, ActionEvent::Step::kUndo);
    EXPECT_EQ(undo[k].index, p.actions.size() - 1 - k);
    EXPECT_EQ(undo[k].handled, k + 1);
    if (undo[k].performed) {
      EXPECT_LT(undo[k].index, failed);
      EXPECT_TRUE(undo[k].ok);
      ++performed;
    }
  }
  EXPECT_EQ(performed, r.rollback.undone);
  EXPECT_TRUE(b.Empty());
}

TEST(ObserverTest, TeardownReportsEveryActionAndWhatItPerformed) {
  Plan p = Seed();
  RecordingBackend b;
  ASSERT_TRUE(Apply(p, b).status.ok());
  RecordingObserver o;
  TeardownReport rep =
      Teardown(p, std::vector<bool>(p.actions.size(), true), std::nullopt, {}, b, &o);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(o.events.size(), p.actions.size());
  size_t performed = 0, skipped = 0;
  for (const Recorded& e : o.events) {
    EXPECT_EQ(e.step, ActionEvent::Step::kUndo);
    (e.performed ? performed : skipped)++;
  }
  EXPECT_EQ(performed, rep.undone + rep.already_gone.size());
  EXPECT_EQ(skipped, rep.skipped);
  EXPECT_EQ(o.events.back().handled, p.actions.size());
}

}  // namespace
}  // namespace topo
