#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "domain/ship_method_mapping.h"
#include "store/store.h"
#include "sync/carrier_catalog.h"

namespace sellerbridge::sync {

// The columns of a ship-method mapping CSV file, in the order ExportCsv writes them.
inline constexpr std::array<std::string_view, 10> kMappingCsvColumns = {
    "marketplace_id",
    "ship_service_level",
    "automated_carrier",
    "automated_ship_method",
    "is_prime",
    "clarus_carrier",
    "clarus_service",
    "amazon_carrier_code",
    "amazon_carrier_name",
    "amazon_shipping_method",
};

// What an import changed.
struct MappingImportReport {
  int added = 0;      // Keys that were not stored.
  int changed = 0;    // Keys stored with other values.
  int unchanged = 0;  // Rows equal to what was stored; not written, not audited.
  int removed = 0;    // Stored keys absent from the file; only when replacing.

  friend bool operator==(const MappingImportReport&, const MappingImportReport&) = default;
};

// The ship-method mappings as operations manage them: checked against Amazon's carrier codes and
// the tenant's Clarus carriers before they are stored, changed one by one or imported from CSV,
// and every change written to the audit log with who made it ("cli:alice", "api") and the old and
// new values. Audit actions are "mapping.add", "mapping.change" and "mapping.delete"; the subject
// is the mapping's key (domain::ShipMethodMapping::Key). Thread-safe as far as the store and the
// catalog are (both are).
class ShipMethodMappings {
 public:
  // Every pointer must outlive this. `clock` stamps the audit entries.
  ShipMethodMappings(store::Store* store, CarrierCatalog* catalog, Clock* clock);

  // Every problem of `data`, each a sentence, in field order; empty when there is none: the
  // domain's rules (domain::ShipMethodMapping::Create, as one problem), a control character or
  // line break in a field, an amazon_carrier_code that is not on Amazon's list (with up to three
  // suggestions, "did you mean 'Royal Mail'?"), and a Clarus carrier or service that Clarus does
  // not have (naming what it has). Errors of reading Clarus are returned as errors, not problems.
  Result<std::vector<std::string>> Problems(const domain::ShipMethodMappingData& data);

  // InvalidArgument "ship-method mapping <key>: <problem>; <problem>" when Problems finds any;
  // errors of reading Clarus otherwise.
  Status Check(const domain::ShipMethodMapping& mapping);

  // Checks `mapping`, then stores it in place of the mapping with the same key, if any, and audits
  // the change as `actor`. Storing what is already stored changes nothing and is not audited.
  Status Put(const domain::ShipMethodMapping& mapping, std::string_view actor);

  // Deletes the mapping keyed `key` and audits it as `actor`. NotFound naming the key when there
  // is none.
  Status Delete(const store::ShipMethodKey& key, std::string_view actor);

  // Every stored mapping, by key.
  Result<std::vector<domain::ShipMethodMapping>> List();

  // Reads `text` as ParseCsv does and checks every row as Problems does, then, only if nothing is
  // wrong, writes every change in one transaction, each audited as `actor` with `source` and the
  // row's line: rows whose key is new are added, rows whose values differ are changed, equal rows
  // are left alone, and with `replace` stored mappings whose key is not in the file are deleted.
  // InvalidArgument whose message is every problem of the file, one "<source>:<line>: <problem>"
  // a line, in line order; errors of reading Clarus or of the store otherwise (nothing written).
  Result<MappingImportReport> Import(std::string_view text, std::string_view source,
                                     std::string_view actor, bool replace);

  // Reads ship-method mappings from CSV text (RFC 4180): a header row naming the columns (any
  // order, any case; see kMappingCsvColumns; marketplace_id, is_prime, clarus_carrier,
  // clarus_service, amazon_carrier_code and the columns of the way orders are matched are
  // required, the rest optional), then one mapping a row. Fields may be quoted ("a, b", "say
  // ""x"""); unquoted fields are trimmed of spaces and tabs. Lines end in LF or CRLF; a UTF-8 byte
  // order mark is skipped; blank lines are ignored. is_prime is true/false, yes/no or 1/0 (any
  // case). Every problem is reported, not only the first: InvalidArgument whose message has one
  // "<source_name>:<line>: <problem>" a line (unknown, missing or repeated columns, rows with the
  // wrong number of fields, unclosed quotes, bad is_prime values, rows the domain rejects, keys
  // repeated in the file). Does not look at Amazon's or Clarus's lists (Import does).
  static Result<std::vector<domain::ShipMethodMapping>> ParseCsv(std::string_view text,
                                                                 std::string_view source_name);

  // `mappings` as CSV with a header of kMappingCsvColumns, in the order given, LF line ends.
  // ParseCsv reads it back to equal mappings.
  static std::string ExportCsv(const std::vector<domain::ShipMethodMapping>& mappings);

 private:
  // Clarus lookups already made, by "carrier\nservice": the problem, or "" when it exists.
  using ClarusMemo = std::map<std::pair<std::string, std::string>, std::string>;

  Result<std::vector<std::string>> ProblemsWith(const domain::ShipMethodMappingData& data,
                                                ClarusMemo& memo);

  store::Store* const store_;
  CarrierCatalog* const catalog_;
  Clock* const clock_;
};

// "A1F83G8C2ARO7P / Std UK Dom_1 / standard", as domain::ShipMethodMapping::Key writes it.
std::string ShipMethodKeyText(const store::ShipMethodKey& key);

}  // namespace sellerbridge::sync
