package io.github.clip4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public API stays small and free of the engine: read the module descriptor's unqualified exports, then look
 * at every public type in them (what {@code javap -public} shows) for native or internal types.
 */
class ApiSurfaceTest {
    /** Top-level public types in exported packages. */
    private static final int MAX_PUBLIC_TYPES = 45;
    /** Public nested types (builders, small records): part of their owner's API, counted apart. */
    private static final int MAX_NESTED_TYPES = 12;

    private static Set<String> exported;
    private static List<Class<?>> publicTypes;

    @BeforeAll
    static void readModule() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Clip.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }
        exported = descriptor.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        publicTypes = new ArrayList<>();
        for (String pkg : exported) {
            Path folder = classes.resolve(pkg.replace('.', '/'));
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (name.equals("package-info.class")) {
                        continue;
                    }
                    Class<?> type = Class.forName(pkg + "." + name.substring(0, name.length() - 6), false,
                            ApiSurfaceTest.class.getClassLoader());
                    if (isVisible(type)) {
                        publicTypes.add(type);
                    }
                }
            }
        }
    }

    @Test
    void onlyTheApiPackagesAreExportedToEveryone() {
        assertThat(exported).containsExactlyInAnyOrder("io.github.clip4j", "io.github.clip4j.hub",
                "io.github.clip4j.retrieval", "io.github.clip4j.testing", "io.github.clip4j.training",
                "io.github.clip4j.zeroshot");
    }

    @Test
    void theApiIsSmall() {
        assertThat(publicTypes.stream().filter(t -> t.getDeclaringClass() == null).map(Class::getName))
                .as("top-level public types in exported packages").hasSizeLessThanOrEqualTo(MAX_PUBLIC_TYPES);
        assertThat(publicTypes.stream().filter(t -> t.getDeclaringClass() != null).map(Class::getName))
                .as("public nested types in exported packages").hasSizeLessThanOrEqualTo(MAX_NESTED_TYPES);
    }

    @Test
    void noNativeOrInternalTypeCrossesTheApi() {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : publicTypes) {
            check(leaks, type, "extends", type.getGenericSuperclass());
            for (Type i : type.getGenericInterfaces()) {
                check(leaks, type, "implements", i);
            }
            for (Method m : type.getDeclaredMethods()) {
                if (isVisible(m.getModifiers()) && !m.isSynthetic()) {
                    check(leaks, type, m.getName() + " returns", m.getGenericReturnType());
                    for (Type p : m.getGenericParameterTypes()) {
                        check(leaks, type, m.getName() + " takes", p);
                    }
                    for (Type e : m.getGenericExceptionTypes()) {
                        check(leaks, type, m.getName() + " throws", e);
                    }
                }
            }
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (isVisible(c.getModifiers()) && !c.isSynthetic()) {
                    for (Type p : c.getGenericParameterTypes()) {
                        check(leaks, type, "constructor takes", p);
                    }
                }
            }
            for (Field f : type.getDeclaredFields()) {
                if (isVisible(f.getModifiers())) {
                    check(leaks, type, "field " + f.getName(), f.getGenericType());
                }
            }
            if (type.isRecord()) {
                for (RecordComponent rc : type.getRecordComponents()) {
                    check(leaks, type, "component " + rc.getName(), rc.getGenericType());
                }
            }
        }
        assertThat(leaks).as("API signatures naming org.bytedeco or io.github.clip4j.internal types").isEmpty();
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) && !(t != type && Modifier.isProtected(t.getModifiers()))) {
                return false;
            }
        }
        return !type.isAnonymousClass() && !type.isLocalClass() && !type.isSynthetic();
    }

    private static boolean isVisible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(List<String> leaks, Class<?> owner, String where, Type type) {
        if (type == null) {
            return;
        }
        if (type instanceof Class<?> c) {
            Class<?> base = c;
            while (base.isArray()) {
                base = base.getComponentType();
            }
            String name = base.getName();
            if (name.startsWith("org.bytedeco.") || name.startsWith("io.github.clip4j.internal.")) {
                leaks.add(owner.getName() + ": " + where + " " + name);
            }
        } else if (type instanceof ParameterizedType p) {
            check(leaks, owner, where, p.getRawType());
            for (Type a : p.getActualTypeArguments()) {
                check(leaks, owner, where, a);
            }
        } else if (type instanceof GenericArrayType g) {
            check(leaks, owner, where, g.getGenericComponentType());
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                check(leaks, owner, where, b);
            }
            for (Type b : w.getLowerBounds()) {
                check(leaks, owner, where, b);
            }
        } else if (type instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                if (b != Object.class) {
                    check(leaks, owner, where, b);
                }
            }
        }
    }
}
