// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

import "./Interfaces.sol";

/// @title TransferCase
/// @notice Property-transfer registration cases (不动产转移登记, 一件事一次办): the real-estate
/// registration member opens a case for a unit; the tax bureau, the courts, civil affairs and
/// housing each attest their condition (tax paid, no seizure, marriage status, contract filed)
/// from their own member account, citing the digest of the brokered query that supports it;
/// the registrar completes the transfer only while all four attestations are present, not
/// revoked, satisfied, from active members, and the case's deadline has not passed.
/// @dev SM2 verification is not available to EVM code on every FISCO BCOS node, so the
/// contract does not verify the attestation signature itself: it requires the transaction to
/// come from the attesting member's registered account (the node has verified that SM2
/// transaction signature) and stores the signer, the attestation digest and the detached
/// SM2 signature (r || s) so anyone can re-verify it against the registry's public key.
/// Times are block.timestamp (milliseconds on FISCO BCOS). Personal data never comes here:
/// seller, buyer, price and title are the gateway's keyed digests.
contract TransferCase {
    uint8 public constant CASE_NONE = 0;
    uint8 public constant CASE_PENDING = 1;
    uint8 public constant CASE_COMPLETED = 2;

    uint8 public constant TAX_PAID = 1;
    uint8 public constant NO_SEIZURE = 2;
    uint8 public constant MARRIAGE_STATUS = 3;
    uint8 public constant CONTRACT_FILED = 4;
    uint8 public constant CONDITION_COUNT = 4;

    uint8 private constant MEMBER_ACTIVE = 2;

    struct Attestation {
        address signer;
        bool satisfied;
        bool revoked;
        uint64 attestedAt;
        bytes32 evidenceHash;
        bytes32 digest;
        bytes signature;
    }

    struct Case {
        bytes32 unitNumber;
        bytes32 titleHash;
        bytes32 sellerHash;
        bytes32 buyerHash;
        bytes32 priceHash;
        uint64 deadline;
        uint64 openedAt;
        uint64 completedAt;
        uint8 status;
        bytes32 newOwnerHash;
        bytes32 registrationNumber;
        bytes32 certificateHash;
        mapping(uint8 => Attestation) attestations;
    }

    IMemberRegistry public registry;
    bytes32 public registrar;
    mapping(uint8 => bytes32) private _attesters;
    mapping(bytes32 => Case) private _cases;
    bytes32[] private _caseIds;

    event CaseOpened(bytes32 indexed caseId, bytes32 indexed unitNumber, uint64 deadline, address by);
    event AttestationRecorded(
        bytes32 indexed caseId,
        uint8 indexed condition,
        bytes32 indexed member,
        bool satisfied,
        bytes32 evidenceHash,
        bytes32 digest,
        address signer
    );
    event AttestationRevoked(bytes32 indexed caseId, uint8 indexed condition, address indexed by, string reason);
    event TransferCompleted(
        bytes32 indexed caseId,
        bytes32 indexed registrationNumber,
        bytes32 newOwnerHash,
        bytes32 certificateHash,
        address by
    );

    constructor(
        address memberRegistry,
        bytes32 registrarCode,
        bytes32 taxAttester,
        bytes32 courtAttester,
        bytes32 civilAttester,
        bytes32 housingAttester
    ) public {
        require(memberRegistry != address(0), "TransferCase: registry is the zero address");
        require(
            registrarCode != bytes32(0) &&
                taxAttester != bytes32(0) &&
                courtAttester != bytes32(0) &&
                civilAttester != bytes32(0) &&
                housingAttester != bytes32(0),
            "TransferCase: member code is empty"
        );
        registry = IMemberRegistry(memberRegistry);
        registrar = registrarCode;
        _attesters[TAX_PAID] = taxAttester;
        _attesters[NO_SEIZURE] = courtAttester;
        _attesters[MARRIAGE_STATUS] = civilAttester;
        _attesters[CONTRACT_FILED] = housingAttester;
    }

    /// @notice Open a case (the registrar's own active account).
    function openCase(
        bytes32 caseId,
        bytes32 unitNumber,
        bytes32 titleHash,
        bytes32 sellerHash,
        bytes32 buyerHash,
        bytes32 priceHash,
        uint64 deadline
    ) public {
        _requireMember(registrar, "TransferCase: caller is not the registrar");
        require(caseId != bytes32(0), "TransferCase: case id is empty");
        require(_cases[caseId].status == CASE_NONE, "TransferCase: case already exists");
        require(unitNumber != bytes32(0), "TransferCase: unit number is empty");
        require(
            titleHash != bytes32(0) && sellerHash != bytes32(0) && buyerHash != bytes32(0) && priceHash != bytes32(0),
            "TransferCase: party digest is empty"
        );
        require(deadline > block.timestamp, "TransferCase: deadline is not in the future");
        Case storage item = _cases[caseId];
        item.unitNumber = unitNumber;
        item.titleHash = titleHash;
        item.sellerHash = sellerHash;
        item.buyerHash = buyerHash;
        item.priceHash = priceHash;
        item.deadline = deadline;
        item.openedAt = uint64(block.timestamp);
        item.status = CASE_PENDING;
        _caseIds.push(caseId);
        emit CaseOpened(caseId, unitNumber, deadline, msg.sender);
    }

    /// @notice Attest one condition from the attesting member's own active account. A revoked
    /// attestation may be replaced; a standing one may not.
    function attest(
        bytes32 caseId,
        uint8 condition,
        bool satisfied,
        bytes32 evidenceHash,
        bytes32 digest,
        bytes memory signature
    ) public {
        Case storage item = _pendingCase(caseId);
        bytes32 member = attesterOf(condition);
        _requireMember(member, "TransferCase: caller is not the condition's attester");
        require(evidenceHash != bytes32(0), "TransferCase: evidence hash is empty");
        require(digest != bytes32(0), "TransferCase: digest is empty");
        require(signature.length == 64, "TransferCase: signature must be 64 bytes");
        Attestation storage att = item.attestations[condition];
        require(att.attestedAt == 0 || att.revoked, "TransferCase: condition already attested");
        att.signer = msg.sender;
        att.satisfied = satisfied;
        att.revoked = false;
        att.attestedAt = uint64(block.timestamp);
        att.evidenceHash = evidenceHash;
        att.digest = digest;
        att.signature = signature;
        emit AttestationRecorded(caseId, condition, member, satisfied, evidenceHash, digest, msg.sender);
    }

    /// @notice Withdraw an attestation (its member's own active account) while the case is pending.
    function revokeAttestation(
        bytes32 caseId,
        uint8 condition,
        string memory reason
    ) public {
        Case storage item = _cases[caseId];
        require(item.status != CASE_NONE, "TransferCase: unknown case");
        require(item.status == CASE_PENDING, "TransferCase: case is completed");
        _requireMember(attesterOf(condition), "TransferCase: caller is not the condition's attester");
        Attestation storage att = item.attestations[condition];
        require(att.attestedAt != 0 && !att.revoked, "TransferCase: condition is not attested");
        att.revoked = true;
        emit AttestationRevoked(caseId, condition, msg.sender, reason);
    }

    /// @notice Complete the transfer (the registrar): new owner, registration number and the
    /// e-certificate's hash, only while `pendingReason` is empty.
    function complete(
        bytes32 caseId,
        bytes32 newOwnerHash,
        bytes32 registrationNumber,
        bytes32 certificateHash
    ) public {
        _requireMember(registrar, "TransferCase: caller is not the registrar");
        Case storage item = _pendingCase(caseId);
        require(newOwnerHash == item.buyerHash, "TransferCase: new owner is not the buyer");
        require(registrationNumber != bytes32(0), "TransferCase: registration number is empty");
        require(certificateHash != bytes32(0), "TransferCase: certificate hash is empty");
        string memory reason = pendingReason(caseId);
        require(bytes(reason).length == 0, string(abi.encodePacked("TransferCase: ", reason)));
        item.status = CASE_COMPLETED;
        item.completedAt = uint64(block.timestamp);
        item.newOwnerHash = newOwnerHash;
        item.registrationNumber = registrationNumber;
        item.certificateHash = certificateHash;
        emit TransferCompleted(caseId, registrationNumber, newOwnerHash, certificateHash, msg.sender);
    }

    /// @notice Why the case cannot complete now; empty when it can (or has).
    function pendingReason(bytes32 caseId) public view returns (string memory) {
        Case storage item = _cases[caseId];
        require(item.status != CASE_NONE, "TransferCase: unknown case");
        if (item.status == CASE_COMPLETED) {
            return "";
        }
        if (block.timestamp > item.deadline) {
            return "deadline has passed";
        }
        for (uint8 condition = 1; condition <= CONDITION_COUNT; condition++) {
            Attestation storage att = item.attestations[condition];
            string memory name = _conditionName(condition);
            if (att.attestedAt == 0) {
                return string(abi.encodePacked(name, " is not attested"));
            }
            if (att.revoked) {
                return string(abi.encodePacked(name, " attestation was revoked"));
            }
            if (!att.satisfied) {
                return string(abi.encodePacked(name, " is attested as not met"));
            }
            bytes32 member = _attesters[condition];
            if (registry.statusOf(member) != MEMBER_ACTIVE) {
                return string(abi.encodePacked(name, " attester is not an active member"));
            }
            if (registry.memberCodeOf(att.signer) != member) {
                return string(abi.encodePacked(name, " signer no longer acts for its member"));
            }
        }
        return "";
    }

    function getCase(bytes32 caseId)
        external
        view
        returns (
            bytes32 unitNumber,
            bytes32 titleHash,
            bytes32 sellerHash,
            bytes32 buyerHash,
            bytes32 priceHash,
            uint64 deadline,
            uint64 openedAt,
            uint8 status
        )
    {
        Case storage item = _cases[caseId];
        require(item.status != CASE_NONE, "TransferCase: unknown case");
        return (
            item.unitNumber,
            item.titleHash,
            item.sellerHash,
            item.buyerHash,
            item.priceHash,
            item.deadline,
            item.openedAt,
            item.status
        );
    }

    function getOutcome(bytes32 caseId)
        external
        view
        returns (
            bytes32 newOwnerHash,
            bytes32 registrationNumber,
            bytes32 certificateHash,
            uint64 completedAt
        )
    {
        Case storage item = _cases[caseId];
        require(item.status != CASE_NONE, "TransferCase: unknown case");
        return (item.newOwnerHash, item.registrationNumber, item.certificateHash, item.completedAt);
    }

    function getAttestation(bytes32 caseId, uint8 condition)
        external
        view
        returns (
            bytes32 member,
            address signer,
            bool satisfied,
            bool revoked,
            uint64 attestedAt,
            bytes32 evidenceHash,
            bytes32 digest,
            bytes memory signature
        )
    {
        require(_cases[caseId].status != CASE_NONE, "TransferCase: unknown case");
        member = attesterOf(condition);
        Attestation storage att = _cases[caseId].attestations[condition];
        return (member, att.signer, att.satisfied, att.revoked, att.attestedAt, att.evidenceHash, att.digest, att.signature);
    }

    /// @notice CASE_NONE (0) for an unknown case.
    function statusOf(bytes32 caseId) external view returns (uint8) {
        return _cases[caseId].status;
    }

    function attesterOf(uint8 condition) public view returns (bytes32) {
        require(condition >= 1 && condition <= CONDITION_COUNT, "TransferCase: unknown condition");
        return _attesters[condition];
    }

    function caseCount() external view returns (uint256) {
        return _caseIds.length;
    }

    function caseIdAt(uint256 index) external view returns (bytes32) {
        require(index < _caseIds.length, "TransferCase: index out of range");
        return _caseIds[index];
    }

    function _pendingCase(bytes32 caseId) private view returns (Case storage item) {
        item = _cases[caseId];
        require(item.status != CASE_NONE, "TransferCase: unknown case");
        require(item.status == CASE_PENDING, "TransferCase: case is completed");
        require(block.timestamp <= item.deadline, "TransferCase: deadline has passed");
    }

    /// @dev The caller's account must be `member`'s, and the member active.
    function _requireMember(bytes32 member, string memory notThatMember) private view {
        require(registry.memberCodeOf(msg.sender) == member, notThatMember);
        require(registry.statusOf(member) == MEMBER_ACTIVE, "TransferCase: caller is not an active member");
    }

    function _conditionName(uint8 condition) private pure returns (string memory) {
        if (condition == TAX_PAID) {
            return "tax payment";
        }
        if (condition == NO_SEIZURE) {
            return "seizure check";
        }
        if (condition == MARRIAGE_STATUS) {
            return "marriage status";
        }
        return "housing contract filing";
    }
}
