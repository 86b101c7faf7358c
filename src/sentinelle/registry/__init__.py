"""Registry (C1): prefectoral authorisations, zones, cameras, camera groups, and the rule that
no camera is in lawful service without a valid authorisation covering it."""
