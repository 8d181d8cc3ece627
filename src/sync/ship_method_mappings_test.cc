#include "sync/ship_method_mappings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "clarus/carriers.h"
#include "clarus/connector_test_fixture.h"
#include "store/store.h"

namespace sellerbridge::sync {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kUk = "A1F83G8C2ARO7P";
constexpr std::string_view kFr = "A13V1IB3VIYZZH";

domain::ShipMethodMappingData Tracked24() {
  return {.marketplace_id = std::string(kUk),
          .ship_service_level = "Std UK Dom_1",
          .clarus_carrier = "ROYALMAIL",
          .clarus_service = "RM24",
          .amazon_carrier_code = "Royal Mail",
          .amazon_shipping_method = "Tracked 24"};
}

domain::ShipMethodMapping Make(const domain::ShipMethodMappingData& data) {
  auto created = domain::ShipMethodMapping::Create(data);
  EXPECT_TRUE(created.ok()) << created.status();
  return std::move(created).value();
}

constexpr std::string_view kHeader =
    "marketplace_id,ship_service_level,automated_carrier,automated_ship_method,is_prime,"
    "clarus_carrier,clarus_service,amazon_carrier_code,amazon_carrier_name,amazon_shipping_"
    "method\n";

class ShipMethodMappingsTest : public clarus::ClarusConnectorTest {
 protected:
  void SetUp() override {
    clarus::ClarusConnectorTest::SetUp();
    auto opened = store::OpenStore("sqlite::memory:", &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    carriers_ = std::make_unique<clarus::Carriers>(client_.get());
    catalog_ = std::make_unique<CarrierCatalog>(carriers_.get(), &clock_);
    mappings_ = std::make_unique<ShipMethodMappings>(store_.get(), catalog_.get(), &clock_);
  }

  std::vector<domain::ShipMethodMapping> Stored() {
    auto listed = mappings_->List();
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : std::vector<domain::ShipMethodMapping>{};
  }

  // The audit log, oldest first.
  std::vector<store::AuditEntry> Audit() {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto entries = (*txn)->ListAudit({.limit = 1000});
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::vector<store::AuditEntry> out(entries->rbegin(), entries->rend());
    return out;
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<clarus::Carriers> carriers_;
  std::unique_ptr<CarrierCatalog> catalog_;
  std::unique_ptr<ShipMethodMappings> mappings_;
};

// --- Check -------------------------------------------------------

TEST_F(ShipMethodMappingsTest, AcceptsAMappingToAnExistingClarusServiceAndAmazonCarrier) {
  EXPECT_TRUE(mappings_->Check(Make(Tracked24())).ok());
  domain::ShipMethodMappingData other = Tracked24();
  other.amazon_carrier_code = "Other";
  other.amazon_carrier_name = "Evri";
  other.clarus_carrier = "EVRI";
  other.clarus_service = "EVRI48";
  EXPECT_TRUE(mappings_->Check(Make(other)).ok());
}

TEST_F(ShipMethodMappingsTest, SuggestsAmazonsSpellingOfAWrongCarrierCode) {
  domain::ShipMethodMappingData data = Tracked24();
  data.amazon_carrier_code = "ROYALMAIL";
  const Status checked = mappings_->Check(Make(data));
  ASSERT_EQ(checked.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(checked.message(), HasSubstr("amazon_carrier_code 'ROYALMAIL' is not one of "
                                           "Amazon's carrier codes; did you mean 'Royal Mail'"));
}

TEST_F(ShipMethodMappingsTest, PointsToOtherWhenNothingIsClose) {
  domain::ShipMethodMappingData data = Tracked24();
  data.amazon_carrier_code = "Qwxzzkk";
  const Status checked = mappings_->Check(Make(data));
  ASSERT_EQ(checked.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(checked.message(), HasSubstr("use 'Other' and give amazon_carrier_name"));
}

TEST_F(ShipMethodMappingsTest, ReportsEveryProblemOfAMappingAtOnce) {
  domain::ShipMethodMappingData data = Tracked24();
  data.amazon_carrier_code = "Royal Mial";
  data.clarus_service = "RM99";
  const auto problems = mappings_->Problems(data);
  ASSERT_TRUE(problems.ok()) << problems.status();
  ASSERT_EQ(problems->size(), 2U);
  EXPECT_THAT((*problems)[0], HasSubstr("did you mean 'Royal Mail'"));
  EXPECT_EQ((*problems)[1],
            "Clarus carrier 'ROYALMAIL' has no service 'RM99' (it has: RM1CLS, RM24, RM48)");
}

TEST_F(ShipMethodMappingsTest, ProblemsIncludeTheDomainRules) {
  domain::ShipMethodMappingData data = Tracked24();
  data.amazon_carrier_code = "Other";
  data.clarus_carrier = "DPDX";
  const auto problems = mappings_->Problems(data);
  ASSERT_TRUE(problems.ok()) << problems.status();
  ASSERT_EQ(problems->size(), 2U);
  EXPECT_THAT((*problems)[0], HasSubstr("amazon_carrier_name is required"));
  EXPECT_THAT((*problems)[1], HasSubstr("Clarus has no carrier 'DPDX'"));
}

TEST_F(ShipMethodMappingsTest, RejectsControlCharactersWithoutEchoingThem) {
  domain::ShipMethodMappingData data = Tracked24();
  data.amazon_shipping_method = "Tracked\n24";
  const auto problems = mappings_->Problems(data);
  ASSERT_TRUE(problems.ok()) << problems.status();
  ASSERT_EQ(problems->size(), 1U);
  EXPECT_EQ((*problems)[0],
            "amazon_shipping_method 'Tracked?24' contains a line break or control character");
}

TEST_F(ShipMethodMappingsTest, CheckReturnsClarusErrorsAsErrors) {
  emulator_->Stop();
  EXPECT_EQ(mappings_->Check(Make(Tracked24())).code(), StatusCode::kUnavailable);
}

// --- Put and Delete ----------------------------------------------

TEST_F(ShipMethodMappingsTest, PutStoresAndAuditsWithTheActor) {
  ASSERT_TRUE(mappings_->Put(Make(Tracked24()), "cli:alice").ok());
  EXPECT_THAT(Stored(), ElementsAre(Make(Tracked24())));
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1U);
  EXPECT_EQ(audit[0].actor, "cli:alice");
  EXPECT_EQ(audit[0].action, "mapping.add");
  EXPECT_EQ(audit[0].subject, "A1F83G8C2ARO7P / Std UK Dom_1 / standard");
  EXPECT_EQ(audit[0].details,
            "clarus_carrier 'ROYALMAIL', clarus_service 'RM24', amazon_carrier_code 'Royal Mail', "
            "amazon_shipping_method 'Tracked 24'");
  EXPECT_EQ(audit[0].at, clock_.Now());
}

TEST_F(ShipMethodMappingsTest, PutOfAChangeAuditsOldAndNewValues) {
  ASSERT_TRUE(mappings_->Put(Make(Tracked24()), "cli:alice").ok());
  domain::ShipMethodMappingData changed = Tracked24();
  changed.clarus_service = "RM48";
  changed.amazon_shipping_method = "Tracked 48";
  ASSERT_TRUE(mappings_->Put(Make(changed), "api").ok());
  EXPECT_THAT(Stored(), ElementsAre(Make(changed)));
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 2U);
  EXPECT_EQ(audit[1].actor, "api");
  EXPECT_EQ(audit[1].action, "mapping.change");
  EXPECT_EQ(audit[1].details,
            "clarus_service 'RM24' → 'RM48'; amazon_shipping_method 'Tracked 24' → 'Tracked 48'");
}

TEST_F(ShipMethodMappingsTest, PutOfWhatIsStoredIsNotAudited) {
  ASSERT_TRUE(mappings_->Put(Make(Tracked24()), "cli:alice").ok());
  ASSERT_TRUE(mappings_->Put(Make(Tracked24()), "cli:bob").ok());
  EXPECT_EQ(Audit().size(), 1U);
}

TEST_F(ShipMethodMappingsTest, PutOfABadMappingStoresNothing) {
  domain::ShipMethodMappingData data = Tracked24();
  data.clarus_carrier = "DPDX";
  const Status put = mappings_->Put(Make(data), "api");
  EXPECT_EQ(put.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(put.message(), HasSubstr("ship-method mapping A1F83G8C2ARO7P / Std UK Dom_1 / "
                                       "standard: Clarus has no carrier 'DPDX'"));
  EXPECT_THAT(Stored(), IsEmpty());
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ShipMethodMappingsTest, DeleteRemovesAndAuditsTheOldValues) {
  ASSERT_TRUE(mappings_->Put(Make(Tracked24()), "cli:alice").ok());
  ASSERT_TRUE(mappings_->Delete(store::KeyOf(Make(Tracked24())), "cli:bob").ok());
  EXPECT_THAT(Stored(), IsEmpty());
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 2U);
  EXPECT_EQ(audit[1].actor, "cli:bob");
  EXPECT_EQ(audit[1].action, "mapping.delete");
  EXPECT_EQ(audit[1].subject, "A1F83G8C2ARO7P / Std UK Dom_1 / standard");
  EXPECT_THAT(audit[1].details, HasSubstr("clarus_service 'RM24'"));
}

TEST_F(ShipMethodMappingsTest, DeleteOfAMissingKeyIsNotFound) {
  store::ShipMethodKey key{.marketplace_id = std::string(kUk), .ship_service_level = "Expedited"};
  const Status deleted = mappings_->Delete(key, "api");
  EXPECT_EQ(deleted.code(), StatusCode::kNotFound);
  EXPECT_EQ(deleted.message(), "no ship-method mapping A1F83G8C2ARO7P / Expedited / standard");
  EXPECT_THAT(Audit(), IsEmpty());
}

// --- CSV ---------------------------------------------------------

TEST_F(ShipMethodMappingsTest, ParsesQuotedFieldsCrlfBomAndColumnsInAnyOrder) {
  const std::string text =
      "\xEF\xBB\xBF"
      "Clarus_Carrier,clarus_service,marketplace_id,ship_service_level,is_prime,"
      "amazon_carrier_code,amazon_carrier_name,amazon_shipping_method\r\n"
      "ROYALMAIL,RM24,A1F83G8C2ARO7P,Std UK Dom_1,no,Royal Mail,,Tracked 24\r\n"
      "\r\n"
      "EVRI , EVRI48,A1F83G8C2ARO7P,\"Exp, UK \"\"Next\"\"\",YES,Other,\"Evri, UK\",\" Next \"\r\n";
  const auto parsed = ShipMethodMappings::ParseCsv(text, "ops.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 2U);
  EXPECT_EQ((*parsed)[0], Make(Tracked24()));
  const domain::ShipMethodMappingData& evri = *(*parsed)[1];
  EXPECT_EQ(evri.clarus_carrier, "EVRI");
  EXPECT_EQ(evri.clarus_service, "EVRI48");
  EXPECT_EQ(evri.ship_service_level, "Exp, UK \"Next\"");
  EXPECT_TRUE(evri.is_prime);
  EXPECT_EQ(evri.amazon_carrier_code, "Other");
  EXPECT_EQ(evri.amazon_carrier_name, "Evri, UK");
  EXPECT_EQ(evri.amazon_shipping_method, " Next ");
}

TEST_F(ShipMethodMappingsTest, ParseReportsEveryProblemWithItsLine) {
  const std::string text = std::string(kHeader) +
                           // 2: fine
                           "A1F83G8C2ARO7P,Std UK Dom_1,,,false,ROYALMAIL,RM24,Royal Mail,,T24\n"
                           // 3: unknown marketplace
                           "XX,Std UK Dom_1,,,false,ROYALMAIL,RM24,Royal Mail,,T24\n"
                           // 4: bad is_prime
                           "A1F83G8C2ARO7P,Exp UK,,,maybe,ROYALMAIL,RM24,Royal Mail,,T24\n"
                           // 5: too few fields
                           "A1F83G8C2ARO7P,Exp UK,,,false\n"
                           // 6: repeats line 2 ("1"/"0" and "false" agree)
                           "A1F83G8C2ARO7P,Std UK Dom_1,,,0,DPD,DPD12,DPD,,Next\n"
                           // 7: text after a closing quote
                           "A1F83G8C2ARO7P,\"Exp\" UK,,,1,DPD,DPD12,DPD,,Next\n";
  const auto parsed = ShipMethodMappings::ParseCsv(text, "ops.csv");
  ASSERT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "ops.csv:3: ship-method mapping XX / Std UK Dom_1 / standard: unknown marketplace id "
            "'XX'\n"
            "ops.csv:4: is_prime 'maybe' is not true/false, yes/no or 1/0\n"
            "ops.csv:5: 5 fields where the header has 10\n"
            "ops.csv:6: mapping A1F83G8C2ARO7P / Std UK Dom_1 / standard repeats line 2\n"
            "ops.csv:7: field 2 has text after its closing quote");
}

TEST_F(ShipMethodMappingsTest, ParseCountsLinesInsideQuotedFieldsAndReportsUnclosedQuotes) {
  const std::string text = std::string(kHeader) +
                           "A1F83G8C2ARO7P,\"Std\nUK\",,,false,ROYALMAIL,RM24,Royal Mail,,T24\n"
                           "A1F83G8C2ARO7P,\"Exp UK,,,false,ROYALMAIL,RM24,Royal Mail,,T24\n";
  const auto parsed = ShipMethodMappings::ParseCsv(text, "ops.csv");
  ASSERT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "ops.csv:2: ship_service_level 'Std?UK' contains a line break or control character\n"
            "ops.csv:4: field 2 opens a quote that is never closed");
}

TEST_F(ShipMethodMappingsTest, ParseReportsHeaderProblems) {
  const auto parsed = ShipMethodMappings::ParseCsv(
      "marketplace_id,ship_service_level,is_prime,clarus_carrier,clarus_servce,"
      "amazon_carrier_code,is_prime\n"
      "A1F83G8C2ARO7P,Std UK Dom_1,false,ROYALMAIL,RM24,Royal Mail,false\n",
      "ops.csv");
  ASSERT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("ops.csv:1: unknown column 'clarus_servce'"));
  EXPECT_THAT(parsed.status().message(), HasSubstr("ops.csv:1: column 'is_prime' appears twice"));
  EXPECT_THAT(parsed.status().message(), HasSubstr("ops.csv:1: missing column 'clarus_service'"));
  EXPECT_EQ(ShipMethodMappings::ParseCsv("", "empty.csv").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_THAT(ShipMethodMappings::ParseCsv("", "empty.csv").status().message(),
              HasSubstr("empty.csv:1: no header row"));
}

TEST_F(ShipMethodMappingsTest, AHeaderAloneIsNoMappings) {
  const auto parsed = ShipMethodMappings::ParseCsv(kHeader, "ops.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(*parsed, IsEmpty());
}

TEST_F(ShipMethodMappingsTest, ExportIsReadBackIdentically) {
  domain::ShipMethodMappingData tricky = Tracked24();
  tricky.ship_service_level = " Exp, \"UK\" ";
  tricky.is_prime = true;
  tricky.amazon_carrier_code = "Other";
  tricky.amazon_carrier_name = "Evri \"Hermes\", UK";
  domain::ShipMethodMappingData automated = Tracked24();
  automated.marketplace_id = std::string(kFr);
  automated.ship_service_level.clear();
  automated.automated_carrier = "Colissimo";
  automated.automated_ship_method = "Colissimo Expert";
  automated.amazon_carrier_code = "Colissimo";
  automated.amazon_shipping_method.clear();
  const std::vector<domain::ShipMethodMapping> mappings = {Make(Tracked24()), Make(tricky),
                                                           Make(automated)};
  const std::string csv = ShipMethodMappings::ExportCsv(mappings);
  EXPECT_TRUE(csv.starts_with(kHeader)) << csv;
  EXPECT_THAT(csv, HasSubstr("A1F83G8C2ARO7P,\" Exp, \"\"UK\"\" \",,,true,"));
  const auto parsed = ShipMethodMappings::ParseCsv(csv, "export.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, mappings);
}

// --- Import ------------------------------------------------------

TEST_F(ShipMethodMappingsTest, ImportIsAllOrNothingAndNamesEveryProblem) {
  const std::string text =
      std::string(kHeader) +
      "A1F83G8C2ARO7P,Std UK Dom_1,,,false,ROYALMAIL,RM24,Royal Mail,,Tracked 24\n"
      "A1F83G8C2ARO7P,Exp UK,,,false,ROYALMAIL,RM99,Royal Mail,,Tracked 24\n"
      "A1F83G8C2ARO7P,Std UK Dom_1,,,true,DPD,DPD12,Dpd,,Next Day\n";
  const auto imported = mappings_->Import(text, "mappings.csv", "cli:alice", false);
  ASSERT_EQ(imported.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(imported.status().message(),
            "mappings.csv:3: Clarus carrier 'ROYALMAIL' has no service 'RM99' (it has: RM1CLS, "
            "RM24, RM48)\n"
            "mappings.csv:4: amazon_carrier_code 'Dpd' is not one of Amazon's carrier codes; did "
            "you mean 'DPD'?");
  EXPECT_THAT(Stored(), IsEmpty());
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ShipMethodMappingsTest, ImportReportsAddedChangedAndUnchangedAndAuditsOnlyChanges) {
  domain::ShipMethodMappingData expedited = Tracked24();
  expedited.ship_service_level = "Exp UK Dom_1";
  ASSERT_TRUE(mappings_->Put(Make(Tracked24()), "cli:alice").ok());
  ASSERT_TRUE(mappings_->Put(Make(expedited), "cli:alice").ok());
  const std::string text =
      std::string(kHeader) +
      "A1F83G8C2ARO7P,Std UK Dom_1,,,false,ROYALMAIL,RM24,Royal Mail,,Tracked 24\n"
      "A1F83G8C2ARO7P,Exp UK Dom_1,,,false,DPD,DPDNEXTDAY,DPD,,Next Day\n"
      "A1F83G8C2ARO7P,Std UK Dom_1,,,true,ROYALMAIL,RM24,Royal Mail,,Tracked 24\n";
  const auto imported = mappings_->Import(text, "mappings.csv", "cli:bob", false);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(*imported, (MappingImportReport{.added = 1, .changed = 1, .unchanged = 1}));
  EXPECT_EQ(Stored().size(), 3U);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 4U);
  EXPECT_EQ(audit[2].actor, "cli:bob");
  EXPECT_EQ(audit[2].action, "mapping.change");
  EXPECT_EQ(audit[2].subject, "A1F83G8C2ARO7P / Exp UK Dom_1 / standard");
  EXPECT_EQ(audit[2].details,
            "mappings.csv:3: clarus_carrier 'ROYALMAIL' → 'DPD'; clarus_service 'RM24' → "
            "'DPDNEXTDAY'; amazon_carrier_code 'Royal Mail' → 'DPD'; amazon_shipping_method "
            "'Tracked 24' → 'Next Day'");
  EXPECT_EQ(audit[3].action, "mapping.add");
  EXPECT_EQ(audit[3].subject, "A1F83G8C2ARO7P / Std UK Dom_1 / prime");
}

TEST_F(ShipMethodMappingsTest, ImportWithReplaceRemovesWhatTheFileLeavesOut) {
  domain::ShipMethodMappingData expedited = Tracked24();
  expedited.ship_service_level = "Exp UK Dom_1";
  ASSERT_TRUE(mappings_->Put(Make(Tracked24()), "cli:alice").ok());
  ASSERT_TRUE(mappings_->Put(Make(expedited), "cli:alice").ok());
  const std::string text =
      std::string(kHeader) +
      "A1F83G8C2ARO7P,Std UK Dom_1,,,false,ROYALMAIL,RM24,Royal Mail,,Tracked 24\n";

  const auto kept = mappings_->Import(text, "mappings.csv", "api", false);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->removed, 0);
  EXPECT_EQ(Stored().size(), 2U);

  const auto replaced = mappings_->Import(text, "mappings.csv", "api", true);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(*replaced, (MappingImportReport{.unchanged = 1, .removed = 1}));
  EXPECT_THAT(Stored(), ElementsAre(Make(Tracked24())));
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 3U);
  EXPECT_EQ(audit[2].actor, "api");
  EXPECT_EQ(audit[2].action, "mapping.delete");
  EXPECT_EQ(audit[2].subject, "A1F83G8C2ARO7P / Exp UK Dom_1 / standard");
  EXPECT_THAT(audit[2].details, HasSubstr("not in mappings.csv"));
}

TEST_F(ShipMethodMappingsTest, ImportAsksClarusOncePerCarrierService) {
  std::string text(kHeader);
  for (int i = 0; i < 40; ++i) {
    text += "A1F83G8C2ARO7P,Level " + std::to_string(i) +
            ",,,false,YODEL,YODEL48,Royal Mail,,Tracked 24\n";
  }
  const auto imported = mappings_->Import(text, "mappings.csv", "api", false);
  ASSERT_EQ(imported.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(imported.status().message(), HasSubstr("mappings.csv:41: Clarus has no carrier"));
  EXPECT_LE(counting_.GraphqlRequests(), 2);
}

TEST_F(ShipMethodMappingsTest, ImportWhileClarusIsDownWritesNothing) {
  emulator_->Stop();
  const std::string text =
      std::string(kHeader) +
      "A1F83G8C2ARO7P,Std UK Dom_1,,,false,ROYALMAIL,RM24,Royal Mail,,Tracked 24\n";
  const auto imported = mappings_->Import(text, "mappings.csv", "api", false);
  EXPECT_EQ(imported.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(Stored(), IsEmpty());
}

}  // namespace
}  // namespace sellerbridge::sync
