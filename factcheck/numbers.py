"""Number grammar pieces: parse one numeral token, and turn a stated value with its
qualifier into the interval the statement allows."""
from __future__ import annotations

import math
from functools import lru_cache
from decimal import Decimal
from typing import Optional

CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9,
                  # financial forms (after Traditional->Simplified)
                  "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
CHINESE_NUMERAL_CHARS = "零〇一二三四五六七八九十百千万亿两"
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
# cn2an misreads financial forms after 零 (一千零拾肆 as 1004) and knows no 俩: it gets
# the everyday forms
_PLAIN_FORMS = str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟两俩", "一二三四五六七八九十百千二二")


class NumberError(ValueError):
    pass


def _cn2an(token: str, mode: str):
    """cn2an.cn2an, imported on first use: importing cn2an compiles its patterns (a
    quarter of a second), which a run whose texts hold no Chinese numeral beyond single
    digits need not pay."""
    import cn2an

    return cn2an.cn2an(token, mode)


# Figures met before, kept across documents: a corpus of bulletins states a few hundred
# distinct tokens again and again, while a document of figures that do not repeat would
# fill a bigger cache with its own (27,000 figures of 1 MB left 2.3 MB in these caches)
TOKEN_CACHE_SIZE = 4096


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def parse_arabic(token: str) -> tuple[float, float]:
    """'14,151.3' -> (14151.3, 0.05): the value and half a unit of its last stated digit.
    Trailing zeros of an integer from 1000 up (32400, 2000) may be rounding, so its last
    non-zero digit sets the precision. '.5' is 0.5; '1.2e8' is 1.2 × 10^8 (± 0.05 × 10^8);
    '2^5' is 32, exact as far as the base is (its precision carried through the power)."""
    if "^" in token:
        base_token, _, power_token = token.partition("^")
        base, base_precision = parse_arabic(base_token)
        power = _exponent(power_token, token)
        try:
            value = base ** power
        except (OverflowError, ZeroDivisionError):
            raise NumberError(f"not a number: {token!r}") from None
        if not isinstance(value, float) or not math.isfinite(value):
            raise NumberError(f"not a number: {token!r}")
        if "." not in base_token:
            return value, 0.0  # 10^8 is a power of ten, not a rounded figure
        # d(b^n) = |n| b^(n-1) db
        precision = abs(power) * abs(base) ** (power - 1) * base_precision
        return value, precision
    mantissa_token, e, exponent_token = token.replace("E", "e").partition("e")
    if e:
        _, mantissa_precision = parse_arabic(mantissa_token)   # and the mantissa is a number
        power = _exponent(exponent_token, token)
        if abs(power) > 300:
            raise NumberError(f"not a number: {token!r}")
        shift = Decimal(10) ** power  # decimal, so that 12e-1 is 1.2 and not 1.2000000000000002
        return (float(Decimal(mantissa_token.replace(",", "") or "0").scaleb(power)),
                float(Decimal(repr(mantissa_precision)) * shift))
    cleaned = token.replace(",", "")
    if cleaned.startswith("."):
        cleaned = "0" + cleaned
    if not cleaned or not all(ch in "0123456789." for ch in cleaned) or cleaned.count(".") > 1 \
            or cleaned.endswith("."):
        raise NumberError(f"not a number: {token!r}")
    value = float(cleaned)
    if not math.isfinite(value):
        raise NumberError(f"not a number: {token!r} (too large)")
    if "." in cleaned:
        return value, 0.5 * 10.0 ** -(len(cleaned) - cleaned.index(".") - 1)
    if value >= 1000:
        return value, 0.5 * 10.0 ** (len(cleaned) - len(cleaned.rstrip("0")))
    return value, 0.5


def _exponent(text: str, token: str) -> int:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if not digits.isdigit() or len(text) - len(digits) > 1 or len(digits) > 4:
        raise NumberError(f"not a number: {token!r}")
    return sign * int(digits)


def _chinese_integer(token: str) -> int:
    if "兆" in token:
        high, _, low = token.partition("兆")
        return _chinese_integer(high) * 10**12 + (_chinese_integer(low) if low else 0)
    if token.startswith("万万"):
        raise NumberError(f"not a Chinese numeral: {token!r}")  # 万万不可: "by no means"
    if token[0] in "十百千万亿拾佰仟":
        token = "一" + token  # 百万 is 一百万
    if all(ch in CHINESE_DIGITS for ch in token):
        # 一〇五 and 二〇一〇 are read digit by digit, like a year or a code; 两两 and 一一
        # are words
        if len(token) > 1 and not (len(token) >= 3 or "〇" in token or "零" in token):
            raise NumberError(f"not a Chinese numeral: {token!r}")
        return int("".join(str(CHINESE_DIGITS[ch]) for ch in token))
    token = token.translate(_PLAIN_FORMS).replace("万万", "亿")  # 四万万 is four hundred million
    try:
        return int(_cn2an(token, "strict"))
    except (ValueError, KeyError):
        pass
    try:
        # colloquial forms that drop the last place: 二百五 (250), 一万三 (13000)
        return int(_cn2an(token, "normal"))
    except (ValueError, KeyError):
        raise NumberError(f"not a Chinese numeral: {token!r}") from None


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def parse_chinese(token: str) -> tuple[float, float]:
    """'三千二百' -> 3200, '一点五万' -> 15000, '两万三千' -> 23000; with its half-precision."""
    if not token:
        raise NumberError("empty numeral")
    if "点" in token:
        whole, _, rest = token.partition("点")
        digits = ""
        while rest and rest[0] in CHINESE_DIGITS:
            digits += str(CHINESE_DIGITS[rest[0]])
            rest = rest[1:]
        if not digits:
            raise NumberError(f"not a Chinese numeral: {token!r}")
        scale, length = trailing_myriads(rest)
        if length != len(rest):
            raise NumberError(f"not a Chinese numeral: {token!r}")
        base = _chinese_integer(whole) if whole else 0
        value = float(Decimal(f"{base}.{digits}")) * scale
        return value, 0.5 * 10.0 ** (-len(digits)) * scale
    value = _chinese_integer(token)
    return float(value), 0.5 * place_of_last_nonzero(value)


_MYRIADS = {"万": 1e4, "亿": 1e8}


def trailing_myriads(numeral: str) -> tuple[float, int]:
    """(scale, characters) of the myriad scale words a numeral ends with: 五万 -> (1e4, 1),
    一点五万亿 -> (1e12, 2), 五 -> (1.0, 0)."""
    scale, length = 1.0, 0
    for ch in reversed(numeral):
        if ch not in _MYRIADS:
            break
        scale *= _MYRIADS[ch]
        length += 1
    return scale, length


def place_of_last_nonzero(value: float) -> float:
    """1 for 327, 1000 for 2000, 1000 for 66000.0, 0.1 for 2000000.5: read off the shortest
    decimal form of the float, so long integers keep their low digits."""
    if value == 0 or not math.isfinite(value):
        return 1.0
    exponent = Decimal(repr(abs(float(value)))).normalize().as_tuple().exponent
    return 10.0 ** exponent


def interval(value: float, precision: float, qualifier: str) -> tuple[Optional[float], Optional[float]]:
    """The interval a stated figure allows, on its magnitude, signed back.

    exact: [v - p, v + p) where p is half a unit of the last stated digit;
    more_than (多/余/超过): (v, v + place of last non-zero digit] for 多/余;
    at_least: [v, inf); less_than (近/不到): [0.9 v, v); at_most: (-inf, v];
    approx (约/左右): v ± max(5 %, the stated precision).
    """
    sign = -1.0 if value < 0 else 1.0
    v = abs(value)
    if qualifier == "exact":
        low, high = v - precision, v + precision
    elif qualifier == "more_than":
        low, high = v, v + place_of_last_nonzero(v)
    elif qualifier == "open_more_than":
        low, high = v, None
    elif qualifier == "at_least":
        low, high = v, None
    elif qualifier == "less_than":
        low, high = v * 0.9, v
    elif qualifier == "open_less_than":
        low, high = None, v
    elif qualifier == "at_most":
        low, high = None, v
    elif qualifier == "approx":
        spread = max(0.05 * v, precision)
        low, high = v - spread, v + spread
    else:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    if sign > 0:
        return low, high
    return (-high if high is not None else None), (-low if low is not None else None)
