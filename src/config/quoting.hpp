#pragma once
// Quoted ("hidden") characters (spec §1.2). Inside `"..."` dnsmasq marks 31 characters as
// literal so that later parsing cannot see them as list commas, addresses, numbers or spaces:
// digits, hex letters a-f A-F, space, TAB, LF, CR, BS, ESC, `:`, `,` and `.`. We do the same by
// encoding each as a distinct control byte (0x01-0x1F; the lexer has already turned every raw
// whitespace control byte into a plain space) and decoding when a value is stored. Sub-parsers
// therefore see a quoted `,` as an ordinary non-special character, by construction.

#include <string>
#include <string_view>

namespace pxemasq::config {

// The code for `c` if `c` is one of the hidden characters, else `c` itself.
[[nodiscard]] char hide(char c);
// True if `c` is an encoded hidden character.
[[nodiscard]] bool is_hidden(char c);
// Decode every hidden character back to itself.
[[nodiscard]] std::string unhide(std::string_view text);

}  // namespace pxemasq::config
