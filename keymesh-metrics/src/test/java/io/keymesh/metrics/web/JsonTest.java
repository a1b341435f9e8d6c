package io.keymesh.metrics.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The JSON writer: commas, escapes (RFC 8259 section 7, and HTML's specials), numbers. */
class JsonTest {
    @Test
    void nestedContainersGetTheirCommas() {
        String s = new Json().beginObject().name("a").beginArray().value(1).value(2).beginObject().endObject().endArray()
                .name("b").nullValue().name("c").value(true).endObject().toString();
        assertEquals("{\"a\":[1,2,{}],\"b\":null,\"c\":true}", s);
    }

    @Test
    void stringsAreEscaped() {
        assertEquals("\"q\\\" b\\\\ n\\n t\\t \\u0001 \\u003c/script\\u003e \\u0026 \\u2028 é\"",
                new Json().value("q\" b\\ n\n t\t \u0001 </script> & \u2028 é").toString());
    }

    @Test
    void numbersAreWholeWhenWholeAndNullWhenNotFinite() {
        assertEquals("[3,0.25,-7,null,null,9007199254740993]", new Json().beginArray().value(3.0).value(0.25).value(-7.0)
                .value(Double.NaN).value(Double.POSITIVE_INFINITY).value(9007199254740993L).endArray().toString());
    }
}
