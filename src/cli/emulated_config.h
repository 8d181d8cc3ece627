#pragma once

#include <string>

#include "config/config.h"
#include "emulators/amazon/amazon_emulator.h"
#include "emulators/clarus/clarus_emulator.h"

namespace sellerbridge::cli {

// The configuration of a sellerbridge that works against the two emulators
// (started, on loopback): their URLs and credentials, the first Clarus
// account and warehouse, a sender address for Amazon labels, and the store
// at `store_url`. Everything else keeps its default. For the demo and the
// end-to-end tests.
config::Config ConfigForEmulators(const emulators::amazon::AmazonEmulator& amazon,
                                  const emulators::clarus::ClarusEmulator& clarus,
                                  std::string store_url);

}  // namespace sellerbridge::cli
