// What the command line shows and keeps of a lab operation as it goes: the
// progress line (progress.h) and a log of each kernel action with its
// duration and result, through spdlog, which only the CLI uses (libtopo.a
// neither prints nor needs spdlog: it reports through lab/observer.h).
//
//   stderr    off by default; `topo -v` / `--verbose` or TOPO_LOG=debug shows
//             every action ("[debug] 12 add address server:vethS
//             10.0.1.2/24: ok (15 us)", numbered as `topo plan` numbers them), TOPO_LOG=info the
//             start and end of each operation, TOPO_LOG=warn actions that failed
//   LAB/log   in the lab's state directory: every `up` and `down` appends the
//             same lines, timestamped, whatever the level, except that `down`
//             formats and keeps a line per inverse only when stderr shows them
//             (its end line counts them); it goes with the lab's record (after
//             `down`, or a rollback that undid everything)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/progress.h"
#include "lab/observer.h"
#include "lab/state.h"

namespace spdlog {
class logger;
}

namespace topo::cli {

// Sets the level of the stderr log from -v and TOPO_LOG (-v wins). Returns
// false, with *error set, when TOPO_LOG is not debug, info, warn or off.
bool SetUpLogging(bool verbose, std::string* error);

// The observer of one `up` or `down`: progress, the stderr log, the lab's log file.
class OperationLog : public LabObserver {
 public:
  // `operation` is "up" or "down". With `lab`, the first event starts it.
  OperationLog(std::string operation, const StateStore& store, std::string lab = "");
  ~OperationLog() override;
  OperationLog(const OperationLog&) = delete;
  OperationLog& operator=(const OperationLog&) = delete;

  // A (new) attempt on `lab` with `total` actions (up: once per prefix drawn).
  void Start(const std::string& lab, size_t total);
  void OnAction(const ActionEvent& event) override;
  // Clears the progress line and logs how it ended: "" for success, else why not.
  void Finish(const std::string& failure);

 private:
  void Log(int level, const std::string& line);

  std::string operation_, lab_;
  const StateStore* store_;
  std::unique_ptr<Progress> progress_;
  std::shared_ptr<spdlog::logger> file_;  // the lab's log, opened at the first action
  bool file_tried_ = false;
  std::vector<std::pair<int, std::string>> pending_;  // lines logged before it was opened
  size_t undone_ = 0, already_gone_ = 0;              // `down`: inverses performed, not logged
};

}  // namespace topo::cli
