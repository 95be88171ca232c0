package io.github.clip4j.hub;

/** Runs test code with a system property set, then restores the property's previous value. */
public final class SystemProperties {
    private SystemProperties() {}

    /** Runs {@code body} while {@code name} is {@code value}. */
    public static void withProperty(String name, String value, Runnable body) {
        String previous = System.getProperty(name);
        System.setProperty(name, value);
        try {
            body.run();
        } finally {
            if (previous == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, previous);
            }
        }
    }
}
