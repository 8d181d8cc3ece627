#include "emulators/amazon/formats/fulfillment_feed.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <pugixml.hpp>
#include <set>
#include <span>
#include <sstream>

#include "base/time_format.h"
#include "emulators/amazon/formats/carrier_codes.h"

namespace sellerbridge::emulators::amazon {
namespace {

// Result message codes as Amazon's processing reports use them: 5001 for a
// document that breaks the XSD, 18028 for data the XSD allows but Amazon's
// rules do not ("The data you submitted is incomplete or invalid.").
constexpr std::string_view kXsdErrorCode = "5001";
constexpr std::string_view kInvalidDataCode = "18028";
constexpr int kUnbounded = INT_MAX;

// One element of an XSD sequence: `names` lists the alternatives of a
// choice, separated by '|'.
struct Particle {
  std::string_view names;
  int min_occurs = 1;
  int max_occurs = 1;
};

bool NameIn(std::string_view name, std::string_view names) {
  while (true) {
    const size_t bar = names.find('|');
    if (names.substr(0, bar) == name) {
      return true;
    }
    if (bar == std::string_view::npos) {
      return false;
    }
    names.remove_prefix(bar + 1);
  }
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

std::string Text(pugi::xml_node node) { return std::string(Trim(node.child_value())); }

// xsd:positiveInteger, within int.
bool ParsePositiveInt(std::string_view text, int& out) {
  if (text.starts_with('+')) {
    text.remove_prefix(1);
  }
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end && out > 0;
}

// xsd:dateTime. The XSD lets the zone be left out; Amazon then reads the
// time as UTC.
bool ParseXsdDateTime(const std::string& text, TimePoint& out) {
  if (text.size() < 19 || (text[10] != 'T')) {
    return false;
  }
  Result<TimePoint> parsed = ParseIso8601(text);
  if (!parsed.ok()) {
    const char last = text.back();
    if (last == 'Z' || text.find_first_of("+-", 19) != std::string::npos) {
      return false;
    }
    parsed = ParseIso8601(text + "Z");
  }
  if (!parsed.ok()) {
    return false;
  }
  out = *parsed;
  return true;
}

bool IsDocumentVersion(std::string_view text) {
  // \d{1,2}\.\d{1,2}
  const size_t dot = text.find('.');
  auto digits = [](std::string_view part) {
    return !part.empty() && part.size() <= 2 &&
           part.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return dot != std::string_view::npos && digits(text.substr(0, dot)) &&
         digits(text.substr(dot + 1));
}

class FeedParser {
 public:
  explicit FeedParser(std::string_view xml) : xml_(xml) {}

  Result<ParsedFulfillmentFeed> Parse() {
    pugi::xml_document document;
    const pugi::xml_parse_result loaded =
        document.load_buffer(xml_.data(), xml_.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!loaded) {
      return InvalidArgumentError(
          fmt::format("XML Parsing Fatal Error at {}: {}",
                      Position(static_cast<size_t>(std::max<ptrdiff_t>(loaded.offset, 0))),
                      loaded.description()));
    }
    const pugi::xml_node envelope = document.document_element();
    // pugixml accepts several top-level elements; XML, and Amazon, do not.
    for (const pugi::xml_node node : document.children()) {
      const bool is_element = node.type() == pugi::node_element;
      const bool is_text = node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata;
      if ((is_element && node != envelope) || (is_text && !Trim(node.value()).empty())) {
        return InvalidArgumentError(
            fmt::format("XML Parsing Fatal Error at {}: Content is not allowed in trailing "
                        "section.",
                        Where(node)));
      }
    }
    if (std::string_view(envelope.name()) != "AmazonEnvelope") {
      return InvalidArgumentError(fmt::format(
          "XML Parsing Error at {}: the root element is '{}', expected 'AmazonEnvelope'",
          Where(envelope), envelope.name()));
    }
    static constexpr Particle kEnvelope[] = {
        {"Header"},           {"MessageType"},        {"MarketplaceName", 0},
        {"EffectiveDate", 0}, {"PurgeAndReplace", 0}, {"Message", 1, kUnbounded}};
    std::vector<std::vector<pugi::xml_node>> parts;
    if (std::string error = MatchSequence(envelope, kEnvelope, parts); !error.empty()) {
      return InvalidArgumentError(error);
    }
    ParsedFulfillmentFeed feed;
    static constexpr Particle kHeader[] = {{"DocumentVersion"}, {"MerchantIdentifier"}};
    std::vector<std::vector<pugi::xml_node>> header;
    if (std::string error = MatchSequence(parts[0][0], kHeader, header); !error.empty()) {
      return InvalidArgumentError(error);
    }
    if (!IsDocumentVersion(Text(header[0][0]))) {
      return InvalidArgumentError(XsdError(
          header[0][0], fmt::format("cvc-pattern-valid: Value '{}' is not facet-valid with "
                                    "respect to pattern '\\d{{1,2}}\\.\\d{{1,2}}' for "
                                    "DocumentVersion.",
                                    Text(header[0][0]))));
    }
    feed.merchant_identifier = Text(header[1][0]);
    if (feed.merchant_identifier.empty()) {
      return InvalidArgumentError(
          XsdError(header[1][0], "cvc-minLength-valid: MerchantIdentifier is empty."));
    }
    if (const std::string type = Text(parts[1][0]); type != "OrderFulfillment") {
      return InvalidArgumentError(XsdError(
          parts[1][0], fmt::format("MessageType is '{}'; a POST_ORDER_FULFILLMENT_DATA feed "
                                   "carries 'OrderFulfillment'.",
                                   type)));
    }
    for (const pugi::xml_node message : parts[5]) {
      ++feed.messages_seen;
      FulfillmentMessage parsed;
      FeedMessageError error;
      if (ParseMessage(message, parsed, error)) {
        feed.messages.push_back(std::move(parsed));
      } else {
        feed.errors.push_back(std::move(error));
      }
    }
    return feed;
  }

 private:
  // "Line 3, Column 14" for a byte offset into the document.
  std::string Position(size_t offset) const {
    offset = std::min(offset, xml_.size());
    const std::string_view before = xml_.substr(0, offset);
    const size_t line = static_cast<size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
    const size_t line_start = before.rfind('\n');
    const size_t column = line_start == std::string_view::npos ? offset + 1 : offset - line_start;
    return fmt::format("Line {}, Column {}", line, column);
  }

  std::string Where(pugi::xml_node node) const {
    return Position(static_cast<size_t>(std::max<ptrdiff_t>(node.offset_debug(), 0)));
  }

  std::string XsdError(pugi::xml_node node, std::string_view what) const {
    return fmt::format("XML Parsing Error at {}: {}", Where(node), what);
  }

  static std::string Expected(std::span<const Particle> particles) {
    std::string names;
    for (const Particle& particle : particles) {
      std::string_view rest = particle.names;
      while (!rest.empty()) {
        const size_t bar = rest.find('|');
        names += names.empty() ? "" : ", ";
        names += rest.substr(0, bar);
        rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
      }
    }
    return names;
  }

  // Splits the element children of `parent` into one group per particle,
  // enforcing XSD sequence order and occurrence bounds. Returns an empty
  // string, or the first violation in the words of an XSD validator.
  std::string MatchSequence(pugi::xml_node parent, std::span<const Particle> particles,
                            std::vector<std::vector<pugi::xml_node>>& groups) const {
    std::vector<pugi::xml_node> children;
    for (const pugi::xml_node child : parent.children()) {
      if (child.type() == pugi::node_element) {
        children.push_back(child);
      } else if ((child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) &&
                 !Trim(child.value()).empty()) {
        return XsdError(child, fmt::format("cvc-complex-type.2.3: Element '{}' cannot have "
                                           "character [children], because the type's content "
                                           "type is element-only.",
                                           parent.name()));
      }
    }
    groups.assign(particles.size(), {});
    size_t next = 0;
    size_t first_open = 0;  // The first particle that may still take an element.
    for (size_t p = 0; p < particles.size(); ++p) {
      int count = 0;
      while (next < children.size() && count < particles[p].max_occurs &&
             NameIn(children[next].name(), particles[p].names)) {
        groups[p].push_back(children[next]);
        ++next;
        ++count;
        first_open = count < particles[p].max_occurs ? p : p + 1;
      }
      if (count < particles[p].min_occurs) {
        const std::string expected = Expected(particles.subspan(first_open, p + 1 - first_open));
        if (next < children.size()) {
          return XsdError(children[next],
                          fmt::format("cvc-complex-type.2.4.a: Invalid content was found starting "
                                      "with element '{}'. One of '{{{}}}' is expected.",
                                      children[next].name(), expected));
        }
        return XsdError(parent, fmt::format("cvc-complex-type.2.4.b: The content of element "
                                            "'{}' is not complete. One of '{{{}}}' is expected.",
                                            parent.name(), expected));
      }
    }
    if (next < children.size()) {
      const std::string expected =
          Expected(particles.subspan(std::min(first_open, particles.size())));
      if (expected.empty()) {
        return XsdError(children[next],
                        fmt::format("cvc-complex-type.2.4.d: Invalid content was found starting "
                                    "with element '{}'. No child element is expected at this "
                                    "point.",
                                    children[next].name()));
      }
      return XsdError(children[next],
                      fmt::format("cvc-complex-type.2.4.a: Invalid content was found starting "
                                  "with element '{}'. One of '{{{}}}' is expected.",
                                  children[next].name(), expected));
    }
    return {};
  }

  // Fills `out`, or `error` and returns false.
  bool ParseMessage(pugi::xml_node message, FulfillmentMessage& out,
                    FeedMessageError& error) const {
    auto fail = [&](std::string_view code, std::string description) {
      error.message_id = out.message_id;
      error.code = code;
      error.description = std::move(description);
      return false;
    };
    // MessageID is read first, even when the rest is out of order, so the
    // error can be attributed to its message.
    if (const pugi::xml_node id = message.child("MessageID"); id) {
      int message_id = 0;
      if (ParsePositiveInt(Text(id), message_id)) {
        out.message_id = message_id;
      }
    }
    static constexpr Particle kMessage[] = {
        {"MessageID"}, {"OperationType", 0}, {"OrderFulfillment"}};
    std::vector<std::vector<pugi::xml_node>> parts;
    if (std::string problem = MatchSequence(message, kMessage, parts); !problem.empty()) {
      return fail(kXsdErrorCode, std::move(problem));
    }
    if (out.message_id == 0) {
      return fail(kXsdErrorCode,
                  XsdError(parts[0][0], fmt::format("cvc-datatype-valid.1.2.1: '{}' is not a "
                                                    "valid value for 'positiveInteger'.",
                                                    Text(parts[0][0]))));
    }
    if (!parts[1].empty() && Text(parts[1][0]) != "Update") {
      return fail(kXsdErrorCode,
                  XsdError(parts[1][0], fmt::format("cvc-enumeration-valid: OperationType '{}' "
                                                    "does not apply to OrderFulfillment; use "
                                                    "'Update'.",
                                                    Text(parts[1][0]))));
    }
    const pugi::xml_node fulfillment = parts[2][0];
    static constexpr Particle kFulfillment[] = {{"AmazonOrderID|MerchantOrderID"},
                                                {"MerchantFulfillmentID", 0},
                                                {"FulfillmentDate"},
                                                {"FulfillmentData", 0},
                                                {"CODCollectionMethod", 0},
                                                {"Item", 0, kUnbounded},
                                                {"ShipFromAddress", 0}};
    if (std::string problem = MatchSequence(fulfillment, kFulfillment, parts); !problem.empty()) {
      return fail(kXsdErrorCode, std::move(problem));
    }
    const pugi::xml_node order_id = parts[0][0];
    if (std::string_view(order_id.name()) == "MerchantOrderID") {
      return fail(kInvalidDataCode,
                  "The data you submitted is incomplete or invalid. MerchantOrderID is not "
                  "accepted here; identify the order by AmazonOrderID.");
    }
    out.amazon_order_id = Text(order_id);
    if (out.amazon_order_id.empty()) {
      return fail(kXsdErrorCode,
                  XsdError(order_id, "cvc-minLength-valid: AmazonOrderID is empty."));
    }
    if (!ParseXsdDateTime(Text(parts[2][0]), out.fulfillment_date)) {
      return fail(kXsdErrorCode,
                  XsdError(parts[2][0], fmt::format("cvc-datatype-valid.1.2.1: '{}' is not a "
                                                    "valid value for 'dateTime' in "
                                                    "FulfillmentDate.",
                                                    Text(parts[2][0]))));
    }
    if (parts[3].empty()) {
      return fail(kInvalidDataCode,
                  "The data you submitted is incomplete or invalid. FulfillmentData with a "
                  "CarrierCode is required.");
    }
    if (!ParseFulfillmentData(parts[3][0], out, error)) {
      error.message_id = out.message_id;
      return false;
    }
    if (!parts[4].empty() && Text(parts[4][0]) != "DirectPayment") {
      return fail(kXsdErrorCode,
                  XsdError(parts[4][0], fmt::format("cvc-enumeration-valid: Value '{}' is not "
                                                    "facet-valid with respect to enumeration "
                                                    "'[DirectPayment]' for CODCollectionMethod.",
                                                    Text(parts[4][0]))));
    }
    for (const pugi::xml_node item : parts[5]) {
      FulfillmentItem parsed;
      if (!ParseItem(item, parsed, error)) {
        error.message_id = out.message_id;
        return false;
      }
      out.items.push_back(std::move(parsed));
    }
    return true;
  }

  bool ParseFulfillmentData(pugi::xml_node data, FulfillmentMessage& out,
                            FeedMessageError& error) const {
    static constexpr Particle kData[] = {{"CarrierCode", 0},
                                         {"CarrierName", 0},
                                         {"ShippingMethod", 0},
                                         {"ShipperTrackingNumber", 0}};
    std::vector<std::vector<pugi::xml_node>> parts;
    if (std::string problem = MatchSequence(data, kData, parts); !problem.empty()) {
      error.code = kXsdErrorCode;
      error.description = std::move(problem);
      return false;
    }
    if (parts[0].empty()) {
      error.code = kInvalidDataCode;
      error.description =
          "The data you submitted is incomplete or invalid. CarrierCode is required.";
      return false;
    }
    out.carrier_code = Text(parts[0][0]);
    if (!IsCarrierCode(out.carrier_code)) {
      error.code = kXsdErrorCode;
      error.description = XsdError(
          parts[0][0], fmt::format("cvc-enumeration-valid: Value '{}' is not facet-valid with "
                                   "respect to the enumeration of CarrierCode.",
                                   out.carrier_code));
      return false;
    }
    if (!parts[1].empty()) {
      out.carrier_name = Text(parts[1][0]);
    }
    if (out.carrier_code == "Other" && out.carrier_name.empty()) {
      error.code = kInvalidDataCode;
      error.description =
          "The data you submitted is incomplete or invalid. CarrierName is required when "
          "CarrierCode is Other.";
      return false;
    }
    if (!parts[2].empty()) {
      out.shipping_method = Text(parts[2][0]);
    }
    if (!parts[3].empty()) {
      out.tracking_number = Text(parts[3][0]);
    }
    return true;
  }

  bool ParseItem(pugi::xml_node item, FulfillmentItem& out, FeedMessageError& error) const {
    static constexpr Particle kItem[] = {{"AmazonOrderItemCode|MerchantOrderItemID"},
                                         {"MerchantFulfillmentItemID", 0},
                                         {"Quantity", 0},
                                         {"TransparencyCode", 0, 10}};
    std::vector<std::vector<pugi::xml_node>> parts;
    if (std::string problem = MatchSequence(item, kItem, parts); !problem.empty()) {
      error.code = kXsdErrorCode;
      error.description = std::move(problem);
      return false;
    }
    if (std::string_view(parts[0][0].name()) == "MerchantOrderItemID") {
      error.code = kInvalidDataCode;
      error.description =
          "The data you submitted is incomplete or invalid. MerchantOrderItemID is not accepted "
          "here; identify the item by AmazonOrderItemCode.";
      return false;
    }
    out.amazon_order_item_code = Text(parts[0][0]);
    if (out.amazon_order_item_code.empty()) {
      error.code = kXsdErrorCode;
      error.description =
          XsdError(parts[0][0], "cvc-minLength-valid: AmazonOrderItemCode is empty.");
      return false;
    }
    if (!parts[2].empty()) {
      int quantity = 0;
      if (!ParsePositiveInt(Text(parts[2][0]), quantity)) {
        error.code = kXsdErrorCode;
        error.description = XsdError(
            parts[2][0], fmt::format("cvc-datatype-valid.1.2.1: '{}' is not a valid value for "
                                     "'positiveInteger' in Quantity.",
                                     Text(parts[2][0])));
        return false;
      }
      out.quantity = quantity;
    }
    return true;
  }

  std::string_view xml_;
};

void AddText(pugi::xml_node parent, const char* name, std::string_view value) {
  parent.append_child(name).text().set(std::string(value).c_str());
}

}  // namespace

Result<ParsedFulfillmentFeed> ParseFulfillmentFeed(std::string_view xml) {
  return FeedParser(xml).Parse();
}

std::string FulfillmentProcessingReport(std::string_view merchant_identifier,
                                        std::string_view document_transaction_id,
                                        int messages_processed,
                                        const std::vector<FeedResult>& results) {
  std::set<int> with_error;
  std::set<int> with_warning;
  for (const FeedResult& result : results) {
    // A result with MessageID 0 concerns the document, not a message.
    if (result.message_id == 0) {
      continue;
    }
    (result.result_code == "Error" ? with_error : with_warning).insert(result.message_id);
  }
  const int errors = static_cast<int>(with_error.size());
  const int warnings = static_cast<int>(with_warning.size());

  pugi::xml_document document;
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node envelope = document.append_child("AmazonEnvelope");
  envelope.append_attribute("xmlns:xsi") = "http://www.w3.org/2001/XMLSchema-instance";
  envelope.append_attribute("xsi:noNamespaceSchemaLocation") = "amzn-envelope.xsd";
  pugi::xml_node header = envelope.append_child("Header");
  AddText(header, "DocumentVersion", "1.02");
  AddText(header, "MerchantIdentifier", merchant_identifier);
  AddText(envelope, "MessageType", "ProcessingReport");
  pugi::xml_node message = envelope.append_child("Message");
  AddText(message, "MessageID", "1");
  pugi::xml_node report = message.append_child("ProcessingReport");
  AddText(report, "DocumentTransactionID", document_transaction_id);
  AddText(report, "StatusCode", "Complete");
  pugi::xml_node summary = report.append_child("ProcessingSummary");
  AddText(summary, "MessagesProcessed", std::to_string(messages_processed));
  AddText(summary, "MessagesSuccessful", std::to_string(std::max(0, messages_processed - errors)));
  AddText(summary, "MessagesWithError", std::to_string(errors));
  AddText(summary, "MessagesWithWarning", std::to_string(warnings));
  for (const FeedResult& result : results) {
    pugi::xml_node node = report.append_child("Result");
    AddText(node, "MessageID", std::to_string(result.message_id));
    AddText(node, "ResultCode", result.result_code);
    AddText(node, "ResultMessageCode", result.message_code);
    AddText(node, "ResultDescription", result.description);
    if (!result.amazon_order_id.empty()) {
      AddText(node.append_child("AdditionalInfo"), "AmazonOrderID", result.amazon_order_id);
    }
  }
  std::ostringstream out;
  document.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace sellerbridge::emulators::amazon
