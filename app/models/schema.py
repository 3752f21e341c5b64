"""The JSON Schema of the application document, published as docs/application.schema.json.

uv run python -m app.models.schema > docs/application.schema.json
"""

from __future__ import annotations

import json

from app.models.application import FORMAT, Application


def application_schema() -> dict[str, object]:
    schema = Application.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = FORMAT
    schema["title"] = "Shorei application document (shorei/application@1)"
    return schema


def application_schema_text() -> str:
    return json.dumps(application_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(application_schema_text(), end="")
