// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

import "./Governed.sol";

/// @title FederationLedger
/// @notice Checkpoints of the evidence logs of the gateways below this one (province → city →
/// county): each names a tree size and root of the node's log (RFC 9162 §2.1), the digest of
/// the signed checkpoint document and the key that signed it, and the direct child through
/// which it arrived. An auditor at this level verifies a child's record against this chain.
/// @dev The signature and the consistency proof (RFC 9162 §2.1.4) between a node's checkpoints
/// are checked off chain before anchoring: the contract cannot recompute SM2 (GB/T 32918) or
/// SM3 (GB/T 32905). It keeps what needs no cryptography: a node's tree sizes only grow, and a
/// node stays reached through the child that first relayed it. Only gateway accounts
/// authorised by the governors may anchor.
contract FederationLedger is Governed {
    struct Checkpoint {
        bytes32 root;
        bytes32 document;
        bytes32 via;
        address signer;
        uint64 treeSize;
        uint64 anchoredAt;
    }

    mapping(address => bool) private _gateways;
    bytes32[] private _nodes;
    mapping(bytes32 => Checkpoint[]) private _checkpoints;
    mapping(bytes32 => mapping(uint64 => uint256)) private _numberBySize;

    event GatewayAuthorised(address indexed account, address indexed by);
    event GatewayDeauthorised(address indexed account, address indexed by);
    event CheckpointAnchored(
        bytes32 indexed node,
        bytes32 indexed via,
        uint256 indexed index,
        uint64 treeSize,
        bytes32 root,
        bytes32 document,
        address signer
    );

    modifier onlyGateway() {
        require(_gateways[msg.sender], "FederationLedger: caller is not an authorised gateway");
        _;
    }

    function authoriseGateway(address account) public onlyGovernor {
        require(account != address(0), "FederationLedger: account is the zero address");
        require(!_gateways[account], "FederationLedger: gateway is already authorised");
        _gateways[account] = true;
        emit GatewayAuthorised(account, msg.sender);
    }

    function deauthoriseGateway(address account) public onlyGovernor {
        require(_gateways[account], "FederationLedger: gateway is not authorised");
        _gateways[account] = false;
        emit GatewayDeauthorised(account, msg.sender);
    }

    function isGateway(address account) external view returns (bool) {
        return _gateways[account];
    }

    /// @notice Anchor a checkpoint of `node`'s evidence log that arrived through the direct
    /// child `via` (`via == node` for a direct child's own checkpoint).
    /// @param node the checkpoint's origin gateway: its member code, ASCII left-aligned
    /// @param via the direct child of this gateway the checkpoint came through
    /// @param treeSize the tree size of the node's log; greater than the node's latest
    /// @param root the log's root at that size (SM3)
    /// @param document the SM3 digest of the signed checkpoint document
    /// @param signer the address (key id) of the key that signed the document
    function anchorCheckpoint(
        bytes32 node,
        bytes32 via,
        uint64 treeSize,
        bytes32 root,
        bytes32 document,
        address signer
    ) public onlyGateway {
        require(node != bytes32(0), "FederationLedger: node is empty");
        require(via != bytes32(0), "FederationLedger: via is empty");
        require(treeSize != 0, "FederationLedger: tree size is zero");
        require(root != bytes32(0), "FederationLedger: root is empty");
        require(document != bytes32(0), "FederationLedger: document is empty");
        require(signer != address(0), "FederationLedger: signer is the zero address");
        Checkpoint[] storage checkpoints = _checkpoints[node];
        uint256 count = checkpoints.length;
        if (count == 0) {
            _nodes.push(node);
        } else {
            Checkpoint storage latest = checkpoints[count - 1];
            require(latest.via == via, "FederationLedger: node is reached through another child");
            require(treeSize > latest.treeSize, "FederationLedger: tree size does not grow");
        }
        checkpoints.push(Checkpoint(root, document, via, signer, treeSize, uint64(block.timestamp)));
        _numberBySize[node][treeSize] = count + 1;
        emit CheckpointAnchored(node, via, count, treeSize, root, document, signer);
    }

    /// @notice How many nodes have at least one checkpoint.
    function nodeCount() external view returns (uint256) {
        return _nodes.length;
    }

    /// @notice The nodes in the order of their first checkpoint.
    function nodeAt(uint256 index) external view returns (bytes32) {
        require(index < _nodes.length, "FederationLedger: no such node");
        return _nodes[index];
    }

    /// @notice How many checkpoints of `node` are anchored (0 for an unknown node).
    function checkpointCount(bytes32 node) external view returns (uint256) {
        return _checkpoints[node].length;
    }

    function checkpointAt(bytes32 node, uint256 index)
        external
        view
        returns (
            uint64 treeSize,
            bytes32 root,
            bytes32 document,
            address signer,
            bytes32 via,
            uint64 anchoredAt
        )
    {
        require(index < _checkpoints[node].length, "FederationLedger: no such checkpoint");
        return _checkpointFields(_checkpoints[node][index]);
    }

    /// @notice The checkpoint of `node` at exactly `size` leaves, e.g. the one a proof cites.
    function checkpointBySize(bytes32 node, uint64 size)
        external
        view
        returns (
            uint64 treeSize,
            bytes32 root,
            bytes32 document,
            address signer,
            bytes32 via,
            uint64 anchoredAt
        )
    {
        uint256 number = _numberBySize[node][size];
        require(number != 0, "FederationLedger: no checkpoint of that size");
        return _checkpointFields(_checkpoints[node][number - 1]);
    }

    /// @notice The checkpoint of `node` with the greatest tree size.
    function latestCheckpoint(bytes32 node)
        external
        view
        returns (
            uint64 treeSize,
            bytes32 root,
            bytes32 document,
            address signer,
            bytes32 via,
            uint64 anchoredAt
        )
    {
        uint256 count = _checkpoints[node].length;
        require(count != 0, "FederationLedger: node has no checkpoint");
        return _checkpointFields(_checkpoints[node][count - 1]);
    }

    function _checkpointFields(Checkpoint storage checkpoint)
        private
        view
        returns (uint64, bytes32, bytes32, address, bytes32, uint64)
    {
        return (
            checkpoint.treeSize,
            checkpoint.root,
            checkpoint.document,
            checkpoint.signer,
            checkpoint.via,
            checkpoint.anchoredAt
        );
    }

    function _label() internal pure override returns (string memory) {
        return "FederationLedger";
    }
}
