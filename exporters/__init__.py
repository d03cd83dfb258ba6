"""Course -> package: one module per format behind one interface, one deterministic zip writer."""
