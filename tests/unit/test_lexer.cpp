// The line lexer against spec §1.2, quirk by quirk.

#include <gtest/gtest.h>

#include "config/lexer.hpp"
#include "config/quoting.hpp"

namespace pxemasq::config {
namespace {

LexedOption option_of(std::string_view line) {
  const LexedLine lexed = lex_line(line);
  const auto* option = std::get_if<LexedOption>(&lexed);
  EXPECT_NE(option, nullptr) << line;
  return option != nullptr ? *option : LexedOption{};
}

bool is_blank(std::string_view line) { return std::holds_alternative<BlankLine>(lex_line(line)); }

TEST(Lexer, NameOnlyEmptyValueAndValue) {
  EXPECT_EQ(option_of("log-dhcp").value, std::nullopt);
  EXPECT_EQ(option_of("log-dhcp=").value, "");
  EXPECT_EQ(option_of("port=0").value, "0");
  EXPECT_EQ(option_of("port=0").name, "port");
}

TEST(Lexer, SpacesAroundEqualsAreTrimmed) {
  const auto option = option_of("  dhcp-option = 3 , 1.2.3.4  ");
  EXPECT_EQ(option.name, "dhcp-option");
  EXPECT_EQ(option.value, "3 , 1.2.3.4");
}

TEST(Lexer, CommentOnlyAtLineStartOrAfterWhitespace) {
  EXPECT_TRUE(is_blank("# a comment"));
  EXPECT_TRUE(is_blank("   # indented comment"));
  EXPECT_EQ(option_of("a=b # c").value, "b");
  EXPECT_EQ(option_of("dhcp-option=3,1.2.3.4#x").value, "3,1.2.3.4#x");
  EXPECT_EQ(option_of("a=b\t#c").value, "b");
}

TEST(Lexer, CommentRightAfterQuoteWhenQuoteFollowedSpace) {
  // [quirk] the quoted segment does not clear `white`.
  const auto option = option_of("x= \"abc\"#y");
  EXPECT_EQ(unhide(*option.value), "abc");
  // Without the space before the quote, `#` is data.
  EXPECT_EQ(unhide(*option_of("x=\"abc\"#y").value), "abc#y");
}

TEST(Lexer, HashInsideQuotesIsData) {
  EXPECT_EQ(unhide(*option_of("x=\"a #b\"").value), "a #b");
}

TEST(Lexer, QuotedCharactersAreHidden) {
  const auto option = option_of("dhcp-option=252,\"1,2\"");
  ASSERT_TRUE(option.value);
  EXPECT_EQ(option.value->find(','), 3U);  // only the unquoted comma is visible
  EXPECT_EQ(unhide(*option.value), "252,1,2");
  // `z` is not one of the hidden characters.
  EXPECT_EQ(*option_of("x=\"z\"").value, "z");
}

TEST(Lexer, Escapes) {
  EXPECT_EQ(unhide(*option_of(R"(x="a\tb\\c\"d\e")").value), "a\tb\\c\"d\x1b");
  EXPECT_EQ(unhide(*option_of(R"(x="a\qb")").value), "a\\qb");  // unknown: kept verbatim
}

TEST(Lexer, MissingQuote) {
  const LexedLine lexed = lex_line("x=\"abc\n");
  ASSERT_TRUE(std::holds_alternative<LexError>(lexed));
  EXPECT_EQ(std::get<LexError>(lexed).message, "missing \"");
}

TEST(Lexer, QuotedNameIsNotTheName) {
  EXPECT_NE(option_of("\"log-dhcp\"").name, "log-dhcp");
}

TEST(Lexer, CrLfAndTrailingBackslash) {
  EXPECT_EQ(option_of("log-dhcp\r\n").name, "log-dhcp");
  EXPECT_EQ(option_of("domain=a\\").value, "a\\");  // no line continuation
  EXPECT_TRUE(is_blank(" \t\r\n"));
}

TEST(PhysicalLines, SplitsAt1024BytesAndNumbersTheTail) {
  const std::string content = "tftp-root=/" + std::string(1013, 'a') + "log-dhcp\nnext\n";
  const auto lines = physical_lines(content);  // the first line is 1024 bytes
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0].size(), 1024U);
  EXPECT_EQ(lines[1], "log-dhcp\n");
  EXPECT_EQ(lines[2], "next\n");
}

TEST(PhysicalLines, ExactlyFullLineLeavesTheNewlineAsALine) {
  const std::string content = std::string(1024, 'a') + "\nx\n";
  const auto lines = physical_lines(content);
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[1], "\n");
  const std::string fitting = std::string(1023, 'a') + "\nx\n";
  const auto fits = physical_lines(fitting);
  EXPECT_EQ(fits.size(), 2U);
}

TEST(PhysicalLines, NulEndsTheLineAndLastLineNeedsNoNewline) {
  const std::string content("log-dhcp\0junk\nnosuch", 21);
  const auto lines = physical_lines(content);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0], "log-dhcp");
  EXPECT_EQ(lines[1], "nosuch");
}

}  // namespace
}  // namespace pxemasq::config
