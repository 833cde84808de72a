"""What the rendered text says: dictionary words, names, numbers, dates, prices, codes, URLs,
plates and sign phrases, with mixed case and punctuation, drawn from a seeded generator."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

import numpy as np

ASSET_WORDS = Path(__file__).parent / "assets" / "words.txt"
SYSTEM_WORDS = Path("/usr/share/dict/words")

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STREET_TYPES = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Way", "Pl", "Ct", "Hwy", "Street", "Road", "Avenue")
SIGN_WORDS = (
    "EXIT",
    "NORTH",
    "SOUTH",
    "EAST",
    "WEST",
    "Centre",
    "Airport",
    "Station",
    "Harbour",
    "Downtown",
    "City",
    "Park",
    "Hospital",
    "Museum",
    "University",
    "Parking",
    "Bridge",
    "Beach",
)
REGULATORY = (
    "STOP",
    "YIELD",
    "ONE WAY",
    "NO PARKING",
    "DO NOT ENTER",
    "SPEED LIMIT",
    "SLOW",
    "KEEP RIGHT",
    "NO ENTRY",
    "BUS ONLY",
    "WRONG WAY",
    "DETOUR",
    "ROAD WORK AHEAD",
)
US_STATES = (
    "CALIFORNIA",
    "TEXAS",
    "FLORIDA",
    "NEW YORK",
    "OHIO",
    "ILLINOIS",
    "NEVADA",
    "ARIZONA",
    "OREGON",
    "GEORGIA",
    "VIRGINIA",
    "MICHIGAN",
    "COLORADO",
    "MAINE",
    "ALASKA",
    "WASHINGTON",
    "UTAH",
    "IOWA",
)
PLATE_SLOGANS = (
    "Sunshine State",
    "Land of Lincoln",
    "The Silver State",
    "Grand Canyon State",
    "Empire State",
    "Live Free or Die",
    "dmv.ca.gov",
    "Great Lakes",
    "Lone Star State",
)
PUNCT_TAIL = (".", ",", ":", ";", "!", "?", ")", "'s", "%")
TLDS = ("com", "org", "net", "io", "co.uk", "de", "fr", "info")


@lru_cache(maxsize=2)
def load_words(path: str | None = None) -> tuple[str, ...]:
    """Dictionary words: the given list, else the system's, else the one shipped in the package."""
    candidates = [Path(path)] if path else [SYSTEM_WORDS, ASSET_WORDS]
    for candidate in candidates:
        if candidate.is_file():
            words = [w.strip() for w in candidate.read_text(encoding="utf-8", errors="ignore").splitlines()]
            words = [w for w in words if w and w.isascii() and w.replace("'", "").isalpha() and "'" not in w]
            if words:
                return tuple(words)
    raise RuntimeError(f"no word list found (looked at {', '.join(map(str, candidates))})")


class TextSource:
    """Draws text of many kinds; every method takes the caller's ``rng`` so output is seed-exact."""

    def __init__(self, words: tuple[str, ...] | None = None) -> None:
        all_words = words or load_words()
        self.common = tuple(w.lower() for w in all_words if w[0].islower())
        self.names = tuple(w for w in all_words if w[0].isupper()) or tuple(w.title() for w in self.common)

    # -- single tokens -----------------------------------------------------------------------
    def dictionary_word(self, rng: np.random.Generator) -> str:
        word = self.common[rng.integers(len(self.common))]
        return self.cased(rng, word)

    @staticmethod
    def cased(rng: np.random.Generator, word: str) -> str:
        roll = rng.random()
        if roll < 0.45:
            return word
        if roll < 0.75:
            return word[:1].upper() + word[1:]
        return word.upper()

    def name(self, rng: np.random.Generator) -> str:
        return self.names[rng.integers(len(self.names))]

    @staticmethod
    def number(rng: np.random.Generator) -> str:
        digits = int(rng.integers(1, 7))
        value = str(int(rng.integers(10 ** (digits - 1), 10**digits)))
        if digits >= 4 and rng.random() < 0.3:
            value = f"{int(value):,}"
        return value

    @staticmethod
    def date(rng: np.random.Generator) -> str:
        day, month, year = int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(1950, 2035))
        style = rng.integers(5)
        if style == 0:
            return f"{day:02d}/{month:02d}/{year}"
        if style == 1:
            return f"{year}-{month:02d}-{day:02d}"
        if style == 2:
            return f"{day}.{month}.{year % 100:02d}"
        if style == 3:
            return f"{MONTHS[month - 1]}"
        return f"{month}/{day}/{year % 100:02d}"

    @staticmethod
    def price(rng: np.random.Generator) -> str:
        amount = float(np.round(rng.lognormal(2.5, 1.2), 2))
        symbol = ("$", "€", "£", "", "RM")[rng.integers(5)]
        text = f"{amount:.2f}" if rng.random() < 0.8 else f"{amount:,.2f}"
        return f"{symbol}{text}" if rng.random() < 0.7 else f"{text}{symbol}"

    @staticmethod
    def code(rng: np.random.Generator) -> str:
        alphabet = string.ascii_uppercase + string.digits
        parts = [
            "".join(alphabet[i] for i in rng.integers(len(alphabet), size=int(rng.integers(2, 6))))
            for _ in range(int(rng.integers(1, 4)))
        ]
        return ("-", "/", "", "#")[rng.integers(4)].join(parts)

    def url(self, rng: np.random.Generator) -> str:
        word = self.common[rng.integers(len(self.common))][:10]
        tld = TLDS[rng.integers(len(TLDS))]
        roll = rng.random()
        if roll < 0.4:
            return f"www.{word}.{tld}"
        if roll < 0.7:
            return f"{self.name(rng).lower()}@{word}.{tld}"
        return f"{word}.{tld}"

    @staticmethod
    def phone(rng: np.random.Generator) -> str:
        d = rng.integers(10, size=10)
        return f"({d[0]}{d[1]}{d[2]}) {d[3]}{d[4]}{d[5]}-{d[6]}{d[7]}{d[8]}{d[9]}"

    @staticmethod
    def time_of_day(rng: np.random.Generator) -> str:
        return f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}"

    def token(self, rng: np.random.Generator) -> str:
        """One whitespace-free token, mostly words, sometimes numbers, dates, prices, codes, URLs."""
        roll = rng.random()
        if roll < 0.62:
            token = self.dictionary_word(rng)
        elif roll < 0.7:
            token = self.name(rng)
        elif roll < 0.78:
            token = self.number(rng)
        elif roll < 0.82:
            token = self.date(rng)
        elif roll < 0.87:
            token = self.price(rng)
        elif roll < 0.91:
            token = self.code(rng)
        elif roll < 0.94:
            token = self.url(rng)
        elif roll < 0.96:
            token = self.time_of_day(rng)
        else:
            token = "&-+/#@"[rng.integers(6)] if rng.random() < 0.5 else self.dictionary_word(rng)
        if rng.random() < 0.12 and token[-1].isalnum():
            token += PUNCT_TAIL[rng.integers(len(PUNCT_TAIL))]
        if rng.random() < 0.03:
            token = ('"', "(", "'", "“")[rng.integers(4)] + token
        return token

    def words(self, rng: np.random.Generator, low: int, high: int) -> list[str]:
        return [self.token(rng) for _ in range(int(rng.integers(low, high + 1)))]

    # -- domain phrases ----------------------------------------------------------------------
    def street(self, rng: np.random.Generator) -> list[str]:
        parts = [self.name(rng), STREET_TYPES[rng.integers(len(STREET_TYPES))]]
        if rng.random() < 0.3:
            parts.insert(0, ("N", "S", "E", "W", "Old", "Upper")[rng.integers(6)])
        if rng.random() < 0.2:
            parts[-2] = f"{int(rng.integers(1, 120))}{('st', 'nd', 'rd', 'th')[rng.integers(4)]}"
        return parts

    def destination(self, rng: np.random.Generator) -> list[str]:
        """A direction-sign line: a place and, often, a distance."""
        place = [self.name(rng)] if rng.random() < 0.7 else [SIGN_WORDS[rng.integers(len(SIGN_WORDS))]]
        if rng.random() < 0.25:
            place.append(self.name(rng))
        if rng.random() < 0.6:
            dist = f"{rng.integers(1, 300)}" if rng.random() < 0.7 else f"{rng.integers(1, 30)}.{rng.integers(10)}"
            place += [dist, ("km", "mi", "miles", "m")[rng.integers(4)]] if rng.random() < 0.7 else [dist]
        return place

    @staticmethod
    def regulatory(rng: np.random.Generator) -> list[str]:
        phrase = REGULATORY[rng.integers(len(REGULATORY))].split()
        if phrase == ["SPEED", "LIMIT"]:
            phrase.append(str(int(rng.integers(1, 14)) * 5))
        return phrase

    @staticmethod
    def plate_number(rng: np.random.Generator, layout: str) -> str:
        letters, digits = string.ascii_uppercase, string.digits

        def pick(alphabet: str, n: int) -> str:
            return "".join(alphabet[i] for i in rng.integers(len(alphabet), size=n))

        if layout == "us":
            pattern = rng.integers(4)
            if pattern == 0:
                return pick(letters, 3) + pick(digits, 4)
            if pattern == 1:
                return pick(digits, 1) + pick(letters, 3) + pick(digits, 3)
            if pattern == 2:
                return pick(letters + digits, int(rng.integers(5, 8)))
            return pick(letters, 3) + " " + pick(digits, 3)
        if layout == "eu":
            return f"{pick(letters, 2)}-{pick(digits, 3)}-{pick(letters, 2)}"
        if layout == "de":
            city, serial = pick(letters, int(rng.integers(1, 4))), pick(digits, int(rng.integers(1, 5)))
            return f"{city} {pick(letters, 2)} {serial}"
        if layout == "uk":
            return f"{pick(letters, 2)}{pick(digits, 2)} {pick(letters, 3)}"
        return pick(letters + digits, int(rng.integers(5, 8)))
