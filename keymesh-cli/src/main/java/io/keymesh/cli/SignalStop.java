package io.keymesh.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * Turns SIGINT and SIGTERM into a clean stop of the commands that registered, so that
 * {@code keymesh up} ends with status 0 rather than the JVM's 130 or 143. It uses
 * {@code sun.misc.Signal} (module jdk.unsupported, exported) by reflection, which keeps the build
 * free of proprietary-API warnings. Where that is unavailable or the JVM keeps the signals
 * ({@code -Xrs}), nothing is installed: the JVM's default applies and shutdown hooks still run.
 * A signal that arrives while no command is registered exits with 128 + its number, as the default
 * would. Thread-safe; the handlers are installed once per JVM, on first registration.
 */
final class SignalStop {
    private static final String[] SIGNALS = {"INT", "TERM"};
    private static final Set<Consumer<String>> stops = new CopyOnWriteArraySet<>();
    private static boolean installed;
    private static boolean available;

    private SignalStop() {}

    /**
     * Calls {@code stop} with the signal's name ("SIGINT", "SIGTERM") when one arrives, until the
     * returned action is run.
     *
     * @return the action that unregisters {@code stop}
     */
    static synchronized Runnable register(Consumer<String> stop) {
        if (!installed) {
            installed = true;
            available = install();
        }
        stops.add(stop);
        return () -> stops.remove(stop);
    }

    /** True if the signal handlers are in place (after a first {@link #register}). */
    static synchronized boolean available() {
        return available;
    }

    private static boolean install() {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method getName = signalClass.getMethod("getName");
            Method getNumber = signalClass.getMethod("getNumber");
            InvocationHandler onSignal = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    signalled("SIG" + getName.invoke(args[0]), (Integer) getNumber.invoke(args[0]));
                    yield null;
                }
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "keymesh SignalStop";
            };
            Object handler = Proxy.newProxyInstance(SignalStop.class.getClassLoader(), new Class<?>[] {handlerClass}, onSignal);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            for (String name : SIGNALS) {
                handle.invoke(null, signalClass.getConstructor(String.class).newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void signalled(String name, int number) {
        if (stops.isEmpty()) {
            System.exit(128 + number);
        }
        for (Consumer<String> stop : stops) {
            stop.accept(name);
        }
    }
}
