"""The console's roles (GB/T 39477-2020 separates administrator, auditor and operator)."""

from __future__ import annotations

from enum import Enum


class ConsoleRole(Enum):
    ADMIN = "admin"  # 办公厅管理员: changes memberships, catalogue and grants
    AUDITOR = "auditor"  # 审计员: reads everything, changes nothing
    OPERATOR = "operator"  # 运维人员: chain, APIs, jobs, reconciliation
    DEPARTMENT = "department"  # 部门用户: its own member's data only


ADMIN = ConsoleRole.ADMIN
AUDITOR = ConsoleRole.AUDITOR
OPERATOR = ConsoleRole.OPERATOR
DEPARTMENT = ConsoleRole.DEPARTMENT
EVERYONE = frozenset(ConsoleRole)
