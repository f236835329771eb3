"""The schema contract from the Python side: the golden vectors that the TypeScript tests check too."""
import json
from pathlib import Path

import jsonschema
import pytest

from sdl_schema import SchemaError, TableSchema

HERE = Path(__file__).parent
VECTORS = json.loads((HERE / "golden" / "schema-vectors.json").read_text(encoding="utf-8"))
JSON_SCHEMA = json.loads((HERE / "table-schema.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("vector", VECTORS["valid"], ids=lambda v: v["name"])
def test_valid_vectors_give_the_same_canonical_json_and_hash_as_typescript(vector):
    schema = TableSchema.from_columns(vector["columns"])
    assert schema.to_json() == vector["canonical"]
    assert schema.hash == vector["hash"]


@pytest.mark.parametrize("vector", VECTORS["valid"], ids=lambda v: v["name"])
def test_the_canonical_form_round_trips_and_matches_the_json_schema(vector):
    jsonschema.validate(json.loads(vector["canonical"]), JSON_SCHEMA)
    assert TableSchema.from_json(vector["canonical"]).to_json() == vector["canonical"]


@pytest.mark.parametrize("vector", VECTORS["invalid"], ids=lambda v: v["name"])
def test_invalid_vectors_fail_with_the_same_message(vector):
    with pytest.raises(SchemaError) as e:
        TableSchema.from_columns(vector["columns"])
    assert vector["error"] in str(e.value)


def test_from_json_rejects_another_version():
    with pytest.raises(SchemaError, match="version 1"):
        TableSchema.from_json('{"version": 2, "columns": []}')
