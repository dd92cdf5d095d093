package io.portmesh.cluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Renders JSON rows as an aligned text table: a header, then one line per row, columns two spaces apart. */
final class Table {
    record Column(String header, Function<JsonNode, String> cell) {}

    private Table() {}

    static Column col(String header, String field) {
        return new Column(header, row -> text(row.get(field)));
    }

    static Column col(String header, Function<JsonNode, String> cell) {
        return new Column(header, cell);
    }

    /** A scalar as text, an array of scalars joined by commas, null or absent as "-". */
    static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "-";
        }
        if (node.isArray()) {
            if (node.isEmpty()) {
                return "-";
            }
            List<String> parts = new ArrayList<>();
            node.forEach(n -> parts.add(text(n)));
            return String.join(",", parts);
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }

    static String render(List<Column> columns, List<JsonNode> rows) {
        List<String[]> cells = new ArrayList<>(rows.size() + 1);
        cells.add(columns.stream().map(Column::header).toArray(String[]::new));
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(c -> c.cell().apply(row)).toArray(String[]::new));
        }
        int[] width = new int[columns.size()];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] line : cells) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                l.append(line[i]);
                if (i < line.length - 1) {
                    l.append(" ".repeat(width[i] - line[i].length() + 2));
                }
            }
            sb.append(l.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
