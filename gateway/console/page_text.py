"""Labels of the records, contracts, APIs, audit, reconciliation, jobs, chain history and
federation pages (Chinese, English).

Views render through :func:`render`, whose ``t`` looks here first and then in the console's
common catalogue (:mod:`gateway.console.i18n`).
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from gateway.console import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    # 上链记录查询
    "record_key": ("key值", "Key"),
    "uploaded_at": ("上传时间", "Uploaded"),
    "uploader": ("上传者", "Uploader"),
    "organisation": ("所属机构", "Organisation"),
    "data_source": ("数据源名称", "Data source"),
    "record_type": ("记录类型", "Type"),
    "record_type_register": ("电子登记簿", "e-register"),
    "record_type_certificate": ("电子证照", "e-certificate"),
    "record_type_archive": ("电子档案", "e-archive"),
    "from": ("起始时间", "From"),
    "to": ("截止时间", "To"),
    "key_prefix": ("key值前缀", "Key prefix"),
    "record_detail": ("详情", "Detail"),
    "record_history": ("历史变化", "History"),
    "record_version": ("版本", "Version"),
    "content": ("内容", "Content"),
    "content_hash": ("内容哈希 (SM3)", "Content hash (SM3)"),
    "metadata": ("元数据", "Metadata"),
    "block_number": ("区块高度", "Block"),
    "verified": ("链上核验", "Verified on chain"),
    "verified_yes": ("核验通过", "verified"),
    "verified_no": ("核验失败", "does not verify"),
    "deleted": ("已删除", "deleted"),
    "record_live": ("有效", "current"),
    "tombstone": ("删除标记", "tombstone"),
    "next_page": ("下一页", "Next page"),
    "changes": ("变更内容", "What changed"),
    "field": ("字段", "Field"),
    "before": ("变更前", "Before"),
    "after": ("变更后", "After"),
    "change_added": ("新增", "added"),
    "change_removed": ("删除", "removed"),
    "change_changed": ("修改", "changed"),
    "first_version": ("初始版本", "first version"),
    "no_changes": ("内容未变化", "no field changed"),
    "side_by_side": ("各版本对照", "Versions side by side"),
    "problem": ("问题", "Problem"),
    # 智能合约管理
    "contract_name": ("合约名称", "Contract"),
    "chain_name": ("链", "Chain"),
    "address": ("合约地址", "Address"),
    "contract_status": ("当前状态", "Status"),
    "deployer": ("创建人", "Deployer"),
    "deployed_at": ("创建时间", "Deployed"),
    "deploy_tx": ("部署交易", "Deploy transaction"),
    "compiler": ("编译器", "Compiler"),
    "source_hash": ("源码哈希 (SHA-256)", "Source hash (SHA-256)"),
    "artefact_source_hash": ("本机制品源码哈希", "Installed artefact's source hash"),
    "selector_hash": ("函数选择器哈希", "Selector hash"),
    "code_hash": ("链上代码哈希", "Code hash on chain"),
    "view": ("查看", "View"),
    "download": ("下载", "Download"),
    "abi": ("ABI", "ABI"),
    "functions": ("函数", "Functions"),
    "events": ("事件", "Events"),
    "inputs": ("输入", "Inputs"),
    "outputs": ("输出", "Outputs"),
    "mutability": ("状态可变性", "Mutability"),
    "raw_abi": ("ABI 原文 (JSON)", "Raw ABI (JSON)"),
    "contract_status_active": ("运行中", "active"),
    "contract_status_outdated": ("制品已更新", "outdated"),
    "contract_status_code_mismatch": ("代码不符", "code mismatch"),
    "contract_status_missing": ("地址无代码", "no code"),
    "contract_status_unknown": ("链不可达", "unknown"),
    "deployment_unavailable": ("尚无部署记录", "No deployment"),
    # API管理
    "api_method": ("方法", "Method"),
    "api_path": ("地址", "Path"),
    "api_summary": ("描述", "Description"),
    "api_group": ("分组", "Group"),
    "api_scopes": ("权限范围", "Scopes"),
    "api_public": ("公开", "public"),
    "api_any_token": ("任意有效令牌", "any valid token"),
    "api_calls": ("调用次数", "Calls"),
    "api_client_errors": ("4xx", "4xx"),
    "api_server_errors": ("5xx", "5xx"),
    "api_error_rate": ("错误率", "Error rate"),
    "api_days": ("统计天数", "Days counted"),
    "api_undocumented": ("未列入 OpenAPI 文档", "not in the OpenAPI document"),
    "api_counts_unavailable": (
        "调用统计暂不可用 (Redis 不可达)",
        "Call counts unavailable (Redis is down)",
    ),
    "api_total": ("合计", "Total"),
    "api_openapi": ("OpenAPI 文档", "OpenAPI document"),
    # 审计日志
    "received_at": ("接收时间", "Received"),
    "request_id": ("请求编号", "Request id"),
    "entry_id": ("目录条目", "Entry"),
    "decision": ("决定", "Decision"),
    "decision_allowed": ("已放行", "allowed"),
    "decision_denied": ("已拒绝", "denied"),
    "decision_failed": ("失败", "failed"),
    "decision_pending": ("处理中", "pending"),
    "anchoring": ("上链状态", "Anchoring"),
    "anchoring_anchored": ("已上链", "anchored"),
    "anchoring_pending": ("待上链", "pending"),
    "verify": ("核验", "Verify"),
    "verify_record": ("核验此记录", "Verify this record"),
    "verification": ("核验结果", "Verification"),
    "verification_ok": ("全部检查通过", "every check passed"),
    "verification_failed": ("核验未通过", "verification failed"),
    "verification_partial": (
        "回执签名有效；记录尚未上链，链上锚定无法核验",
        "The receipt's signature is valid; the record is not anchored yet, so the chain "
        "could not be checked",
    ),
    "check": ("检查项", "Check"),
    "skipped": ("未检查", "Skipped"),
    "no_receipt": ("此记录没有回执", "This record has no receipt"),
    "request_digest": ("请求摘要", "Request digest"),
    "response_digest": ("响应摘要", "Response digest"),
    "sequence": ("证据序号", "Sequence"),
    "root": ("默克尔根", "Merkle root"),
    "http_status": ("HTTP 状态", "HTTP status"),
    "export_excel": ("导出 Excel", "Export to Excel"),
    "export": ("导出", "Export"),
    "export_progress": ("导出进度", "Export progress"),
    "export_state_queued": ("排队中", "queued"),
    "export_state_running": ("导出中", "running"),
    "export_state_done": ("已完成", "done"),
    "export_state_failed": ("失败", "failed"),
    "export_download": ("下载工作簿", "Download the workbook"),
    "export_unavailable": ("导出服务暂不可用", "Exports are not available"),
    "rows": ("行", "rows"),
    # 对账报告
    "report": ("报告", "Report"),
    "reports": ("对账报告", "Reports"),
    "started_at": ("开始时间", "Started"),
    "finished_at": ("结束时间", "Finished"),
    "outcome": ("结果", "Outcome"),
    "outcome_clean": ("一致", "clean"),
    "outcome_mismatch": ("存在差异", "differences"),
    "outcome_failed": ("未完成", "failed"),
    "records_checked": ("核对记录数", "Records checked"),
    "anchors_checked": ("核对锚定数", "Anchors checked"),
    "findings": ("差异", "Findings"),
    "finding_kind": ("差异类型", "Kind"),
    "subject": ("对象", "Subject"),
    "skipped_checks": ("跳过的检查", "Skipped checks"),
    "by_kind": ("按类型统计", "By kind"),
    # 任务运行
    "job": ("任务", "Job"),
    "job_tick": ("周期", "Tick"),
    "worker": ("执行进程", "Worker"),
    "fencing_token": ("租约令牌", "Fencing token"),
    "job_counts": ("处理情况", "Counts"),
    "jobs_latest": ("各任务最近一次运行", "Latest run of each job"),
    "jobs_history": ("运行历史", "Run history"),
    "jobs_where_in_process": (
        "定时任务在本服务进程内运行（jobs.in_process），"
        "与 alliance jobs 进程共用租约，每个周期只运行一次。",
        "Scheduled jobs run inside this serving process (jobs.in_process), under the same leases "
        "as alliance jobs processes: each tick runs once.",
    ),
    "jobs_where_separate": (
        "定时任务由独立的 alliance jobs 进程运行，每个周期只运行一次。",
        "Scheduled jobs run in separate alliance jobs processes; each tick runs once.",
    ),
    "job_outcome_ok": ("成功", "ok"),
    "job_outcome_failed": ("失败", "failed"),
    "job_outcome_running": ("运行中", "running"),
    "job_outcome_abandoned": ("已中断", "abandoned"),
    # 链历史
    "chain_periods": ("各链存证期间", "Chain periods"),
    "chain_profile": ("链配置", "Profile"),
    "chain_vendor": ("厂商", "Vendor"),
    "chain_vendor_fisco-bcos": ("FISCO BCOS", "FISCO BCOS"),
    "chain_vendor_evm": ("EVM 联盟链", "EVM chain"),
    "chain_suite": ("密码套件", "Suite"),
    "chain_sequences": ("存证序号", "Sequences"),
    "chain_period": ("期间", "Period"),
    "chain_current": ("当前", "current"),
    "chain_frozen": ("存证已冻结（切换中）", "anchoring frozen (switching)"),
    "chain_handover": ("交接记录", "Handover"),
    "chain_handovers": ("链切换交接记录", "Handover records"),
    "handover_digest": ("交接记录摘要 (SM3)", "Record digest (SM3)"),
    "handover_old_tx": ("原链交易", "Old chain tx"),
    "handover_new_tx": ("新链交易", "New chain tx"),
    "handover_checkpoint": ("存证日志检查点", "Log checkpoint"),
    "handover_block": ("原链区块", "Old chain block"),
    "handover_signers": ("签名方", "Signed by"),
    "witness_checkpoint": ("见证检查点", "Witnessed checkpoint"),
    "witness_cosigners": ("见证方联署", "Co-signed by"),
    "witness_refused": (
        "见证方拒绝签署：存证历史可能被改写",
        "A witness refused: history may have been rewritten",
    ),
    "tree_size": ("树大小", "Tree size"),
    # 多级联盟
    "federation_intro": (
        "多级联盟（国家-省-市-区县）：下级网关向上级上报签名的存证检查点，由上级锚定在 "
        "FederationLedger 合约上；下级从上级同步数据目录。",
        "Multi-level alliance (national, provincial, city, county): children push signed "
        "evidence checkpoints that their parent anchors on FederationLedger, and pull the "
        "parent's catalogue.",
    ),
    "federation_node": ("本节点", "This node"),
    "federation_not_configured": (
        "未配置多级联盟 (federation.node)",
        "Federation not configured (federation.node)",
    ),
    "federation_not_configured_hint": (
        "本网关为独立网关。设置 federation.node（环境变量 ALLIANCE_FEDERATION_NODE）"
        "为本节点代码后，可加入上级或接入下级。",
        "This gateway stands alone. Set federation.node (ALLIANCE_FEDERATION_NODE) to its node "
        "code to join a parent or register children.",
    ),
    "federation_max_lag": ("延迟上限", "Lag limit"),
    "federation_checked_at": ("检查时间", "Checked"),
    "federation_parent": ("上级节点", "Parent"),
    "federation_not_joined": (
        "尚未加入上级 (alliance sync join)",
        "Not joined to a parent (alliance sync join)",
    ),
    "federation_url": ("地址", "URL"),
    "federation_last_pull": ("最近目录同步", "Last catalogue pull"),
    "federation_last_push": ("最近检查点上报", "Last checkpoint push"),
    "federation_anchored_records": ("本节点已上链存证", "Anchored records here"),
    "federation_checkpointed_records": (
        "上级检查点已覆盖",
        "Covered by accepted checkpoints",
    ),
    "federation_not_checkpointed": ("尚未上报检查点的存证", "Records not yet checkpointed"),
    "federation_last_error": ("最近错误", "Last error"),
    "federation_children": ("下级节点与经由下级转报的节点", "Children and relayed descendants"),
    "federation_via": ("经由", "Via"),
    "federation_direct": ("直接下级", "direct"),
    "federation_membership": ("成员状态", "Membership"),
    "federation_checkpoint": ("最新检查点（树大小）", "Latest checkpoint (tree size)"),
    "federation_checkpoint_lag": ("检查点延迟", "Checkpoint lag"),
    "federation_anchor_tx": ("锚定交易", "Anchoring transaction"),
    "federation_catalog": ("目录", "Catalogue"),
    "federation_catalog_current": ("已是最新", "current"),
    "federation_catalog_stale": ("待同步", "not current"),
    "federation_last_seen": ("最近联系", "Last seen"),
    "federation_never": ("从未", "never"),
    "federation_late": ("超过延迟上限", "beyond the lag limit"),
    "federation_refused": ("检查点被拒绝", "checkpoint refused"),
    "federation_no_children": ("暂无下级节点", "No children"),
    "federation_alerts": ("告警", "Alerts"),
    "federation_no_alerts": ("无告警", "No alerts"),
    "federation_events": ("最近同步事件（50 条）", "Recent federation events (50)"),
    "federation_event_kind": ("事件", "Event"),
    "federation_kind_catalog-pull": ("目录同步", "catalogue pull"),
    "federation_kind_checkpoint-push": ("检查点上报", "checkpoint push"),
    "federation_kind_checkpoint-intake": ("检查点接收", "checkpoint intake"),
    "federation_event_node": ("节点", "Node"),
}


def translate(key: str) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return i18n.translate(key)
    return pair[1] if i18n.current_lang() == "en" else pair[0]


def render(template: str, **context: Any) -> str:
    """Render a page with ``t`` covering these labels as well as the common ones."""
    return render_template(template, t=translate, **context)
