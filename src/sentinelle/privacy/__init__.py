"""Privacy masks (capability C4, rule 3): per camera polygons that hide dwellings, their
versions, their enforcement (camera-side, verified; or burnt in by the server) and audits."""
