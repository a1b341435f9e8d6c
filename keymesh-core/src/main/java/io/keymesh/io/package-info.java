/**
 * Real I/O: drivers that run the sans-I/O protocol core over UDP sockets, with threads and clocks.
 */
package io.keymesh.io;
