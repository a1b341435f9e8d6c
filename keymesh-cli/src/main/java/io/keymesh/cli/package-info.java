package io.keymesh.cli;
/** The keymesh command line. */
