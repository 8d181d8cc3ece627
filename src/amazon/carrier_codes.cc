#include "amazon/carrier_codes.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <tuple>
#include <unordered_set>

namespace sellerbridge::amazon {
namespace {

// Lower-case ASCII letters and digits only; other ASCII characters (spaces,
// punctuation) are dropped and non-ASCII bytes are kept, so that "ROYALMAIL",
// "royal-mail" and "Royal Mail" compare equal.
std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 'A' && byte <= 'Z') {
      out.push_back(static_cast<char>(byte - 'A' + 'a'));
    } else if (byte >= 0x80 || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9')) {
      out.push_back(c);
    }
  }
  return out;
}

// The optimal-string-alignment distance: insertions, deletions,
// substitutions and swaps of neighbours each count one.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  const std::size_t columns = b.size() + 1;
  std::vector<std::size_t> previous2(columns);
  std::vector<std::size_t> previous(columns);
  std::vector<std::size_t> current(columns);
  for (std::size_t j = 0; j < columns; ++j) {
    previous[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j < columns; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], previous2[j - 2] + 1);
      }
    }
    previous2.swap(previous);
    previous.swap(current);
  }
  return previous[b.size()];
}

// How many typing mistakes still count as "close" for a word of `length`
// folded characters: none for one or two, so that "X" does not suggest "TNT".
std::size_t MistakesAllowed(std::size_t length) {
  if (length < 3) {
    return 0;
  }
  if (length < 6) {
    return 1;
  }
  return length < 10 ? 2 : 3;
}

constexpr std::size_t kMinPrefixLength = 3;
constexpr std::size_t kMaxSuggestions = 3;

}  // namespace

std::vector<std::string> ParseCarrierCodes(std::string_view text) {
  std::vector<std::string> codes;
  std::unordered_set<std::string_view> seen;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    // Only a Windows line end is stripped: a trailing space would be part of
    // the code, as Amazon compares codes byte for byte.
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty() || line.front() == '#' || !seen.insert(line).second) {
      continue;
    }
    codes.emplace_back(line);
  }
  return codes;
}

const std::vector<std::string>& AmazonCarrierCodes() {
  static const std::vector<std::string> kCodes = ParseCarrierCodes(CarrierCodesTxt());
  return kCodes;
}

bool IsAmazonCarrierCode(std::string_view code) {
  static const std::unordered_set<std::string_view> kIndex(AmazonCarrierCodes().begin(),
                                                           AmazonCarrierCodes().end());
  return kIndex.contains(code);
}

std::vector<std::string> SuggestCarrierCodes(std::string_view wrong) {
  const std::string folded = Fold(wrong);
  if (folded.empty()) {
    return {};
  }
  const std::size_t allowed = MistakesAllowed(folded.size());
  // (tier, closeness, position in Amazon's list): lower is better.
  using Rank = std::tuple<int, std::size_t, std::size_t>;
  std::vector<std::pair<Rank, const std::string*>> candidates;
  const std::vector<std::string>& codes = AmazonCarrierCodes();
  for (std::size_t index = 0; index < codes.size(); ++index) {
    const std::string candidate = Fold(codes[index]);
    if (candidate.empty()) {
      continue;
    }
    const std::size_t length_gap = candidate.size() > folded.size()
                                       ? candidate.size() - folded.size()
                                       : folded.size() - candidate.size();
    if (candidate == folded) {
      candidates.push_back({{0, 0, index}, &codes[index]});
    } else if (std::min(candidate.size(), folded.size()) >= kMinPrefixLength &&
               (candidate.starts_with(folded) || folded.starts_with(candidate))) {
      candidates.push_back({{1, length_gap, index}, &codes[index]});
    } else if (allowed > 0 && length_gap <= allowed) {
      const std::size_t distance = EditDistance(folded, candidate);
      if (distance <= allowed) {
        candidates.push_back({{2, distance, index}, &codes[index]});
      }
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [rank, code] : candidates) {
    // A code that differs only in case or spacing is what was meant; the rest would distract.
    if (out.size() == kMaxSuggestions ||
        (!out.empty() && std::get<0>(rank) > 0 && std::get<0>(candidates.front().first) == 0)) {
      break;
    }
    out.push_back(*code);
  }
  return out;
}

}  // namespace sellerbridge::amazon
