#pragma once

#include <string_view>

#include "base/status.h"

namespace sellerbridge::domain {

// Whether `tracking_number` fits a format `carrier_code`'s carrier issues, as
// Amazon judges it for the Valid Tracking Rate. `carrier_code` is an Amazon
// CarrierCode, matched exactly ("Royal Mail", "DPD", "AMZL_UK", ...); the
// carriers with a known format are Royal Mail, Parcelforce, DPD, DPD Local,
// Hermes UK, Yodel, UPS, DHL, DHL Express, DHL Parcel UK, FedEx, Amazon
// Shipping, AMZL_UK, AMZL and USPS. OK for carriers without a known format
// (and "Other") when the number is 6–40 letters and digits. Letters match in
// either case, fixed ones too ("ab123456789gb" fits Royal Mail). The number is
// checked as given: whitespace anywhere in it, even around it, makes it not
// fit. Returns InvalidArgument naming the carrier, the number's problem and
// the formats expected, e.g. "tracking number 'AB12' does not fit Royal Mail:
// expected 2 letters, 9 digits, 'GB' (AB123456789GB), 16 letters and digits,
// or 20–21 letters and digits". Thread-safe.
Status CheckTrackingNumber(std::string_view carrier_code, std::string_view tracking_number);

}  // namespace sellerbridge::domain
