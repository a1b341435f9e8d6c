package io.keymesh.cli;

import io.keymesh.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a command-line option as a {@link Durations HOCON-style duration}: {@code 60s}, {@code 500ms}. */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            Duration d = Durations.parse(value);
            if (d.isNegative()) {
                throw new TypeConversionException("must not be negative, got " + value);
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
