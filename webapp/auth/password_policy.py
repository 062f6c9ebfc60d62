"""Which rules a new password breaks, as stable codes the screen turns into French sentences.

Plain Python on purpose (no Flask): the sign-up, reset and change-password views and the
agents' screens all ask the same question and get the same answer.

Lengths follow CNIL délibération 2022-100 (recommandation relative aux mots de passe): with
sign-in throttling, which the portal has, 8 characters mixing lower case, upper case and
digits are enough; 15 characters of any kind (a passphrase) reach more without composition
rules; town-hall agents, whose accounts see every family, get 12 characters. Common
passwords and passwords built on the account's own identifiant, family name or commune are
refused whatever their length. The view turns the codes into French sentences.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

MAX_LENGTH = 128  # never truncated: the old "20 characters maximum" is gone
FAMILY_MIN_LENGTH = 8  # with lower case, upper case and digit (the seeds' rule)
FAMILY_PASSPHRASE_LENGTH = 15  # any characters
AGENT_MIN_LENGTH = 12  # any characters
COMMON_CORE_MIN_LENGTH = 4  # "Azerty123!" is refused because "azerty" is common; "abc1" is not stripped
NAME_MIN_LETTERS = 3  # family names and first names: "Roy" counts, "Li" does not
COMMUNE_MIN_LETTERS = 4  # commune names and their significant parts
IDENTIFIANT_MIN_LENGTH = 3

# Display order; check_password returns failed codes in this order.
RULE_CODES = (
    "too_short_or_simple",  # families: 8+ with lower, upper and digit, or 15+ of any kind
    "too_short_agent",  # agents: 12+ of any kind
    "too_long",  # more than 128 characters
    "not_printable",  # control or invisible characters
    "common",  # in the embedded list of common passwords
    "contains_identifiant",
    "contains_name",
    "contains_commune",
)
FAMILY_RULES = tuple(code for code in RULE_CODES if code != "too_short_agent")
AGENT_RULES = tuple(code for code in RULE_CODES if code != "too_short_or_simple")

# Unicode categories refused: controls (tab, newline, NUL, escapes), invisible format
# characters (zero-width space, bidirectional overrides, soft hyphen), surrogates, private
# use, unassigned code points, line and paragraph separators. Spaces of every kind (Zs,
# e.g. the non-breaking space of French typography), letters, marks, digits, punctuation
# and symbols (emoji included) are accepted.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

# Words of commune or group names that say nothing about the place ("Saint-Paul-sur-Isère").
_GENERIC_COMMUNE_WORDS = frozenset({
    "saint", "sainte", "saints", "saintes", "sur", "sous", "les", "lez", "aux", "des", "du",
    "de", "la", "le", "en", "et", "commune", "communes", "mairie", "ville", "village", "rpi",
    "ssi", "sivu", "sivom", "syndicat", "intercommunal", "intercommunale", "regroupement",
    "pedagogique", "ecole", "ecoles", "groupe", "scolaire", "notre", "dame",
})
# Particles of family names ("de la Fontaine", "Van der Berg"): too common in passphrases.
_NAME_PARTICLES = frozenset({
    "de", "du", "des", "la", "le", "les", "van", "von", "der", "den", "del", "della", "di",
    "da", "dos", "das", "et",
})

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})
_SEPARATORS = re.compile(r"[\W_]+")  # anything but letters and digits
_EDGE_NON_LETTERS = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # leading or trailing digits, symbols, spaces
_EDGE_SYMBOLS = re.compile(r"^[\W_]+|[\W_]+$")  # the same, digits kept ("123456789!")

COMMON_PASSWORDS_FILE = Path(__file__).with_name("data") / "common_passwords.txt"


def check_password(
    password: str,
    *,
    identifiant: str = "",
    names: Iterable[str] = (),
    commune_names: Iterable[str] = (),
    agent: bool = False,
) -> list[str]:
    """Codes of the rules `password` breaks, in RULE_CODES order; an empty list accepts it.

    `names` are the family's (or agent's) names, `commune_names` the commune's and its
    villages'. The password is inspected whole: never truncated, spaces kept.
    """
    failed = set()
    length = len(password)
    if agent:
        if length < AGENT_MIN_LENGTH:
            failed.add("too_short_agent")
    elif not _long_or_mixed(password):
        failed.add("too_short_or_simple")
    if length > MAX_LENGTH:
        failed.add("too_long")
    if any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in password):
        failed.add("not_printable")

    folded = fold(password)
    forms = (folded, _SEPARATORS.sub("", folded))
    if is_common(password):
        failed.add("common")
    if any(_contains(forms, needle) for needle in _identifiant_needles(identifiant)):
        failed.add("contains_identifiant")
    if any(_contains(forms, needle) for needle in _name_needles(names, NAME_MIN_LETTERS, _NAME_PARTICLES)):
        failed.add("contains_name")
    if any(_contains(forms, needle)
           for needle in _name_needles(commune_names, COMMUNE_MIN_LETTERS, _GENERIC_COMMUNE_WORDS)):
        failed.add("contains_commune")
    return [code for code in RULE_CODES if code in failed]


def fold(text: str) -> str:
    """Lower case without accents ("Hélène" → "helene", "Cœur" → "coeur") for comparisons only."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_common(password: str) -> bool:
    """True when the password, or its core without leading/trailing digits and symbols, is listed.

    The core is only looked up when it keeps 4+ characters, so "Azerty123!" is common
    ("azerty") but a rare word followed by digits is not judged on a short remainder.
    Fewer than 3 distinct characters ("               ", "abababababababab") is common too.
    """
    listed = common_passwords()
    folded = fold(password)
    if folded and len(set(folded)) < 3:
        return True
    for form in {folded, _SEPARATORS.sub("", folded)}:
        if form in listed:
            return True
        for edges in (_EDGE_NON_LETTERS, _EDGE_SYMBOLS):
            core = edges.sub("", form)
            if core != form and len(core) >= COMMON_CORE_MIN_LENGTH and core in listed:
                return True
    return False


@functools.cache
def common_passwords() -> frozenset[str]:
    """The embedded list (webapp/auth/data/common_passwords.txt), folded, read once."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(fold(line.rstrip("\n")) for line in lines if line.strip())


def _long_or_mixed(password: str) -> bool:
    if len(password) >= FAMILY_PASSPHRASE_LENGTH:
        return True
    return (
        len(password) >= FAMILY_MIN_LENGTH
        and any(c.islower() for c in password)
        and any(c.isupper() for c in password)
        and any(c.isdecimal() for c in password)  # "²" of the French keyboard is not a digit
    )


def _contains(forms: tuple[str, str], needle: str) -> bool:
    """`needle` (folded) in the folded password, or both without separators ("jean.pierre")."""
    bare = _SEPARATORS.sub("", needle)
    return needle in forms[0] or (bool(bare) and bare in forms[1])


def _identifiant_needles(identifiant: str) -> list[str]:
    folded = fold((identifiant or "").strip())
    needles = [folded]
    if "@" in folded:  # agents sign in with an e-mail address: its local part counts too
        needles.append(folded.partition("@")[0])
    return [n for n in needles if len(_SEPARATORS.sub("", n)) >= IDENTIFIANT_MIN_LENGTH]


def _name_needles(names: Iterable[str], min_letters: int, ignored: frozenset[str]) -> list[str]:
    """Each whole name without separators and each significant part of it, folded."""
    needles = []
    for name in names:
        parts = [p for p in _SEPARATORS.split(fold(name or "")) if p]
        whole = "".join(parts)
        if _letters(whole) >= min_letters and whole not in ignored:
            needles.append(whole)
        needles.extend(p for p in parts if _letters(p) >= min_letters and p not in ignored)
    return needles


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)
