"""Checks of requests against the Bot API spec (api.min.json), refused as Telegram refuses them."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from sandbox.base import _SandboxState
from sandbox.replies import LEGACY_FIELDS
from sandbox.values import JsonDict, _bad, _Upload

_SPEC_RELATIVE = Path("..") / "shared" / "telegram-bot-api" / "api.min.json"

# Without the spec we still must not json-decode free text ("true", "42" are valid messages).
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "file_id", "url", "secret_token",
        "ip_address", "language_code", "action", "title", "description", "short_description",
        "name", "business_connection_id", "message_effect_id", "inline_message_id",
        "callback_data", "emoji", "query", "switch_pm_text",
    }
)


def find_spec(spec_path: str | Path | None = None) -> Path | None:
    """Locate api.min.json: explicit path, $TELEGRAM_API_SPEC, next to the repo, or from cwd."""
    candidates: list[Path] = []
    if spec_path is not None:
        candidates.append(Path(spec_path))
    env = os.environ.get("TELEGRAM_API_SPEC")
    if env:
        candidates.append(Path(env))
    repo_root = Path(__file__).resolve().parent.parent
    candidates.append(repo_root / _SPEC_RELATIVE)
    candidates.append(Path.cwd() / _SPEC_RELATIVE)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


class _Spec:
    """The Bot API methods and types, indexed for validation."""

    def __init__(self, data: JsonDict):
        self.methods: dict[str, JsonDict] = {
            name.lower(): method for name, method in data["methods"].items()
        }
        self.types: dict[str, JsonDict] = data["types"]
        self.version: str = str(data.get("version", ""))

    @classmethod
    def load(cls, path: Path) -> _Spec:
        # Parsing the 1 MB spec costs ~0.3 s; sandboxes are created per test, specs never change.
        return _load_spec(path.resolve(), path.stat().st_mtime_ns)

    def fields(self, method_key: str) -> dict[str, JsonDict]:
        method = self.methods.get(method_key)
        if method is None:
            return {}
        fields = {f["name"]: f for f in method.get("fields", [])}
        for newer, legacy in LEGACY_FIELDS.items():
            if newer in fields:
                fields.update((f["name"], f) for f in legacy if f["name"] not in fields)
        return fields

    def problem(self, value: Any, types: list[str], path: str) -> str | None:
        """Return why value matches none of types (None when it matches one)."""
        scored: list[tuple[int, str]] = []
        for type_name in types:
            problem = self._problem_one(value, type_name, path)
            if problem is None:
                return None
            scored.append((self._closeness(value, type_name), problem))
        if len(scored) == 1:
            return scored[0][1]
        # Report the candidate the value resembles most so nested errors stay precise.
        best = max(scored, key=lambda item: item[0])
        if best[0] > 0:
            return best[1]
        return f"{path} must be {' or '.join(types)}"

    def _closeness(self, value: Any, type_name: str) -> int:
        if not _shallow_match(value, type_name):
            return 0
        definition = self.types.get(type_name)
        if isinstance(value, dict) and definition is not None:
            required = [f["name"] for f in definition.get("fields", []) if f.get("required")]
            if all(name in value for name in required):
                return 2
        return 1

    def _problem_one(self, value: Any, type_name: str, path: str) -> str | None:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return f"{path} must be an Array"
            inner = type_name[len("Array of ") :]
            for index, item in enumerate(value):
                problem = self.problem(item, [inner], f"{path}[{index}]")
                if problem is not None:
                    return problem
            return None
        if type_name in ("Integer", "Float", "String", "Boolean", "InputFile"):
            return None if _shallow_match(value, type_name) else f"{path} must be {type_name}"
        definition = self.types.get(type_name)
        if definition is None:
            return None  # a type this spec does not describe: nothing to check against
        subtypes = definition.get("subtypes")
        if subtypes:
            return self.problem(value, list(subtypes), path)
        if not isinstance(value, dict):
            return f"{path} must be a JSON object ({type_name})"
        fields = {f["name"]: f for f in definition.get("fields", [])}
        if not fields:
            return None
        for name, spec_field in fields.items():
            if spec_field.get("required") and name not in value:
                return f"field {path}.{name} is required"
        for key, item in value.items():
            spec_field = fields.get(key)
            if spec_field is None:
                return f"unknown field {path}.{key} in {type_name}"
            problem = self.problem(item, list(spec_field["types"]), f"{path}.{key}")
            if problem is not None:
                return problem
        return None


@functools.lru_cache(maxsize=4)
def _load_spec(path: Path, mtime_ns: int) -> _Spec:
    with path.open(encoding="utf-8") as handle:
        return _Spec(json.load(handle))


def _shallow_match(value: Any, type_name: str) -> bool:
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "InputFile":
        return isinstance(value, _Upload)
    if type_name.startswith("Array of "):
        return isinstance(value, list)
    return isinstance(value, dict)


def _decode(name: str, value: str, types: list[str] | None) -> Any:
    """Turn one form/query value back into JSON the way Telegram reads it (see PTB json_value)."""
    if types is not None:
        if all(t == "String" for t in types):
            return value
        try:
            loaded = json.loads(value)
        except ValueError:
            return value
        if any(_shallow_match(loaded, t) for t in types if t != "String"):
            return loaded
        return value if "String" in types else loaded
    if name in _STRING_FIELDS:
        return value
    try:
        loaded = json.loads(value)
    except ValueError:
        return value
    return loaded if isinstance(loaded, dict | list | bool | int | float) else value


class _SpecChecksMixin(_SandboxState):
    """Validation of each request's parameters against the spec."""

    def _validate(self, key: str, method: str, params: JsonDict) -> None:
        assert self._spec is not None
        fields = self._spec.fields(key)
        for name in params:
            if name not in fields:
                self.violations.append(f"{method}: unknown parameter {name}")
                if self.strict:
                    raise _bad(f"unknown parameter {name}")
        for name, spec_field in fields.items():
            if spec_field.get("required") and params.get(name) is None:
                self.violations.append(f"{method}: parameter {name} is required")
                raise _bad(f"parameter {name} is required")
        for name, value in params.items():
            known = fields.get(name)
            if known is None:
                continue
            problem = self._spec.problem(value, list(known["types"]), name)
            if problem is not None:
                self.violations.append(f"{method}: {problem}")
                raise _bad(f"invalid parameter: {problem}")
