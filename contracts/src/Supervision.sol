// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

import "./Governed.sol";
import "./Interfaces.sol";

/// @title Supervision
/// @notice The supervision loop (办理 → 监督 → 下达 → 整改 → 反馈): cases opened by a
/// supervision rule (by an authorised gateway account) or by hand (by the office), ordered
/// by the office with a due date, rectified and reported by the responsible department, then
/// accepted or reopened by the office; an order past its due date is marked overdue.
/// @dev Lifecycle: open -> ordered -> rectifying -> reported -> accepted, reported ->
/// reopened -> ordered ..., ordered|rectifying -> overdue (after dueAt) -> reported |
/// ordered (a new due date). Every transition is sent by the acting account itself and kept
/// as (from, to, actor member code, account, block time, detail hash), so the timeline can
/// be read back from the chain. Times use the chain's unit (milliseconds on FISCO BCOS).
/// Members are checked against MemberRegistry at each transition: the office is an active
/// member with the office role, the department is the case's own active member.
contract Supervision is Governed {
    uint8 public constant STATUS_NONE = 0;
    uint8 public constant STATUS_OPEN = 1;
    uint8 public constant STATUS_ORDERED = 2;
    uint8 public constant STATUS_RECTIFYING = 3;
    uint8 public constant STATUS_REPORTED = 4;
    uint8 public constant STATUS_ACCEPTED = 5;
    uint8 public constant STATUS_REOPENED = 6;
    uint8 public constant STATUS_OVERDUE = 7;

    uint8 public constant SOURCE_RULE = 1;
    uint8 public constant SOURCE_HAND = 2;

    uint8 private constant MEMBER_ACTIVE = 2;
    uint32 private constant ROLE_OFFICE = 4;

    struct Case {
        bytes32 ruleId;
        bytes32 department;
        bytes32 evidenceHash;
        uint8 source;
        uint8 status;
        uint64 openedAt;
        uint64 dueAt;
        uint64 updatedAt;
    }

    struct Transition {
        uint8 fromStatus;
        uint8 toStatus;
        bytes32 actor;
        address account;
        uint64 at;
        bytes32 detailHash;
    }

    IMemberRegistry public registry;
    mapping(address => bool) private _monitors;
    mapping(bytes32 => Case) private _cases;
    mapping(bytes32 => Transition[]) private _transitions;
    bytes32[] private _caseIds;

    event MonitorAuthorised(address indexed account, address indexed by);
    event MonitorDeauthorised(address indexed account, address indexed by);
    event CaseOpened(
        bytes32 indexed caseId,
        bytes32 indexed ruleId,
        bytes32 indexed department,
        uint8 source,
        bytes32 evidenceHash
    );
    event CaseTransition(
        bytes32 indexed caseId,
        uint8 fromStatus,
        uint8 toStatus,
        bytes32 indexed actor,
        address indexed account,
        uint64 at,
        bytes32 detailHash
    );

    constructor(address memberRegistry) public {
        require(memberRegistry != address(0), "Supervision: registry is the zero address");
        registry = IMemberRegistry(memberRegistry);
    }

    modifier onlyMonitor() {
        require(_monitors[msg.sender], "Supervision: caller is not an authorised monitor");
        _;
    }

    /// @notice Authorise a gateway account to open cases by rule and mark orders overdue.
    function authoriseMonitor(address account) public onlyGovernor {
        require(account != address(0), "Supervision: account is the zero address");
        require(!_monitors[account], "Supervision: monitor is already authorised");
        _monitors[account] = true;
        emit MonitorAuthorised(account, msg.sender);
    }

    function deauthoriseMonitor(address account) public onlyGovernor {
        require(_monitors[account], "Supervision: monitor is not authorised");
        _monitors[account] = false;
        emit MonitorDeauthorised(account, msg.sender);
    }

    function isMonitor(address account) external view returns (bool) {
        return _monitors[account];
    }

    /// @notice A rule fired: open a case against `department` with the digest of its evidence
    /// references (receipt ids, Merkle roots).
    function openByRule(
        bytes32 caseId,
        bytes32 ruleId,
        bytes32 department,
        bytes32 evidenceHash
    ) public onlyMonitor {
        _open(caseId, ruleId, department, evidenceHash, SOURCE_RULE, registry.memberCodeOf(msg.sender));
    }

    /// @notice The office opens a case by hand.
    function openByHand(
        bytes32 caseId,
        bytes32 ruleId,
        bytes32 department,
        bytes32 evidenceHash
    ) public {
        bytes32 office = _office();
        _open(caseId, ruleId, department, evidenceHash, SOURCE_HAND, office);
    }

    /// @notice The office orders rectification (下达), due at `dueAt`: open|reopened|overdue -> ordered.
    function order(
        bytes32 caseId,
        uint64 dueAt,
        bytes32 detailHash
    ) public {
        uint8 status = _statusOf(caseId);
        bytes32 office = _office();
        require(
            status == STATUS_OPEN || status == STATUS_REOPENED || status == STATUS_OVERDUE,
            "Supervision: only an open, reopened or overdue case can be ordered"
        );
        require(dueAt > block.timestamp, "Supervision: due date is not in the future");
        _cases[caseId].dueAt = dueAt;
        _move(caseId, status, STATUS_ORDERED, office, detailHash);
    }

    /// @notice The department starts rectifying (整改): ordered -> rectifying.
    function startRectification(bytes32 caseId, bytes32 detailHash) public {
        uint8 status = _statusOf(caseId);
        bytes32 department = _department(caseId);
        require(status == STATUS_ORDERED, "Supervision: only an ordered case can be rectified");
        _move(caseId, status, STATUS_RECTIFYING, department, detailHash);
    }

    /// @notice The department reports back (反馈): rectifying|overdue -> reported.
    function report(bytes32 caseId, bytes32 detailHash) public {
        uint8 status = _statusOf(caseId);
        bytes32 department = _department(caseId);
        require(
            status == STATUS_RECTIFYING || status == STATUS_OVERDUE,
            "Supervision: only a case under rectification or overdue can be reported"
        );
        _move(caseId, status, STATUS_REPORTED, department, detailHash);
    }

    /// @notice The office accepts the report: reported -> accepted (final).
    function accept(bytes32 caseId, bytes32 detailHash) public {
        uint8 status = _statusOf(caseId);
        bytes32 office = _office();
        require(status == STATUS_REPORTED, "Supervision: only a reported case can be accepted");
        _move(caseId, status, STATUS_ACCEPTED, office, detailHash);
    }

    /// @notice The office rejects the report: reported -> reopened (to be ordered again).
    function reopen(bytes32 caseId, bytes32 detailHash) public {
        uint8 status = _statusOf(caseId);
        bytes32 office = _office();
        require(status == STATUS_REPORTED, "Supervision: only a reported case can be reopened");
        _move(caseId, status, STATUS_REOPENED, office, detailHash);
    }

    /// @notice Past its due date an order is overdue: ordered|rectifying -> overdue. Sent by
    /// an authorised monitor (the gateway's scheduled job) or the office.
    function markOverdue(bytes32 caseId, bytes32 detailHash) public {
        uint8 status = _statusOf(caseId);
        bytes32 actor;
        if (_monitors[msg.sender]) {
            actor = registry.memberCodeOf(msg.sender);
        } else {
            actor = _office();
        }
        require(
            status == STATUS_ORDERED || status == STATUS_RECTIFYING,
            "Supervision: only an ordered case or one under rectification can be overdue"
        );
        require(block.timestamp > _cases[caseId].dueAt, "Supervision: the order is not yet due");
        _move(caseId, status, STATUS_OVERDUE, actor, detailHash);
    }

    function getCase(bytes32 caseId)
        external
        view
        returns (
            bytes32 ruleId,
            bytes32 department,
            bytes32 evidenceHash,
            uint8 source,
            uint8 status
        )
    {
        Case storage item = _cases[caseId];
        require(item.status != STATUS_NONE, "Supervision: unknown case");
        return (item.ruleId, item.department, item.evidenceHash, item.source, item.status);
    }

    function caseTimes(bytes32 caseId)
        external
        view
        returns (
            uint64 openedAt,
            uint64 dueAt,
            uint64 updatedAt,
            uint256 transitionCount
        )
    {
        Case storage item = _cases[caseId];
        require(item.status != STATUS_NONE, "Supervision: unknown case");
        return (item.openedAt, item.dueAt, item.updatedAt, _transitions[caseId].length);
    }

    function getTransition(bytes32 caseId, uint256 index)
        external
        view
        returns (
            uint8 fromStatus,
            uint8 toStatus,
            bytes32 actor,
            address account,
            uint64 at,
            bytes32 detailHash
        )
    {
        Transition[] storage history = _transitions[caseId];
        require(history.length > 0, "Supervision: unknown case");
        require(index < history.length, "Supervision: transition out of range");
        Transition storage step = history[index];
        return (step.fromStatus, step.toStatus, step.actor, step.account, step.at, step.detailHash);
    }

    /// @notice STATUS_NONE (0) for an unknown case.
    function statusOf(bytes32 caseId) external view returns (uint8) {
        return _cases[caseId].status;
    }

    function caseCount() external view returns (uint256) {
        return _caseIds.length;
    }

    function caseIdAt(uint256 index) external view returns (bytes32) {
        require(index < _caseIds.length, "Supervision: index out of range");
        return _caseIds[index];
    }

    function _open(
        bytes32 caseId,
        bytes32 ruleId,
        bytes32 department,
        bytes32 evidenceHash,
        uint8 source,
        bytes32 actor
    ) private {
        require(caseId != bytes32(0), "Supervision: case id is empty");
        require(ruleId != bytes32(0), "Supervision: rule id is empty");
        require(_cases[caseId].status == STATUS_NONE, "Supervision: case already exists");
        require(registry.statusOf(department) != 0, "Supervision: department is not a member");
        Case storage item = _cases[caseId];
        item.ruleId = ruleId;
        item.department = department;
        item.evidenceHash = evidenceHash;
        item.source = source;
        item.openedAt = uint64(block.timestamp);
        _caseIds.push(caseId);
        emit CaseOpened(caseId, ruleId, department, source, evidenceHash);
        _move(caseId, STATUS_NONE, STATUS_OPEN, actor, evidenceHash);
    }

    function _move(
        bytes32 caseId,
        uint8 from,
        uint8 to,
        bytes32 actor,
        bytes32 detailHash
    ) private {
        Case storage item = _cases[caseId];
        item.status = to;
        item.updatedAt = uint64(block.timestamp);
        _transitions[caseId].push(Transition(from, to, actor, msg.sender, uint64(block.timestamp), detailHash));
        emit CaseTransition(caseId, from, to, actor, msg.sender, uint64(block.timestamp), detailHash);
    }

    function _statusOf(bytes32 caseId) private view returns (uint8) {
        uint8 status = _cases[caseId].status;
        require(status != STATUS_NONE, "Supervision: unknown case");
        return status;
    }

    /// @dev The caller's member code when it is an active member with the office role.
    function _office() private view returns (bytes32) {
        bytes32 caller = registry.memberCodeOf(msg.sender);
        require(caller != bytes32(0), "Supervision: caller is not a member");
        require(registry.statusOf(caller) == MEMBER_ACTIVE, "Supervision: caller is not an active member");
        require(registry.hasRole(caller, ROLE_OFFICE), "Supervision: caller is not the office");
        return caller;
    }

    /// @dev The caller's member code when it is the case's own active department.
    function _department(bytes32 caseId) private view returns (bytes32) {
        bytes32 caller = registry.memberCodeOf(msg.sender);
        require(caller != bytes32(0), "Supervision: caller is not a member");
        require(registry.statusOf(caller) == MEMBER_ACTIVE, "Supervision: caller is not an active member");
        require(caller == _cases[caseId].department, "Supervision: caller is not the case's department");
        return caller;
    }

    function _label() internal pure override returns (string memory) {
        return "Supervision";
    }
}
