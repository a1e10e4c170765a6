// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PedigreePackageLedger} from "../../contracts/PedigreePackageLedger.sol";
import {IPedigreePackageLedger as L} from "../../contracts/interfaces/IPedigreePackageLedger.sol";
import {PackageFixture} from "./utils/PackageFixture.sol";
import {PackageHandler} from "./utils/PackageHandler.sol";

/// @notice The handler, declared here so that its artifact is built with this test file.
contract PackageInvariantHandler is PackageHandler {
    constructor(
        PedigreePackageLedger ledger_,
        bytes32 batchId_,
        address[4] memory actors_
    ) PackageHandler(ledger_, batchId_, actors_) {}
}

/// @notice Conservation under random custody steps: every registered pack is, at every moment,
/// held, in transit or decommissioned exactly once, where the model says; a unit's contents never
/// change while it is sealed; and no step the model allows is refused.
contract PackageInvariantsTest is PackageFixture {
    PackageHandler internal handler;
    bytes32 internal batchC;

    function setUp() public override {
        super.setUp();
        batchC = registerTestBatch(mfr, GTIN, "LOT-C1", 48, "C1");
        handler = new PackageInvariantHandler(ledger, batchC, [mfr, dist, dist2, pharmacy]);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_noAllowedStepIsRefused() public view {
        uint256 count = handler.violationCount();
        assertEq(count, 0, count == 0 ? "" : handler.violations(0));
    }

    function invariant_everyPackIsWhereTheModelSays() public view {
        for (uint256 index; index < handler.PACKS(); ++index) {
            (PackageHandler.Place memory own, PackageHandler.Place memory top) = handler.expectedPack(index);
            uint256 parent = own.kind == PackageHandler.Kind.InUnit ? own.parent : 0;
            L.Location memory at = lens.packLocation(batchC, index, parent);
            _assertPlace(at, top, "pack");
            assertEq(at.parent, parent, "the pack's unit");
        }
    }

    function invariant_everyUnitIsWhereTheModelSays() public view {
        for (uint256 i; i < handler.unitCount(); ++i) {
            uint256 sscc = handler.units(i);
            _assertPlace(lens.unit(sscc).location, handler.expectedUnit(sscc), "unit");
        }
    }

    function invariant_aSealedUnitKeepsItsContents() public view {
        for (uint256 i; i < handler.unitCount(); ++i) {
            uint256 sscc = handler.units(i);
            if (!lens.unit(sscc).opened) {
                assertEq(handler.contentsNow(sscc), handler.sealedContents(sscc), "contents of a sealed unit");
            }
        }
    }

    function _assertPlace(L.Location memory at, PackageHandler.Place memory expected, string memory what) private view {
        L.PlaceKind kind =
            expected.kind == PackageHandler.Kind.Held
                ? L.PlaceKind.Held
                : expected.kind == PackageHandler.Kind.InTransit
                    ? L.PlaceKind.InTransit
                    : L.PlaceKind.Decommissioned;
        assertEq(uint256(at.kind), uint256(kind), string.concat(what, ": kind of place"));
        assertEq(at.party, handler.actors(expected.party), string.concat(what, ": holder, sender or decommissioner"));
        if (kind == L.PlaceKind.InTransit) {
            assertEq(at.recipient, handler.actors(expected.recipient), string.concat(what, ": recipient"));
        }
    }
}
