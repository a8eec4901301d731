"""The filter language: newsboat's expressions over articles, parsed into a typed tree.

    unread = "yes" and (title =~ "battery|lithium" or feedtitle = "Nikkei") and age < 7

One language for `list --filter`, `search --filter` and the app's filter
key, so a filter typed in one works in the others. It is newsboat's where it
can be: the attributes `title`, `content`, `author`, `link`, `feedtitle`,
`feedurl`, `folder`, `unread` and `starred` (`"yes"` / `"no"`), `age` (whole
days since the article's date) and `date` (its day, `2024-05-17`, in UTC);
the operators `=` `!=`, `=~` `!~` (regular expressions), `#` `!#` (contains),
`<` `>` `<=` `>=` and `between 1:7`; `and`, `or`, `not` and parentheses.
Regular expressions and "contains" ignore case unless the pattern has a
capital letter (vim's smartcase): without one, they read the text in lower
case. A value is "quoted" (`\\"` and `\\\\` are its only escapes, so `\\d`
stays a regex's `\\d`) or a bare word.

A mistake is a `FilterError`: one line that names the place
(`filter: expected a value after "=~" at column 18`). Every check happens
here, a bad regular expression included, so a parsed `Filter` always
translates (`library.filter_sql`). This module is the language only: no SQL.
Imports `errors` only.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal

from tui_reader.errors import ShownError

Attribute = Literal[
    "title",
    "content",
    "author",
    "link",
    "feedtitle",
    "feedurl",
    "folder",
    "unread",
    "starred",
    "age",
    "date",
]
TextAttribute = Literal["title", "content", "author", "link", "feedtitle", "feedurl", "folder"]
FlagAttribute = Literal["unread", "starred"]
RangeAttribute = Literal["age", "date"]
Operator = Literal["=", "!=", "=~", "!~", "#", "!#", "<", ">", "<=", ">="]

TEXT_ATTRIBUTES: tuple[TextAttribute, ...] = (
    "title",
    "content",
    "author",
    "link",
    "feedtitle",
    "feedurl",
    "folder",
)
FLAG_ATTRIBUTES: tuple[FlagAttribute, ...] = ("unread", "starred")
RANGE_ATTRIBUTES: tuple[RangeAttribute, ...] = ("age", "date")
ATTRIBUTES: tuple[Attribute, ...] = (*TEXT_ATTRIBUTES, *FLAG_ATTRIBUTES, *RANGE_ATTRIBUTES)

# Longest first, so "!=" is not read as "!" and "=".
OPERATORS: tuple[Operator, ...] = ("=~", "!~", "!=", "!#", "<=", ">=", "=", "#", "<", ">")
TEXT_OPERATORS: tuple[Operator, ...] = ("=", "!=", "=~", "!~", "#", "!#")
FLAG_OPERATORS: tuple[Operator, ...] = ("=", "!=")
RANGE_OPERATORS: tuple[Operator, ...] = ("=", "!=", "<", ">", "<=", ">=")

# An age of more days than this is a typo (and would overflow the date arithmetic).
MAX_AGE_DAYS = 100_000
# Bounds that keep every parsed filter within Python's recursion and SQLite's
# expression depth (1,000): parentheses and `not`s nested, and conditions.
MAX_DEPTH = 32
MAX_CONDITIONS = 200

_KEYWORDS = frozenset({"and", "or", "not", "between"})
_OPERATOR_CHARACTERS = frozenset("=!~#<>")
_DIGITS = re.compile(r"[0-9]+")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class FilterError(ShownError):
    """A filter that cannot be read: one line, "filter: ... at column N"."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"filter: {message} at column {column}")
        self.column = column


@dataclass(frozen=True)
class Comparison:
    """`attribute operator value`: a text or pattern, a yes/no, whole days, or a day."""

    attribute: Attribute
    operator: Operator
    # str: text, a regular expression, or a day ("2024-05-17"); bool: yes/no; int: days.
    value: str | bool | int


@dataclass(frozen=True)
class Between:
    """`age between 1:7` or `date between 2024-05-01:2024-05-31`: both ends included."""

    attribute: RangeAttribute
    low: int | str
    high: int | str


@dataclass(frozen=True)
class Not:
    """`not operand`."""

    operand: Expression


@dataclass(frozen=True)
class AllOf:
    """`a and b and ...`: two operands or more."""

    operands: tuple[Expression, ...]


@dataclass(frozen=True)
class AnyOf:
    """`a or b or ...`: two operands or more."""

    operands: tuple[Expression, ...]


Expression = Comparison | Between | Not | AllOf | AnyOf


@dataclass(frozen=True)
class Filter:
    """A parsed filter: the text as typed (the header shows it) and its tree."""

    text: str
    expression: Expression

    @property
    def uses_content(self) -> bool:
        """Whether it looks at the articles' text (which the search index holds)."""
        return "content" in attributes_of(self.expression)


def attributes_of(expression: Expression) -> set[Attribute]:
    """The attributes an expression looks at."""
    if isinstance(expression, Comparison | Between):
        return {expression.attribute}
    if isinstance(expression, Not):
        return attributes_of(expression.operand)
    return set().union(*(attributes_of(e) for e in expression.operands))


def ignores_case(pattern: str) -> bool:
    """Smart case: a pattern with no capital letter (outside an escape like `\\S`)."""
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char.isupper():
            return False
    return True


def parse_filter(text: str) -> Filter:
    """Read a filter expression.

    Raises:
        FilterError: Saying what is wrong and at which column (from 1).
    """
    return Filter(text, _Parser(text).parse())


class _Parser:
    """Recursive descent straight over the text, so each error knows its column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.depth = 0
        self.conditions = 0
        self.previous = ""  # the last thing read, for "expected ... after ..."
        self.quoted = False  # whether the last value read was quoted

    # Scanning ---------------------------------------------------------------

    def _skip_space(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def _column(self) -> int:
        return self.at + 1

    def _word(self) -> str:
        """The word (letters and `_`) at the cursor, not consumed; "" if none."""
        end = self.at
        while end < len(self.text) and (self.text[end].isalpha() or self.text[end] == "_"):
            end += 1
        return self.text[self.at : end]

    def _keyword(self, keyword: str) -> bool:
        """Consume `keyword` (any case) if it is the next word."""
        self._skip_space()
        word = self._word()
        if word.lower() != keyword:
            return False
        self.at += len(word)
        self.previous = word
        return True

    def _after(self) -> str:
        return f' after "{self.previous}"' if self.previous else ""

    # Grammar ----------------------------------------------------------------

    def parse(self) -> Expression:
        expression = self._any_of()
        self._skip_space()
        if self.at < len(self.text):
            if self.text[self.at] == ")":
                raise FilterError('unexpected ")"', self._column())
            raise FilterError('expected "and", "or" or the end', self._column())
        return expression

    def _any_of(self) -> Expression:
        operands = [self._all_of()]
        while self._keyword("or"):
            operands.append(self._all_of())
        return operands[0] if len(operands) == 1 else AnyOf(tuple(operands))

    def _all_of(self) -> Expression:
        operands = [self._unary()]
        while self._keyword("and"):
            operands.append(self._unary())
        return operands[0] if len(operands) == 1 else AllOf(tuple(operands))

    def _nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError(f"nested more than {MAX_DEPTH} deep", self._column())

    def _unary(self) -> Expression:
        self._skip_space()
        start = self._column()
        if self._keyword("not"):
            self._nested()
            operand = self._unary()
            self.depth -= 1
            return Not(operand)
        if self.text.startswith("(", self.at):
            self._nested()
            self.at += 1
            self.previous = "("
            inner = self._any_of()
            self._skip_space()
            if not self.text.startswith(")", self.at):
                if self.at < len(self.text):
                    raise FilterError('expected "and", "or" or ")"', self._column())
                raise FilterError('unclosed "("', start)
            self.at += 1
            self.previous = ")"
            self.depth -= 1
            return inner
        return self._condition()

    def _condition(self) -> Expression:
        self._skip_space()
        column = self._column()
        word = self._word()
        if not word or word.lower() in _KEYWORDS:
            raise FilterError(f"expected an attribute{self._after()}", column)
        name = word.lower()
        if name not in ATTRIBUTES:
            known = ", ".join(ATTRIBUTES)
            raise FilterError(f'unknown attribute "{word}" ({known})', column)
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise FilterError(f"more than {MAX_CONDITIONS} conditions", column)
        attribute = name
        self.at += len(word)
        self.previous = word
        self._skip_space()
        operator_column = self._column()
        if self._keyword("between"):
            if attribute not in RANGE_ATTRIBUTES:
                takes = _listed(_operators_of(attribute))
                raise FilterError(f"{attribute} takes {takes}, not between", operator_column)
            return self._between(attribute)
        operator = next((op for op in OPERATORS if self.text.startswith(op, self.at)), None)
        if operator is None:
            raise FilterError(f'expected an operator after "{word}"', operator_column)
        allowed = _operators_of(attribute)
        if operator not in allowed:
            takes = _listed((*allowed, "between") if attribute in RANGE_ATTRIBUTES else allowed)
            raise FilterError(f"{attribute} takes {takes}, not {operator}", operator_column)
        self.at += len(operator)
        self.previous = operator
        value, value_column = self._value()
        typed = _typed(attribute, operator, value, value_column, quoted=self.quoted)
        return Comparison(attribute, operator, typed)

    def _between(self, attribute: RangeAttribute) -> Between:
        value, column = self._value()
        low, colon, high = value.partition(":")
        if not colon or ":" in high:
            example = "1:7" if attribute == "age" else "2024-05-01:2024-05-31"
            raise FilterError(f'between takes two values like {example}, not "{value}"', column)
        return Between(
            attribute,
            _range_value(attribute, low, column),
            _range_value(attribute, high, column + len(low) + 1),
        )

    def _value(self) -> tuple[str, int]:
        """A quoted or bare value, and its column."""
        self._skip_space()
        column = self._column()
        self.quoted = self.text.startswith('"', self.at)
        if self.quoted:
            return self._quoted(), column
        end = self.at
        while end < len(self.text) and not (self.text[end].isspace() or self.text[end] in '"()'):
            end += 1
        value = self.text[self.at : end]
        # `title == x` is a slip, not the value "=x"; quoted, any value goes.
        if not value or value.lower() in _KEYWORDS or value[0] in _OPERATOR_CHARACTERS:
            raise FilterError(f"expected a value{self._after()}", column)
        self.at = end
        self.previous = value
        return value, column

    def _quoted(self) -> str:
        start = self._column()
        self.at += 1
        out: list[str] = []
        while self.at < len(self.text):
            char = self.text[self.at]
            if char == '"':
                self.at += 1
                self.previous = self.text[start - 1 : self.at]
                return "".join(out)
            if char == "\\" and self.text[self.at + 1 : self.at + 2] in ('"', "\\"):
                self.at += 1
                char = self.text[self.at]
            out.append(char)
            self.at += 1
        raise FilterError("unclosed quote", start)


def _operators_of(attribute: Attribute) -> tuple[Operator, ...]:
    if attribute in TEXT_ATTRIBUTES:
        return TEXT_OPERATORS
    if attribute in FLAG_ATTRIBUTES:
        return FLAG_OPERATORS
    return RANGE_OPERATORS


def _listed(operators: tuple[str, ...]) -> str:
    return ", ".join(operators[:-1]) + f" or {operators[-1]}"


def _typed(
    attribute: Attribute, operator: Operator, value: str, column: int, *, quoted: bool
) -> str | bool | int:
    """The value as the attribute takes it; a regular expression is compiled to check it."""
    if attribute in FLAG_ATTRIBUTES:
        if value.lower() not in ("yes", "no"):
            raise FilterError(f'{attribute} is "yes" or "no", not "{value}"', column)
        return value.lower() == "yes"
    if attribute in RANGE_ATTRIBUTES:
        return _range_value(attribute, value, column)
    if operator in ("=~", "!~"):
        try:
            re.compile(value)
        except re.error as exc:
            # Point into the pattern: its position, past the opening quote.
            at = column + (exc.pos or 0) + int(quoted)
            raise FilterError(f"bad regular expression ({exc.msg})", at) from None
        except (RecursionError, OverflowError, ValueError):  # too deep or too big for `re`
            raise FilterError("regular expression too complex", column) from None
    return value


def _range_value(attribute: RangeAttribute, value: str, column: int) -> int | str:
    if attribute == "age":
        if not _DIGITS.fullmatch(value) or int(value) > MAX_AGE_DAYS:
            raise FilterError(
                f'age is a whole number of days up to {MAX_AGE_DAYS:,}, not "{value}"', column
            )
        return int(value)
    if _DAY.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise FilterError(f'date is a day like 2024-05-17, not "{value}"', column)


# Writing a tree back as text ------------------------------------------------------


def quote(value: str) -> str:
    """A value as the language quotes it."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_text(expression: Expression) -> str:
    """An expression as text that parses back to the same tree."""
    if isinstance(expression, Comparison):
        value = expression.value
        if isinstance(value, bool):
            shown = quote("yes" if value else "no")
        elif isinstance(value, int):
            shown = str(value)
        else:
            shown = quote(value)
        return f"{expression.attribute} {expression.operator} {shown}"
    if isinstance(expression, Between):
        return f"{expression.attribute} between {expression.low}:{expression.high}"
    if isinstance(expression, Not):
        return f"not {_grouped(expression.operand)}"
    joiner = " and " if isinstance(expression, AllOf) else " or "
    return joiner.join(_grouped(e) for e in expression.operands)


def _grouped(expression: Expression) -> str:
    text = filter_text(expression)
    return f"({text})" if isinstance(expression, AllOf | AnyOf) else text
