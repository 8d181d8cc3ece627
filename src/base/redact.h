#pragma once

#include <string>
#include <string_view>

namespace sellerbridge {

// The text that replaces whatever Redact() masks.
inline constexpr std::string_view kRedacted = "[redacted]";

// Registers a secret value (a client secret, refresh token or API token) so
// that Redact() masks it wherever it appears, whatever the surrounding text.
// Values shorter than 6 characters are ignored: they would mask ordinary words.
// Thread-safe.
void RegisterSecret(std::string_view value);

// Forgets every registered secret. For tests.
void ClearSecretsForTest();

// Returns `text` with secrets and buyer personal data masked:
// - every value registered with RegisterSecret;
// - Login with Amazon tokens ("Atza|…", "Atzr|…", restricted data tokens
//   "Atz.sprdt|…"), client secrets ("amzn1.oa2-cs.…") and "Bearer …" values;
// - the value of any key that names a secret or personal data (password,
//   secret, token, authorization, api_key, buyer name, e-mail, phone, address
//   lines, postal code, recipient), in `key=value`, `key: value` and JSON
//   `"key": value` forms, JSON objects and arrays included;
// - e-mail addresses anywhere.
// Everything else is kept as it was. Thread-safe. The logging sinks apply it
// to every line, so a mistake at a call site cannot leak a secret.
std::string Redact(std::string_view text);

}  // namespace sellerbridge
