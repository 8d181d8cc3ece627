#include "emulators/amazon/formats/tracking_numbers.h"

#include <array>
#include <span>

namespace sellerbridge::emulators::amazon {
namespace {

// A tracking number format. `shape` is matched character by character: '#'
// is a digit, '@' a letter, '*' a letter or digit, anything else itself. An
// empty shape means any run of min_length to max_length letters and digits.
// Letters match in either case: carriers print upper case, but a number typed
// or stored in lower case still identifies the parcel.
struct Format {
  std::string_view shape;
  int min_length = 0;
  int max_length = 0;
};

struct CarrierFormats {
  std::string_view carrier_code;
  std::span<const Format> formats;  // The first is the one MakeTrackingNumber draws.
};

constexpr Format kAnyAlnum{"", 6, 40};

// Royal Mail, as Amazon's UK tracking FAQ lists its accepted lengths: the UPU
// S10 number ending GB (13), the 16-character item id, and the 2D-barcode
// unique item id (Amazon's example has 20 characters, its text says 21).
constexpr std::array kRoyalMail{Format{"@@#########GB"}, Format{"****************"},
                                Format{"", 20, 21}};
// Parcelforce's published formats: UK 2 letters + 7 digits or 4 letters + 10
// digits; exports S10 ending GB or 12 digits.
constexpr std::array kParcelforce{Format{"@@#######"}, Format{"@@@@##########"},
                                  Format{"@@#########GB"}, Format{"############"}};
// DPD parcel numbers, UK and DE alike.
constexpr std::array kDpd{Format{"##############"}};
// Evri (Amazon still calls it Hermes UK): 16 digits, or H and 15 letters and digits.
constexpr std::array kHermesUk{Format{"################"}, Format{"H***************"}};
// Yodel: JD + 16 digits, and older 8 to 18 character references.
constexpr std::array kYodel{Format{"JD################"}, Format{"", 8, 18}};
constexpr std::array kUps{Format{"1Z****************"}};
// DHL Express air waybills (10 digits) and DHL Parcel UK / Paket JJD numbers.
constexpr std::array kDhl{Format{"##########"}, Format{"JJD##################"}};
constexpr std::array kFedEx{Format{"############"}, Format{"###############"}};
constexpr std::array kAmazon{Format{"TBA############"}};
// USPS domestic barcodes (20 to 22 digits) and international S10 numbers.
constexpr std::array kUsps{Format{"######################"}, Format{"#####################"},
                           Format{"####################"}, Format{"@@#########US"}};

constexpr std::array<CarrierFormats, 16> kCarriers{{
    {"Royal Mail", kRoyalMail},
    {"ROYAL_MAIL", kRoyalMail},
    {"Parcelforce", kParcelforce},
    {"DPD", kDpd},
    {"DPD Local", kDpd},
    {"Hermes UK", kHermesUk},
    {"Yodel", kYodel},
    {"UPS", kUps},
    {"DHL", kDhl},
    {"DHL Express", kDhl},
    {"DHL Parcel UK", kDhl},
    {"FedEx", kFedEx},
    {"Amazon Shipping", kAmazon},
    {"AMZL_UK", kAmazon},
    {"AMZL", kAmazon},
    {"USPS", kUsps},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool Matches(const Format& format, std::string_view text) {
  if (format.shape.empty()) {
    if (text.size() < static_cast<size_t>(format.min_length) ||
        text.size() > static_cast<size_t>(format.max_length)) {
      return false;
    }
    for (const char c : text) {
      if (!IsDigit(c) && !IsLetter(c)) {
        return false;
      }
    }
    return true;
  }
  if (text.size() != format.shape.size()) {
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (format.shape[i]) {
      case '#':
        if (!IsDigit(c)) {
          return false;
        }
        break;
      case '@':
        if (!IsLetter(c)) {
          return false;
        }
        break;
      case '*':
        if (!IsDigit(c) && !IsLetter(c)) {
          return false;
        }
        break;
      default:
        if (Upper(c) != format.shape[i]) {
          return false;
        }
    }
  }
  return true;
}

std::span<const Format> FormatsOf(std::string_view carrier_code) {
  for (const CarrierFormats& carrier : kCarriers) {
    if (carrier.carrier_code == carrier_code) {
      return carrier.formats;
    }
  }
  return {&kAnyAlnum, 1};
}

// The UPU S10 check digit of the 8-digit serial number in `digits`, so that
// generated Royal Mail and USPS S10 numbers also pass a carrier's own check.
char S10CheckDigit(std::string_view digits) {
  constexpr std::array<int, 8> kWeights = {8, 6, 4, 2, 3, 5, 9, 7};
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) {
    sum += (digits[i] - '0') * kWeights[i];
  }
  const int check = 11 - sum % 11;
  if (check == 10) {
    return '0';
  }
  if (check == 11) {
    return '5';
  }
  return static_cast<char>('0' + check);
}

}  // namespace

bool IsValidTrackingNumber(std::string_view carrier_code, std::string_view tracking_number) {
  for (const Format& format : FormatsOf(carrier_code)) {
    if (Matches(format, tracking_number)) {
      return true;
    }
  }
  return false;
}

std::string MakeTrackingNumber(std::string_view carrier_code, std::mt19937_64& rng) {
  constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::uniform_int_distribution<size_t> digit(0, 9);
  std::uniform_int_distribution<size_t> letter(0, kLetters.size() - 1);
  std::uniform_int_distribution<size_t> alnum(0, kAlnum.size() - 1);

  const Format& format = FormatsOf(carrier_code).front();
  std::string number;
  if (format.shape.empty()) {
    // Twelve characters: well inside every run-length format, and random
    // enough not to collide in generated data.
    for (int i = 0; i < 12; ++i) {
      number.push_back(kAlnum[alnum(rng)]);
    }
    return number;
  }
  for (const char c : format.shape) {
    switch (c) {
      case '#':
        number.push_back(static_cast<char>('0' + digit(rng)));
        break;
      case '@':
        number.push_back(kLetters[letter(rng)]);
        break;
      case '*':
        number.push_back(kAlnum[alnum(rng)]);
        break;
      default:
        number.push_back(c);
    }
  }
  if (format.shape.size() == 13 && format.shape.starts_with("@@#########")) {
    number[10] = S10CheckDigit(std::string_view(number).substr(2, 8));
  }
  return number;
}

}  // namespace sellerbridge::emulators::amazon
