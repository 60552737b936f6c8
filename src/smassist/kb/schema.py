"""JSON Schemas for the knowledge files, generated from :mod:`smassist.kb.models`."""

from __future__ import annotations

import json
from pathlib import Path

from smassist.kb.models import FILE_MODELS


def schemas() -> dict[str, dict]:
    """File kind -> JSON Schema."""
    result = {}
    for kind, model in FILE_MODELS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"smassist {kind} file"
        result[kind] = schema
    return result


def render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in schemas().items():
        path = directory / f"{kind}.schema.json"
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
