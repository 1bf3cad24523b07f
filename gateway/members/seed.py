"""The alliance's seed members from ``conf/members.toml``."""

from __future__ import annotations

import tomllib
from pathlib import Path

from gateway.members.errors import InvalidMember
from gateway.members.model import MemberProfile, Role


def load_seed(path: Path) -> list[MemberProfile]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidMember(f"cannot read member seed {path}: {exc}") from exc
    profiles = []
    for entry in data.get("member", []):
        profiles.append(
            MemberProfile(
                code=entry["code"],
                name_zh=entry["name_zh"],
                name_en=entry.get("name_en", ""),
                credit_code=entry.get("credit_code", ""),
                roles=Role.parse(entry["roles"]),
                contact=entry.get("contact", ""),
                endpoint=entry.get("endpoint", ""),
            )
        )
    codes = [profile.code for profile in profiles]
    if len(codes) != len(set(codes)):
        raise InvalidMember(f"duplicate member codes in {path}")
    return profiles
