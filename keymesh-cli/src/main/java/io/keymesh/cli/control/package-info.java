/**
 * The control socket of {@code keymesh up}: a Unix domain socket speaking newline-delimited JSON
 * ({@link io.keymesh.cli.control.ControlProtocol}), the daemon's side ({@link
 * io.keymesh.cli.control.ControlServer} with the operations of {@link
 * io.keymesh.cli.control.ControlOperations}) and the client's ({@link
 * io.keymesh.cli.control.ControlClient}).
 */
package io.keymesh.cli.control;
