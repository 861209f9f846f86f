"""Export the JSON Schema of result.json: `python -m shenbao.models.schema docs/result.schema.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shenbao.models.result import Result


def result_schema() -> dict:
    schema = Result.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "shenbao packet result (spec/RESULT.md)"
    return schema


def schema_text() -> str:
    return json.dumps(result_schema(), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path("docs/result.schema.json")
    target.write_text(schema_text(), encoding="utf-8")
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
