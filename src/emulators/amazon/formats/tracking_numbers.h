#pragma once

#include <random>
#include <string>
#include <string_view>

namespace sellerbridge::emulators::amazon {

// Whether `tracking_number` fits the format of `carrier_code` (an Amazon
// CarrierCode), as Amazon's Valid Tracking Rate counts it. Known formats:
// Royal Mail (e.g. AB123456789GB: 2 letters, 9 digits, GB), Parcelforce,
// DPD (UK and DE), Hermes UK (Evri), Yodel, UPS (1Z + 16), DHL (10 digits, or
// JJD…), FedEx, Amazon Shipping, USPS. Unknown carriers (and "Other"): 6 to
// 40 letters and digits. Thread-safe.
bool IsValidTrackingNumber(std::string_view carrier_code, std::string_view tracking_number);

// A tracking number in `carrier_code`'s format, drawn from `rng`, for
// generated data.
std::string MakeTrackingNumber(std::string_view carrier_code, std::mt19937_64& rng);

}  // namespace sellerbridge::emulators::amazon
