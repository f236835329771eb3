"""The table schema contract, Python side.

Reads the JSON form that the construct passes to the job (see table-schema.schema.json), applies
the same defaults and the same validation as `TableSchema` in TypeScript, and renders the same
canonical JSON and hash. Golden vectors (golden/schema-vectors.json) are checked from both sides.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1
TYPES = ("string", "integer", "long", "decimal", "date", "timestamp", "boolean")
NUMERIC = {"integer", "long", "decimal"}
DEFAULT_FORMAT = {"date": "yyyy-MM-dd", "timestamp": "yyyy-MM-dd HH:mm:ss"}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
RESERVED_PREFIX = "_sdl_"


class SchemaError(ValueError):
    """The schema breaks the contract; the message lists every problem."""


@dataclass(frozen=True)
class Constraints:
    pattern: str | None = None
    allowed_values: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = False
    pii: bool = False
    precision: int | None = None
    scale: int | None = None
    format: str | None = None
    constraints: Constraints | None = None


@dataclass(frozen=True)
class TableSchema:
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @staticmethod
    def from_json(text: str) -> TableSchema:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("version") != SCHEMA_VERSION:
            raise SchemaError(f"TableSchema: expected a JSON object with version {SCHEMA_VERSION}")
        return TableSchema.from_columns(doc.get("columns", []))

    @staticmethod
    def from_columns(raw_columns: list[dict[str, Any]]) -> TableSchema:
        problems: list[str] = []
        if not raw_columns:
            problems.append("a schema needs at least one column")
        seen: dict[str, str] = {}
        columns = []
        for i, c in enumerate(raw_columns):
            name, ctype = c.get("name", ""), str(c.get("type"))
            where = f"column {i + 1} ('{name}')"
            if not NAME.match(name):
                problems.append(f"{where}: name must be letters, digits and _, not starting with a digit, at most 128 characters")
            if name.lower().startswith(RESERVED_PREFIX):
                problems.append(f"{where}: names starting with {RESERVED_PREFIX} are reserved for lineage columns")
            if name.lower() in seen:
                problems.append(f"{where}: duplicates column '{seen[name.lower()]}' (names are case-insensitive in Spark and Delta)")
            seen[name.lower()] = name
            if ctype not in TYPES:
                problems.append(f"{where}: unknown type '{ctype}'")
            precision, scale = c.get("precision"), c.get("scale")
            if ctype == "decimal":
                if not isinstance(precision, int) or isinstance(precision, bool) or not 1 <= precision <= 38:
                    problems.append(f"{where}: a decimal needs an integer precision from 1 to 38 (got {precision})")
                if not isinstance(scale, int) or isinstance(scale, bool) or scale < 0 or (isinstance(precision, int) and scale > precision):
                    problems.append(f"{where}: a decimal needs an integer scale from 0 to its precision (got {scale})")
            elif precision is not None or scale is not None:
                problems.append(f"{where}: precision and scale are for decimal columns only")
            fmt = c.get("format")
            if fmt is not None and ctype not in DEFAULT_FORMAT:
                problems.append(f"{where}: format is for date and timestamp columns only")
            if fmt is not None and fmt.strip() == "":
                problems.append(f"{where}: format is empty")
            pii = bool(c.get("pii", False))
            if pii and ctype != "string":
                problems.append(f"{where}: pii is for string columns only (pseudonyms are strings)")
            k = c.get("constraints") or {}
            if ("pattern" in k or "allowedValues" in k) and ctype != "string":
                problems.append(f"{where}: pattern and allowedValues are for string columns only")
            if "pattern" in k:
                try:
                    re.compile(k["pattern"])
                except re.error as e:
                    problems.append(f"{where}: pattern does not compile: {e}")
            if "allowedValues" in k and len(k["allowedValues"]) == 0:
                problems.append(f"{where}: allowedValues is empty")
            if ("minimum" in k or "maximum" in k) and ctype not in NUMERIC:
                problems.append(f"{where}: minimum and maximum are for integer, long and decimal columns only")
            if "minimum" in k and "maximum" in k and k["minimum"] > k["maximum"]:
                problems.append(f"{where}: minimum {_num(k['minimum'])} is greater than maximum {_num(k['maximum'])}")
            constraints = None
            if any(x in k for x in ("pattern", "allowedValues", "minimum", "maximum")):
                allowed = k.get("allowedValues")
                constraints = Constraints(k.get("pattern"), tuple(allowed) if allowed is not None else None, k.get("minimum"), k.get("maximum"))
            columns.append(Column(name, ctype, bool(c.get("nullable", False)), pii, precision, scale,
                                  fmt if fmt is not None else DEFAULT_FORMAT.get(ctype), constraints))
        if problems:
            raise SchemaError(f"TableSchema: {len(problems)} problem(s):\n- " + "\n- ".join(problems))
        return TableSchema(tuple(columns))

    def to_json(self) -> str:
        """The canonical JSON form: keys sorted, no whitespace, absent values left out."""
        cols = []
        for c in self.columns:
            d: dict[str, Any] = {"name": c.name, "type": c.type, "nullable": c.nullable, "pii": c.pii}
            for key, value in (("precision", c.precision), ("scale", c.scale), ("format", c.format)):
                if value is not None:
                    d[key] = value
            if c.constraints is not None:
                allowed = c.constraints.allowed_values
                k = {"pattern": c.constraints.pattern, "allowedValues": list(allowed) if allowed is not None else None,
                     "minimum": c.constraints.minimum, "maximum": c.constraints.maximum}
                d["constraints"] = {key: value for key, value in k.items() if value is not None}
            cols.append(d)
        return json.dumps({"version": SCHEMA_VERSION, "columns": cols}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON, recorded with every ingested batch."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()


def _num(x: float) -> str:
    """Render a number as JavaScript does (5, not 5.0)."""
    return str(int(x)) if float(x).is_integer() else str(x)
