#include "amazon/fulfillment_feed.h"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <pugixml.hpp>
#include <set>

#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::amazon {
namespace {

constexpr std::string_view kWhere = "amazon POST_ORDER_FULFILLMENT_DATA processing report";

// U+FFFD REPLACEMENT CHARACTER, in UTF-8.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The length of the UTF-8 sequence at the start of `text` when it is well
// formed (shortest form, no surrogate) and encodes a character XML 1.0
// allows; otherwise 0. `text` starts with a byte of 0x80 or above.
std::size_t XmlCharLength(std::string_view text) {
  const auto lead = static_cast<std::uint8_t>(text[0]);
  std::size_t length = 0;
  std::uint32_t code_point = 0;
  std::uint32_t smallest = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1FU;
    smallest = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0FU;
    smallest = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07U;
    smallest = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < length) {
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<std::uint8_t>(text[i]);
    if ((next & 0xC0U) != 0x80U) {
      return 0;
    }
    code_point = (code_point << 6U) | (next & 0x3FU);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  const bool non_character = code_point == 0xFFFE || code_point == 0xFFFF;
  if (code_point < smallest || code_point > 0x10FFFF || surrogate || non_character) {
    return 0;
  }
  return length;
}

// Appends `text` as XML character data. Tab, line feed and carriage return
// are written as references so that a parser's line-end handling keeps them.
void AppendEscaped(std::string_view text, std::string& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (static_cast<std::uint8_t>(c) >= 0x80) {
      const std::size_t length = XmlCharLength(text.substr(i));
      if (length == 0) {
        out += kReplacement;
        ++i;
      } else {
        out += text.substr(i, length);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        if (static_cast<std::uint8_t>(c) < 0x20) {
          out += kReplacement;
        } else {
          out += c;
        }
    }
    ++i;
  }
}

// Writes one element per line, indented by depth.
class XmlWriter {
 public:
  // `attributes` is written as it is: the caller escapes it.
  void Open(std::string_view name, std::string_view attributes = {}) {
    Indent();
    out_ += attributes.empty() ? fmt::format("<{}>\n", name)
                               : fmt::format("<{} {}>\n", name, attributes);
    ++depth_;
  }

  void Close(std::string_view name) {
    --depth_;
    Indent();
    out_ += fmt::format("</{}>\n", name);
  }

  void Element(std::string_view name, std::string_view text) {
    Indent();
    out_ += fmt::format("<{}>", name);
    AppendEscaped(text, out_);
    out_ += fmt::format("</{}>\n", name);
  }

  // Element() unless `text` is empty.
  void OptionalElement(std::string_view name, std::string_view text) {
    if (!text.empty()) {
      Element(name, text);
    }
  }

  void Raw(std::string_view text) { out_ += text; }

  std::string Take() && { return std::move(out_); }

 private:
  void Indent() { out_.append(static_cast<std::size_t>(depth_) * 2, ' '); }

  std::string out_;
  int depth_ = 0;
};

void WriteMessage(const FulfillmentFeedMessage& message, XmlWriter& xml) {
  xml.Open("Message");
  xml.Element("MessageID", std::to_string(message.message_id));
  xml.Open("OrderFulfillment");
  xml.Element("AmazonOrderID", message.amazon_order_id);
  xml.Element("FulfillmentDate", FormatIso8601(message.fulfillment_date));
  if (!message.carrier_code.empty() || !message.carrier_name.empty() ||
      !message.shipping_method.empty() || !message.tracking_number.empty()) {
    xml.Open("FulfillmentData");
    xml.OptionalElement("CarrierCode", message.carrier_code);
    xml.OptionalElement("CarrierName", message.carrier_name);
    xml.OptionalElement("ShippingMethod", message.shipping_method);
    xml.OptionalElement("ShipperTrackingNumber", message.tracking_number);
    xml.Close("FulfillmentData");
  }
  for (const auto& [order_item_id, quantity] : message.items) {
    assert(quantity > 0);
    xml.Open("Item");
    xml.Element("AmazonOrderItemCode", order_item_id);
    xml.Element("Quantity", std::to_string(quantity));
    xml.Close("Item");
  }
  xml.Close("OrderFulfillment");
  xml.Close("Message");
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

std::string_view Text(pugi::xml_node node) { return Trim(node.child_value()); }

// The text of `parent`'s child `name` as a non-negative int; `path` names
// `parent` in messages.
Result<int> NonNegative(pugi::xml_node parent, const char* name, std::string_view path) {
  const pugi::xml_node node = parent.child(name);
  if (!node) {
    return InvalidArgumentError(fmt::format("{}: {} has no {}", kWhere, path, name));
  }
  const std::string_view text = Text(node);
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < 0) {
    return InvalidArgumentError(
        fmt::format("{}: {}/{} '{}' is not a non-negative integer", kWhere, path, name, text));
  }
  return value;
}

// The text of `parent`'s child `name`, which must be there.
Result<std::string> Required(pugi::xml_node parent, const char* name, std::string_view path) {
  const pugi::xml_node node = parent.child(name);
  if (!node) {
    return InvalidArgumentError(fmt::format("{}: {} has no {}", kWhere, path, name));
  }
  return std::string(Text(node));
}

Result<FulfillmentFeedResult> ParseResult(pugi::xml_node node, std::size_t index) {
  const std::string path = fmt::format("Result {}", index);
  FulfillmentFeedResult result;
  ASSIGN_OR_RETURN(result.message_id, NonNegative(node, "MessageID", path));
  ASSIGN_OR_RETURN(result.result_code, Required(node, "ResultCode", path));
  if (result.result_code != "Error" && result.result_code != "Warning") {
    return InvalidArgumentError(
        fmt::format("{}: {} (MessageID {}): ResultCode '{}' is not Error "
                    "or Warning",
                    kWhere, path, result.message_id, result.result_code));
  }
  ASSIGN_OR_RETURN(result.message_code, Required(node, "ResultMessageCode", path));
  ASSIGN_OR_RETURN(result.description, Required(node, "ResultDescription", path));
  return result;
}

}  // namespace

std::string BuildOrderFulfillmentFeed(std::string_view merchant_id,
                                      const std::vector<FulfillmentFeedMessage>& messages) {
  assert(!messages.empty());
  XmlWriter xml;
  xml.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  xml.Open("AmazonEnvelope",
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xsi:noNamespaceSchemaLocation=\"amzn-envelope.xsd\"");
  xml.Open("Header");
  xml.Element("DocumentVersion", "1.01");
  xml.Element("MerchantIdentifier", merchant_id);
  xml.Close("Header");
  xml.Element("MessageType", "OrderFulfillment");
  std::set<int> message_ids;
  for (const FulfillmentFeedMessage& message : messages) {
    assert(message.message_id > 0);
    [[maybe_unused]] const bool unique = message_ids.insert(message.message_id).second;
    assert(unique);
    WriteMessage(message, xml);
  }
  xml.Close("AmazonEnvelope");
  return std::move(xml).Take();
}

Result<FulfillmentFeedReport> ParseFulfillmentProcessingReport(std::string_view xml) {
  pugi::xml_document document;
  const pugi::xml_parse_result loaded =
      document.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!loaded) {
    return InvalidArgumentError(fmt::format("{}: not well-formed XML at byte {}: {}", kWhere,
                                            loaded.offset, loaded.description()));
  }
  const pugi::xml_node envelope = document.document_element();
  if (std::string_view(envelope.name()) != "AmazonEnvelope") {
    return InvalidArgumentError(
        fmt::format("{}: the root element is '{}', not AmazonEnvelope", kWhere, envelope.name()));
  }
  pugi::xml_node report;
  for (const pugi::xml_node message : envelope.children("Message")) {
    report = message.child("ProcessingReport");
    if (report) {
      break;
    }
  }
  if (!report) {
    return InvalidArgumentError(
        fmt::format("{}: no Message of the AmazonEnvelope holds a ProcessingReport", kWhere));
  }
  const pugi::xml_node summary = report.child("ProcessingSummary");
  if (!summary) {
    return InvalidArgumentError(
        fmt::format("{}: ProcessingReport has no ProcessingSummary", kWhere));
  }
  FulfillmentFeedReport parsed;
  constexpr std::string_view kSummary = "ProcessingSummary";
  ASSIGN_OR_RETURN(parsed.messages_processed, NonNegative(summary, "MessagesProcessed", kSummary));
  ASSIGN_OR_RETURN(parsed.messages_successful,
                   NonNegative(summary, "MessagesSuccessful", kSummary));
  ASSIGN_OR_RETURN(parsed.messages_with_error, NonNegative(summary, "MessagesWithError", kSummary));
  ASSIGN_OR_RETURN(parsed.messages_with_warning,
                   NonNegative(summary, "MessagesWithWarning", kSummary));
  std::size_t index = 0;
  for (const pugi::xml_node node : report.children("Result")) {
    ASSIGN_OR_RETURN(FulfillmentFeedResult result, ParseResult(node, ++index));
    parsed.results.push_back(std::move(result));
  }
  return parsed;
}

}  // namespace sellerbridge::amazon
