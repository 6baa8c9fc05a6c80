pragma circom 2.1.6;

// The timeboost ordering circuit for batches of up to 128 transactions (docs/circuits.md); compile from circuits/ with -l . -l node_modules.
include "ordering/policies.circom";

component main {public [domain, prevHead, newHead, outputCommitment, header, listChallenge, listDigest, listMultiset]} = TimeboostOrdering(128);
