#include "cli/tokens_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/time_format.h"
#include "cli/mapping_command.h"
#include "server/api_tokens.h"
#include "store/store.h"

namespace sellerbridge::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

std::string When(const std::optional<TimePoint>& at) {
  return at.has_value() ? FormatIso8601(*at) : "-";
}

}  // namespace

void TokensCommand::AddTo(CLI::App& app) {
  command_ = app.add_subcommand(
      "tokens", "Create, list and revoke the API's tokens (roles ops, ecommerce, finance, admin)");
  command_->require_subcommand(1);
  command_->add_option("--config", config_path_, "The TOML configuration file")
      ->required()
      ->check(CLI::ExistingFile);
  create_ = command_->add_subcommand("create",
                                     "Create a token and print it (once: only its hash is kept)");
  create_->add_option("--name", name_, "Who or what holds the token, e.g. prometheus or alice")
      ->required();
  create_->add_option("--role", role_, "ops, ecommerce, finance or admin")
      ->required()
      ->check(CLI::IsMember({"ops", "ecommerce", "finance", "admin"}));
  list_ = command_->add_subcommand("list", "List the tokens (never the tokens themselves)");
  list_->add_flag("--json", json_, "Print JSON");
  revoke_ = command_->add_subcommand("revoke", "Revoke a token: it stops working at once");
  revoke_->add_option("id", id_, "The token's id, as `tokens list` shows it")
      ->required()
      ->check(CLI::PositiveNumber);
}

bool TokensCommand::Parsed() const { return command_ != nullptr && command_->parsed(); }

int TokensCommand::Run(std::ostream& out, std::ostream& err) const {
  if (create_->parsed()) {
    return Create(out, err);
  }
  if (list_->parsed()) {
    return List(out, err);
  }
  return Revoke(out, err);
}

int TokensCommand::Create(std::ostream& out, std::ostream& err) const {
  const CommandStore opened = OpenCommandStore("tokens create", config_path_, err);
  if (opened.exit_code != kExitOk) {
    return opened.exit_code;
  }
  const Result<server::Role> role = server::ParseRole(role_);
  const Result<std::string> token = server::GenerateApiToken();
  Status stored = role.ok() ? token.status() : role.status();
  std::int64_t id = 0;
  if (stored.ok()) {
    auto tx = opened.store->Begin();
    stored = tx.status();
    if (stored.ok()) {
      const Result<std::int64_t> created =
          (*tx)->CreateApiToken({.name = name_,
                                 .role = std::string(server::RoleName(*role)),
                                 .token_hash = server::HashApiToken(*token),
                                 .created_by = Actor()});
      stored = created.status();
      if (stored.ok()) {
        id = *created;
        stored = (*tx)
                     ->AppendAudit({.at = SystemClock::Get()->Now(),
                                    .actor = Actor(),
                                    .action = "token.created",
                                    .subject = fmt::format("token:{}", id),
                                    .details = fmt::format("name {}, role {}", name_, role_)})
                     .status();
      }
      if (stored.ok()) {
        stored = (*tx)->Commit();
      }
    }
  }
  if (!stored.ok()) {
    err << fmt::format("sellerbridge tokens create: {}\n", stored.ToString());
    return kExitFailure;
  }
  out << fmt::format(
      "token {} for {} (role {}):\n{}\nKeep it now: it is not shown again, only its hash is "
      "stored.\n",
      id, name_, role_, *token);
  return out.good() ? kExitOk : kExitFailure;
}

int TokensCommand::List(std::ostream& out, std::ostream& err) const {
  const CommandStore opened = OpenCommandStore("tokens list", config_path_, err);
  if (opened.exit_code != kExitOk) {
    return opened.exit_code;
  }
  auto tx = opened.store->BeginReadOnly();
  const Result<std::vector<store::ApiToken>> tokens =
      tx.ok() ? (*tx)->ListApiTokens() : Result<std::vector<store::ApiToken>>(tx.status());
  if (!tokens.ok()) {
    err << fmt::format("sellerbridge tokens list: {}\n", tokens.status().ToString());
    return kExitFailure;
  }
  if (json_) {
    nlohmann::json list = nlohmann::json::array();
    for (const store::ApiToken& token : *tokens) {
      list.push_back({{"id", token.id},
                      {"name", token.name},
                      {"role", token.role},
                      {"created_at", FormatIso8601(token.created_at)},
                      {"created_by", token.created_by},
                      {"last_used_at", When(token.last_used_at)},
                      {"revoked_at", When(token.revoked_at)}});
    }
    out << nlohmann::json{{"tokens", std::move(list)}}.dump(2) << "\n";
  } else {
    out << fmt::format("{:>4}  {:<20} {:<10} {:<24} {:<24} {}\n", "id", "name", "role", "created",
                       "last used", "revoked");
    for (const store::ApiToken& token : *tokens) {
      out << fmt::format("{:>4}  {:<20} {:<10} {:<24} {:<24} {}\n", token.id, token.name,
                         token.role, FormatIso8601(token.created_at), When(token.last_used_at),
                         When(token.revoked_at));
    }
  }
  return out.good() ? kExitOk : kExitFailure;
}

int TokensCommand::Revoke(std::ostream& out, std::ostream& err) const {
  const CommandStore opened = OpenCommandStore("tokens revoke", config_path_, err);
  if (opened.exit_code != kExitOk) {
    return opened.exit_code;
  }
  auto tx = opened.store->Begin();
  Status revoked = tx.status();
  if (revoked.ok()) {
    revoked = (*tx)->RevokeApiToken(id_);
  }
  if (revoked.ok()) {
    revoked = (*tx)
                  ->AppendAudit({.at = SystemClock::Get()->Now(),
                                 .actor = Actor(),
                                 .action = "token.revoked",
                                 .subject = fmt::format("token:{}", id_)})
                  .status();
  }
  if (revoked.ok()) {
    revoked = (*tx)->Commit();
  }
  if (!revoked.ok()) {
    err << fmt::format("sellerbridge tokens revoke: {}\n", revoked.ToString());
    return kExitFailure;
  }
  out << fmt::format("token {} revoked\n", id_);
  return out.good() ? kExitOk : kExitFailure;
}

}  // namespace sellerbridge::cli
