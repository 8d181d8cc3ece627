#include "base/marketplace.h"

#include <algorithm>
#include <array>

namespace sellerbridge {
namespace {

// From Amazon's "Marketplace IDs" and "SP-API endpoints" pages.
constexpr std::array<Marketplace, 23> kMarketplaces = {{
    {"A2EUQ1WTGCTBG2", "CA", "NA", "America/Los_Angeles", "CAD"},
    {"ATVPDKIKX0DER", "US", "NA", "America/Los_Angeles", "USD"},
    {"A1AM78C64UM0Y8", "MX", "NA", "America/Mexico_City", "MXN"},
    {"A2Q3Y263D00KWC", "BR", "NA", "America/Sao_Paulo", "BRL"},
    {"A28R8C7NBKEWEA", "IE", "EU", "Europe/Dublin", "EUR"},
    {"A1RKKUPIHCS9HS", "ES", "EU", "Europe/Madrid", "EUR"},
    {"A1F83G8C2ARO7P", "UK", "EU", "Europe/London", "GBP"},
    {"A13V1IB3VIYZZH", "FR", "EU", "Europe/Paris", "EUR"},
    {"AMEN7PMS3EDWL", "BE", "EU", "Europe/Brussels", "EUR"},
    {"A1805IZSGTT6HS", "NL", "EU", "Europe/Amsterdam", "EUR"},
    {"A1PA6795UKMFR9", "DE", "EU", "Europe/Berlin", "EUR"},
    {"APJ6JRA9NG5V4", "IT", "EU", "Europe/Rome", "EUR"},
    {"A2NODRKZP88ZB9", "SE", "EU", "Europe/Stockholm", "SEK"},
    {"AE08WJ6YKNBMC", "ZA", "EU", "Africa/Johannesburg", "ZAR"},
    {"A1C3SOZRARQ6R3", "PL", "EU", "Europe/Warsaw", "PLN"},
    {"ARBP9OOSHTCHU", "EG", "EU", "Africa/Cairo", "EGP"},
    {"A33AVAJ2PDY3EV", "TR", "EU", "Europe/Istanbul", "TRY"},
    {"A17E79C6D8DWNP", "SA", "EU", "Asia/Riyadh", "SAR"},
    {"A2VIGQ35RCS4UG", "AE", "EU", "Asia/Dubai", "AED"},
    {"A21TJRUUN4KGV", "IN", "EU", "Asia/Kolkata", "INR"},
    {"A19VAU5U5O7RUS", "SG", "FE", "Asia/Singapore", "SGD"},
    {"A39IBJ37TRP1C6", "AU", "FE", "Australia/Sydney", "AUD"},
    {"A1VC38T7YXB528", "JP", "FE", "Asia/Tokyo", "JPY"},
}};

}  // namespace

std::span<const Marketplace> AllMarketplaces() { return kMarketplaces; }

const Marketplace* FindMarketplace(std::string_view id) {
  const auto* it = std::find_if(kMarketplaces.begin(), kMarketplaces.end(),
                                [&](const Marketplace& m) { return m.id == id; });
  return it == kMarketplaces.end() ? nullptr : &*it;
}

}  // namespace sellerbridge
