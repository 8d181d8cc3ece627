#include "cli/exceptions_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/time_format.h"
#include "cli/mapping_command.h"
#include "server/api_server.h"
#include "store/store.h"
#include "sync/exception_desk.h"

namespace sellerbridge::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

// Says what failed; an unknown id or a bad value is bad input, anything else a failure.
int Failed(std::ostream& err, std::string_view doing, const Status& status) {
  const bool bad_input =
      status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound;
  err << fmt::format("sellerbridge exceptions {}: {}\n", doing,
                     bad_input || status.code() == StatusCode::kFailedPrecondition
                         ? status.message()
                         : status.ToString());
  return bad_input ? kExitBadInput : kExitFailure;
}

// `text` on one line, for a table cell.
std::string OneLine(std::string_view text) {
  std::string out(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return out;
}

void PrintTable(std::ostream& out, const std::vector<store::HeldException>& exceptions, bool all) {
  if (exceptions.empty()) {
    out << (all ? "no exceptions\n" : "no open exceptions\n");
    return;
  }
  std::vector<std::string> header = {"ID",       "KIND",   "SUBJECT",      "FIRST SEEN",
                                     "ATTEMPTS", "REASON", "SUGGESTED FIX"};
  if (all) {
    header.emplace_back("RESOLVED");
  }
  std::vector<std::vector<std::string>> rows = {header};
  for (const store::HeldException& e : exceptions) {
    std::vector<std::string> row = {std::to_string(e.id),       OneLine(e.kind),
                                    OneLine(e.subject_id),      FormatIso8601(e.first_seen),
                                    std::to_string(e.attempts), OneLine(e.reason),
                                    OneLine(e.suggested_fix)};
    if (all) {
      row.push_back(e.IsOpen() ? "open"
                               : OneLine(fmt::format("{} by {}: {}", FormatIso8601(*e.resolved_at),
                                                     e.resolved_by, e.resolution_note)));
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    out << line << "\n";
  }
}

// What a retry set in motion, for the exception as it stands after it.
std::string Retried(const store::HeldException& e) {
  if (e.kind == "confirmation") {
    return fmt::format(
        "exception {} retried: outbox entry {} is due to be sent to Amazon again now; the "
        "exception is resolved (it opens again if Amazon refuses again)",
        e.id, e.subject_id);
  }
  return fmt::format(
      "exception {} retried: the Clarus goods-out of order {} will be read again; the exception "
      "stays open until the dispatch flow clears it",
      e.id, e.subject_id);
}

}  // namespace

void ExceptionsCommand::AddTo(CLI::App& app) {
  command_ = app.add_subcommand(
      "exceptions",
      "Handle the exceptions: items held for a person (orders, confirmations Amazon refused, "
      "dispatches); see docs/api.md");
  command_->require_subcommand(1);
  const auto add_config = [this](CLI::App* sub) {
    sub->add_option("--config", config_path_, "The TOML configuration file")
        ->required()
        ->check(CLI::ExistingFile);
  };
  const auto add_id = [this](CLI::App* sub) {
    sub->add_option("ID", id_, "The exception's id, as `exceptions list` shows it")->required();
  };
  list_ = command_->add_subcommand(
      "list", "Print the open exceptions, oldest first: id, kind, subject, reason, suggested fix");
  add_config(list_);
  list_->add_option("--kind", kind_,
                    "Only exceptions of this kind: order, label, confirmation, dispatch, …");
  list_->add_flag("--all", all_, "Resolved exceptions too");
  list_->add_flag("--json", json_, "Print them as JSON, in the API's format");
  retry_ = command_->add_subcommand(
      "retry",
      "Try again now: a refused confirmation is sent again (and the exception resolved); a "
      "dispatch's goods-out is read again from Clarus");
  add_id(retry_);
  add_config(retry_);
  resolve_ = command_->add_subcommand(
      "resolve", "Mark an exception handled outside sellerbridge, saying how in --note");
  add_id(resolve_);
  resolve_->add_option("--note", note_, "How it was handled")->required();
  add_config(resolve_);
  edit_ = command_->add_subcommand(
      "edit", "Correct the tracking number of a confirmation Amazon refused, then send it again");
  add_id(edit_);
  edit_->add_option("--tracking", tracking_number_, "The right tracking number")->required();
  add_config(edit_);
}

bool ExceptionsCommand::Parsed() const { return command_ != nullptr && command_->parsed(); }

int ExceptionsCommand::Run(std::ostream& out, std::ostream& err) const {
  const CommandStore opened = OpenCommandStore("exceptions", config_path_, err);
  if (opened.exit_code != kExitOk) {
    return opened.exit_code;
  }
  sync::ExceptionDesk desk(opened.store.get(), SystemClock::Get());

  if (list_->parsed()) {
    store::ExceptionFilter filter{.open_only = !all_, .limit = kListLimit};
    if (!kind_.empty()) {
      filter.kind = kind_;
    }
    const Result<std::vector<store::HeldException>> listed = desk.List(filter);
    if (!listed.ok()) {
      return Failed(err, "list", listed.status());
    }
    if (json_) {
      nlohmann::json array = nlohmann::json::array();
      for (const store::HeldException& exception : *listed) {
        array.push_back(server::ExceptionToJson(exception));
      }
      out << nlohmann::json{{"exceptions", std::move(array)}}.dump(
                 2, ' ', false, nlohmann::json::error_handler_t::replace)
          << "\n";
    } else {
      PrintTable(out, *listed, all_);
      if (listed->size() == static_cast<std::size_t>(kListLimit)) {
        out << fmt::format("(only the oldest {} are shown)\n", kListLimit);
      }
    }
    return out.good() ? kExitOk : kExitFailure;
  }

  if (retry_->parsed()) {
    if (const Status retried = desk.Retry(id_, Actor()); !retried.ok()) {
      return Failed(err, "retry", retried);
    }
    const Result<store::HeldException> exception = desk.Get(id_);
    if (!exception.ok()) {
      return Failed(err, "retry", exception.status());
    }
    out << Retried(*exception) << "\n";
  } else if (resolve_->parsed()) {
    if (const Status resolved = desk.Resolve(id_, Actor(), note_); !resolved.ok()) {
      return Failed(err, "resolve", resolved);
    }
    out << fmt::format("exception {} resolved\n", id_);
  } else if (edit_->parsed()) {
    if (const Status edited = desk.EditTracking(id_, tracking_number_, Actor()); !edited.ok()) {
      return Failed(err, "edit", edited);
    }
    out << fmt::format(
        "exception {}: tracking number corrected; the confirmation is due to be sent to Amazon "
        "again now\n",
        id_);
  }
  return out.good() ? kExitOk : kExitFailure;
}

}  // namespace sellerbridge::cli
