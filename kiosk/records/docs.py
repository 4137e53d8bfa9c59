"""The records section of docs/PROTOCOL.md, generated from the schemas so the two never drift."""

from __future__ import annotations

from typing import Any

from kiosk.records.schema import ENVELOPE_PROPERTIES, ENVELOPE_REQUIRED, KIND_LABELS_ZH, KIND_PROPERTIES, KINDS

BEGIN = "<!-- BEGIN GENERATED RECORDS (kiosk docs) -->"
END = "<!-- END GENERATED RECORDS -->"


def _type_text(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return " \\| ".join(f"`{value}`" for value in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type_text(option) for option in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        items = schema.get("items", {})
        inner = "object" if items.get("type") == "object" else _type_text(items)
        return f"list of {inner}"
    if kind == "string" and "pattern" in schema and "format" not in schema:
        return f"text `{schema['pattern']}`"
    if "format" in schema:
        return schema["format"]
    return kind


def _table(properties: dict[str, Any], required: tuple[str, ...] | list[str]) -> list[str]:
    lines = ["| field | type | required | meaning |", "| --- | --- | --- | --- |"]
    for name, schema in properties.items():
        description = schema.get("description", "").replace("|", "\\|")
        lines.append(f"| `{name}` | {_type_text(schema)} | {'yes' if name in required else ''} | {description} |")
        items = schema.get("items", {})
        nested = items.get("properties") if items.get("type") == "object" else schema.get("properties")
        if nested and schema.get("type") in ("array", "object"):
            for sub_name, sub_schema in nested.items():
                sub_required = items.get("required", schema.get("required", []))
                sub_text = sub_schema.get("description", "").replace("|", "\\|")
                lines.append(
                    f"| `{name}[].{sub_name}` | {_type_text(sub_schema)} | {'yes' if sub_name in sub_required else ''} | {sub_text} |"
                )
    return lines


def protocol_records_markdown() -> str:
    out = [BEGIN, "", "### Envelope (every record)", ""]
    out += _table(ENVELOPE_PROPERTIES, ENVELOPE_REQUIRED)
    for kind in KINDS:
        properties, required = KIND_PROPERTIES[kind]
        out += ["", f"### `{kind}` — {KIND_LABELS_ZH[kind]}", ""]
        out += _table(properties, required)
    out += ["", END]
    return "\n".join(out)


def replace_generated_section(document: str, generated: str) -> str:
    """Put ``generated`` between the markers in ``document`` (appending it if there are none)."""
    if BEGIN in document and END in document:
        head, rest = document.split(BEGIN, 1)
        _old, tail = rest.split(END, 1)
        return head + generated + tail
    return document.rstrip("\n") + "\n\n" + generated + "\n"
