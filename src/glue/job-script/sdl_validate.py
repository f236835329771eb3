"""Record validation in Arrow: the schema contract's checks, vectorized, on the string columns a reader made.

Every check of a column runs on whole Arrow arrays (pyarrow.compute, C++) inside the parse stage,
so a record's reasons, its typed values and whether it needs its raw text are known before
anything reaches the JVM. The checks, per column, in this order:

- `NULL:<col>`       empty (or no value) in a column that is not nullable;
- `TYPE:<col>`       integer and long: an optional sign and 1 to 10 (19) digits, in range;
                     decimal(p, s): an optional sign, at most p - s digits, at most s decimals;
                     boolean: true or false, any case; date and timestamp: the format, strictly
                     (fixed-width fields, a real calendar date, nothing before or after);
- `PATTERN:<col>`    the whole value matches the pattern (Python `re`, on each distinct value);
- `NOT_ALLOWED:<col>` the value is not one of the allowed values (exact);
- `BELOW_MINIMUM:<col>`, `ABOVE_MAXIMUM:<col>` on the typed number.

A date or timestamp format is a Spark datetime pattern. The patterns made of `yyyy`, `MM`, `dd`,
`HH`, `mm`, `ss` and literal separators are checked here; any other pattern is left to Spark's own
`to_date`/`to_timestamp` in the JVM (`jvm_format_columns`), with the same reason code (listed
after the record's other reasons). A test compares these checks with Spark's casts and parsers on
tricky values.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sdl_schema import Column, TableSchema

INT_DIGITS = {"integer": 10, "long": 19}
INT_RANGE = {"integer": (-(2 ** 31), 2 ** 31 - 1), "long": (-(2 ** 63), 2 ** 63 - 1)}

# Spark datetime pattern fields that have one fixed width, with their strptime directives.
_FIELDS = {"yyyy": ("%Y", "year"), "MM": ("%m", "month"), "dd": ("%d", "day"), "HH": ("%H", "hour"), "mm": ("%M", "minute"),
           "ss": ("%S", "second")}
_LITERAL = re.compile(r"[-/:., T]")


@dataclass(frozen=True)
class ArrowFormat:
    """A Spark datetime pattern as a strict regex, a strptime format and where each field is."""

    regex: str
    strptime: str
    fields: tuple[tuple[int, int, str], ...]  # (start, length, arrow component function name)


@functools.cache
def arrow_format(spark_pattern: str) -> ArrowFormat | None:
    """The fixed-width subset of Spark datetime patterns, or None (Spark parses those in the JVM).

    Fields are the letters of `_FIELDS` in exactly those widths; literals are separators, bare or
    quoted ('T'). A quote inside a literal, another letter, or another width gives None."""
    regex, fmt, fields, i, width = [], [], [], 0, 0
    while i < len(spark_pattern):
        ch = spark_pattern[i]
        if ch == "'":
            end = spark_pattern.find("'", i + 1)
            literal = spark_pattern[i + 1:end] if end > i + 1 else None
            if literal is None or not all(_LITERAL.fullmatch(x) for x in literal):
                return None
            regex.append(re.escape(literal))
            fmt.append(literal)
            width += len(literal)
            i = end + 1
            continue
        if ch.isalpha():
            j = i
            while j < len(spark_pattern) and spark_pattern[j] == ch:
                j += 1
            field = spark_pattern[i:j]
            if field not in _FIELDS:
                return None
            regex.append(f"[0-9]{{{len(field)}}}")
            fmt.append(_FIELDS[field][0])
            fields.append((width, len(field), _FIELDS[field][1]))
            width += len(field)
            i = j
            continue
        if not _LITERAL.fullmatch(ch):
            return None
        regex.append(re.escape(ch))
        fmt.append(ch)
        width += 1
        i += 1
    return ArrowFormat("^" + "".join(regex) + "$", "".join(fmt), tuple(fields))


def parsed_by_spark(c: Column) -> bool:
    """A date or timestamp column whose format only Spark parses (see the module docstring)."""
    return c.type in ("date", "timestamp") and arrow_format(c.format) is None


def arrow_type(c: Column) -> Any:
    """The Arrow type of a column's typed values (as Spark reads it back from the parse stage)."""
    import pyarrow as pa

    if parsed_by_spark(c):
        return pa.string()  # parsed by Spark in the JVM
    if c.type == "decimal":
        return pa.decimal128(c.precision, c.scale)
    types = {
        "string": pa.string(), "integer": pa.int32(), "long": pa.int64(), "boolean": pa.bool_(), "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }
    if c.type not in types:
        raise ValueError(f"column {c.name}: type {c.type!r} has no Arrow type here; add it to sdl_validate.py (CONTRIBUTING.md)")
    return types[c.type]


def spark_ddl_type(c: Column) -> str:
    if parsed_by_spark(c):
        return "string"
    if c.type == "decimal":
        return f"decimal({c.precision},{c.scale})"
    types = {"string": "string", "integer": "int", "long": "bigint", "boolean": "boolean", "date": "date", "timestamp": "timestamp"}
    if c.type not in types:
        raise ValueError(f"column {c.name}: type {c.type!r} has no Spark type here; add it to sdl_validate.py (CONTRIBUTING.md)")
    return types[c.type]


def jvm_format_columns(schema: TableSchema) -> list[Column]:
    """The date and timestamp columns whose format only Spark parses."""
    return [c for c in schema.columns if parsed_by_spark(c)]


class _Distinct:
    """The distinct values of a string column, found once for its pattern check and its pseudonyms
    (names, countries and the like repeat: each distinct value is checked and hashed once)."""

    def __init__(self, values: Any):
        self.encoded = values.dictionary_encode()  # nulls stay in the indices, never in the dictionary

    def map(self, fn: Callable[[Any], Any], out_type: Any, as_bytes: bool = False) -> Any:
        """fn over the distinct values (str, or bytes), each result put back in its value's places.
        `fn` maps a sequence of values to a sequence of results (a `map` keeps the loop in C)."""
        import pyarrow as pa

        distinct = self.encoded.dictionary.cast(pa.binary()) if as_bytes else self.encoded.dictionary
        return pa.array(list(fn(distinct.to_numpy(zero_copy_only=False))), out_type).take(self.encoded.indices)


def _int_values(c: Column, v: Any, well_formed: Any) -> tuple[Any, Any]:
    """(int64 values, in-range mask) of the well-formed entries; the cast is exact or falls back."""
    import pyarrow as pa
    import pyarrow.compute as pc

    signed = pc.any(pc.starts_with(v, "+")).as_py()  # Arrow's cast takes "-5" but not "+5"
    candidates = pc.if_else(well_formed, pc.utf8_ltrim(v, characters="+") if signed else v, pa.scalar(None, pa.string()))
    low, high = INT_RANGE[c.type]
    try:
        values = pc.cast(candidates, pa.int64())
    except pa.ArrowInvalid:  # 19 digits beyond the long range: rare, exact in Python
        ints = [int(x) if x is not None else None for x in candidates.to_pylist()]
        ints = [x if x is None or low <= x <= high else None for x in ints]
        values = pa.array(ints, pa.int64())
    in_range = pc.and_(pc.greater_equal(values, low), pc.less_equal(values, high))
    return values, pc.fill_null(in_range, False)


def _bound(c: Column, bound: float) -> Any:
    """A minimum or maximum as a scalar to compare a column's typed values with: for a decimal
    column an exact decimal when Arrow can compare the two exactly (38 digits), else a double,
    which is how Spark compares a decimal with a number."""
    import pyarrow as pa

    if c.type != "decimal":
        return pa.scalar(bound)
    assert c.precision is not None and c.scale is not None  # a decimal column has both (sdl_schema)
    exact = Decimal(repr(bound))
    _sign, digits, exponent = exact.as_tuple()
    assert isinstance(exponent, int)  # a JSON number is finite
    scale, whole = max(-exponent, 0), max(len(digits) + exponent, 1)
    if max(c.precision - c.scale, whole) + max(c.scale, scale) <= 38:
        return pa.scalar(exact, pa.decimal128(whole + scale, scale))
    return pa.scalar(float(bound))


def _full_matches(pattern: re.Pattern[str], values: Iterable[str]) -> Iterator[bool]:
    return map(bool, map(pattern.fullmatch, values))


def check_columns(schema: TableSchema, cols: list[Any], readable: Any, pseudonym: Callable[[bytes], str] | None) -> tuple[list[Any], Any]:
    """Check every column of one batch of records; return (typed columns, reasons).

    `cols` are the string arrays of the columns (None where a record could not be read);
    `readable` is False for those records, which get no value check. A reason string is the
    record's failed checks joined with "," (null when it passed them all). PII columns are checked
    on their clear value, then replaced by `pseudonym(value)`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(readable)
    failures: list[Any] = []  # string arrays: the code where the check failed, else null

    def fail(mask: Any, code: str) -> None:
        failures.append(pc.if_else(pc.fill_null(pc.and_(readable, mask), False), pa.scalar(code), pa.scalar(None, pa.string())))

    typed_cols = []
    for c, v in zip(schema.columns, cols, strict=True):
        present = pc.fill_null(pc.not_equal(v, ""), False)
        if not c.nullable:
            fail(pc.invert(present), f"NULL:{c.name}")
        k = c.constraints
        af = arrow_format(c.format) if c.type in ("date", "timestamp") else None
        typed: Any
        ok: Any = None  # the well-typed present values (None: every present value)
        if c.type == "string":
            typed = pc.if_else(present, v, pa.scalar(None, pa.string()))
        elif c.type in INT_DIGITS:
            well_formed = pc.fill_null(pc.match_substring_regex(v, rf"^[+-]?[0-9]{{1,{INT_DIGITS[c.type]}}}$"), False)
            values, in_range = _int_values(c, v, well_formed)
            ok = pc.and_(well_formed, in_range)
            typed = pc.cast(pc.if_else(ok, values, pa.scalar(None, pa.int64())), arrow_type(c))
        elif c.type == "decimal":
            assert c.precision is not None and c.scale is not None  # a decimal column has both (sdl_schema)
            whole = c.precision - c.scale
            frac = rf"(\.[0-9]{{1,{c.scale}}})?" if c.scale > 0 else ""
            # at least one digit; no whole digits but 0 when the precision is all scale (0.5, .5)
            number = rf"[0-9]{{1,{whole}}}{frac}" if whole > 0 else rf"(0|0?\.[0-9]{{1,{c.scale}}})"
            ok = pc.fill_null(pc.match_substring_regex(v, rf"^[+-]?{number}$"), False)
            typed = pc.cast(pc.if_else(ok, v, pa.scalar(None, pa.string())), arrow_type(c))
        elif c.type == "boolean":
            low = pc.utf8_lower(v)
            ok = pc.fill_null(pc.is_in(low, value_set=pa.array(["true", "false"])), False)
            typed = pc.if_else(ok, pc.equal(low, "true"), pa.scalar(None, pa.bool_()))
        elif af is not None:  # date or timestamp in a fixed-width format
            shaped = pc.fill_null(pc.match_substring_regex(v, af.regex), False)
            candidates = pc.if_else(shaped, v, pa.scalar(None, pa.string()))
            parsed = pc.strptime(candidates, format=af.strptime, unit="s", error_is_null=True)
            # strptime rolls 02-30 over to 03-02 (and :60 to the next minute): every field must read back as written
            ok = pc.is_valid(parsed)
            for start, length, component in af.fields:
                written = pc.cast(pc.utf8_slice_codeunits(candidates, start, start + length), pa.int64())
                ok = pc.and_(ok, pc.equal(getattr(pc, component)(parsed), written))
            ok = pc.fill_null(ok, False)
            stamp = pc.if_else(ok, parsed, pa.scalar(None, parsed.type))
            typed = pc.cast(stamp, pa.date32()) if c.type == "date" else pc.cast(stamp, pa.timestamp("us")).cast(arrow_type(c))
        elif parsed_by_spark(c):  # a format only Spark parses: passed on as text, TYPE is checked in the JVM
            typed = pc.if_else(present, v, pa.scalar(None, pa.string()))
        else:
            raise ValueError(f"column {c.name}: type {c.type!r} has no check here; add it to sdl_validate.py (CONTRIBUTING.md)")
        if ok is not None:
            fail(pc.and_(present, pc.invert(ok)), f"TYPE:{c.name}")
        distinct = _Distinct(v) if c.pii or (k is not None and k.pattern is not None) else None
        if k is not None and k.pattern is not None:
            pattern = re.compile(f"(?:{k.pattern})")
            assert distinct is not None
            matches = distinct.map(functools.partial(_full_matches, pattern), pa.bool_())
            fail(pc.and_(present, pc.invert(matches)), f"PATTERN:{c.name}")
        if k is not None and k.allowed_values is not None:
            fail(pc.and_(present, pc.invert(pc.is_in(v, value_set=pa.array(list(k.allowed_values), pa.string())))), f"NOT_ALLOWED:{c.name}")
        for bound, code, compare in ((k.minimum if k else None, "BELOW_MINIMUM", pc.less), (k.maximum if k else None, "ABOVE_MAXIMUM", pc.greater)):
            if bound is not None:
                fail(pc.fill_null(compare(typed, _bound(c, bound)), False), f"{code}:{c.name}")
        if c.pii:
            if pseudonym is None:
                raise ValueError("the schema has PII columns: a pseudonymization key is required")
            assert distinct is not None
            typed = pc.if_else(present, distinct.map(lambda values: map(pseudonym, values), pa.string(), as_bytes=True), pa.scalar(None, pa.string()))
        typed_cols.append(typed)
    reasons = pa.nulls(n, pa.string())
    for f in failures:
        if f.null_count == n:  # no record failed this check
            continue
        both = pc.and_(pc.is_valid(reasons), pc.is_valid(f))
        # (binary_join_element_wise with null_handling="skip" drops the rows where all inputs are null)
        reasons = pc.if_else(both, pc.binary_join_element_wise(reasons, f, ","), pc.coalesce(reasons, f))
    return typed_cols, reasons
