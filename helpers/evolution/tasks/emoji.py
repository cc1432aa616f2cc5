"""Which characters are emoji, by the Unicode tables (a look-alike such as ★ is not): ``find_emoji``."""



# Unicode's emoji data (emoji-data.txt, Unicode 16), as code point ranges.
# Emoji_Presentation: shown as emoji on their own (✨ ⭐ ⚡ 🫶 😀 ...).
_PRESENTATION = """231A-231B 23E9-23EC 23F0 23F3 25FD-25FE 2614-2615 2648-2653 267F 2693 26A1 26AA-26AB 26BD-26BE
26C4-26C5 26CE 26D4 26EA 26F2-26F3 26F5 26FA 26FD 2705 270A-270B 2728 274C 274E 2753-2755 2757
2795-2797 27B0 27BF 2B1B-2B1C 2B50 2B55 1F004 1F0CF 1F18E 1F191-1F19A 1F1E6-1F1FF 1F201 1F21A 1F22F
1F232-1F236 1F238-1F23A 1F250-1F251 1F300-1F320 1F32D-1F335 1F337-1F37C 1F37E-1F393 1F3A0-1F3CA
1F3CF-1F3D3 1F3E0-1F3F0 1F3F4 1F3F8-1F43E 1F440 1F442-1F4FC 1F4FF-1F53D 1F54B-1F54E 1F550-1F567
1F57A 1F595-1F596 1F5A4 1F5FB-1F64F 1F680-1F6C5 1F6CC 1F6D0-1F6D2 1F6D5-1F6D8 1F6DC-1F6DF
1F6EB-1F6EC 1F6F4-1F6FC 1F7E0-1F7EB 1F7F0 1F90C-1F93A 1F93C-1F945 1F947-1F9FF 1FA70-1FA7C
1FA80-1FA8A 1FA8E-1FAC6 1FAC8 1FACD-1FADC 1FADF-1FAEA 1FAEF-1FAF8"""


# Emoji with a text default (❤ ☺ ✔ © ...): an emoji only when followed by U+FE0F (❤️).
_TEXT_DEFAULT = """A9 AE 203C 2049 2122 2139 2194-2199 21A9-21AA 2328 23CF 23ED-23EF 23F1-23F2 23F8-23FA 24C2 25AA-25AB
25B6 25C0 25FB-25FC 2600-2604 260E 2611 2618 261D 2620 2622-2623 2626 262A 262E-262F 2638-263A 2640
2642 265F-2660 2663 2665-2666 2668 267B 267E 2692 2694-2697 2699 269B-269C 26A0 26A7 26B0-26B1 26C8
26CF 26D1 26D3 26E9 26F0-26F1 26F4 26F7-26F9 2702 2708-2709 270C-270D 270F 2712 2714 2716 271D 2721
2733-2734 2744 2747 2763-2764 27A1 2934-2935 2B05-2B07 3030 303D 3297 3299 1F170-1F171 1F17E-1F17F
1F202 1F237 1F321 1F324-1F32C 1F336 1F37D 1F396-1F397 1F399-1F39B 1F39E-1F39F 1F3CB-1F3CE
1F3D4-1F3DF 1F3F3 1F3F5 1F3F7 1F43F 1F441 1F4FD 1F549-1F54A 1F56F-1F570 1F573-1F579 1F587
1F58A-1F58D 1F590 1F5A5 1F5A8 1F5B1-1F5B2 1F5BC 1F5C2-1F5C4 1F5D1-1F5D3 1F5DC-1F5DE 1F5E1 1F5E3
1F5E8 1F5EF 1F5F3 1F5FA 1F6CB 1F6CD-1F6CF 1F6E0-1F6E5 1F6E9 1F6F0 1F6F3"""


def _ranges(table):
    out = []
    for item in table.split():
        a, _, b = item.partition("-")
        out.append((int(a, 16), int(b or a, 16)))
    return out


_PRES, _TEXT = _ranges(_PRESENTATION), _ranges(_TEXT_DEFAULT)


VS16, ZWJ, KEYCAP = "\ufe0f", "\u200d", "\u20e3"


def _in(ch, ranges):
    cp = ord(ch)
    return any(a <= cp <= b for a, b in ranges)


def _element(s, i):
    """End of one emoji element at s[i] (pictograph, optional VS16, skin tone, tags), or None."""
    if i >= len(s):
        return None
    if _in(s[i], _PRES) and not 0x1F1E6 <= ord(s[i]) <= 0x1F1FF:
        j = i + 1 + (s[i + 1:i + 2] == VS16)
    elif _in(s[i], _TEXT) and s[i + 1:i + 2] == VS16:
        j = i + 2
    else:
        return None
    while j < len(s) and (0x1F3FB <= ord(s[j]) <= 0x1F3FF or 0xE0020 <= ord(s[j]) <= 0xE007F):
        j += 1   # skin tone modifiers, and the tag characters of subdivision flags
    return j


def _emoji_at(s, i):
    c = s[i]
    if c in "0123456789#*":   # keycap: 1️⃣
        j = i + 1 + (s[i + 1:i + 2] == VS16)
        return j + 1 if s[j:j + 1] == KEYCAP else None
    if 0x1F1E6 <= ord(c) <= 0x1F1FF:   # a flag is a pair of regional indicators
        return i + 2 if i + 1 < len(s) and 0x1F1E6 <= ord(s[i + 1]) <= 0x1F1FF else None
    j = _element(s, i)
    while j is not None and s[j:j + 1] == ZWJ and _element(s, j + 1):   # 👩‍💻, 👨‍👩‍👧
        j = _element(s, j + 1)
    return j


def find_emoji(text: str) -> list[str]:
    """The emoji in ``text``, each as one item even when it is several code points (❤️, 👍🏽, 🇪🇸)."""
    found, i = [], 0
    while i < len(text):
        j = _emoji_at(text, i)
        if j:
            found.append(text[i:j])
            i = j
        else:
            i += 1
    return found


def is_text_default(ch: str) -> bool:
    """An emoji with a text default (❤ ☺ ✔ ©): it shows as an emoji only when followed by U+FE0F."""
    return _in(ch, _TEXT)


def without_emoji(text):
    for e in find_emoji(text):
        text = text.replace(e, "", 1)
    return text
