#include "base/redact.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <set>
#include <shared_mutex>

namespace sellerbridge {
namespace {

std::shared_mutex& SecretsMutex() {
  static std::shared_mutex mu;
  return mu;
}

// Guarded by SecretsMutex(). Longest first, so that a secret containing
// another is masked whole.
std::set<std::string, std::greater<>>& Secrets() {
  static std::set<std::string, std::greater<>> secrets;
  return secrets;
}

constexpr std::array<std::string_view, 5> kTokenPrefixes = {"Atza|", "Atzr|", "Atz.sprdt|",
                                                            "amzn1.oa2-cs.", "Bearer "};

// Fragments of a key (lower-cased, without '_', '-' and '.') whose value is masked.
constexpr std::array<std::string_view, 19> kSensitiveKeyParts = {
    "secret",   "password",    "passwd",          "token",      "authorization",
    "apikey",   "credential",  "buyername",       "buyeremail", "email",
    "phone",    "addressline", "recipientname",   "street",     "postalcode",
    "postcode", "contactname", "shippingaddress", "buyerinfo"};

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("-_.|~+/=%").find(c) != std::string_view::npos;
}

bool IsSensitiveKey(std::string_view key) {
  std::string normal;
  for (const char c : key) {
    if (c != '_' && c != '-' && c != '.') {
      normal += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return std::any_of(kSensitiveKeyParts.begin(), kSensitiveKeyParts.end(),
                     [&](std::string_view part) { return normal.find(part) != std::string::npos; });
}

// Returns the end of the value that starts at `pos`: a quoted string, a
// balanced JSON object or array, or a bare word.
size_t ValueEnd(std::string_view text, size_t pos) {
  if (pos >= text.size()) {
    return pos;
  }
  const char open = text[pos];
  if (open == '"' || open == '\'') {
    size_t i = pos + 1;
    while (i < text.size() && text[i] != open) {
      i += (text[i] == '\\') ? 2U : 1U;
    }
    return std::min(i + 1, text.size());
  }
  if (open == '{' || open == '[') {
    int depth = 0;
    bool in_string = false;
    for (size_t i = pos; i < text.size(); ++i) {
      const char c = text[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return i + 1;
      }
    }
    return text.size();
  }
  size_t i = pos;
  while (i < text.size() &&
         std::string_view(" \t\r\n&,;}]").find(text[i]) == std::string_view::npos) {
    ++i;
  }
  return i;
}

// Masks values of sensitive keys.
std::string MaskKeyValues(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!IsKeyChar(text[i]) || (i > 0 && IsKeyChar(text[i - 1]))) {
      out += text[i++];
      continue;
    }
    size_t key_end = i;
    while (key_end < text.size() && IsKeyChar(text[key_end])) {
      ++key_end;
    }
    const std::string_view key = text.substr(i, key_end - i);
    size_t sep = key_end;
    if (sep < text.size() && (text[sep] == '"' || text[sep] == '\'')) {
      ++sep;  // The closing quote of a quoted key.
    }
    while (sep < text.size() && text[sep] == ' ') {
      ++sep;
    }
    if (sep >= text.size() || (text[sep] != '=' && text[sep] != ':') || !IsSensitiveKey(key)) {
      out.append(text.substr(i, key_end - i));
      i = key_end;
      continue;
    }
    size_t value = sep + 1;
    while (value < text.size() && text[value] == ' ') {
      ++value;
    }
    const size_t end = ValueEnd(text, value);
    out.append(text.substr(i, value - i));
    if (end > value) {
      const bool quoted = text[value] == '"' || text[value] == '\'';
      if (quoted) {
        out += text[value];
      }
      out += kRedacted;
      if (quoted && end - value >= 2 && text[end - 1] == text[value]) {
        out += text[value];
      }
    }
    i = end;
  }
  return out;
}

// Masks whatever follows a known token prefix.
std::string MaskTokens(std::string text) {
  for (const std::string_view prefix : kTokenPrefixes) {
    size_t pos = 0;
    while ((pos = text.find(prefix, pos)) != std::string::npos) {
      size_t start = pos + prefix.size();
      size_t end = start;
      while (end < text.size() && IsTokenChar(text[end])) {
        ++end;
      }
      if (end > start && text.compare(start, end - start, kRedacted) != 0) {
        text.replace(start, end - start, kRedacted);
      }
      pos = start + kRedacted.size();
    }
  }
  return text;
}

// Masks e-mail addresses: local@domain.tld.
std::string MaskEmails(std::string text) {
  auto is_local = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("._%+-").find(c) != std::string_view::npos;
  };
  auto is_domain = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
  };
  size_t at = 0;
  while ((at = text.find('@', at)) != std::string::npos) {
    size_t start = at;
    while (start > 0 && is_local(text[start - 1])) {
      --start;
    }
    size_t end = at + 1;
    while (end < text.size() && is_domain(text[end])) {
      ++end;
    }
    const std::string_view domain(text.data() + at + 1, end - at - 1);
    if (start < at && domain.find('.') != std::string_view::npos) {
      text.replace(start, end - start, kRedacted);
      at = start + kRedacted.size();
    } else {
      ++at;
    }
  }
  return text;
}

}  // namespace

void RegisterSecret(std::string_view value) {
  if (value.size() < 6) {
    return;
  }
  std::unique_lock lock(SecretsMutex());
  Secrets().emplace(value);
}

void ClearSecretsForTest() {
  std::unique_lock lock(SecretsMutex());
  Secrets().clear();
}

std::string Redact(std::string_view text) {
  std::string out(text);
  {
    std::shared_lock lock(SecretsMutex());
    for (const std::string& secret : Secrets()) {
      size_t pos = 0;
      while ((pos = out.find(secret, pos)) != std::string::npos) {
        out.replace(pos, secret.size(), kRedacted);
        pos += kRedacted.size();
      }
    }
  }
  return MaskEmails(MaskTokens(MaskKeyValues(out)));
}

}  // namespace sellerbridge
