"""Read docker-bake.hcl the way ``docker buildx bake`` does, for builds without a Docker engine.

``make images`` builds with podman where no Docker engine runs; it takes each deployable's
Dockerfile, context, target stage, build arguments and tags from here, so docker-bake.hcl
stays the one description of the images. Handles what that file uses: variables (a set
environment variable overrides the default, as with bake), ``inherits``, one-key
``matrix`` targets with ``name``, and ``${...}`` interpolation of plain names.

    python images/bake.py podman-args <deployable>   # podman build options, one per line
    python images/bake.py targets                    # the default group, one per line
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

BAKE_FILE = Path(__file__).resolve().parent.parent / "docker-bake.hcl"
_INTERPOLATION = re.compile(r"\$\{(\w+)\}")
_NAME = re.compile(r"^\w+$")


@dataclass(frozen=True)
class Target:
    name: str
    context: str
    dockerfile: str
    stage: str | None
    platforms: list[str]
    args: dict[str, str]
    tags: list[str]
    cache_from: list[str] = field(default_factory=list)
    cache_to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BakeFile:
    variables: dict[str, str]
    groups: dict[str, list[str]]
    targets: dict[str, Target]


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _value(raw: Any, scope: dict[str, str]) -> Any:
    """A literal with ``${name}`` interpolated, or a bare name looked up in ``scope``."""
    if isinstance(raw, list):
        return [_value(item, scope) for item in raw]
    if isinstance(raw, dict):
        return {key: _value(item, scope) for key, item in raw.items() if key != "__is_block__"}
    text = str(raw)
    if text.startswith('"'):
        return _INTERPOLATION.sub(lambda match: scope[match.group(1)], _unquote(text))
    if _NAME.match(text):
        return scope[text]
    raise ValueError(f"unsupported expression in docker-bake.hcl: {text}")


def _blocks(document: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        _unquote(label): body for block in document.get(kind, []) for label, body in block.items()
    }


def _merged(name: str, raw_targets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Attributes of ``name`` over those it inherits (maps such as args merge key by key)."""
    body = raw_targets[name]
    merged: dict[str, Any] = {}
    for parent in body.get("inherits", []):
        merged.update(_merged(_unquote(parent), raw_targets))
    for key, item in body.items():
        if isinstance(item, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **item}
        else:
            merged[key] = item
    return merged


def load(path: Path = BAKE_FILE, environ: dict[str, str] | None = None) -> BakeFile:
    environ = dict(os.environ) if environ is None else environ
    document = hcl2.load(path.open())
    variables = {
        name: environ.get(name, _value(body.get("default", '""'), {}))
        for name, body in _blocks(document, "variable").items()
    }
    groups = {
        name: [_unquote(target) for target in body.get("targets", [])]
        for name, body in _blocks(document, "group").items()
    }
    raw_targets = _blocks(document, "target")
    targets: dict[str, Target] = {}
    for label in raw_targets:
        body = _merged(label, raw_targets)
        matrix: dict[str, list[str]] = body.get("matrix", {})
        if len(matrix) > 1:
            raise ValueError(f"target {label}: only a one-key matrix is supported")
        instances = [
            {key: _unquote(value)} for key, values in matrix.items() for value in values
        ] or [{}]
        for instance in instances:
            scope = {**variables, **instance}
            name = _value(body["name"], scope) if "name" in body else label
            targets[name] = Target(
                name=name,
                context=_value(body.get("context", '"."'), scope),
                dockerfile=_value(body.get("dockerfile", '"Dockerfile"'), scope),
                stage=_value(body["target"], scope) if "target" in body else None,
                platforms=_value(body.get("platforms", []), scope),
                args=_value(body.get("args", {}), scope),
                tags=_value(body.get("tags", []), scope),
                cache_from=_value(body.get("cache-from", []), scope),
                cache_to=_value(body.get("cache-to", []), scope),
            )
    return BakeFile(variables=variables, groups=groups, targets=targets)


def podman_args(target: Target) -> list[str]:
    """``podman build`` options building ``target`` for this machine's platform only."""
    options = ["--file", str(Path(target.context) / target.dockerfile)]
    if target.stage:
        options += ["--target", target.stage]
    for key, value in target.args.items():
        options += ["--build-arg", f"{key}={value}"]
    for tag in target.tags:
        options += ["--tag", tag]
    return options


def main(argv: list[str]) -> int:
    bake = load()
    if argv == ["targets"]:
        print("\n".join(bake.groups["default"]))
        return 0
    if len(argv) == 2 and argv[0] == "podman-args" and argv[1] in bake.targets:
        print("\n".join(podman_args(bake.targets[argv[1]])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
