#include "domain/tracking_number.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>

namespace sellerbridge::domain {
namespace {

enum class CharClass { kLetter, kDigit, kLetterOrDigit };

// One part of a format: a run of `min`..`max` characters of a class, or the
// fixed text `literal` (letters in either case).
struct Segment {
  CharClass char_class = CharClass::kLetterOrDigit;
  int min = 0;
  int max = 0;
  std::string_view literal;
};

constexpr Segment Letters(int n) { return {.char_class = CharClass::kLetter, .min = n, .max = n}; }
constexpr Segment Digits(int n) { return {.char_class = CharClass::kDigit, .min = n, .max = n}; }
constexpr Segment Digits(int min, int max) {
  return {.char_class = CharClass::kDigit, .min = min, .max = max};
}
constexpr Segment Alnum(int n) {
  return {.char_class = CharClass::kLetterOrDigit, .min = n, .max = n};
}
constexpr Segment Alnum(int min, int max) {
  return {.char_class = CharClass::kLetterOrDigit, .min = min, .max = max};
}
constexpr Segment Fixed(std::string_view text) { return {.literal = text}; }

// A format: its segments in order, and an example shown in messages where the
// description alone is hard to picture.
struct Format {
  std::span<const Segment> segments;
  std::string_view example;
};

struct Carrier {
  std::string_view code;  // Amazon's CarrierCode.
  std::span<const Format> formats;
};

// UPU S10 item ids (2 letters, 8 digits and a check digit, the country) as
// Royal Mail, Parcelforce and USPS use them for tracked international items.
constexpr std::array kS10Gb{Letters(2), Digits(9), Fixed("GB")};
constexpr std::array kS10Us{Letters(2), Digits(9), Fixed("US")};

// Royal Mail, with the lengths Amazon's UK tracking FAQ accepts: S10, the
// 16-character tracked barcode id and the 20–21 character unique item id of
// the 2D barcode.
constexpr std::array kRoyalMailAlnum16{Alnum(16)};
constexpr std::array kRoyalMailUniqueItemId{Alnum(20, 21)};
constexpr std::array kRoyalMail{Format{kS10Gb, "AB123456789GB"}, Format{kRoyalMailAlnum16},
                                Format{kRoyalMailUniqueItemId}};

// Parcelforce: domestic consignments (2 letters and 7 digits, or 4 letters and
// 10 digits), exports as S10 or 12 digits.
constexpr std::array kParcelforceShort{Letters(2), Digits(7)};
constexpr std::array kParcelforceLong{Letters(4), Digits(10)};
constexpr std::array kDigits12{Digits(12)};
constexpr std::array kParcelforce{Format{kParcelforceShort, "PB1234567"},
                                  Format{kParcelforceLong, "PBAA1234567890"},
                                  Format{kS10Gb, "CP123456789GB"}, Format{kDigits12}};

// DPD's 14-digit parcel number, the same for DPD Local.
constexpr std::array kDigits14{Digits(14)};
constexpr std::array kDpd{Format{kDigits14}};

// Evri, still Hermes UK to Amazon: 16 digits, or H and 15 letters and digits.
constexpr std::array kDigits16{Digits(16)};
constexpr std::array kEvriBarcode{Fixed("H"), Alnum(15)};
constexpr std::array kHermesUk{Format{kDigits16}, Format{kEvriBarcode, "H00QJA0012345678"}};

// Yodel: JD and 16 digits, and the 8–18 character references of older labels.
constexpr std::array kYodelJd{Fixed("JD"), Digits(16)};
constexpr std::array kYodelReference{Alnum(8, 18)};
constexpr std::array kYodel{Format{kYodelJd, "JD0002251234567890"}, Format{kYodelReference}};

// UPS: 1Z, the 6-character shipper number, a 2-digit service and 8 more.
constexpr std::array kUps1z{Fixed("1Z"), Alnum(16)};
constexpr std::array kUps{Format{kUps1z, "1Z999AA10123456784"}};

// DHL Express air waybills (10 digits); DHL Parcel UK and Paket numbers (JJD
// and 18 digits).
constexpr std::array kDigits10{Digits(10)};
constexpr std::array kDhlJjd{Fixed("JJD"), Digits(18)};
constexpr std::array kDhl{Format{kDigits10}, Format{kDhlJjd, "JJD000390007584936781"}};

// FedEx Express and Ground.
constexpr std::array kDigits15{Digits(15)};
constexpr std::array kFedEx{Format{kDigits12}, Format{kDigits15}};

// Amazon Logistics: TBA and 12 digits.
constexpr std::array kTba{Fixed("TBA"), Digits(12)};
constexpr std::array kAmazon{Format{kTba, "TBA123456789012"}};

// USPS: the 20–22 digit Intelligent Mail package barcode, and S10.
constexpr std::array kImpb{Digits(20, 22)};
constexpr std::array kUsps{Format{kImpb}, Format{kS10Us, "EA123456785US"}};

// Any other carrier, "Other" included.
constexpr std::array kAnyAlnum{Alnum(6, 40)};
constexpr std::array kOther{Format{kAnyAlnum}};

constexpr std::array kCarriers{
    Carrier{"Royal Mail", kRoyalMail},
    Carrier{"ROYAL_MAIL", kRoyalMail},
    Carrier{"Parcelforce", kParcelforce},
    Carrier{"DPD", kDpd},
    Carrier{"DPD Local", kDpd},
    Carrier{"Hermes UK", kHermesUk},
    Carrier{"Yodel", kYodel},
    Carrier{"UPS", kUps},
    Carrier{"DHL", kDhl},
    Carrier{"DHL Express", kDhl},
    Carrier{"DHL Parcel UK", kDhl},
    Carrier{"FedEx", kFedEx},
    Carrier{"Amazon Shipping", kAmazon},
    Carrier{"AMZL_UK", kAmazon},
    Carrier{"AMZL", kAmazon},
    Carrier{"USPS", kUsps},
};

// Matches relies on this: a run of no characters would make its loop wrap.
constexpr bool EveryRunHasACharacter(std::span<const Format> formats) {
  for (const Format& format : formats) {
    for (const Segment& segment : format.segments) {
      if (segment.literal.empty() && (segment.min < 1 || segment.max < segment.min)) {
        return false;
      }
    }
  }
  return true;
}
static_assert(EveryRunHasACharacter(kOther));
static_assert(std::all_of(kCarriers.begin(), kCarriers.end(), [](const Carrier& carrier) {
  return EveryRunHasACharacter(carrier.formats);
}));

bool IsLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool InClass(CharClass char_class, char c) {
  switch (char_class) {
    case CharClass::kLetter:
      return IsLetter(c);
    case CharClass::kDigit:
      return IsDigit(c);
    case CharClass::kLetterOrDigit:
      return IsLetter(c) || IsDigit(c);
  }
  return false;
}

// Whether `text` is exactly the segments from `segments`' start on. Runs of
// variable length try each length, longest first.
bool Matches(std::span<const Segment> segments, std::string_view text) {
  if (segments.empty()) {
    return text.empty();
  }
  const Segment& segment = segments.front();
  const std::span<const Segment> rest = segments.subspan(1);
  if (!segment.literal.empty()) {
    if (text.size() < segment.literal.size()) {
      return false;
    }
    for (std::size_t i = 0; i < segment.literal.size(); ++i) {
      if (Upper(text[i]) != segment.literal[i]) {
        return false;
      }
    }
    return Matches(rest, text.substr(segment.literal.size()));
  }
  const std::size_t limit = std::min(text.size(), static_cast<std::size_t>(segment.max));
  std::size_t run = 0;
  while (run < limit && InClass(segment.char_class, text[run])) {
    ++run;
  }
  // Runs have at least one character (see EveryRunHasACharacter), so this ends.
  for (std::size_t length = run; length >= static_cast<std::size_t>(segment.min); --length) {
    if (Matches(rest, text.substr(length))) {
      return true;
    }
  }
  return false;
}

std::string Describe(const Segment& segment) {
  if (!segment.literal.empty()) {
    return fmt::format("'{}'", segment.literal);
  }
  const std::string_view what =
      segment.char_class == CharClass::kLetter  ? (segment.max == 1 ? "letter" : "letters")
      : segment.char_class == CharClass::kDigit ? (segment.max == 1 ? "digit" : "digits")
                                                : "letters and digits";
  if (segment.min == segment.max) {
    return fmt::format("{} {}", segment.min, what);
  }
  return fmt::format("{}–{} {}", segment.min, segment.max, what);
}

std::string Describe(const Format& format) {
  std::string text;
  for (const Segment& segment : format.segments) {
    text += text.empty() ? "" : ", ";
    text += Describe(segment);
  }
  if (!format.example.empty()) {
    text += fmt::format(" ({})", format.example);
  }
  return text;
}

// "A", "A or B", "A, B, or C".
std::string Describe(std::span<const Format> formats) {
  std::string text;
  for (std::size_t i = 0; i < formats.size(); ++i) {
    if (i > 0) {
      text += formats.size() == 2 ? " or " : (i + 1 == formats.size() ? ", or " : ", ");
    }
    text += Describe(formats[i]);
  }
  return text;
}

std::span<const Format> FormatsOf(std::string_view carrier_code) {
  for (const Carrier& carrier : kCarriers) {
    if (carrier.code == carrier_code) {
      return carrier.formats;
    }
  }
  return kOther;
}

// What is wrong with `number` beyond its shape, as "...; " ahead of the
// expected formats, or nothing.
std::string Problem(std::string_view number) {
  if (std::any_of(number.begin(), number.end(), IsWhitespace)) {
    return "it contains whitespace; ";
  }
  const auto odd = std::find_if(number.begin(), number.end(),
                                [](char c) { return !IsLetter(c) && !IsDigit(c); });
  if (odd == number.end()) {
    return {};
  }
  if (*odd > ' ' && *odd < '\x7f') {
    return fmt::format("'{}' is not a letter or digit; ", *odd);
  }
  return "it contains a character other than the letters A–Z and the digits 0–9; ";
}

}  // namespace

Status CheckTrackingNumber(std::string_view carrier_code, std::string_view tracking_number) {
  const std::span<const Format> formats = FormatsOf(carrier_code);
  if (tracking_number.empty()) {
    return InvalidArgumentError(fmt::format("tracking number for {} is empty: expected {}",
                                            carrier_code, Describe(formats)));
  }
  for (const Format& format : formats) {
    if (Matches(format.segments, tracking_number)) {
      return Status::Ok();
    }
  }
  return InvalidArgumentError(fmt::format("tracking number '{}' does not fit {}: {}expected {}",
                                          tracking_number, carrier_code, Problem(tracking_number),
                                          Describe(formats)));
}

}  // namespace sellerbridge::domain
