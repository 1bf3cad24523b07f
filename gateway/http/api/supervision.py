"""``/api/v1/supervision``: cases, their transitions and on-chain proofs, rules, notices,
and the cases workbook. The acting member is the token's member: the office orders, accepts
and reopens; the case's department rectifies and reports. A department sees its own cases."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, current_app, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway.oauth.resource import current_token, require_token
from gateway.supervision.errors import ActorNotAllowed
from gateway.supervision.model import ACTIONS, CaseStatus
from gateway.supervision.rules import RULES
from gateway.supervision.store import CaseQuery

blp = Blueprint(
    "supervision",
    __name__,
    url_prefix="/supervision",
    description="Supervision cases (链上监管): rules, orders, rectification, reports",
)
READ, WRITE = "supervision:read", "supervision:write"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STEP_ACTIONS = sorted(set(ACTIONS) - {"overdue"})


class CaseQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in CaseStatus]))
    department = fields.String(validate=validate.Length(max=16))
    rule_id = fields.String(validate=validate.Length(max=32))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class CaseTransitionSchema(Schema):
    index = fields.Integer()
    from_status = fields.Enum(CaseStatus, by_value=True, allow_none=True)
    to_status = fields.Enum(CaseStatus, by_value=True)
    actor = fields.String()
    account = fields.String()
    note = fields.String()
    due_at = fields.String(allow_none=True)
    detail_hash = fields.String()
    at = fields.DateTime()
    tx_hash = fields.String()
    block_number = fields.Integer()


class CaseSummarySchema(Schema):
    case_id = fields.String()
    rule_id = fields.String()
    department = fields.String()
    source = fields.String(metadata={"description": "rule or hand"})
    title = fields.String()
    status = fields.Enum(CaseStatus, by_value=True)
    evidence = fields.Dict(metadata={"description": "receipts, Merkle roots, anchor txs…"})
    evidence_hash = fields.String()
    opened_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()


class CaseSchema(CaseSummarySchema):
    transitions = fields.List(fields.Nested(CaseTransitionSchema))


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSummarySchema))


class CaseOpeningSchema(Schema):
    department = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=16), validate.Regexp(r"^[A-Z][A-Z0-9_]*$")],
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class CaseStepSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=4000))
    due_at = fields.AwareDateTime(
        metadata={"description": "order only: the due date (default: supervision.default_due_days)"}
    )


class CaseStepCheckSchema(Schema):
    index = fields.Integer()
    tx_hash = fields.String()
    block_number = fields.Integer()
    ok = fields.Boolean()
    problems = fields.List(fields.String())


class CaseVerificationSchema(Schema):
    case_id = fields.String()
    ok = fields.Boolean()
    problems = fields.List(fields.String())
    roots_on_chain = fields.Integer()
    steps = fields.List(fields.Nested(CaseStepCheckSchema))


class SupervisionRuleSchema(Schema):
    rule_id = fields.String()
    name_zh = fields.String()
    description_zh = fields.String()
    enabled = fields.Boolean()


class SupervisionNoticeSchema(Schema):
    id = fields.Integer()
    case_id = fields.String()
    kind = fields.String()
    recipient_role = fields.String()
    message = fields.String()
    created_at = fields.DateTime()


class SupervisionRunSchema(Schema):
    fired = fields.Integer()
    opened = fields.List(fields.String())
    already_open = fields.Integer()
    overdue = fields.List(fields.String())
    failed = fields.List(fields.String())


def _container() -> Any:
    return current_app.extensions["alliance"]


def _member() -> str:
    return str(current_token().member_code)


def _visible(case: Any) -> Any:
    if not _container().supervision_sees_all(_member()) and case.department != _member():
        from gateway.supervision.errors import CaseNotFound

        raise CaseNotFound(f"no supervision case {case.case_id}", case_id=case.case_id)
    return case


@blp.route("/cases")
class Cases(MethodView):
    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, CasePageSchema)
    @require_token(READ)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Cases, newest first; a department sees only its own."""
        if not _container().supervision_sees_all(_member()):
            args["department"] = _member()
        return {"items": _container().supervision.find(CaseQuery(**args))}

    @blp.arguments(CaseOpeningSchema)
    @blp.response(201, CaseSchema)
    @require_token(WRITE)
    def post(self, body: dict[str, Any]) -> Any:
        """Open a case by hand (the office only), signed on chain by the office member."""
        service = _container().supervision
        if _member() != service.office:
            raise ActorNotAllowed("only the office opens cases by hand", actor=_member())
        return service.open_by_hand(body["department"], body["title"], body["note"], {})


@blp.route("/cases/<case_id>")
class CaseDetail(MethodView):
    @blp.response(200, CaseSchema)
    @require_token(READ)
    def get(self, case_id: str) -> Any:
        """One case with its timeline (each transition's tx hash and block)."""
        return _visible(_container().supervision.get(case_id))


@blp.route("/cases/<case_id>/<any(" + ", ".join(STEP_ACTIONS) + "):action>")
class CaseStep(MethodView):
    @blp.arguments(CaseStepSchema)
    @blp.response(200, CaseSchema)
    @require_token(WRITE)
    def post(self, body: dict[str, Any], case_id: str, action: str) -> Any:
        """order / rectify / report / accept / reopen, sent on chain by the token's member."""
        service = _container().supervision
        _visible(service.get(case_id))
        return service.act(case_id, action, _member(), body["note"], body.get("due_at"))


@blp.route("/cases/<case_id>/verification")
class CaseVerificationView(MethodView):
    @blp.response(200, CaseVerificationSchema)
    @require_token(READ)
    def get(self, case_id: str) -> Any:
        """The case checked against the chain: contract state, every transaction, evidence roots."""
        return _container().verify_supervision_case(_visible(_container().supervision.get(case_id)))


@blp.route("/rules")
class Rules(MethodView):
    @blp.response(200, SupervisionRuleSchema(many=True))
    @require_token(READ)
    def get(self) -> list[dict[str, Any]]:
        """The supervision rules and whether each runs."""
        disabled = _container().settings.supervision.disabled_rules
        return [{**vars(rule), "enabled": rule.rule_id not in disabled} for rule in RULES]


@blp.route("/notices")
class Notices(MethodView):
    @blp.response(200, SupervisionNoticeSchema(many=True))
    @require_token(READ)
    def get(self) -> Any:
        """Escalations to the supervisor role (overdue orders), newest first."""
        return _container().supervision.notices()


@blp.route("/run")
class Run(MethodView):
    @blp.response(200, SupervisionRunSchema)
    @require_token(WRITE)
    def post(self) -> Any:
        """Run the rules and the overdue check now (the office only)."""
        service = _container().supervision
        if _member() != service.office:
            raise ActorNotAllowed("only the office runs supervision", actor=_member())
        return service.run()


@blp.route("/export")
class Export(MethodView):
    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, content_type=XLSX, description="Cases and transitions, signed manifest")
    @require_token(READ, "audit:export")
    def get(self, args: dict[str, Any]) -> Response:
        """Cases as a self-verifying Excel workbook (案件, 流转记录, 清单)."""
        data = _container().export_supervision_cases(CaseQuery(**args))
        return send_file(
            io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="cases.xlsx"
        )
