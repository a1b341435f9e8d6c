# Sourced by keymesh's scripts: selects a JDK 25 (or newer) as JAVA_HOME and puts it first on PATH.
# Order: $JAVA_HOME if it is 25+, then /usr/lib/jvm/*25* and newer, then `java` on PATH.
# Fails with a clear message when none is found.

keymesh_java_version() { # prints the feature version of the java at $1/bin/java, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

keymesh_select_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/*-2[5-9]* /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(keymesh_java_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      export JAVA_HOME="$c"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  if command -v javac >/dev/null 2>&1; then
    c=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(keymesh_java_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      export JAVA_HOME="$c"
      return 0
    fi
  fi
  echo "keymesh needs a JDK 25 or newer: none found (set JAVA_HOME to one, e.g. Temurin 25)." >&2
  return 1
}

keymesh_select_jdk || exit 1
# Maven 3.8 on JDK 25 warns about sun.misc.Unsafe through its bundled Guava; quiet it.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
