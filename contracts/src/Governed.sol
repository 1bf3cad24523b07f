// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

/// @title Governed
/// @notice The office's governance account set: the accounts of the government affairs
/// office (省政务服务管理办公室) that may change a contract's configuration. The deployer is
/// the first governor; governors add and remove governors; the last one cannot leave.
/// @dev Revert reasons carry the concrete contract's label ("MemberRegistry: ...") so a
/// reverted transaction names the contract that refused it.
abstract contract Governed {
    mapping(address => bool) private _governors;
    uint256 private _governorCount;

    event GovernorAdded(address indexed account, address indexed by);
    event GovernorRemoved(address indexed account, address indexed by);

    constructor() internal {
        _governors[msg.sender] = true;
        _governorCount = 1;
        emit GovernorAdded(msg.sender, msg.sender);
    }

    modifier onlyGovernor() {
        if (!_governors[msg.sender]) {
            _refuse("caller is not a governor");
        }
        _;
    }

    function isGovernor(address account) public view returns (bool) {
        return _governors[account];
    }

    function governorCount() external view returns (uint256) {
        return _governorCount;
    }

    function addGovernor(address account) external onlyGovernor {
        if (account == address(0)) {
            _refuse("account is the zero address");
        }
        if (_governors[account]) {
            _refuse("account is already a governor");
        }
        _governors[account] = true;
        _governorCount += 1;
        emit GovernorAdded(account, msg.sender);
    }

    function removeGovernor(address account) external onlyGovernor {
        if (!_governors[account]) {
            _refuse("account is not a governor");
        }
        if (_governorCount == 1) {
            _refuse("cannot remove the last governor");
        }
        _governors[account] = false;
        _governorCount -= 1;
        emit GovernorRemoved(account, msg.sender);
    }

    /// @dev The contract's name, used as the prefix of every revert reason.
    function _label() internal pure virtual returns (string memory);

    function _refuse(string memory reason) internal pure {
        revert(string(abi.encodePacked(_label(), ": ", reason)));
    }
}
