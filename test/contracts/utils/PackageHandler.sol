// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {PedigreePackageLedger} from "../../../contracts/PedigreePackageLedger.sol";
import {IPedigreePackageLedger as L} from "../../../contracts/interfaces/IPedigreePackageLedger.sol";
import {Assertions} from "./Assertions.sol";

/// @notice Drives the package-level ledger with random custody steps over one batch (packing by
/// range, aggregating, taking out, shipping, receiving, rejecting, cancelling, decommissioning) by
/// four parties, and keeps a model of where every pack and unit must be. Each step is chosen
/// among those the model says are allowed, so the ledger refusing one is a violation, recorded
/// (with `failOnRevert = false` a revert would go unnoticed) and checked by the invariants.
/// @dev Abstract: the invariant test file declares the concrete handler (see Invariants.t.sol).
abstract contract PackageHandler is Assertions {
    enum Kind {
        Held,
        InUnit,
        InTransit,
        Decommissioned
    }

    /// @dev Where the model says a pack or unit is. `party` and `recipient` are actor indexes;
    /// `parent` the SSCC of the unit directly containing it.
    struct Place {
        Kind kind;
        uint8 party;
        uint8 recipient;
        uint256 parent;
    }

    uint256 public constant PACKS = 48;
    uint8 private constant _MANUFACTURER = 0;
    uint8 private constant _PHARMACY = 3;

    PedigreePackageLedger public immutable ledger;
    bytes32 public immutable batchId;
    address[4] public actors; // manufacturer, distributor, distributor 2, pharmacy

    mapping(uint256 index => Place) public packs;
    /// @dev written on chain: a range packed later leaves it where it is
    mapping(uint256 index => bool) private _touched;
    uint256[] public units;
    mapping(uint256 sscc => Place) public unitPlaces;
    mapping(uint256 sscc => uint256) private _heights;
    /// @dev how many children each unit had when it was sealed
    mapping(uint256 sscc => uint256) public sealedContents;
    uint256 public packedUpTo;
    uint256 private _ssccNonce;
    string[] public violations;

    constructor(PedigreePackageLedger ledger_, bytes32 batchId_, address[4] memory actors_) {
        ledger = ledger_;
        batchId = batchId_;
        actors = actors_;
        // Every pack starts loose with the manufacturer (the zero Place).
    }

    function violationCount() external view returns (uint256) {
        return violations.length;
    }

    function unitCount() external view returns (uint256) {
        return units.length;
    }

    /// @notice Where the model says pack `index` is, resolved to the top of its nesting as the ledger reports it.
    function expectedPack(uint256 index) external view returns (Place memory own, Place memory top) {
        own = packs[index];
        top = own.kind == Kind.InUnit ? _top(own.parent) : own;
    }

    function expectedUnit(uint256 sscc) external view returns (Place memory) {
        return _top(sscc);
    }

    /// @notice How many units and packs the model has directly inside unit `sscc` now.
    function contentsNow(uint256 sscc) external view returns (uint256 count) {
        for (uint256 i; i < units.length; ++i) {
            if (unitPlaces[units[i]].kind == Kind.InUnit && unitPlaces[units[i]].parent == sscc) ++count;
        }
        for (uint256 i; i < PACKS; ++i) if (packs[i].kind == Kind.InUnit && packs[i].parent == sscc) ++count;
    }

    // ------------------------------------------------------------ steps

    function packRange(uint256 countSeed) external {
        uint256 count = bound(countSeed, 1, 8);
        if (packedUpTo + count > PACKS) return;
        uint256 sscc = _newSscc(true);
        vm.prank(actors[_MANUFACTURER]);
        try ledger.packRange(sscc, 6, batchId, count) {
            uint256 inside;
            for (uint256 i = packedUpTo; i < packedUpTo + count; ++i) {
                if (!_touched[i]) {
                    packs[i] = Place(Kind.InUnit, 0, 0, sscc);
                    ++inside;
                }
            }
            packedUpTo += count;
            _addUnit(sscc, _MANUFACTURER, 1);
            sealedContents[sscc] = inside;
        } catch {
            violations.push("packRange refused");
        }
    }

    /// @notice An actor aggregates up to two top-level units and two packs it holds into a new unit.
    function aggregate(uint256 actorSeed, uint256 pickSeed) external {
        uint8 actor = uint8(bound(actorSeed, 0, 3));
        L.Items memory children;
        children.units = _pickUnits(actor, pickSeed, 2);
        // A pack inside a unit that is itself being aggregated stays in it: packs are then loose ones.
        children.packs = _pickPacks(actor, pickSeed >> 64, 2, children.units.length != 0);
        if (children.units.length == 0 && children.packs.length == 0) return;
        uint256 height = 1;
        for (uint256 i; i < children.units.length; ++i) {
            if (_heights[children.units[i]] >= height) height = _heights[children.units[i]] + 1;
        }
        if (height > ledger.MAX_NESTING()) return;
        uint256 sscc = _newSscc(actor == _MANUFACTURER);
        vm.prank(actors[actor]);
        try ledger.aggregate(sscc, 6, children) {
            for (uint256 i; i < children.units.length; ++i) {
                unitPlaces[children.units[i]] = Place(Kind.InUnit, 0, 0, sscc);
            }
            for (uint256 i; i < children.packs.length; ++i) _movePack(children.packs[i].index, Kind.InUnit, 0, 0, sscc);
            _addUnit(sscc, actor, height);
            sealedContents[sscc] = children.units.length + children.packs.length;
        } catch {
            violations.push("aggregate refused");
        }
    }

    /// @notice An actor takes one child (a unit or a pack) out of a unit whose top it holds.
    function disaggregate(uint256 actorSeed, uint256 pickSeed) external {
        uint8 actor = uint8(bound(actorSeed, 0, 3));
        L.Items memory children;
        // A child unit or pack whose parent's top the actor holds.
        uint256 start = pickSeed % (units.length + PACKS);
        for (uint256 k; k < units.length + PACKS; ++k) {
            uint256 n = (start + k) % (units.length + PACKS);
            Place memory place = n < units.length ? unitPlaces[units[n]] : packs[n - units.length];
            if (place.kind != Kind.InUnit || !_heldBy(_top(place.parent), actor)) continue;
            if (n < units.length) {
                children.units = new uint256[](1);
                children.units[0] = units[n];
            } else {
                children.packs = new L.PackRef[](1);
                children.packs[0] = L.PackRef(batchId, n - units.length, place.parent);
            }
            vm.prank(actors[actor]);
            try ledger.disaggregate(place.parent, children) {
                if (n < units.length) unitPlaces[units[n]] = Place(Kind.Held, actor, 0, 0);
                else _movePack(n - units.length, Kind.Held, actor, 0, 0);
            } catch {
                violations.push("disaggregate refused");
            }
            return;
        }
    }

    /// @notice An actor ships a top-level unit or a loose pack it holds along an allowed route.
    function ship(uint256 fromSeed, uint256 toSeed, uint256 pickSeed) external {
        uint8 from = uint8(bound(fromSeed, 0, 3));
        uint8 to = uint8(bound(toSeed, 0, 3));
        if (!_routeAllowed(from, to)) return;
        L.Items memory items;
        items.units = _pickUnits(from, pickSeed, 1);
        if (items.units.length == 0) items.packs = _pickPacks(from, pickSeed, 1, true);
        if (items.units.length == 0 && items.packs.length == 0) return;
        vm.prank(actors[from]);
        try ledger.ship(actors[to], bytes32(pickSeed), items) {
            if (items.units.length != 0) unitPlaces[items.units[0]] = Place(Kind.InTransit, from, to, 0);
            else _movePack(items.packs[0].index, Kind.InTransit, from, to, 0);
        } catch {
            violations.push("ship refused");
        }
    }

    /// @notice Settles one item in transit: the recipient receives (mode 0) or rejects (1) it,
    /// or the sender cancels (2).
    function settle(uint256 pickSeed, uint256 modeSeed) external {
        uint256 mode = modeSeed % 3;
        uint256 total = units.length + PACKS;
        uint256 start = pickSeed % total;
        for (uint256 k; k < total; ++k) {
            uint256 n = (start + k) % total;
            Place memory place = n < units.length ? unitPlaces[units[n]] : packs[n - units.length];
            if (place.kind != Kind.InTransit) continue;
            L.Items memory item;
            if (n < units.length) {
                item.units = new uint256[](1);
                item.units[0] = units[n];
            } else {
                item.packs = new L.PackRef[](1);
                item.packs[0] = L.PackRef(batchId, n - units.length, 0);
            }
            L.Items memory none;
            uint8 next = mode == 0 ? place.recipient : place.party;
            vm.prank(actors[mode == 2 ? place.party : place.recipient]);
            if (mode == 0) {
                try ledger.receiveShipment(bytes32(0), item, none, "") {} catch {
                    violations.push("receive refused");
                    return;
                }
            } else if (mode == 1) {
                try ledger.receiveShipment(bytes32(0), none, item, "damaged") {} catch {
                    violations.push("reject refused");
                    return;
                }
            } else {
                try ledger.cancelShipment(bytes32(0), item) {} catch {
                    violations.push("cancel refused");
                    return;
                }
            }
            if (n < units.length) unitPlaces[units[n]] = Place(Kind.Held, next, 0, 0);
            else _movePack(n - units.length, Kind.Held, next, 0, 0);
            return;
        }
    }

    /// @notice An actor decommissions a pack it holds (a pharmacy dispenses it), and someone who
    /// does not hold it tries the same and must be refused.
    function decommission(uint256 actorSeed, uint256 pickSeed) external {
        uint8 actor = uint8(bound(actorSeed, 0, 3));
        L.PackRef[] memory picked = _pickPacks(actor, pickSeed, 1, false);
        if (picked.length == 0) return;
        L.PackRef memory ref = picked[0];
        uint8 outsider = (actor + 1) % 4;
        vm.prank(actors[outsider]);
        try ledger.decommission(batchId, ref.index, ref.unit, L.PackState.Destroyed) {
            violations.push("a party that does not hold a pack decommissioned it");
        } catch {}
        L.PackState state = actor == _PHARMACY ? L.PackState.Dispensed : L.PackState.Destroyed;
        vm.prank(actors[actor]);
        try ledger.decommission(batchId, ref.index, ref.unit, state) {
            _movePack(ref.index, Kind.Decommissioned, actor, 0, 0);
        } catch {
            violations.push("decommission refused");
        }
    }

    // ------------------------------------------------------------ model

    function _top(uint256 sscc) private view returns (Place memory place) {
        place = unitPlaces[sscc];
        while (place.kind == Kind.InUnit) place = unitPlaces[place.parent];
    }

    function _heldBy(Place memory place, uint8 actor) private pure returns (bool) {
        return place.kind == Kind.Held && place.party == actor;
    }

    function _movePack(uint256 index, Kind kind, uint8 party, uint8 recipient, uint256 parent) private {
        packs[index] = Place(kind, party, recipient, parent);
        _touched[index] = true;
    }

    function _addUnit(uint256 sscc, uint8 holder, uint256 height) private {
        units.push(sscc);
        unitPlaces[sscc] = Place(Kind.Held, holder, 0, 0);
        _heights[sscc] = height;
    }

    function _pickUnits(uint8 actor, uint256 seed, uint256 most) private view returns (uint256[] memory picked) {
        uint256[] memory found = new uint256[](most);
        uint256 count;
        for (uint256 k; k < units.length && count < most; ++k) {
            uint256 sscc = units[(seed + k) % units.length];
            if (_heldBy(unitPlaces[sscc], actor)) found[count++] = sscc;
        }
        picked = new uint256[](count);
        for (uint256 i; i < count; ++i) picked[i] = found[i];
    }

    /// @dev Packs the actor holds, loose or (unless `looseOnly`) inside a unit whose top it holds.
    function _pickPacks(
        uint8 actor,
        uint256 seed,
        uint256 most,
        bool looseOnly
    ) private view returns (L.PackRef[] memory picked) {
        L.PackRef[] memory found = new L.PackRef[](most);
        uint256 count;
        for (uint256 k; k < PACKS && count < most; ++k) {
            uint256 index = (seed + k) % PACKS;
            Place memory place = packs[index];
            bool loose = _heldBy(place, actor);
            bool inside = !looseOnly && place.kind == Kind.InUnit && _heldBy(_top(place.parent), actor);
            if (loose || inside) found[count++] = L.PackRef(batchId, index, loose ? 0 : place.parent);
        }
        picked = new L.PackRef[](count);
        for (uint256 i; i < count; ++i) picked[i] = found[i];
    }

    /// @dev Manufacturer to distributors or the pharmacy; distributor to the other distributor,
    /// the pharmacy or the manufacturer; pharmacy to a distributor or the manufacturer.
    function _routeAllowed(uint8 from, uint8 to) private pure returns (bool) {
        if (from == to) return false;
        if (from == _MANUFACTURER) return to != _MANUFACTURER;
        return true;
    }

    function _newSscc(bool underManufacturerPrefix) private returns (uint256) {
        uint256 prefix = underManufacturerPrefix ? 952012 * 10 ** 10 : 4012345 * 10 ** 9;
        uint256 body = prefix + ++_ssccNonce;
        uint256 sum;
        uint256 rest = body;
        for (uint256 i; rest > 0; ++i) {
            sum += i % 2 == 0 ? (rest % 10) * 3 : rest % 10;
            rest /= 10;
        }
        return body * 10 + ((10 - (sum % 10)) % 10);
    }
}
