package io.keymesh.forward;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects an accepted forwarded connection to its TCP target (a service's, or a remote forward's):
 * on success the connection starts pumping; on failure it is refused with the {@link RefuseReason}
 * the failure maps to (connection refused, timeout, unreachable) and what the system said. Blocks
 * for up to the connect timeout: call it from a task's thread. Stateless.
 */
final class TargetConnector {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

    private TargetConnector() {}

    /** Connects {@code c} to {@code target} within {@code timeout}; ACCEPT or REFUSE follows on its channel. */
    static void connect(ForwardedConnection c, TcpAddress target, long openerWindow, Duration timeout) {
        Socket s = new Socket();
        RefuseReason reason;
        String detail;
        try {
            s.connect(target.resolve(), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            s.setTcpNoDelay(true);
            log.debug("{}: connected", c.name);
            c.connected(s, openerWindow);
            return;
        } catch (ConnectException e) {
            reason = RefuseReason.CONNECTION_REFUSED;
            detail = e.getMessage();
        } catch (SocketTimeoutException e) {
            reason = RefuseReason.TIMEOUT;
            detail = "no answer within " + timeout.toMillis() + " ms";
        } catch (UnknownHostException e) {
            reason = RefuseReason.UNREACHABLE;
            detail = "unknown host " + target.host();
        } catch (NoRouteToHostException e) {
            reason = RefuseReason.UNREACHABLE;
            detail = e.getMessage();
        } catch (IOException e) {
            reason = RefuseReason.UNREACHABLE;
            detail = e.toString();
        }
        Sockets.close(s);
        if (detail != null && detail.equalsIgnoreCase(reason.text())) {
            detail = null;
        }
        String text = target + ": " + reason.text() + (detail == null ? "" : " (" + detail + ")");
        log.info("{}: refused: {}", c.name, text);
        c.refuse(reason, text);
    }
}
