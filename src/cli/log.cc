#include "cli/log.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <utility>

namespace topo::cli {
namespace {

// The stderr log: spdlog's default logger, made to print "[debug] ..." lines.
std::shared_ptr<spdlog::logger> StderrLog() {
  static std::shared_ptr<spdlog::logger> log = [] {
    auto l =
        std::make_shared<spdlog::logger>("topo", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("[%l] %v");
    l->set_level(spdlog::level::off);
    return l;
  }();
  return log;
}

std::string Result(const ActionEvent& e) {
  if (e.status.ok()) return "ok";
  if (e.step == ActionEvent::Step::kUndo && e.status.IsNotFound()) return "already gone";
  return e.status.message();
}

}  // namespace

bool SetUpLogging(bool verbose, std::string* error) {
  spdlog::level::level_enum level = spdlog::level::off;
  if (const char* env = std::getenv("TOPO_LOG"); env && *env) {
    const std::string v = env;
    if (v == "debug") {
      level = spdlog::level::debug;
    } else if (v == "info") {
      level = spdlog::level::info;
    } else if (v == "warn") {
      level = spdlog::level::warn;
    } else if (v != "off") {
      *error = "TOPO_LOG='" + v + "' is not one of debug, info, warn, off";
      return false;
    }
  }
  if (verbose) level = spdlog::level::debug;
  StderrLog()->set_level(level);
  return true;
}

OperationLog::OperationLog(std::string operation, const StateStore& store, std::string lab)
    : operation_(std::move(operation)), lab_(std::move(lab)), store_(&store) {}

OperationLog::~OperationLog() = default;

void OperationLog::Start(const std::string& lab, size_t total) {
  if (progress_) progress_->Finish();
  lab_ = lab;
  progress_ = std::make_unique<Progress>(operation_ + " '" + lab + "'", total);
  file_.reset();
  file_tried_ = false;
  pending_.clear();
  Log(spdlog::level::info, operation_ + " '" + lab + "': " + std::to_string(total) + " actions");
}

void OperationLog::OnAction(const ActionEvent& e) {
  if (!progress_ && !lab_.empty()) Start(lab_, e.total);
  // Progress follows the operation itself, not an up's rollback.
  const bool undoing = e.step == ActionEvent::Step::kUndo;
  if (progress_ && undoing == (operation_ == "down")) progress_->Update(e.handled);
  if (!e.performed) return;
  const bool failed =
      !e.status.ok() && !(e.step == ActionEvent::Step::kUndo && e.status.IsNotFound());
  if (operation_ == "down" && !failed) {
    // One line per inverse only when shown (-v, TOPO_LOG=debug): the lab's
    // log goes with the lab, and a star of 3000 hosts has 9005 of them.
    // Finish sums them up.
    ++undone_;
    if (e.status.IsNotFound()) ++already_gone_;
    if (!StderrLog()->should_log(spdlog::level::debug)) return;
  }
  const std::string what =
      e.step == ActionEvent::Step::kUndo ? DescribeInverse(*e.action) : Describe(*e.action);
  Log(failed ? spdlog::level::warn : spdlog::level::debug,
      std::to_string(e.index + 1) + " " + what + ": " + Result(e) + " (" +
          std::to_string(e.duration.count()) + " us)");
}

void OperationLog::Finish(const std::string& failure) {
  if (progress_) progress_->Finish();
  if (lab_.empty()) return;
  const std::string counts = operation_ == "down"
                                 ? " (" + std::to_string(undone_) + " inverses performed, " +
                                       std::to_string(already_gone_) + " of them already gone)"
                                 : "";
  if (failure.empty()) {
    Log(spdlog::level::info, operation_ + " '" + lab_ + "': done" + counts);
  } else {
    Log(spdlog::level::warn, operation_ + " '" + lab_ + "': " + failure + counts);
  }
}

void OperationLog::Log(int level, const std::string& line) {
  const auto lvl = static_cast<spdlog::level::level_enum>(level);
  StderrLog()->log(lvl, line);
  // The lab's directory exists once the first action runs (up registers the
  // lab first); a log that cannot be opened is not worth failing the operation.
  if (!file_ && !file_tried_ && !lab_.empty() && store_->LabExists(lab_)) {
    file_tried_ = true;
    try {
      auto sink =
          std::make_shared<spdlog::sinks::basic_file_sink_mt>(store_->LabFilePath(lab_, "log"),
                                                              /*truncate=*/false);
      file_ = std::make_shared<spdlog::logger>("topo-lab", sink);
      file_->set_pattern("%Y-%m-%d %H:%M:%S.%f [%l] %v");
      file_->set_level(spdlog::level::debug);
      file_->flush_on(spdlog::level::debug);
      for (const auto& [l, text] : pending_) {
        file_->log(static_cast<spdlog::level::level_enum>(l), text);
      }
    } catch (const spdlog::spdlog_ex&) {
      file_.reset();
    }
    pending_.clear();
  }
  if (file_) {
    file_->log(lvl, line);
  } else if (!file_tried_) {
    pending_.emplace_back(level, line);
  }
}

}  // namespace topo::cli
