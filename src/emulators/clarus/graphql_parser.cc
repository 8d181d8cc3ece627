#include "emulators/clarus/graphql_parser.h"

#include <fmt/format.h>

#include <cctype>

namespace sellerbridge::emulators::clarus::graphql {
namespace {

enum class TokenKind { kEnd, kPunct, kName, kInt, kFloat, kString };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  Location location;
};

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsNameChar(char c) {
  return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // The next token, or an error with its location in `error`.
  Result<Token> Next() {
    SkipIgnored();
    Token token;
    token.location = {line_, column_};
    if (pos_ >= text_.size()) {
      return token;
    }
    const char c = text_[pos_];
    if (c == '.' && text_.substr(pos_, 3) == "...") {
      Advance(3);
      return Token{TokenKind::kPunct, "...", token.location};
    }
    if (std::string_view("!$()=:@[]{}|&").find(c) != std::string_view::npos) {
      Advance(1);
      return Token{TokenKind::kPunct, std::string(1, c), token.location};
    }
    if (IsNameStart(c)) {
      const std::size_t start = pos_;
      while (pos_ < text_.size() && IsNameChar(text_[pos_])) {
        Advance(1);
      }
      return Token{TokenKind::kName, std::string(text_.substr(start, pos_ - start)),
                   token.location};
    }
    if (c == '-' || IsDigit(c)) {
      return Number(token.location);
    }
    if (c == '"') {
      return String(token.location);
    }
    return Error(token.location, fmt::format("Unexpected character \"{}\"", c));
  }

  Location error_location;

 private:
  Status Error(Location where, const std::string& message) {
    error_location = where;
    return InvalidArgumentError("Syntax Error: " + message);
  }

  void Advance(std::size_t n) {
    for (std::size_t i = 0; i < n && pos_ < text_.size(); ++i, ++pos_) {
      if (text_[pos_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }

  void SkipIgnored() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
        Advance(1);
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') {
          Advance(1);
        }
      } else if (text_.substr(pos_, 3) == "\xEF\xBB\xBF") {
        pos_ += 3;
      } else {
        return;
      }
    }
  }

  Result<Token> Number(Location where) {
    const std::size_t start = pos_;
    bool is_float = false;
    if (text_[pos_] == '-') {
      Advance(1);
    }
    if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
      return Error(where, "Invalid number, expected digit");
    }
    if (text_[pos_] == '0' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1])) {
      return Error(where, "Invalid number, unexpected digit after 0");
    }
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      Advance(1);
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_float = true;
      Advance(1);
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
        return Error(where, "Invalid number, expected digit after .");
      }
      while (pos_ < text_.size() && IsDigit(text_[pos_])) {
        Advance(1);
      }
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      is_float = true;
      Advance(1);
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
        Advance(1);
      }
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
        return Error(where, "Invalid number, expected digit in exponent");
      }
      while (pos_ < text_.size() && IsDigit(text_[pos_])) {
        Advance(1);
      }
    }
    if (pos_ < text_.size() && IsNameStart(text_[pos_])) {
      return Error(where, "Invalid number, unexpected name character");
    }
    return Token{is_float ? TokenKind::kFloat : TokenKind::kInt,
                 std::string(text_.substr(start, pos_ - start)), where};
  }

  Result<Token> String(Location where) {
    if (text_.substr(pos_, 3) == R"(""")") {
      Advance(3);
      const std::size_t end = text_.find(R"(""")", pos_);
      if (end == std::string_view::npos) {
        return Error(where, "Unterminated string");
      }
      std::string value(text_.substr(pos_, end - pos_));
      Advance(end - pos_ + 3);
      return Token{TokenKind::kString, std::move(value), where};
    }
    Advance(1);
    std::string value;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      const char c = text_[pos_];
      if (c == '\n' || c == '\r') {
        return Error(where, "Unterminated string");
      }
      if (c != '\\') {
        value += c;
        Advance(1);
        continue;
      }
      if (pos_ + 1 >= text_.size()) {
        return Error(where, "Unterminated string");
      }
      const char e = text_[pos_ + 1];
      Advance(2);
      switch (e) {
        case '"':
        case '\\':
        case '/':
          value += e;
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) {
            return Error(where, "Invalid Unicode escape sequence");
          }
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_ + static_cast<std::size_t>(i)];
            if (std::isxdigit(static_cast<unsigned char>(h)) == 0) {
              return Error(where, "Invalid Unicode escape sequence");
            }
            code = code * 16 +
                   static_cast<unsigned>(IsDigit(h) ? h - '0' : (std::tolower(h) - 'a' + 10));
          }
          Advance(4);
          // UTF-8 encode the code point (surrogate pairs are left as is).
          if (code < 0x80) {
            value += static_cast<char>(code);
          } else if (code < 0x800) {
            value += static_cast<char>(0xC0 | (code >> 6));
            value += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            value += static_cast<char>(0xE0 | (code >> 12));
            value += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            value += static_cast<char>(0x80 | (code & 0x3F));
          }
          break;
        }
        default:
          return Error(where, fmt::format("Invalid character escape sequence \\{}", e));
      }
    }
    if (pos_ >= text_.size()) {
      return Error(where, "Unterminated string");
    }
    Advance(1);
    return Token{TokenKind::kString, std::move(value), where};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// Recursive descent over the grammar of executable documents, one token of
// look-ahead.
class Parser {
 public:
  Parser(std::string_view text, Location* error_location)
      : lexer_(text), error_location_(error_location) {}

  Result<Document> Parse() {
    if (Status s = Shift(); !s.ok()) {
      return s;
    }
    Document document;
    if (token_.kind == TokenKind::kEnd) {
      return Error("Unexpected <EOF>, expected an operation");
    }
    while (token_.kind != TokenKind::kEnd) {
      auto operation = ParseOperation();
      if (!operation.ok()) {
        return operation.status();
      }
      document.operations.push_back(std::move(*operation));
    }
    return document;
  }

 private:
  Status Shift() {
    auto next = lexer_.Next();
    if (!next.ok()) {
      *error_location_ = lexer_.error_location;
      return next.status();
    }
    token_ = std::move(*next);
    return Status::Ok();
  }

  Status Error(const std::string& message) {
    *error_location_ = token_.location;
    return InvalidArgumentError("Syntax Error: " + message);
  }

  std::string Describe() const {
    switch (token_.kind) {
      case TokenKind::kEnd:
        return "<EOF>";
      case TokenKind::kString:
        return fmt::format("string \"{}\"", token_.text);
      case TokenKind::kName:
        return fmt::format("Name \"{}\"", token_.text);
      default:
        return fmt::format("\"{}\"", token_.text);
    }
  }

  bool Peek(std::string_view punct) const {
    return token_.kind == TokenKind::kPunct && token_.text == punct;
  }

  Status Expect(std::string_view punct) {
    if (!Peek(punct)) {
      return Error(fmt::format("Expected \"{}\", found {}", punct, Describe()));
    }
    return Shift();
  }

  Result<std::string> ExpectName() {
    if (token_.kind != TokenKind::kName) {
      return Error(fmt::format("Expected Name, found {}", Describe()));
    }
    std::string name = token_.text;
    if (Status s = Shift(); !s.ok()) {
      return s;
    }
    return name;
  }

  Status Unsupported() {
    if (Peek("@")) {
      return Error("directives are not supported by this server");
    }
    return Status::Ok();
  }

  Result<Operation> ParseOperation() {
    Operation operation;
    operation.location = token_.location;
    if (token_.kind == TokenKind::kName && token_.text == "fragment") {
      return Error("fragments are not supported by this server");
    }
    if (!Peek("{")) {
      if (token_.kind != TokenKind::kName ||
          (token_.text != "query" && token_.text != "mutation" && token_.text != "subscription")) {
        return Error(fmt::format("Unexpected {}", Describe()));
      }
      operation.type = token_.text;
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
      if (token_.kind == TokenKind::kName) {
        operation.name = token_.text;
        if (Status s = Shift(); !s.ok()) {
          return s;
        }
      }
      if (Peek("(")) {
        if (Status s = ParseVariableDefinitions(operation.variables); !s.ok()) {
          return s;
        }
      }
      if (Status s = Unsupported(); !s.ok()) {
        return s;
      }
    }
    if (Status s = ParseSelectionSet(operation.selections); !s.ok()) {
      return s;
    }
    return operation;
  }

  Status ParseVariableDefinitions(std::vector<VariableDefinition>& out) {
    if (Status s = Expect("("); !s.ok()) {
      return s;
    }
    do {
      VariableDefinition definition;
      definition.location = token_.location;
      if (Status s = Expect("$"); !s.ok()) {
        return s;
      }
      auto name = ExpectName();
      if (!name.ok()) {
        return name.status();
      }
      definition.name = *name;
      if (Status s = Expect(":"); !s.ok()) {
        return s;
      }
      if (Status s = ParseType(definition.type); !s.ok()) {
        return s;
      }
      if (Peek("=")) {
        if (Status s = Shift(); !s.ok()) {
          return s;
        }
        auto value = ParseValue(true);
        if (!value.ok()) {
          return value.status();
        }
        definition.default_value = std::move(*value);
      }
      out.push_back(std::move(definition));
    } while (!Peek(")"));
    return Expect(")");
  }

  Status ParseType(std::string& out) {
    if (Peek("[")) {
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
      std::string inner;
      if (Status s = ParseType(inner); !s.ok()) {
        return s;
      }
      if (Status s = Expect("]"); !s.ok()) {
        return s;
      }
      out = "[" + inner + "]";
    } else {
      auto name = ExpectName();
      if (!name.ok()) {
        return name.status();
      }
      out = *name;
    }
    if (Peek("!")) {
      out += "!";
      return Shift();
    }
    return Status::Ok();
  }

  Status ParseSelectionSet(std::vector<Field>& out) {
    if (Status s = Expect("{"); !s.ok()) {
      return s;
    }
    if (Peek("}")) {
      return Error("Expected Name, found \"}\"");
    }
    while (!Peek("}")) {
      if (Peek("...")) {
        return Error("fragments are not supported by this server");
      }
      auto field = ParseField();
      if (!field.ok()) {
        return field.status();
      }
      out.push_back(std::move(*field));
    }
    return Shift();
  }

  Result<Field> ParseField() {
    Field field;
    field.location = token_.location;
    auto name = ExpectName();
    if (!name.ok()) {
      return name.status();
    }
    field.name = *name;
    if (Peek(":")) {
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
      auto real = ExpectName();
      if (!real.ok()) {
        return real.status();
      }
      field.alias = std::move(field.name);
      field.name = *real;
    }
    if (Peek("(")) {
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
      do {
        Argument argument;
        argument.location = token_.location;
        auto arg_name = ExpectName();
        if (!arg_name.ok()) {
          return arg_name.status();
        }
        argument.name = *arg_name;
        if (Status s = Expect(":"); !s.ok()) {
          return s;
        }
        auto value = ParseValue(false);
        if (!value.ok()) {
          return value.status();
        }
        argument.value = std::move(*value);
        field.arguments.push_back(std::move(argument));
      } while (!Peek(")"));
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
    }
    if (Status s = Unsupported(); !s.ok()) {
      return s;
    }
    if (Peek("{")) {
      if (Status s = ParseSelectionSet(field.selections); !s.ok()) {
        return s;
      }
    }
    return field;
  }

  Result<Value> ParseValue(bool is_const) {
    Value value;
    value.location = token_.location;
    if (Peek("$")) {
      if (is_const) {
        return Error("Unexpected variable in a constant value");
      }
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
      auto name = ExpectName();
      if (!name.ok()) {
        return name.status();
      }
      value.kind = Value::Kind::kVariable;
      value.text = *name;
      return value;
    }
    if (Peek("[")) {
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
      value.kind = Value::Kind::kList;
      while (!Peek("]")) {
        if (token_.kind == TokenKind::kEnd) {
          return Error("Expected \"]\", found <EOF>");
        }
        auto item = ParseValue(is_const);
        if (!item.ok()) {
          return item.status();
        }
        value.list.push_back(std::move(*item));
      }
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
      return value;
    }
    if (Peek("{")) {
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
      value.kind = Value::Kind::kObject;
      while (!Peek("}")) {
        auto name = ExpectName();
        if (!name.ok()) {
          return name.status();
        }
        if (Status s = Expect(":"); !s.ok()) {
          return s;
        }
        auto item = ParseValue(is_const);
        if (!item.ok()) {
          return item.status();
        }
        value.field_names.push_back(*name);
        value.list.push_back(std::move(*item));
      }
      if (Status s = Shift(); !s.ok()) {
        return s;
      }
      return value;
    }
    switch (token_.kind) {
      case TokenKind::kInt:
        value.kind = Value::Kind::kInt;
        break;
      case TokenKind::kFloat:
        value.kind = Value::Kind::kFloat;
        break;
      case TokenKind::kString:
        value.kind = Value::Kind::kString;
        break;
      case TokenKind::kName:
        if (token_.text == "true" || token_.text == "false") {
          value.kind = Value::Kind::kBoolean;
          value.boolean = token_.text == "true";
        } else if (token_.text == "null") {
          value.kind = Value::Kind::kNull;
        } else {
          value.kind = Value::Kind::kEnum;
        }
        break;
      default:
        return Error(fmt::format("Unexpected {}", Describe()));
    }
    value.text = token_.text;
    if (Status s = Shift(); !s.ok()) {
      return s;
    }
    return value;
  }

  Lexer lexer_;
  Location* error_location_;
  Token token_;
};

}  // namespace

Result<Document> ParseDocument(std::string_view text, Location* error_location) {
  Parser parser(text, error_location);
  return parser.Parse();
}

}  // namespace sellerbridge::emulators::clarus::graphql
