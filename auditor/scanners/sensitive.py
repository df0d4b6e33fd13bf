"""Personal data and secrets in training sets and knowledge corpora (rule SC009).

``find_personal_data(text)`` finds, in one piece of text:

- ``email``: an address whose domain ends in a real-looking top-level name;
  reserved and documentation domains (``example.com``, ``*.test``), role
  mailboxes (``support@``, ``noreply@``) and file names (``icon@2x.png``) are
  not personal data, nor are made-up domains (``mycompany.com``,
  ``example-domain.org``: table ``placeholder_labels``).
- ``phone``: a number in international form (``+44 20 ...``), North American
  form (``(415) 555-...``, ``415-555-...``) or British national form (``020 ...``),
  or a national form with the trunk prefix ``0`` right after a word such as
  "phone", "tel" or "call"; each is checked against the numbering plan of its
  country with ``phonenumbers`` (Google's libphonenumber data). Numbers
  reserved for fiction (North American ``555`` exchanges, Ofcom's drama
  ranges) and organisations' lines (toll-free, premium-rate, shared-cost, or
  written after "Fax" or "TTY") do not count.
- ``payment-card``: 12 to 19 digits, written whole or in the usual groups,
  that pass the Luhn check and start with a card network's issuer prefix;
  published test numbers (``4242 4242 4242 4242``) and numbers more than half
  made of one digit (``4111 1111 1111 1111``) do not count.
- ``iban``: an IBAN whose check digits and national format are right
  (``python-stdnum``); the registry's example IBANs that documentation copies
  do not count.
- ``national-id``: identifiers with a checksum or a strict format, each
  validated by ``python-stdnum``: US social security numbers written
  ``123-45-6789`` (the area, group and serial rules), British National
  Insurance numbers written in groups (``QQ 12 34 56 C``), Brazilian CPF
  (``111.444.777-35``), Spanish DNI/NIE and Italian codice fiscale (each with a
  check letter); and, only after a word that names them (``SSN``, ``SIN``,
  ``Aadhaar``, ``BSN``, ``PESEL``, ``NIR``, ``Steuer-ID``, ``NINO``), the
  undashed and digit-only forms whose check digit alone would pass a random
  number one time in ten.
- ``secret``: API keys and tokens, by ``auditor.scanners.text.find_secrets``
  (the SC007 key table).

No raw value leaves this module: a hit carries its kind, its type (the card
network, the identifier's country and name, the key's kind), its offset and a
redacted form that keeps at most the last two or four characters.

``scan_file(root, path, size)`` reads one file in bounded, linear time: a file
up to ``FULL_READ_BYTES`` is read whole; a larger one is sampled, the same way
every time, in ``SAMPLE_WINDOWS`` windows of ``WINDOW_BYTES`` spread evenly
from its first byte to its last, each cut to whole lines. Line numbers stay
exact: the line breaks before a window are counted (a byte count, no
decoding) only when a first hit needs its line. The result says how many
bytes and lines were read (``bytes_scanned``, ``lines_scanned``) out of the
file's size.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.knowledge import load_table
from auditor.model import JSON
from auditor.scanners.text import find_secrets

__all__ = [
    "FULL_READ_BYTES",
    "KINDS",
    "SAMPLE_WINDOWS",
    "WINDOW_BYTES",
    "Hit",
    "SensitiveScan",
    "find_personal_data",
    "scan_file",
]

KINDS = ("secret", "payment-card", "iban", "national-id", "phone", "email")
FULL_READ_BYTES = 8 * 1024 * 1024
SAMPLE_WINDOWS = 32
WINDOW_BYTES = 256 * 1024
# Redacted samples kept per kind.
SAMPLES = 3
# Bytes read at a time when line breaks are counted between windows.
COUNT_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Hit:
    """One piece of personal data or one secret, at ``start`` in the text searched."""

    kind: str
    type: str
    start: int
    redacted: str


# --- the placeholder table -------------------------------------------------------------


@dataclass(frozen=True)
class _Network:
    name: str
    ranges: tuple[tuple[int, int, int], ...]  # (digits, low, high)
    lengths: frozenset[int]

    def matches(self, digits: str) -> bool:
        if len(digits) not in self.lengths:
            return False
        return any(low <= int(digits[:width]) <= high for width, low, high in self.ranges)


@dataclass(frozen=True)
class _Table:
    reserved_tlds: frozenset[str]
    placeholder_domains: frozenset[str]
    placeholder_labels: frozenset[str]
    role_local_parts: frozenset[str]
    not_tlds: frozenset[str]
    fictional_exchange: str
    uk_drama: tuple[str, ...]
    au_fictional: tuple[str, ...]
    networks: tuple[_Network, ...]
    test_cards: frozenset[str]
    example_ibans: frozenset[str]
    example_ids: frozenset[str]


def _range(text: str) -> tuple[int, int, int]:
    low, _, high = text.partition("-")
    high = high or low
    return len(low), int(low), int(high)


@functools.cache
def _table() -> _Table:
    data = load_table("personal_data")
    email, phone, cards = data["email"], data["phone"], data["cards"]
    networks = tuple(
        _Network(
            name=entry["name"],
            ranges=tuple(_range(p) for p in entry["prefixes"]),
            lengths=frozenset(entry["lengths"]),
        )
        for entry in cards["network"]
    )
    return _Table(
        reserved_tlds=frozenset(email["reserved_tlds"]),
        placeholder_domains=frozenset(email["placeholder_domains"]),
        placeholder_labels=frozenset(email["placeholder_labels"]),
        role_local_parts=frozenset(email["role_local_parts"]),
        not_tlds=frozenset(email["not_tlds"]),
        fictional_exchange=phone["nanp_fictional_exchange"],
        uk_drama=tuple(phone["uk_drama_prefixes"]),
        au_fictional=tuple(phone["au_fictional_prefixes"]),
        networks=networks,
        test_cards=frozenset(cards["test"]["numbers"]),
        example_ibans=frozenset(data["iban"]["examples"]),
        example_ids=frozenset(data["national_id"]["examples"]),
    )


# --- redaction -----------------------------------------------------------------------


def _mask(value: str, keep: int) -> str:
    """Every letter and digit but the last ``keep`` replaced by ``*``; separators stay."""
    total = sum(1 for c in value if c.isalnum())
    shown = 0
    out: list[str] = []
    for char in value:
        if char.isalnum():
            shown += 1
            out.append(char if shown > total - keep else "*")
        else:
            out.append(char)
    return "".join(out)


def _redact_email(local: str, domain: str) -> str:
    """``j***@a***.com``: the first letter of each, and the top-level name."""
    head, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{head[:1]}***.{tld}"


# --- e-mail ----------------------------------------------------------------------------

_LOCAL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}\Z")
_LOCAL_PARTS = re.compile(r"[._-]")
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}([A-Za-z]{2,24})(?![A-Za-z0-9\-])"
)


def _emails(text: str, table: _Table) -> Iterator[Hit]:
    position = text.find("@")
    while position >= 0:
        at = position
        position = text.find("@", at + 1)
        local_match = _LOCAL.search(text, max(0, at - 64), at)
        if local_match is None:
            continue
        local = local_match.group(0).lstrip(".")
        before = text[local_match.start() - 1] if local_match.start() else " "
        if before.isalnum() or before in "._%+-":
            continue  # a local part longer than 64 characters: not an address
        mailto = text.endswith("mailto:", 0, local_match.start())
        if not local or local.endswith(".") or (before in ":/\\" and not mailto):
            continue  # ``https://user:pass@host`` is a URL, not an address
        domain_match = _DOMAIN.match(text, at + 1)
        if domain_match is None:
            continue
        domain = domain_match.group(0).lower()
        tld = domain_match.group(1).lower()
        if tld in table.not_tlds or tld in table.reserved_tlds:
            continue
        if any(domain == d or domain.endswith("." + d) for d in table.placeholder_domains):
            continue
        labels = domain.split(".")[:-1]
        if any(
            label in table.placeholder_labels or label.startswith("example") for label in labels
        ):
            continue  # example.co.uk, example-domain.com, mycompany.io ...
        mailbox = local.lower().split("+", 1)[0]
        if mailbox in table.role_local_parts or any(
            part in table.role_local_parts for part in _LOCAL_PARTS.split(mailbox)
        ):
            continue  # a role mailbox: support@, bmo.ombudsman@, customer-service@
        yield Hit("email", "email", local_match.start(), _redact_email(local, domain))


# --- numbers: cards, identifiers, phones ----------------------------------------------------

# A number of at least eight digits, with the separators phone numbers and
# cards are written with. It starts with one character class so that the
# engine skips ahead to candidates, and demands its eight digits itself, so
# that the dates, prices and versions of ordinary text never reach Python.
_NUMBER = re.compile(r"[0-9+(](?:[ \-.()/]{0,2}[0-9]){7,}")
_NOT_DIGIT = re.compile(r"[^0-9]+")
_DATE = re.compile(r"[0-9]{4}([-/.])[0-9]{1,2}\1[0-9]{1,2}|[0-9]{1,2}([-/.])[0-9]{1,2}\2[0-9]{4}")
# The fewest digits of any kind found here (a Dutch BSN, a short phone number).
MIN_DIGITS = 8
_TRAILING = " -.(/"
_CARD_GROUPS = frozenset(
    {(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 4, 4, 2), (4, 4, 4, 3), (4, 4, 5)}
)
_SSN = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}")
_CPF = re.compile(r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}")
_NANP = re.compile(r"(?:1[ .\-])?\(?[2-9][0-9]{2}\)?(?:[ .\-]|\) ?)[2-9][0-9]{2}[ .\-][0-9]{4}")
_UK_NATIONAL = re.compile(r"0[1-9][0-9]{1,3}[ \-]?[0-9]{3,4}[ \-]?[0-9]{3,4}")
# Words that, just before a number, say what it is.
_ID_CONTEXT: tuple[tuple[re.Pattern[str], str, str, frozenset[int]], ...] = (
    (re.compile(r"\b(?:ssn|social security)\b"), "us-ssn", "us.ssn", frozenset({9})),
    (re.compile(r"\b(?:sin|social insurance)\b"), "ca-sin", "ca.sin", frozenset({9})),
    (re.compile(r"\b(?:aadhaar|aadhar)\b"), "in-aadhaar", "in_.aadhaar", frozenset({12})),
    (re.compile(r"\b(?:bsn|burgerservicenummer)\b"), "nl-bsn", "nl.bsn", frozenset({8, 9})),
    (re.compile(r"\bpesel\b"), "pl-pesel", "pl.pesel", frozenset({11})),
    (
        re.compile(r"\b(?:nir|s[ée]curit[ée] sociale)\b"),
        "fr-nir",
        "fr.nir",
        frozenset({13, 15}),
    ),
    (
        re.compile(r"(?:steuer-?id|steueridentifikationsnummer|\bidnr)\b"),
        "de-idnr",
        "de.idnr",
        frozenset({11}),
    ),
)
_ANY_ID_WORD = re.compile(r"ssn|social|sin\b|aadha|bsn|burgerservice|pesel|nir\b|curit|steuer|idnr")
_ORGANISATION_CONTEXT = re.compile(r"\b(?:fax|tty|telefax|switchboard)\b[^0-9\n]{0,12}\Z")
_PHONE_CONTEXT = re.compile(
    r"\b(?:phone|telephone|tel|mobile|cell|call|fax|whatsapp|sms|text me|ring)\b[^0-9\n]{0,12}\Z"
)
# Countries whose national numbers start with the trunk prefix 0, tried in
# order for a number written that way right after a word such as "phone".
_CONTEXT_REGIONS = ("DE", "FR", "NL", "IN", "AU", "BR", "JP")
CONTEXT_CHARS = 40


def _validator(name: str) -> Any:
    """A ``python-stdnum`` module by its dotted name under ``stdnum``."""
    import importlib

    return importlib.import_module(f"stdnum.{name}")


def _valid(name: str, value: str) -> bool:
    try:
        return bool(_validator(name).is_valid(value))
    except Exception:  # a validator's bug must not stop a scan
        return False


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card(candidate: str, digits: str, table: _Table) -> str | None:
    """The card network of a candidate, or None."""
    if not 12 <= len(digits) <= 19 or any(c not in "0123456789 -" for c in candidate):
        return None
    groups = tuple(len(g) for g in re.split(r"[ \-]", candidate))
    if len(groups) > 1 and groups not in _CARD_GROUPS:
        return None
    if digits in table.test_cards or not _luhn(digits):
        return None
    if max(digits.count(d) for d in set(digits)) * 2 > len(digits):
        return None  # mostly one digit: 4111 1111 1111 1111, 5500 0000 0000 0004
    return next((n.name for n in table.networks if n.matches(digits)), None)


_FICTIONAL = "fictional"  # or otherwise not a person's: never read as another country's


def _phone(candidate: str, region: str | None, table: _Table) -> str | None:
    """The country code (``+44``) of a valid phone number, ``_FICTIONAL`` for a
    number reserved for fiction, or None."""
    import phonenumbers

    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    kinds = phonenumbers.PhoneNumberType
    organisation = {kinds.TOLL_FREE, kinds.PREMIUM_RATE, kinds.SHARED_COST, kinds.UAN}
    if phonenumbers.number_type(number) in organisation:
        return _FICTIONAL  # toll-free, premium-rate, shared-cost: an organisation's line
    national = str(number.national_number)
    code = number.country_code
    if code == 1 and national[3:6] == table.fictional_exchange:
        return _FICTIONAL
    if code == 44 and national.startswith(table.uk_drama):
        return _FICTIONAL
    if code == 61 and national.startswith(table.au_fictional):
        return _FICTIONAL
    return f"+{code}"


def _numbers(text: str, table: _Table, taken: list[tuple[int, int]]) -> Iterator[Hit]:
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        candidate = match.group(0)
        if candidate[0] == "(" and candidate.count("(") != candidate.count(")"):
            candidate = candidate[1:]
            start += 1
        before = text[start - 1] if start else " "
        if before.isalnum() or before in "._-/\\:#=&" or len(candidate) > 32:
            continue  # part of a word, a version, a path, a URL or a long table of numbers
        after = text[end] if end < len(text) else " "
        if after.isalnum() or after in "_@":
            hit = _dni(text, start, candidate, table) if after.isupper() or after == "-" else None
            if hit is not None:
                yield hit
            continue
        if _DATE.fullmatch(candidate):
            continue
        if taken and any(s < end and start < e for s, e in taken):
            continue
        hit = _classify(text, start, candidate, table)
        if hit is not None:
            yield hit


def _dni(text: str, start: int, candidate: str, table: _Table) -> Hit | None:
    """A Spanish DNI: eight digits and a check letter (``12345678Z``)."""
    match = _DNI.match(text, start)
    if match is None or not candidate.isdigit() or not _starts_word(text, start):
        return None
    value = match.group(0)
    if value.replace("-", "") in table.example_ids or not _valid("es.dni", value):
        return None
    return Hit("national-id", "es-dni", start, _mask(value, 2))


def _classify(text: str, start: int, candidate: str, table: _Table) -> Hit | None:
    digits = _NOT_DIGIT.sub("", candidate)
    network = _card(candidate, digits, table)
    if network is not None:
        return Hit("payment-card", network, start, f"{network} ****{digits[-4:]}")
    if _SSN.fullmatch(candidate):
        if candidate not in table.example_ids and _valid("us.ssn", candidate):
            return Hit("national-id", "us-ssn", start, _mask(candidate, 2))
        return None
    if _CPF.fullmatch(candidate):
        if candidate not in table.example_ids and _valid("br.cpf", candidate):
            return Hit("national-id", "br-cpf", start, _mask(candidate, 2))
        return None
    context = text[max(0, start - CONTEXT_CHARS) : start].lower()
    if _ANY_ID_WORD.search(context):
        for pattern, kind, validator, lengths in _ID_CONTEXT:
            if len(digits) in lengths and pattern.search(context) and _valid(validator, digits):
                return Hit("national-id", kind, start, _mask(candidate, 2))
    regions: list[str | None] = []
    if candidate.startswith("+"):
        regions.append(None)
    elif _NANP.fullmatch(candidate):
        regions.append("US")
    elif _UK_NATIONAL.fullmatch(candidate) and not candidate.isdigit():
        regions.append("GB")
    if _PHONE_CONTEXT.search(context) and len(digits) >= 8 and candidate.startswith("0"):
        regions.extend(r for r in _CONTEXT_REGIONS if r not in regions)
    if _ORGANISATION_CONTEXT.search(context):
        return None  # a fax or text-phone line: an organisation's
    code = next((c for c in (_phone(candidate, r, table) for r in regions) if c), None)
    if code is None or code == _FICTIONAL:
        return None  # a fictional number is fictional in every country it could be read as
    return Hit("phone", code, start, _mask(candidate, 2))


# --- identifiers that start with letters ---------------------------------------------------

# Matched at the places ``_LETTER_LEAD`` finds; the word boundary before a match
# is checked in code (a leading ``\b`` makes the engine try every position).
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_NINO_SPACED = re.compile(
    r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z](?<!BG|GB|NK|KN|TN|NT|ZZ)"
    r" [0-9]{2} [0-9]{2} [0-9]{2} [A-D]\b"
)
_NINO_COMPACT = re.compile(
    r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z](?<!BG|GB|NK|KN|TN|NT|ZZ)[0-9]{6}[A-D]\b"
)
_NINO_CONTEXT = re.compile(r"\b(?:nino|ni number|national insurance)\b")
_CODICE_FISCALE = re.compile(
    r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b"
)
_DNI = re.compile(r"[0-9]{8}-?[A-HJ-NP-TV-Z]\b")
_NIE = re.compile(r"[XYZ]-?[0-9]{7}-?[A-HJ-NP-TV-Z]\b")


def _starts_word(text: str, start: int) -> bool:
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")


def _placeholder_iban(compact: str, table: _Table) -> bool:
    """The registry's examples, and account numbers that are a digit run or a count."""
    if compact in table.example_ibans:
        return True
    bban = compact[4:]
    return "12345678" in bban or "00000000" in bban or len(set(bban)) <= 2


# Where an identifier that starts with letters may start: a capital followed by a
# digit, by a capital and a digit, or by five more capitals and a digit.
_LETTER_LEAD = re.compile(r"[A-Z](?:[0-9]|[A-Z] ?[0-9]|-[0-9]|[A-Z]{5}[0-9LMNPQRSTUV])")


def _lettered(text: str, table: _Table) -> Iterator[tuple[Hit, int]]:
    """Hits of the identifiers that start with letters, with their end offsets."""
    for lead in _LETTER_LEAD.finditer(text):
        start = lead.start()
        if not _starts_word(text, start):
            continue
        found = _lettered_at(text, start, table)
        if found is not None:
            yield found


def _lettered_at(text: str, start: int, table: _Table) -> tuple[Hit, int] | None:
    match = _IBAN.match(text, start)
    if match is not None:
        compact = match.group(0).replace(" ", "")
        if not _placeholder_iban(compact, table) and _valid("iban", compact):
            return Hit("iban", compact[:2], start, f"{compact[:2]}**…{compact[-2:]}"), match.end()
    match = _NINO_SPACED.match(text, start)
    if match is not None and match.group(0).replace(" ", "") not in table.example_ids:
        return Hit("national-id", "uk-nino", start, _mask(match.group(0), 2)), match.end()
    match = _NINO_COMPACT.match(text, start)
    if match is not None and match.group(0) not in table.example_ids:
        context = text[max(0, start - CONTEXT_CHARS) : start].lower()
        if _NINO_CONTEXT.search(context):
            return Hit("national-id", "uk-nino", start, _mask(match.group(0), 2)), match.end()
    for pattern, kind, validator in (
        (_CODICE_FISCALE, "it-codice-fiscale", "it.codicefiscale"),
        (_NIE, "es-nie", "es.nie"),
    ):
        match = pattern.match(text, start)
        if match is None:
            continue
        value = match.group(0)
        if value.replace("-", "") not in table.example_ids and _valid(validator, value):
            return Hit("national-id", kind, start, _mask(value, 2)), match.end()
    return None


def find_personal_data(text: str, *, secrets: bool = True, path: str = "") -> list[Hit]:
    """Every piece of personal data and every secret in ``text``, in text order.

    A stretch of text is counted once: an IBAN's digits are not also a phone
    number, and a key is not also an e-mail address."""
    table = _table()
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []
    if secrets:
        for hit, end in _secrets(path, text):
            hits.append(hit)
            taken.append((hit.start, end))
    for hit, end in _lettered(text, table):
        hits.append(hit)
        taken.append((hit.start, end))
    hits.extend(_numbers(text, table, taken))
    hits.extend(_emails(text, table))
    return sorted(hits, key=lambda h: (h.start, h.kind))


def _secrets(path: str, text: str) -> list[tuple[Hit, int]]:
    """Keys by the SC007 table (``find_secrets``), with their start and end
    offsets in ``text``."""
    found = find_secrets(path, text)
    if not found:
        return []
    starts = [0]
    starts.extend(m.end() for m in _LINE_END.finditer(text))
    hits: list[tuple[Hit, int]] = []
    for secret in found:
        if secret.line - 1 >= len(starts):
            continue
        line_start = starts[secret.line - 1]
        start = line_start + secret.column - 1
        end = line_start + secret.end_column - 1
        hits.append((Hit("secret", secret.kind, start, secret.redacted), end))
    return hits


_LINE_END = re.compile(r"\r\n|\r|\n")


# --- files ---------------------------------------------------------------------------------


@dataclass
class KindTally:
    """What one kind of data looks like in one file."""

    count: int = 0
    first_line: int = 0
    types: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    def to_dict(self) -> JSON:
        return {
            "count": self.count,
            "first_line": self.first_line,
            "types": dict(sorted(self.types.items())),
            "samples": list(self.samples),
        }


@dataclass
class SensitiveScan:
    """What ``scan_file`` found in one file, and how much of it was read."""

    path: str
    bytes_total: int
    bytes_scanned: int = 0
    lines_scanned: int = 0
    sampled: bool = False
    kinds: dict[str, KindTally] = field(default_factory=dict)
    error: str | None = None

    @property
    def first_line(self) -> int:
        return min((t.first_line for t in self.kinds.values()), default=1)

    def add(self, hit: Hit, line: int) -> None:
        tally = self.kinds.setdefault(hit.kind, KindTally())
        tally.count += 1
        if tally.count == 1:
            tally.first_line = line
        tally.types[hit.type] = tally.types.get(hit.type, 0) + 1
        if len(tally.samples) < SAMPLES and hit.redacted not in tally.samples:
            tally.samples.append(hit.redacted)

    def summary(self) -> Mapping[str, JSON]:
        """The kinds found, in ``KINDS`` order."""
        return {kind: self.kinds[kind].to_dict() for kind in KINDS if kind in self.kinds}


def _breaks(data: bytes) -> int:
    """Line breaks as ``LINE_BREAK`` counts them (``\\r\\n``, ``\\r`` or ``\\n``).
    The ``\\r`` counts (the two-byte one ten times slower than a one-byte
    count) run only when the data holds a ``\\r`` at all."""
    breaks = data.count(b"\n")
    if b"\r" not in data:  # a memchr scan: most files hold no \r at all
        return breaks
    return breaks + data.count(b"\r") - data.count(b"\r\n")


class _LineCounter:
    """The line number at a byte offset, counting forward from the last offset asked."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.offset = 0
        self.line = 1
        self.pending_cr = False  # the last byte counted was a \r

    def at(self, offset: int) -> int:
        while self.offset < offset:
            size = min(COUNT_CHUNK, offset - self.offset)
            chunk = os.pread(self.fd, size, self.offset)
            if not chunk:
                break
            self.line += _breaks(chunk)
            if self.pending_cr and chunk.startswith(b"\n"):
                self.line -= 1  # a \r\n split between two chunks is one break
            self.pending_cr = chunk.endswith(b"\r")
            self.offset += len(chunk)
        return self.line


def windows(size: int) -> list[tuple[int, int]]:
    """``(offset, length)`` of the parts of a file of ``size`` bytes that are read:
    all of it up to ``FULL_READ_BYTES``, else ``SAMPLE_WINDOWS`` windows spread
    evenly from the first byte to the last."""
    if size <= FULL_READ_BYTES:
        return [(0, size)]
    step = (size - WINDOW_BYTES) / (SAMPLE_WINDOWS - 1)
    return [(round(i * step), WINDOW_BYTES) for i in range(SAMPLE_WINDOWS)]


def _whole_lines(data: bytes, offset: int, size: int) -> tuple[int, bytes]:
    """A window cut to whole lines: the part of a line before it and after it dropped."""
    start = 0
    if offset > 0:
        first = min((i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0), default=-1)
        if first < 0:
            return offset + len(data), b""
        start = first + 1
        if data[first : first + 2] == b"\r\n":
            start += 1
    end = len(data)
    if offset + len(data) < size:
        last = max(data.rfind(b"\n"), data.rfind(b"\r"))
        end = last + 1 if last >= start else start
    return offset + start, data[start:end]


def scan_file(root: Path, path: str, size: int, *, secrets: bool = True) -> SensitiveScan:
    """Personal data and secrets in ``root / path`` (see the module docstring).
    Never raises: a file that cannot be read gets ``error``."""
    result = SensitiveScan(path=path, bytes_total=size)
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(root / path, flags)
    except OSError as exc:
        result.error = exc.strerror or type(exc).__name__
        return result
    try:
        _scan_fd(fd, path, size, result, secrets)
    except OSError as exc:
        result.error = exc.strerror or type(exc).__name__
    except Exception as exc:  # bad input never stops a scan
        result.error = f"could not be read ({type(exc).__name__})"
    finally:
        os.close(fd)
    return result


def _scan_fd(fd: int, path: str, size: int, result: SensitiveScan, secrets: bool) -> None:
    parts = windows(size)
    result.sampled = len(parts) > 1
    counter = _LineCounter(fd)
    for offset, length in parts:
        raw = os.pread(fd, length, offset)
        start, data = _whole_lines(raw, offset, size)
        if not data:
            continue
        result.bytes_scanned += len(data)
        result.lines_scanned += _breaks(data) + (0 if data.endswith((b"\n", b"\r")) else 1)
        text = data.decode("utf-8", "replace")
        hits = find_personal_data(text, secrets=secrets, path=path)
        if not hits:
            continue
        base: int | None = None
        for hit in hits:
            tally = result.kinds.get(hit.kind)
            line = 0
            if tally is None:  # the first of its kind: its line is reported
                if base is None:
                    base = counter.at(start)
                line = base + _text_breaks(text, hit.start)
            result.add(hit, line)


def _text_breaks(text: str, end: int) -> int:
    breaks = text.count("\n", 0, end)
    if "\r" not in text:
        return breaks
    return breaks + text.count("\r", 0, end) - text.count("\r\n", 0, end)


def scan_files(
    root: Path, files: Sequence[tuple[str, int]], *, secrets: bool = True
) -> list[SensitiveScan]:
    """``scan_file`` for each ``(path, size)``, in order."""
    return [scan_file(root, path, size, secrets=secrets) for path, size in files]
