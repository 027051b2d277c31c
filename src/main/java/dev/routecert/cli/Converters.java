package dev.routecert.cli;

import dev.routecert.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for durations and byte sizes, with messages that show valid examples. */
final class Converters {

    private Converters() {}

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Durations.parseSize(value);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new TypeConversionException("'" + value + "' is not a size (examples: 7340032, 7Mi, 512Ki)");
            }
        }
    }
}
