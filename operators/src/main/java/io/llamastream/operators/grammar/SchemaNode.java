package io.llamastream.operators.grammar;

import java.util.List;

/**
 * The supported subset of JSON Schema, compiled: objects (properties in declared order, some
 * required), arrays of one item schema, strings, numbers or integers, and enums (booleans are the
 * enum {@code true, false}). {@link #minLength()} is the fewest characters a value of the schema
 * can be written in, which the grammar uses to close a value before the token budget runs out.
 */
public sealed interface SchemaNode {
    int minLength();

    record ObjectSchema(List<Property> properties) implements SchemaNode {
        public int minLength() {
            return 1 + closeFrom(0, true);
        }

        /**
         * Characters to finish the object once properties before {@code next} are written: each
         * remaining required property as {@code ,"name":value} (no comma before the first one when
         * {@code first}) and the closing brace.
         */
        int closeFrom(int next, boolean first) {
            int n = 1;
            for (int i = next; i < properties.size(); i++) {
                Property p = properties.get(i);
                if (p.required()) {
                    n += (first ? 0 : 1) + p.name().length() + 3 + p.schema().minLength();
                    first = false;
                }
            }
            return n;
        }

        /** Index of the first required property at or after {@code from}, or size() if none. */
        int firstRequiredFrom(int from) {
            for (int i = from; i < properties.size(); i++) {
                if (properties.get(i).required()) {
                    return i;
                }
            }
            return properties.size();
        }
    }

    record Property(String name, SchemaNode schema, boolean required) {}

    record ArraySchema(SchemaNode items) implements SchemaNode {
        public int minLength() {
            return 2;
        }
    }

    record StringSchema() implements SchemaNode {
        public int minLength() {
            return 2;
        }
    }

    record NumberSchema(boolean integer) implements SchemaNode {
        public int minLength() {
            return 1;
        }
    }

    /** A fixed set of JSON literals, each as written ({@code "red"} with quotes, {@code 3}, {@code true}). */
    record LiteralSchema(List<String> literals) implements SchemaNode {
        public int minLength() {
            return literals.stream().mapToInt(String::length).min().orElse(0);
        }
    }
}
