// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

import "./Governed.sol";

/// @title MemberRegistry
/// @notice The alliance's member departments and their lifecycle:
/// applied -> active -> suspended -> active (reinstated) ... -> revoked.
/// Only the office's governors change it; every change emits an event.
/// @dev A member is identified by a short code (bytes32("NRD")). Its account is the address
/// derived from its SM2 public key (GB/T 32918) with the chain's hash; the contract stores
/// both because it cannot recompute an SM3-derived address itself.
contract MemberRegistry is Governed {
    uint8 public constant STATUS_NONE = 0;
    uint8 public constant STATUS_APPLIED = 1;
    uint8 public constant STATUS_ACTIVE = 2;
    uint8 public constant STATUS_SUSPENDED = 3;
    uint8 public constant STATUS_REVOKED = 4;

    uint32 public constant ROLE_PROVIDER = 1;
    uint32 public constant ROLE_CONSUMER = 2;
    uint32 public constant ROLE_OFFICE = 4;
    uint32 public constant ROLE_AUDITOR = 8;
    uint32 private constant ALL_ROLES = 15;

    struct Member {
        string name;
        bytes publicKey;
        address account;
        uint32 roles;
        uint8 status;
        uint64 updatedAt;
    }

    mapping(bytes32 => Member) private _members;
    mapping(address => bytes32) private _codeByAccount;
    bytes32[] private _codes;

    event MemberApplied(bytes32 indexed code, address indexed account, uint32 roles, string name);
    event MemberStatusChanged(
        bytes32 indexed code,
        uint8 fromStatus,
        uint8 toStatus,
        address indexed by,
        string reason
    );
    event MemberRolesChanged(bytes32 indexed code, uint32 roles, address indexed by);
    event MemberKeyRotated(
        bytes32 indexed code,
        address indexed oldAccount,
        address indexed newAccount,
        bytes publicKey
    );

    /// @notice Record a department's application (the office enters it after review).
    function registerApplication(
        bytes32 code,
        string memory name,
        bytes memory publicKey,
        address account,
        uint32 roles
    ) public onlyGovernor {
        require(code != bytes32(0), "MemberRegistry: member code is empty");
        require(bytes(name).length > 0, "MemberRegistry: member name is empty");
        require(_members[code].status == STATUS_NONE, "MemberRegistry: member already exists");
        _checkKey(publicKey, account);
        _checkRoles(roles);
        Member storage member = _members[code];
        member.name = name;
        member.publicKey = publicKey;
        member.account = account;
        member.roles = roles;
        member.status = STATUS_APPLIED;
        member.updatedAt = uint64(block.timestamp);
        _codeByAccount[account] = code;
        _codes.push(code);
        emit MemberApplied(code, account, roles, name);
        emit MemberStatusChanged(code, STATUS_NONE, STATUS_APPLIED, msg.sender, "");
    }

    /// @notice Admit an applicant: applied -> active.
    function approve(bytes32 code, string memory reason) public onlyGovernor {
        _transition(code, STATUS_APPLIED, STATUS_ACTIVE, reason, "MemberRegistry: member is not applied");
    }

    /// @notice Suspend an active member: active -> suspended.
    function suspend(bytes32 code, string memory reason) public onlyGovernor {
        _transition(code, STATUS_ACTIVE, STATUS_SUSPENDED, reason, "MemberRegistry: member is not active");
    }

    /// @notice Reinstate a suspended member: suspended -> active.
    function reinstate(bytes32 code, string memory reason) public onlyGovernor {
        _transition(code, STATUS_SUSPENDED, STATUS_ACTIVE, reason, "MemberRegistry: member is not suspended");
    }

    /// @notice Revoke a member (or reject an application): applied|active|suspended -> revoked.
    /// Revocation is final; the account stays bound to the code so it cannot be reused.
    function revoke(bytes32 code, string memory reason) public onlyGovernor {
        uint8 status = _members[code].status;
        require(status != STATUS_NONE, "MemberRegistry: unknown member");
        require(status != STATUS_REVOKED, "MemberRegistry: member is already revoked");
        _setStatus(code, status, STATUS_REVOKED, reason);
    }

    function updateRoles(bytes32 code, uint32 roles) public onlyGovernor {
        Member storage member = _members[code];
        require(member.status != STATUS_NONE, "MemberRegistry: unknown member");
        require(member.status != STATUS_REVOKED, "MemberRegistry: member is revoked");
        _checkRoles(roles);
        member.roles = roles;
        member.updatedAt = uint64(block.timestamp);
        emit MemberRolesChanged(code, roles, msg.sender);
    }

    /// @notice Replace a member's SM2 key (key rotation); the old account stops acting for it.
    function rotateKey(bytes32 code, bytes memory publicKey, address account) public onlyGovernor {
        Member storage member = _members[code];
        require(member.status != STATUS_NONE, "MemberRegistry: unknown member");
        require(member.status != STATUS_REVOKED, "MemberRegistry: member is revoked");
        _checkKey(publicKey, account);
        address oldAccount = member.account;
        delete _codeByAccount[oldAccount];
        _codeByAccount[account] = code;
        member.publicKey = publicKey;
        member.account = account;
        member.updatedAt = uint64(block.timestamp);
        emit MemberKeyRotated(code, oldAccount, account, publicKey);
    }

    function getMember(bytes32 code)
        external
        view
        returns (
            string memory name,
            bytes memory publicKey,
            address account,
            uint32 roles,
            uint8 status,
            uint64 updatedAt
        )
    {
        Member storage member = _members[code];
        require(member.status != STATUS_NONE, "MemberRegistry: unknown member");
        return (member.name, member.publicKey, member.account, member.roles, member.status, member.updatedAt);
    }

    /// @notice STATUS_NONE (0) for an unknown code.
    function statusOf(bytes32 code) external view returns (uint8) {
        return _members[code].status;
    }

    function rolesOf(bytes32 code) external view returns (uint32) {
        return _members[code].roles;
    }

    function accountOf(bytes32 code) external view returns (address) {
        return _members[code].account;
    }

    /// @notice The code of the member acting through `account`, or zero.
    function memberCodeOf(address account) external view returns (bytes32) {
        return _codeByAccount[account];
    }

    function isActive(bytes32 code) external view returns (bool) {
        return _members[code].status == STATUS_ACTIVE;
    }

    function hasRole(bytes32 code, uint32 role) external view returns (bool) {
        return role != 0 && (_members[code].roles & role) == role;
    }

    function memberCount() external view returns (uint256) {
        return _codes.length;
    }

    function memberCodeAt(uint256 index) external view returns (bytes32) {
        require(index < _codes.length, "MemberRegistry: index out of range");
        return _codes[index];
    }

    function _transition(
        bytes32 code,
        uint8 expected,
        uint8 next,
        string memory reason,
        string memory refusal
    ) private {
        uint8 status = _members[code].status;
        require(status != STATUS_NONE, "MemberRegistry: unknown member");
        require(status == expected, refusal);
        _setStatus(code, status, next, reason);
    }

    function _setStatus(bytes32 code, uint8 from, uint8 to, string memory reason) private {
        Member storage member = _members[code];
        member.status = to;
        member.updatedAt = uint64(block.timestamp);
        emit MemberStatusChanged(code, from, to, msg.sender, reason);
    }

    function _checkKey(bytes memory publicKey, address account) private view {
        require(publicKey.length == 64, "MemberRegistry: public key must be 64 bytes");
        require(account != address(0), "MemberRegistry: account is the zero address");
        require(_codeByAccount[account] == bytes32(0), "MemberRegistry: account already registered");
    }

    function _checkRoles(uint32 roles) private pure {
        require(roles != 0, "MemberRegistry: roles are empty");
        require((roles & ~ALL_ROLES) == 0, "MemberRegistry: unknown role");
    }

    function _label() internal pure override returns (string memory) {
        return "MemberRegistry";
    }
}
