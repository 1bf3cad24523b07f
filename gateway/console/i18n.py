"""Chinese first, English available: ``?lang=en`` or ``?lang=zh`` sets a cookie that sticks."""

from __future__ import annotations

from flask import Response, current_app, g, request

LANG_COOKIE = "console_lang"
LANGUAGES = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

# key -> (Chinese, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "console": ("区块链+数据共享支撑管理平台", "Alliance management console"),
    "skip": ("跳到主要内容", "Skip to main content"),
    "nav": ("主导航", "Main navigation"),
    "language": ("语言", "Language"),
    "chain": ("链状态", "Chain"),
    "chain_ok": ("正常", "up"),
    "chain_down": ("不可用", "unavailable"),
    "height": ("块高", "height"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "login_failed": (
        "用户名或密码错误，或账户已停用",
        "Wrong username or password, or the account is disabled",
    ),
    "login_locked": (
        "登录失败次数过多，账户已锁定，请稍后再试",
        "Too many failed sign-ins: the account is locked for a while",
    ),
    "signed_out": ("已退出登录", "You have signed out"),
    "role_admin": ("办公厅管理员", "Office administrator"),
    "role_auditor": ("审计员", "Auditor"),
    "role_operator": ("运维人员", "Operator"),
    "role_department": ("部门用户", "Department user"),
    "forbidden": ("无权访问", "Not allowed"),
    "forbidden_detail": (
        "您的角色无权查看此页面或执行此操作。",
        "Your role may not see this page or do this.",
    ),
    "not_found": ("未找到", "Not found"),
    "bad_request": ("请求无效", "Bad request"),
    "csrf_failed": (
        "表单已失效，请刷新页面后重试。",
        "The form has expired; reload the page and try again.",
    ),
    "error": ("操作失败", "The action failed"),
    "done": ("操作成功", "Done"),
    "search": ("搜索", "Search"),
    "filter": ("筛选", "Filter"),
    "all": ("全部", "All"),
    "status": ("状态", "Status"),
    "code": ("代码", "Code"),
    "name": ("名称", "Name"),
    "roles": ("角色", "Roles"),
    "actions": ("操作", "Actions"),
    "reason": ("原因", "Reason"),
    "detail": ("详情", "Detail"),
    "history": ("历史", "History"),
    "back": ("返回", "Back"),
    "none": ("无", "none"),
    "updated_at": ("更新时间", "Updated"),
    "tx_hash": ("交易哈希", "Transaction"),
    "actor": ("操作人", "Actor"),
    "time": ("时间", "Time"),
    "members_active": ("在册成员", "Active members"),
    "catalog_size": ("目录条目", "Catalogue entries"),
    "queries_today": ("今日查询", "Queries today"),
    "anchoring_lag": ("上链延迟", "Anchoring lag"),
    "seconds": ("秒", "s"),
    "open_alerts": ("未处理对账告警", "Open reconciliation alerts"),
    "alerts_unavailable": (
        "对账告警暂不可用，显示证据上链延迟",
        "Reconciliation alerts unavailable; showing evidence lag",
    ),
    "queries_by_member": ("各成员今日查询", "Queries today per member"),
    "as_consumer": ("作为使用方", "as consumer"),
    "as_provider": ("作为提供方", "as provider"),
    "queries_over_time": ("近14天查询量", "Queries over the last 14 days"),
    "my_member": ("本单位", "My department"),
    "member_status_applied": ("待审批", "applied"),
    "member_status_active": ("正常", "active"),
    "member_status_suspended": ("已暂停", "suspended"),
    "member_status_revoked": ("已注销", "revoked"),
    "approve": ("批准", "Approve"),
    "suspend": ("暂停", "Suspend"),
    "reinstate": ("恢复", "Reinstate"),
    "revoke": ("注销", "Revoke"),
    "reject": ("驳回", "Reject"),
    "credit_code": ("统一社会信用代码", "Credit code"),
    "account": ("链上账户", "Chain account"),
    "contact": ("联系方式", "Contact"),
    "endpoint": ("服务地址", "Endpoint"),
    "public_key": ("公钥", "Public key"),
    "provider": ("提供方", "Provider"),
    "consumer": ("使用方", "Consumer"),
    "sharing_class": ("共享类型", "Sharing class"),
    "update_frequency": ("更新频率", "Update frequency"),
    "fields": ("字段", "Fields"),
    "parameters": ("参数", "Parameters"),
    "versions": ("版本", "Versions"),
    "version": ("版本号", "Version"),
    "version_hash": ("版本哈希", "Version hash"),
    "published_by": ("发布人", "Published by"),
    "description": ("说明", "Description"),
    "personal": ("个人信息", "Personal"),
    "masking": ("脱敏", "Masking"),
    "data_class": ("数据类别", "Data class"),
    "entry": ("目录条目", "Entry"),
    "matter_code": ("事项编码", "Matter code"),
    "purpose": ("用途", "Purpose"),
    "requested_fields": ("申请字段", "Requested fields"),
    "allowed_fields": ("授权字段", "Allowed fields"),
    "expires_at": ("到期时间", "Expires"),
    "requested_expiry": ("申请到期", "Requested expiry"),
    "created_at": ("申请时间", "Applied"),
    "grant_status_applied": ("待审批", "applied"),
    "grant_status_approved": ("已批准", "approved"),
    "grant_status_rejected": ("已驳回", "rejected"),
    "grant_status_revoked": ("已撤销", "revoked"),
    "entry_status_published": ("已发布", "published"),
    "entry_status_retired": ("已下线", "retired"),
    "no_results": ("没有符合条件的记录", "Nothing matches"),
    "read_only": ("只读", "read-only"),
    "confirm": ("确认", "Confirm"),
    "field_type": ("类型", "Type"),
    "previous_hash": ("上一版本哈希", "Previous hash"),
    "admin_actions": ("控制台操作日志", "Console actions"),
    "action": ("动作", "Action"),
    "target": ("对象", "Target"),
    "outcome": ("结果", "Outcome"),
    "outcome_ok": ("成功", "ok"),
    "outcome_refused": ("拒绝", "refused"),
    "outcome_failed": ("失败", "failed"),
    "older": ("更早的记录", "Older"),
    "reason_required": ("请填写原因", "A reason is required"),
}


def current_lang() -> str:
    return str(g.get("console_lang", "zh"))


def choose_lang() -> None:
    """Before each console request: the query string wins, then the cookie, then Chinese."""
    asked = request.args.get("lang")
    cookie = request.cookies.get(LANG_COOKIE)
    g.console_lang = asked if asked in LANGUAGES else cookie if cookie in LANGUAGES else "zh"
    g.console_lang_asked = asked in LANGUAGES


def remember_lang(response: Response) -> Response:
    if g.get("console_lang_asked"):
        response.set_cookie(
            LANG_COOKIE,
            current_lang(),
            max_age=365 * 86400,
            path="/console",
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


def translate(key: str) -> str:
    """The message in the current language; an unknown key shows itself."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    return pair[1] if current_lang() == "en" else pair[0]
