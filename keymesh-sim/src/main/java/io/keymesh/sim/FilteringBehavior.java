package io.keymesh.sim;

/**
 * RFC 4787 section 5: which inbound packets a NAT lets through a mapping X:x ↔ X1':x1', judged by
 * the destinations X:x has sent to through it.
 */
public enum FilteringBehavior {
    /** Any external endpoint may send to X1':x1'. */
    ENDPOINT_INDEPENDENT,
    /** Only addresses Y that X:x has sent to (any port of Y). */
    ADDRESS_DEPENDENT,
    /** Only endpoints Y:y that X:x has sent to. */
    ADDRESS_AND_PORT_DEPENDENT
}
